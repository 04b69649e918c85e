/*
 * ft_buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Buffers are reused across records: ft_buf_reset() keeps the allocation.
 * Allocation failure aborts the process through ft_die_nomem(): a tool that
 * cannot get a few kilobytes has nothing sensible left to do.
 */
#ifndef FT_BUF_H
#define FT_BUF_H

#include <stddef.h>
#include <string.h>

struct ft_buf {
	char *s;	/* owned; "" (static) until the first append */
	size_t len;
	size_t cap;
};

#define FT_BUF_INIT { ft_buf_empty, 0, 0 }
extern char ft_buf_empty[];

void ft_buf_init(struct ft_buf *b);
/* Frees the contents and leaves b ready for reuse. */
void ft_buf_release(struct ft_buf *b);
/* Makes room for n more bytes plus the terminating NUL. */
void ft_buf_grow(struct ft_buf *b, size_t n);
void ft_buf_addf(struct ft_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the string to the caller, who frees it; b is left empty. */
char *ft_buf_detach(struct ft_buf *b, size_t *len);

static inline void
ft_buf_reset(struct ft_buf *b)
{
	b->len = 0;
	if (b->cap)
		/* s is owned heap once cap is set, never NULL: the analyzer
		 * does not see ft_buf_grow() set both, in ft_buf.c.
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		b->s[0] = '\0';
}

/* Appends p[0..n): inline, as the JSON parser appends each token. */
static inline void
ft_buf_add(struct ft_buf *b, const void *p, size_t n)
{
	if (b->len + n >= b->cap)
		ft_buf_grow(b, n);
	if (n) /* p may be NULL then, which memcpy() may not be given */
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void
ft_buf_addc(struct ft_buf *b, char c)
{
	if (b->len + 1 >= b->cap)
		ft_buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static inline void
ft_buf_adds(struct ft_buf *b, const char *s)
{
	ft_buf_add(b, s, strlen(s));
}

/*
 * Reads the file at path whole; the caller frees it.  NULL after a message
 * naming what it is ("the rules").  *len gets its length, if len is given.
 */
char *ft_slurp(const char *path, const char *what, size_t *len);

/* Never NULL: they exit through ft_die_nomem() first.  Saying so lets the
 * compiler and clang-tidy's analyzer know it too. */
void *ft_xmalloc(size_t n) __attribute__((returns_nonnull));
void *ft_xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *ft_xstrdup(const char *s) __attribute__((returns_nonnull));
char *ft_xstrndup(const char *s, size_t n) __attribute__((returns_nonnull));

#endif
