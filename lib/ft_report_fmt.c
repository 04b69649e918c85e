/*
 * ft_report_fmt.c - the table of a report in each format: an aligned
 * table for a terminal (East Asian wide characters take two columns),
 * CSV (RFC 4180: CRLF, quotes where needed), NDJSON (an object a row),
 * Markdown (a pipe table).  See ft_report.h.
 */
#include "ft_json.h"
#include "ft_report.h"
#include "ft_report_html.h"

#include <stdlib.h>
#include <string.h>

void
ft_rtab_init(struct ft_rtab *t)
{
	memset(t, 0, sizeof(*t));
}

void
ft_rtab_release(struct ft_rtab *t)
{
	size_t i;

	for (i = 0; i < t->nrow * (size_t)t->ncol; i++) {
		free(t->cells[i].text);
		free(t->cells[i].raw);
	}
	free(t->cells);
	free(t->foot);
	ft_rtab_init(t);
}

int
ft_rtab_col(struct ft_rtab *t, const char *head, int flags)
{
	t->head[t->ncol] = head;
	t->flags[t->ncol] = flags;
	return t->ncol++;
}

size_t
ft_rtab_row(struct ft_rtab *t, int foot)
{
	size_t n = (size_t)t->ncol;

	if (t->nrow == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->cells = ft_xrealloc(t->cells,
				       t->cap * n * sizeof(struct ft_rcell));
		t->foot = ft_xrealloc(t->foot, t->cap * sizeof(int));
	}
	memset(t->cells + t->nrow * n, 0, n * sizeof(struct ft_rcell));
	t->foot[t->nrow] = foot;
	return t->nrow++;
}

void
ft_rtab_set(struct ft_rtab *t, size_t row, int col, const char *text,
	    const char *raw)
{
	struct ft_rcell *c = &t->cells[row * (size_t)t->ncol + (size_t)col];

	free(c->text);
	free(c->raw);
	c->text = text ? ft_xstrdup(text) : NULL;
	c->raw = raw ? ft_xstrdup(raw) : NULL;
}

/*
 * The next character of s[0..n) at *i: its code point, or -1 for a byte
 * that does not start a valid UTF-8 sequence (one byte is skipped).
 */
static long
next_char(const char *s, size_t n, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = n - *i, len, k;
	long c, min;

	if (p[0] < 0x80) {
		(*i)++;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2, c = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, c = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		(*i)++;
		return -1;
	}
	if (left < len) {
		(*i)++;
		return -1;
	}
	for (k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80) {
			(*i)++;
			return -1;
		}
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		(*i)++;
		return -1;
	}
	*i += len;
	return c;
}

/* Shown as '?': C0 and C1 controls, DEL, the bidirectional controls. */
static int
hidden(long c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x061c;
}

/* The columns code point c takes on a terminal. */
static int
char_width(long c)
{
	/* East Asian Wide (W) and Fullwidth (F), Unicode 15. */
	static const long wide[][2] = {
		{ 0x1100, 0x115f },   { 0x231a, 0x231b },
		{ 0x2329, 0x232a },   { 0x23e9, 0x23ec },
		{ 0x23f0, 0x23f0 },   { 0x23f3, 0x23f3 },
		{ 0x25fd, 0x25fe },   { 0x2614, 0x2615 },
		{ 0x2648, 0x2653 },   { 0x267f, 0x267f },
		{ 0x2693, 0x2693 },   { 0x26a1, 0x26a1 },
		{ 0x26aa, 0x26ab },   { 0x26bd, 0x26be },
		{ 0x26c4, 0x26c5 },   { 0x26ce, 0x26ce },
		{ 0x26d4, 0x26d4 },   { 0x26ea, 0x26ea },
		{ 0x26f2, 0x26f3 },   { 0x26f5, 0x26f5 },
		{ 0x26fa, 0x26fa },   { 0x26fd, 0x26fd },
		{ 0x2705, 0x2705 },   { 0x270a, 0x270b },
		{ 0x2728, 0x2728 },   { 0x274c, 0x274c },
		{ 0x274e, 0x274e },   { 0x2753, 0x2755 },
		{ 0x2757, 0x2757 },   { 0x2795, 0x2797 },
		{ 0x27b0, 0x27b0 },   { 0x27bf, 0x27bf },
		{ 0x2b1b, 0x2b1c },   { 0x2b50, 0x2b50 },
		{ 0x2b55, 0x2b55 },   { 0x2e80, 0x303e },
		{ 0x3041, 0x33ff },   { 0x3400, 0x4dbf },
		{ 0x4e00, 0xa4cf },   { 0xa960, 0xa97f },
		{ 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },
		{ 0xfe10, 0xfe19 },   { 0xfe30, 0xfe6f },
		{ 0xff00, 0xff60 },   { 0xffe0, 0xffe6 },
		{ 0x16fe0, 0x16fe4 }, { 0x17000, 0x18cd5 },
		{ 0x1b000, 0x1b2fb }, { 0x1f004, 0x1f004 },
		{ 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e },
		{ 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 },
		{ 0x1f300, 0x1f64f }, { 0x1f680, 0x1f6ff },
		{ 0x1f7e0, 0x1f7eb }, { 0x1f90c, 0x1f9ff },
		{ 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd },
		{ 0x30000, 0x3fffd }
	};
	/* Combining marks and the zero-width characters. */
	static const long zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 },	 { 0x0591, 0x05bd },
		{ 0x0610, 0x061a }, { 0x064b, 0x065f },	 { 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff }, { 0x200b, 0x200d },	 { 0x20d0, 0x20ff },
		{ 0x3099, 0x309a }, { 0xfe00, 0xfe0f },	 { 0xfe20, 0xfe2f },
		{ 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef }
	};
	size_t i;

	if (c < 0x300)
		return 1;
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (c >= zero[i][0] && c <= zero[i][1])
			return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

size_t
ft_utf8_width(const char *s, size_t n)
{
	size_t i = 0, w = 0;
	long c;

	while (i < n) {
		c = next_char(s, n, &i);
		w += c < 0 || hidden(c) ? 1 : (size_t)char_width(c);
	}
	return w;
}

/* Appends s for a terminal or Markdown: hidden characters as '?'. */
static void
add_shown(struct ft_buf *out, const char *s, int markdown)
{
	size_t n = strlen(s), i = 0, at;
	long c;

	while (i < n) {
		at = i;
		c = next_char(s, n, &i);
		if (c < 0 || hidden(c))
			ft_buf_addc(out, '?');
		else if (markdown && (c == '|' || c == '\\'))
			ft_buf_addc(out, '\\'), ft_buf_addc(out, (char)c);
		else
			ft_buf_add(out, s + at, i - at);
	}
}

static void
pad(struct ft_buf *out, size_t n)
{
	while (n--)
		ft_buf_addc(out, ' ');
}

/* What a cell shows in a table or Markdown. */
static const char *
shown(const struct ft_rcell *c)
{
	return c->text ? c->text : "-";
}

static void
print_table(const struct ft_rtab *t, struct ft_buf *out)
{
	size_t w[FT_RTAB_MAXCOL], r, cw, k;
	int c, last = -1;

	for (c = 0; c < t->ncol; c++) {
		if (t->flags[c] & FT_COL_JSON)
			continue;
		w[c] = ft_utf8_width(t->head[c], strlen(t->head[c]));
		for (r = 0; r < t->nrow; r++) {
			const char *s = shown(&t->cells[r * t->ncol + c]);

			cw = ft_utf8_width(s, strlen(s));
			if (cw > w[c])
				w[c] = cw;
		}
		last = c;
	}
	for (r = 0; r < t->nrow + 2; r++) {
		size_t start = out->len;

		for (c = 0; c < t->ncol; c++) {
			const char *s;

			if (t->flags[c] & FT_COL_JSON)
				continue;
			if (r == 1) {
				for (k = 0; k < w[c]; k++)
					ft_buf_addc(out, '-');
				if (c != last)
					ft_buf_adds(out, "  ");
				continue;
			}
			s = r ? shown(&t->cells[(r - 2) * t->ncol + c]) :
				t->head[c];
			cw = ft_utf8_width(s, strlen(s));
			if (t->flags[c] & FT_COL_NUM)
				pad(out, w[c] - cw);
			add_shown(out, s, 0);
			if (c != last) {
				if (!(t->flags[c] & FT_COL_NUM))
					pad(out, w[c] - cw);
				ft_buf_adds(out, "  ");
			}
		}
		/* An empty last cell leaves no spaces at the line's end. */
		while (out->len > start && out->s[out->len - 1] == ' ')
			out->len--;
		ft_buf_addc(out, '\n');
	}
}

static void
print_markdown(const struct ft_rtab *t, struct ft_buf *out)
{
	size_t r;
	int c;

	for (r = 0; r < t->nrow + 2; r++) {
		for (c = 0; c < t->ncol; c++) {
			if (t->flags[c] & FT_COL_JSON)
				continue;
			ft_buf_adds(out, "| ");
			if (r == 1)
				ft_buf_adds(out, t->flags[c] & FT_COL_NUM ?
							 "--:" :
							 "---");
			else if (!r)
				add_shown(out, t->head[c], 1);
			else if (t->foot[r - 2] &&
				 !(t->flags[c] & FT_COL_NUM) &&
				 *shown(&t->cells[(r - 2) * t->ncol + c]))
				ft_buf_addf(out, "**%s**",
					    shown(&t->cells[(r - 2) * t->ncol +
							    c]));
			else
				add_shown(out,
					  shown(&t->cells[(r - 2) * t->ncol +
							  c]),
					  1);
			ft_buf_addc(out, ' ');
		}
		ft_buf_adds(out, "|\n");
	}
}

/* A CSV field: quoted when it holds a comma, a quote, CR or LF. */
static void
csv_field(struct ft_buf *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		ft_buf_adds(out, s);
		return;
	}
	ft_buf_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			ft_buf_addc(out, '"');
		ft_buf_addc(out, *s);
	}
	ft_buf_addc(out, '"');
}

static void
print_csv(const struct ft_rtab *t, struct ft_buf *out)
{
	size_t r;
	int c, first;

	for (r = 0; r < t->nrow + 1; r++) {
		if (r && t->foot[r - 1])
			continue;
		first = 1;
		for (c = 0; c < t->ncol; c++) {
			if (t->flags[c] & FT_COL_JSON)
				continue;
			if (!first)
				ft_buf_addc(out, ',');
			first = 0;
			csv_field(out, r ? t->cells[(r - 1) * t->ncol + c].raw :
					   t->head[c]);
		}
		ft_buf_adds(out, "\r\n");
	}
}

static void
print_ndjson(const struct ft_rtab *t, struct ft_buf *out)
{
	size_t r;
	int c;

	for (r = 0; r < t->nrow; r++) {
		if (t->foot[r])
			continue;
		for (c = 0; c < t->ncol; c++) {
			const char *v = t->cells[r * t->ncol + c].raw;

			if (c)
				ft_json_put_key(out, t->head[c]);
			else
				ft_json_open(out, t->head[c]);
			if (!v)
				ft_buf_adds(out, "null");
			else if (t->flags[c] & (FT_COL_NUM | FT_COL_BARE))
				ft_buf_adds(out, v);
			else
				ft_json_escape_lossy(out, v, strlen(v));
		}
		ft_buf_adds(out, "}\n");
	}
}

void
ft_rtab_print(const struct ft_rtab *t, enum ft_report_format f,
	      struct ft_buf *out)
{
	switch (f) {
	case FT_FMT_TABLE:
		print_table(t, out);
		break;
	case FT_FMT_CSV:
		print_csv(t, out);
		break;
	case FT_FMT_NDJSON:
		print_ndjson(t, out);
		break;
	case FT_FMT_HTML:
		ft_rtab_html(t, out);
		break;
	default:
		print_markdown(t, out);
	}
}
