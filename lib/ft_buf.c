#include "ft_buf.h"
#include "ft_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char ft_buf_empty[1];

void
ft_buf_init(struct ft_buf *b)
{
	b->s = ft_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void
ft_buf_release(struct ft_buf *b)
{
	if (b->cap)
		free(b->s);
	ft_buf_init(b);
}

void
ft_buf_grow(struct ft_buf *b, size_t n)
{
	size_t want = b->len + n + 1;
	size_t cap;

	if (want < b->len)
		ft_die_nomem();
	if (want <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap * 2;
	if (b->cap) {
		b->s = ft_xrealloc(b->s, cap);
	} else {
		b->s = ft_xmalloc(cap);
		b->s[0] = '\0';
	}
	b->cap = cap;
}

void
ft_buf_addf(struct ft_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ft_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
ft_buf_detach(struct ft_buf *b, size_t *len)
{
	char *s;

	if (!b->cap)
		ft_buf_grow(b, 0);
	s = b->s;
	if (len)
		*len = b->len;
	ft_buf_init(b);
	return s;
}

void *
ft_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		ft_die_nomem();
	return p;
}

void *
ft_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		ft_die_nomem();
	return p;
}

char *
ft_xstrdup(const char *s)
{
	return ft_xstrndup(s, strlen(s));
}

char *
ft_xstrndup(const char *s, size_t n)
{
	char *p = ft_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ft_slurp(const char *path, const char *what, size_t *len)
{
	struct ft_buf b = FT_BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	struct stat sb;

	if (!f) {
		ft_error("%s: cannot open %s: %s", path, what,
			 strerror(errno));
		return NULL;
	}
	/* fopen(3) takes a directory; only reading it fails. */
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		ft_error("%s: cannot open %s: %s", path, what,
			 strerror(EISDIR));
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ft_buf_add(&b, chunk, n);
	if (ferror(f)) {
		ft_error("%s: read error: %s", path, strerror(errno));
		fclose(f);
		ft_buf_release(&b);
		return NULL;
	}
	fclose(f);
	return ft_buf_detach(&b, len);
}
