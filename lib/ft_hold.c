#include "ft_hold.h"
#include "ft_err.h"
#include "ft_exit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
ft_hold_init(struct ft_hold *h, int no_output)
{
	memset(h, 0, sizeof(*h));
	ft_buf_init(&h->buf);
	h->no_output = no_output;
}

static const char *tmpdir; /* set by main(), from TMPDIR */

void
ft_hold_set_dir(const char *dir)
{
	tmpdir = dir;
}

int
ft_hold_keep(struct ft_hold *h)
{
	const char *dir = tmpdir;
	char path[4096];
	int fd;

	if (h->no_output || h->closed) {
		ft_buf_reset(&h->buf);
		return FT_OK;
	}
	if (h->buf.len < FT_HOLD_MAX)
		return FT_OK;
	if (!h->spill) {
		snprintf(path, sizeof(path), "%s/%s.XXXXXX",
			 dir && *dir ? dir : "/tmp", ft_progname);
		if ((fd = mkstemp(path)) >= 0)
			unlink(path);
		if (fd < 0 || !(h->spill = fdopen(fd, "w+"))) {
			ft_error("%s: cannot create a temporary file: %s", path,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return FT_CANTCREAT;
		}
	}
	if (fwrite(h->buf.s, 1, h->buf.len, h->spill) != h->buf.len) {
		ft_error("a temporary file: write error: %s", strerror(errno));
		return FT_IOERR;
	}
	ft_buf_reset(&h->buf);
	return FT_OK;
}

void
ft_hold_drop(struct ft_hold *h)
{
	ft_buf_reset(&h->buf);
	if (h->spill) {
		fclose(h->spill);
		h->spill = NULL;
	}
}

/* Writes n bytes of s to standard output, unless it failed before. */
static void
out(struct ft_hold *h, const char *s, size_t n)
{
	if (!h->closed && fwrite(s, 1, n, stdout) != n) {
		ft_stdout_failed(errno);
		h->closed = 1;
	}
}

int
ft_hold_print(struct ft_hold *h)
{
	char chunk[65536];
	size_t n;
	int st = FT_OK;

	if (h->no_output || h->closed) {
		ft_hold_drop(h);
		return FT_OK;
	}
	if (h->spill) {
		if (fflush(h->spill) == EOF || fseek(h->spill, 0, SEEK_SET)) {
			ft_error("a temporary file: read error: %s",
				 strerror(errno));
			st = FT_IOERR;
		}
		while (!st && !h->closed &&
		       (n = fread(chunk, 1, sizeof(chunk), h->spill)) > 0)
			out(h, chunk, n);
		if (!st && ferror(h->spill)) {
			ft_error("a temporary file: read error: %s",
				 strerror(errno));
			st = FT_IOERR;
		}
	}
	if (!st && h->buf.len)
		out(h, h->buf.s, h->buf.len);
	if (!h->closed && (h->spill || h->buf.len) && fflush(stdout) == EOF) {
		ft_stdout_failed(errno);
		h->closed = 1;
	}
	ft_hold_drop(h);
	return st;
}

void
ft_hold_release(struct ft_hold *h)
{
	ft_hold_drop(h);
	ft_buf_release(&h->buf);
}
