#include "ft_pb.h"
#include "ft_err.h"
#include "ft_exit.h"

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
			r->status = FT_DATAERR;
		}
		s->line = row.line;
		r->cur = s;
		row_release(&row);
		return;
	}
	if (!r->cur) {
		if (!r->status)
			ft_error("%s:%ld: not a .pb file: text before the META "
				 "section", r->path, row.line);
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
