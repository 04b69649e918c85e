#include "ft_err.h"
#include "ft_exit.h"
#include "ft_buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ft_progname = "ft";

/* Length of one valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80 || (c == 0xF0 && s[1] < 0x90) ||
		    (c == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Writes the escaped form of the character at s (n bytes left) into e and
 * returns its length, or returns 0 when it stands as itself (*k then holds
 * its length).  quoted: '"' and '\\' are escaped too.
 */
static size_t
escape_char(const unsigned char *s, size_t n, int quoted, char e[8],
	    size_t *k)
{
	static const char hexd[] = "0123456789abcdef";
	unsigned c = s[0], u;

	*k = 1;
	if (c >= 0x20 && c < 0x7F) {
		if (!quoted || (c != '"' && c != '\\'))
			return 0;
		e[0] = '\\';
		e[1] = (char)c;
		return 2;
	}
	if (c == '\n' || c == '\r' || c == '\t') {
		e[0] = '\\';
		e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	if (c < 0x80 || !(*k = utf8_len(s, n))) {
		*k = 1;
		e[0] = '\\';
		e[1] = 'x';
		e[2] = hexd[c >> 4];
		e[3] = hexd[c & 15];
		return 4;
	}
	/* The C1 controls (a terminal may read U+009B as CSI) and the
	 * bidirectional controls, which reorder what is shown. */
	if (*k == 2)
		u = (c & 0x1F) << 6 | (s[1] & 0x3Fu);
	else if (*k == 3)
		u = (c & 0x0F) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
	else
		return 0;
	if (!(u < 0xA0 || (u >= 0x200E && u <= 0x200F) ||
	      (u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069)))
		return 0;
	e[0] = '\\';
	e[1] = 'u';
	e[2] = hexd[u >> 12];
	e[3] = hexd[(u >> 8) & 15];
	e[4] = hexd[(u >> 4) & 15];
	e[5] = hexd[u & 15];
	return 6;
}

void
ft_quote(struct ft_buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char e[8];
	size_t el, k;

	ft_buf_addc(out, '"');
	while (p < end) {
		el = escape_char(p, (size_t)(end - p), 1, e, &k);
		if (el)
			ft_buf_add(out, e, el);
		else
			ft_buf_add(out, p, k);
		p += k;
	}
	ft_buf_addc(out, '"');
}

const char *
ft_qn(const char *s, size_t n)
{
	static _Thread_local char slot[FT_Q_SLOTS][FT_Q_MAX + 8];
	static _Thread_local unsigned next;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *q = slot[next++ % FT_Q_SLOTS], *o = q, e[8];
	size_t el, k;

	*o++ = '"';
	while (p < end) {
		el = escape_char(p, (size_t)(end - p), 1, e, &k);
		if ((size_t)(o - q) + (el ? el : k) > FT_Q_MAX - 1)
			break;
		memcpy(o, el ? e : (const char *)p, el ? el : k);
		o += el ? el : k;
		p += k;
	}
	*o++ = '"';
	if (p < end) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o = '\0';
	return q;
}

const char *
ft_q(const char *s)
{
	return ft_qn(s ? s : "", s ? strlen(s) : 0);
}

static void
vmsg(const char *fmt, va_list ap)
{
	char line[4096], safe[4096 * 4 + 2], e[8];
	const unsigned char *p, *end;
	size_t o = 0, el, k;
	int n;

	/* One write, so that lines from tools sharing a terminal do not mix. */
	n = snprintf(line, sizeof(line), "%s: ", ft_progname);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	/*
	 * Whatever reached the message unquoted (a file name, a reason built
	 * from input) still cannot drive the terminal: control characters and
	 * invalid UTF-8 are escaped here as ft_quote() does.
	 */
	p = (const unsigned char *)line;
	end = p + strlen(line);
	while (p < end) {
		el = escape_char(p, (size_t)(end - p), 0, e, &k);
		memcpy(safe + o, el ? e : (const char *)p, el ? el : k);
		o += el ? el : k;
		p += k;
	}
	safe[o++] = '\n';
	fwrite(safe, 1, o, stderr);
}

int
ft_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return -1;
}

int
ft_errorv(const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return ft_error("%s", msg);
}

void
ft_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
ft_die_nomem(void)
{
	static const char msg[] = ": out of memory\n";

	(void)!write(2, ft_progname, __builtin_strlen(ft_progname));
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(FT_SOFTWARE);
}

/* ---- standard output ---- */

static int stdout_reported, stdout_gone;

void
ft_stdout_failed(int err)
{
	if (err == EPIPE) {
		stdout_gone = 1;
		return;
	}
	if (stdout_reported)
		return;
	ft_error("standard output: write error: %s", strerror(err));
	stdout_reported = 1;
}

int
ft_finish(int status)
{
	int bad = fflush(stdout) == EOF || ferror(stdout);

	if (bad && errno == EPIPE)
		stdout_gone = 1;
	if (stdout_gone && !stdout_reported)
		return status; /* the reader went away: a quiet end */
	if (bad || stdout_reported) {
		ft_stdout_failed(errno);
		return status && status != FT_REJECTED ? status : FT_IOERR;
	}
	return status;
}
