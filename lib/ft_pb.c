#include "ft_pb.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct reader {
	struct ft_pb *pb;
	struct ft_pb_section *cur;
	const char *path;
	long line;		/* the line being fed */
	long rowline;		/* where the row being read started */
	struct ft_pb_row row;
	int rowcap;
	int status;
};

static void
row_release(struct ft_pb_row *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	memset(r, 0, sizeof(*r));
}

static void
section_release(struct ft_pb_section *s)
{
	int i;

	row_release(&s->head);
	for (i = 0; i < s->nrows; i++)
		row_release(&s->rows[i]);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

void
ft_pb_release(struct ft_pb *pb)
{
	section_release(&pb->meta);
	section_release(&pb->projects);
	section_release(&pb->votes);
}

#define MAX_ERRORS 100

/* Prints an error of the file; only the first MAX_ERRORS. */
static void
pb_error(struct reader *r, long line, const char *what, const char *why)
{
	if (++r->pb->errors > MAX_ERRORS) {
		if (r->pb->errors == MAX_ERRORS + 1)
			ft_error("%s: more errors not shown", r->path);
		return;
	}
	ft_error("%s:%ld: %s: %s", r->path, line, what, why);
}

/*
 * NULL when s[0..len) is text: UTF-8 without NUL or control characters
 * but tabs and line ends; else what it holds (a literal, or why).
 */
static const char *
not_text(const char *s, size_t len, char why[40])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (memchr(s, '\0', len))
		return "NUL byte";
	if (ft_utf8_valid(s, len) != len)
		return "not UTF-8";
	for (i = 0; i < len; i++) {
		unsigned c = u[i];

		/* C1 controls, U+0080 to U+009F, are C2 80 to C2 9F. */
		if (c == 0xc2 && i + 1 < len && u[i + 1] < 0xa0)
			c = u[i + 1];
		else if ((c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' ||
			 c == '\r')
			continue;
		snprintf(why, 40, "control character U+%04X", c);
		return why;
	}
	return NULL;
}

static const char *
section_name(const struct ft_pb *pb, const struct ft_pb_section *s)
{
	return s == &pb->meta ? "META" : s == &pb->projects ? "PROJECTS" :
	       s == &pb->votes ? "VOTES" : "before META";
}

/* Reports field s[0..len) of the row being read if it is not text. */
static int
check_field(struct reader *r, const char *s, size_t len)
{
	const struct ft_pb_section *sec = r->cur;
	char what[160], buf[40];
	const char *why = not_text(s, len, buf), *col = NULL;
	int c = r->row.n, kc;

	if (!why)
		return 0;
	if (!sec || (sec->head.n == 0 && !sec->nrows))
		col = "header";
	else if (sec == &r->pb->meta && c < sec->head.n &&
		 !strcmp(sec->head.f[c], "value") &&
		 (kc = ft_pb_col(sec, "key")) >= 0 && kc < c &&
		 *r->row.f[kc])
		col = r->row.f[kc];	/* the key, checked already */
	else if (c < sec->head.n)
		col = sec->head.f[c];
	if (col)
		snprintf(what, sizeof(what), "%s %s", section_name(r->pb, sec),
			 col);
	else
		snprintf(what, sizeof(what), "%s column %d",
			 section_name(r->pb, sec), c + 1);
	pb_error(r, r->line, what, why);
	r->status = FT_DATAERR;
	return -1;
}

static void
on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;

	if (r->row.n == 0)
		r->rowline = r->line;
	if (r->row.n == r->rowcap) {
		r->rowcap = r->rowcap ? 2 * r->rowcap : 8;
		r->row.f = ft_xrealloc(r->row.f,
				       (size_t)r->rowcap * sizeof(*r->row.f));
	}
	/* A stray quote leaves the line end in the field (see below). */
	while (s && len && (((char *)s)[len - 1] == '\n' ||
			    ((char *)s)[len - 1] == '\r'))
		len--;
	/* A field that is not text is kept empty: the file is refused, and
	 * what names a field in a message must be text. */
	if (s && check_field(r, s, len))
		len = 0;
	r->row.f[r->row.n++] = ft_xstrndup(s ? s : "", s ? len : 0);
}

static struct ft_pb_section *
section_named(struct ft_pb *pb, const char *name)
{
	if (strcasecmp(name, "META") == 0)
		return &pb->meta;
	if (strcasecmp(name, "PROJECTS") == 0)
		return &pb->projects;
	if (strcasecmp(name, "VOTES") == 0)
		return &pb->votes;
	return NULL;
}

static void
on_row(int c, void *data)
{
	struct reader *r = data;
	struct ft_pb_section *s;
	struct ft_pb_row row;

	(void)c;
	if (r->row.n == 0)
		return;
	row = r->row;
	row.line = r->rowline;
	memset(&r->row, 0, sizeof(r->row));
	r->rowcap = 0;
	/* A row of one empty field is a blank line with spaces or a lone
	 * CR: not a row. */
	if (row.n == 1 && row.f[0][strspn(row.f[0], " \t\r")] == '\0') {
		row_release(&row);
		return;
	}
	if (row.n == 1 && (s = section_named(r->pb, row.f[0])) != NULL) {
		if (s->line && !r->status) {
			ft_error("%s:%ld: section %s twice (first at line %ld)",
				 r->path, row.line, row.f[0], s->line);
			r->pb->errors++;
			r->status = FT_DATAERR;
		}
		s->line = row.line;
		r->cur = s;
		row_release(&row);
		return;
	}
	if (!r->cur) {
		if (!r->status) {
			ft_error("%s:%ld: not a .pb file: text before the META "
				 "section", r->path, row.line);
			/* r->pb is never NULL (ft_pb_read() sets it); the
			 * analyzer takes the NULL that section_named() may
			 * return for &pb->meta, pb's first member, at 0.
			 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
			r->pb->errors++;
		}
		r->status = FT_DATAERR;
		row_release(&row);
		return;
	}
	s = r->cur;
	if (s->head.n == 0 && !s->nrows) {
		s->head = row;
		return;
	}
	if (s->nrows == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->rows = ft_xrealloc(s->rows, (size_t)s->cap * sizeof(*s->rows));
	}
	s->rows[s->nrows++] = row;
}

static int
never_space(unsigned char c)
{
	(void)c;
	return 0;
}

int
ft_pb_read(struct ft_pb *pb, const char *path)
{
	struct csv_parser p;
	struct reader r;
	size_t len, i, start;
	char *text;
	int st;

	memset(pb, 0, sizeof(*pb));
	if (!(text = ft_slurp(path, "the .pb file", &len)))
		return errno == ENOMEM ? FT_SOFTWARE : FT_NOINPUT;
	memset(&r, 0, sizeof(r));
	r.pb = pb;
	r.path = path;
	if (csv_init(&p, 0)) {
		free(text);
		return FT_SOFTWARE;
	}
	csv_set_delim(&p, ';');
	csv_set_space_func(&p, never_space);
	start = 0;
	/* Skip a UTF-8 BOM. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		start = 3;
	/*
	 * A program or an archive given by mistake is one error, not one a
	 * line: a NUL byte in the first block of a file that does not open
	 * with its META section (a NUL in a field of a .pb file is named
	 * where it is).
	 */
	if (memchr(text + start, '\0', len - start < 65536 ? len - start :
		   65536) && (len - start < 4 || memcmp(text + start, "META", 4))) {
		ft_error("%s: a binary file, not text", path);
		free(text);
		return FT_DATAERR;
	}
	/*
	 * Row by row, so that each knows the line it starts on.  A row ends
	 * at the first line end where its quotes are paired: a quoted field
	 * may hold a line end, and a stray quote inside an unquoted field
	 * ("Odkupmy" i my, in a published file) still ends with its line
	 * rather than swallowing the rest of the file.
	 */
	for (i = start; i < len;) {
		size_t e = i, q = 0;
		long first = r.line + 1;

		do {
			while (e < len && text[e] != '\n')
				q += text[e++] == '"';
			if (e < len)
				e++;
			r.line++;
		} while (q % 2 && e < len);
		r.line = first;
		if (csv_parse(&p, text + i, e - i, on_field, on_row, &r) !=
		    e - i) {
			ft_error("%s:%ld: %s", path, r.line,
				 csv_strerror(csv_error(&p)));
			pb->errors++;
			r.status = FT_DATAERR;
			break;
		}
		csv_fini(&p, on_field, on_row, &r);
		for (; i < e; i++)
			r.line += text[i] == '\n';
		r.line--;
		i = e;
	}
	csv_fini(&p, on_field, on_row, &r);
	csv_free(&p);
	row_release(&r.row);
	free(text);
	st = r.status;
	if (!st && (!pb->meta.line || !pb->projects.line || !pb->votes.line)) {
		ft_error("%s: not a .pb file: no %s section", path,
			 !pb->meta.line ? "META" : !pb->projects.line ?
			 "PROJECTS" : "VOTES");
		pb->errors++;
		st = FT_DATAERR;
	}
	if (st)
		ft_pb_release(pb);
	return st;
}

int
ft_pb_col(const struct ft_pb_section *s, const char *name)
{
	int i;

	for (i = 0; i < s->head.n; i++)
		if (strcmp(s->head.f[i], name) == 0)
			return i;
	return -1;
}

const char *
ft_pb_field(const struct ft_pb_row *r, int c)
{
	return c >= 0 && c < r->n ? r->f[c] : "";
}

void
ft_pb_put_row(struct ft_buf *out, const char *const *f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *s = f[i] ? f[i] : "";

		if (i)
			ft_buf_addc(out, ';');
		if (s[strcspn(s, ";\"\r\n")] == '\0' && s[0] != ' ') {
			ft_buf_adds(out, s);
			continue;
		}
		ft_buf_addc(out, '"');
		for (; *s; s++) {
			if (*s == '"')
				ft_buf_addc(out, '"');
			ft_buf_addc(out, *s);
		}
		ft_buf_addc(out, '"');
	}
	ft_buf_addc(out, '\n');
}
