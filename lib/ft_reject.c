#include "ft_reject.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

int
ft_reject_open(struct ft_reject *r, const char *path)
{
	int fd;

	memset(r, 0, sizeof(*r));
	ft_buf_init(&r->line);
	if (!path)
		return FT_OK;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	r->f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!r->f) {
		if (fd >= 0)
			close(fd);
		ft_error("%s: cannot create: %s", path, strerror(errno));
		return FT_CANTCREAT;
	}
	r->path = ft_xstrdup(path);
	return FT_OK;
}

void
ft_reject_add(struct ft_reject *r, const char *fname, long line,
	      const char *reason, const char *raw, size_t rawlen,
	      const char *record, size_t reclen)
{
	struct ft_buf *l = &r->line;

	r->n++;
	if (r->messages++ < FT_REJECT_MESSAGES)
		ft_error("%s:%ld: %s", fname, line, reason);
	else if (r->messages == FT_REJECT_MESSAGES + 1)
		ft_error("%s: more records rejected; %s", fname,
			 r->f ? "all are in the rejects file"
			      : "--rejects FILE keeps them all");
	if (!r->f)
		return;
	ft_buf_reset(l);
	ft_buf_adds(l, "{\"file\":");
	ft_json_escape_lossy(l, fname, strlen(fname));
	ft_buf_addf(l, ",\"line\":%ld,\"reason\":", line);
	ft_json_escape_lossy(l, reason, strlen(reason));
	ft_buf_adds(l, ",\"raw\":");
	while (rawlen && (raw[rawlen - 1] == '\n' || raw[rawlen - 1] == '\r'))
		rawlen--;
	ft_json_escape_lossy(l, raw, rawlen);
	if (record) {
		ft_buf_adds(l, ",\"record\":");
		ft_buf_add(l, record, reclen);
	}
	ft_buf_adds(l, "}\n");
	if (fwrite(l->s, 1, l->len, r->f) != l->len && !r->status) {
		ft_error("%s: write error: %s", r->path, strerror(errno));
		r->status = FT_IOERR;
	}
}

int
ft_reject_close(struct ft_reject *r)
{
	int st = r->status;

	if (r->f && fclose(r->f) != 0 && !st) {
		ft_error("%s: write error: %s", r->path, strerror(errno));
		st = FT_IOERR;
	}
	r->f = NULL;
	free(r->path);
	r->path = NULL;
	ft_buf_release(&r->line);
	return st;
}
