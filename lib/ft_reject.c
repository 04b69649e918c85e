#include "ft_reject.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int
ft_reject_open(struct ft_reject *r, const char *path)
{
	struct stat sb;
	int fd, flags;

	memset(r, 0, sizeof(*r));
	ft_buf_init(&r->line);
	if (!path)
		return FT_OK;
	/*
	 * A predictable daily name in a shared directory must not let another
	 * user point it at a file of ours (a symlink attack), and rejects hold
	 * personal data: the last component is never followed, the file is
	 * truncated only once opened, and a regular file is made 0600 even
	 * if it existed with another mode.  Under /dev the links are the
	 * system's own (/dev/stdout, /dev/fd/N) and are followed.
	 */
	flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	if (strncmp(path, "/dev/", 5) != 0)
		flags |= O_NOFOLLOW;
	fd = open(path, flags, 0600);
	if (fd < 0 && errno == ELOOP && (flags & O_NOFOLLOW)) {
		ft_error("%s: cannot create: a symbolic link (refused: give "
			 "the file itself)", path);
		return FT_CANTCREAT;
	}
	if (fd >= 0 && (fstat(fd, &sb) != 0 ||
			(S_ISREG(sb.st_mode) &&
			 (ftruncate(fd, 0) != 0 ||
			  ((sb.st_mode & 07777) != 0600 &&
			   fchmod(fd, 0600) != 0))))) {
		ft_error("%s: cannot create: %s", path, strerror(errno));
		close(fd);
		return FT_CANTCREAT;
	}
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

/*
 * ft_reject_add(), ft_reject_add_id() and ft_reject_add_path(); id NULL:
 * none; path NULL: none.
 */
static void
add(struct ft_reject *r, const char *fname, long line, const char *id,
    size_t idlen, const char *path, size_t pathlen, const char *reason,
    const char *raw, size_t rawlen, const char *record, size_t reclen)
{
	struct ft_buf *l = &r->line;

	r->n++;
	if (r->messages++ < FT_REJECT_MESSAGES) {
		if (id) {
			/*
			 * Escaped: an id is data, and reaches a terminal.  A
			 * path is JSON text, escaped already.
			 */
			ft_buf_reset(l);
			ft_json_escape_lossy(l, id, idlen);
			if (path)
				ft_error("%s:%ld: path %.*s: id %s: %s", fname,
					 line, (int)pathlen, path, l->s,
					 reason);
			else
				ft_error("%s:%ld: id %s: %s", fname, line,
					 l->s, reason);
		} else if (path) {
			ft_error("%s:%ld: path %.*s: %s", fname, line,
				 (int)pathlen, path, reason);
		} else {
			ft_error("%s:%ld: %s", fname, line, reason);
		}
	} else if (r->messages == FT_REJECT_MESSAGES + 1)
		ft_error("%s: more records rejected; %s", fname,
			 r->f ? "all are in the rejects file"
			      : "--rejects FILE keeps them all");
	if (!r->f)
		return;
	ft_buf_reset(l);
	ft_buf_adds(l, "{\"file\":");
	ft_json_escape_lossy(l, fname, strlen(fname));
	ft_buf_addf(l, ",\"line\":%ld,", line);
	if (path) {
		ft_buf_adds(l, "\"path\":");
		ft_buf_add(l, path, pathlen);
		ft_buf_addc(l, ',');
	}
	if (id) {
		ft_buf_adds(l, "\"id\":");
		ft_json_escape_lossy(l, id, idlen);
		ft_buf_addc(l, ',');
	}
	ft_buf_adds(l, "\"reason\":");
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

void
ft_reject_add(struct ft_reject *r, const char *fname, long line,
	      const char *reason, const char *raw, size_t rawlen,
	      const char *record, size_t reclen)
{
	add(r, fname, line, NULL, 0, NULL, 0, reason, raw, rawlen, record,
	    reclen);
}

void
ft_reject_add_id(struct ft_reject *r, const char *fname, long line,
		 const char *id, size_t idlen, const char *reason,
		 const char *raw, size_t rawlen, const char *record,
		 size_t reclen)
{
	add(r, fname, line, id, idlen, NULL, 0, reason, raw, rawlen, record,
	    reclen);
}

void
ft_reject_add_path(struct ft_reject *r, const char *fname, long line,
		   const char *id, size_t idlen, const char *path,
		   size_t pathlen, const char *reason, const char *raw,
		   size_t rawlen, const char *record, size_t reclen)
{
	add(r, fname, line, id, idlen, path, pathlen, reason, raw, rawlen,
	    record, reclen);
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
