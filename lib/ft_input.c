#include "ft_input.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_geo.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#ifndef FT_NO_READ_AHEAD
#include <pthread.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

enum jstate { J_START, J_ELEM, J_SEP, J_TAIL, J_DONE };

struct ft_input {
	char *name;
	int fd;
	enum ft_format format;
	int err;		/* a fatal status, once seen */

	/* Decoded input: data[pos..len) not yet consumed. */
	struct ft_buf data;
	size_t pos;
	int eof;
	iconv_t cd;
	int (*idle)(void *);
	void *idle_ctx;
	char *ibuf;		/* bytes read, not yet converted */
	size_t ilen;
	size_t replaced;
	long line;		/* the line data[pos] is on */

	struct ft_json_doc doc;
	struct ft_buf raw;
	struct ft_buf head;	/* the start of a record over the limit */

	/* CSV */
	struct csv_parser csv;
	int delim;
	int cr_only;		/* lines end with a bare CR */
	int fed_eof;
	int have_header;
	char **names;		/* decoded header names */
	struct ft_buf keys;	/* the header's JSON key literals */
	size_t *keyoff, *keylen;
	unsigned *keyhash;
	int *keyesc;
	size_t ncols;
	struct ft_buf fields;	/* queued fields, back to back */
	size_t *fstart, *flen;
	size_t nf, capf;
	size_t *recend;		/* field count at each queued record end */
	long *recline;
	size_t *rawend;		/* end of each queued record in rawq */
	size_t nrec, caprec, headrec, headfield;
	struct ft_buf rawq;
	long recstart;
	int inrec;
	int big;		/* a record over the limit was skipped */
	long bigline;		/* the line it started on */
	const char *fielderr;

	/* JSON */
	enum jstate js;
	int in_features;	/* iterating a FeatureCollection's array */
	struct ft_json_scan scan;
	char *whole;		/* a top-level object read whole */
	size_t wholelen;
	char msg[320]; /* the reason of the record handed out */

	/*
	 * Messages of the reader ahead (see ra_run()), each ending in a
	 * NUL: it prints none itself, the caller prints them at the point
	 * where the serial reader would have.  defer is set before the
	 * reader starts.
	 */
	int defer;
	struct ft_buf deferred;
	struct ra *ra; /* the reader ahead, once started */
	int ra_tried;
	/* The caller's work on each record (ft_input_set_prep()). */
	int (*prep)(void *ctx, const struct ft_item *it, struct ft_buf *out);
	void *prep_ctx;
	struct ft_buf prepped; /* its output, read serially */
};

static const char too_big[] = "record larger than " FT_RECORD_MAX_TEXT;

/*
 * ft_error(), or, in the reader ahead, the message kept for the caller to
 * print (formatted as ft_error() would, up to its length).
 */
__attribute__((format(printf, 2, 3))) static void
in_error(struct ft_input *in, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (in->defer)
		ft_buf_add(&in->deferred, line, strlen(line) + 1);
	else
		ft_error("%s", line);
}

static const char *const format_names[] = {
	"auto", "csv", "tsv", "ndjson", "json", "geojson"
};

int
ft_format_parse(const char *name)
{
	size_t i;

	for (i = 1; i < sizeof(format_names) / sizeof(*format_names); i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	if (!strcmp(name, "jsonl"))
		return FT_FMT_NDJSON;
	return -1;
}

const char *
ft_format_name(enum ft_format f)
{
	return format_names[f];
}

enum ft_format
ft_input_format(const struct ft_input *in)
{
	return in->format;
}

const char *
ft_input_name(const struct ft_input *in)
{
	return in->name;
}

static size_t ra_replaced(const struct ft_input *in);
static void ra_stop(struct ft_input *in);

size_t
ft_input_replaced(const struct ft_input *in)
{
	return ra_replaced(in);
}

static int
read_fail(struct ft_input *in)
{
	in_error(in, "%s: read error: %s", in->name, strerror(errno));
	in->err = FT_IOERR;
	return -1;
}

/* Converts ibuf into data; at_eof flushes an incomplete tail as U+FFFD. */
static void
convert(struct ft_input *in, int at_eof)
{
	char *ip = in->ibuf;
	size_t il = in->ilen;

	while (il > 0) {
		char *op;
		size_t ol, r;

		ft_buf_grow(&in->data, il * 4 + 16);
		op = in->data.s + in->data.len;
		ol = in->data.cap - in->data.len - 1;
		r = iconv(in->cd, &ip, &il, &op, &ol);
		in->data.len = (size_t)(op - in->data.s);
		in->data.s[in->data.len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !at_eof)
			break;	/* an incomplete sequence: wait for more */
		/* EILSEQ, or a sequence cut off by the end of the input. */
		ft_buf_add(&in->data, "\xEF\xBF\xBD", 3);
		in->replaced++;
		ip++;
		il--;
	}
	memmove(in->ibuf, ip, il);
	in->ilen = il;
}

void
ft_input_set_prep(struct ft_input *in,
		  int (*prep)(void *ctx, const struct ft_item *it,
			      struct ft_buf *out),
		  void *ctx)
{
	in->prep = prep;
	in->prep_ctx = ctx;
}

/*
 * prep's work on item it, appended to out: its start; *keep says whether
 * the caller needs the record too.
 */
static size_t
prep_add(struct ft_input *in, const struct ft_item *it, struct ft_buf *out,
	 int *keep)
{
	size_t at;

	while (out->len & 7)
		ft_buf_addc(out, '\0');
	at = out->len;
	*keep = in->prep(in->prep_ctx, it, out);
	return at;
}

void
ft_input_set_idle(struct ft_input *in, int (*idle)(void *ctx), void *ctx)
{
	if (in->ra)
		return; /* a regular file read ahead never waits */
	in->idle = idle;
	in->idle_ctx = ctx;
}

/*
 * read(2), after telling the tool when it would wait: when nothing has
 * come for IDLE_MS, so that a producer merely slower than the tool does
 * not cut its batches short.  -1 for a read error, -2 when the tool
 * failed (in->err set, the message printed).
 */
#define IDLE_MS 100
static ssize_t
read_some(struct ft_input *in, char *buf)
{
	struct pollfd p = { .fd = in->fd, .events = POLLIN };
	ssize_t n;
	int st;

	if (in->idle && poll(&p, 1, 0) == 0 && poll(&p, 1, IDLE_MS) == 0 &&
	    (st = in->idle(in->idle_ctx))) {
		in->err = st;
		return -2;
	}
	do
		n = read(in->fd, buf, CHUNK);
	while (n < 0 && errno == EINTR);
	return n;
}

/*
 * Appends at least one more chunk of decoded input to data.  Returns the
 * number of bytes added, 0 at the end, -1 on error.
 */
static ssize_t
fill(struct ft_input *in)
{
	size_t before;
	ssize_t n;

	if (in->eof)
		return 0;
	/* Drop what has been consumed once it is most of the buffer. */
	if (in->pos > 0 && (in->pos >= CHUNK * 4 || in->pos * 2 > in->data.len)) {
		memmove(in->data.s, in->data.s + in->pos, in->data.len - in->pos);
		in->data.len -= in->pos;
		in->data.s[in->data.len] = '\0';
		in->pos = 0;
	}
	before = in->data.len;
	for (;;) {
		if (in->cd == (iconv_t)-1) {
			ft_buf_grow(&in->data, CHUNK);
			n = read_some(in, in->data.s + in->data.len);
			if (n < 0)
				return n == -2 ? -1 : read_fail(in);
			if (n == 0) {
				in->eof = 1;
				return (ssize_t)(in->data.len - before);
			}
			in->data.len += (size_t)n;
			in->data.s[in->data.len] = '\0';
			return n;
		}
		n = read_some(in, in->ibuf + in->ilen);
		if (n < 0)
			return n == -2 ? -1 : read_fail(in);
		in->ilen += (size_t)n;
		convert(in, n == 0);
		if (n == 0)
			in->eof = 1;
		if (in->data.len > before || in->eof)
			return (ssize_t)(in->data.len - before);
	}
}

int
ft_input_check_encoding(const char *encoding)
{
	iconv_t cd = iconv_open("UTF-8", encoding);

	if (cd == (iconv_t)-1)
		return -1;
	iconv_close(cd);
	return 0;
}

static int
open_iconv(struct ft_input *in, const char *from)
{
	in->cd = iconv_open("UTF-8", from);
	if (in->cd == (iconv_t)-1) {
		ft_error("%s: unknown encoding %s (see iconv -l)", in->name,
			 ft_q(from));
		return FT_USAGE;
	}
	in->ibuf = ft_xmalloc(CHUNK * 2);
	return FT_OK;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* Is the first line of data one complete JSON value, with more after it? */
static int
looks_ndjson(struct ft_input *in)
{
	const char *p = in->data.s + in->pos;
	const char *nl = memchr(p, '\n', in->data.len - in->pos);
	const char *err;
	size_t errpos;

	if (!nl)
		return 0;
	if (ft_json_parse(&in->doc, p, (size_t)(nl - p), &err, &errpos))
		return 0;
	return 1;
}

static enum ft_format
detect(struct ft_input *in)
{
	const char *p = in->data.s + in->pos, *end = in->data.s + in->data.len;
	const char *nl;

	if (ends_with(in->name, ".csv"))
		return FT_FMT_CSV;
	if (ends_with(in->name, ".tsv") || ends_with(in->name, ".tab"))
		return FT_FMT_TSV;
	if (ends_with(in->name, ".ndjson") || ends_with(in->name, ".jsonl") ||
	    ends_with(in->name, ".ldjson"))
		return FT_FMT_NDJSON;
	if (ends_with(in->name, ".geojson"))
		return FT_FMT_GEOJSON;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p < end && *p == '[')
		return FT_FMT_JSON;
	if (p < end && *p == '{')
		return looks_ndjson(in) ? FT_FMT_NDJSON : FT_FMT_JSON;
	if (ends_with(in->name, ".json"))
		return FT_FMT_JSON;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	if (memchr(p, '\t', (size_t)(nl - p)) && !memchr(p, ',', (size_t)(nl - p)))
		return FT_FMT_TSV;
	return FT_FMT_CSV;
}

static int csv_setup(struct ft_input *in, const struct ft_input_opts *o);

int
ft_input_open(struct ft_input **inp, const char *path,
	      const struct ft_input_opts *o)
{
	struct ft_input *in = ft_xmalloc(sizeof(*in));
	struct stat sb;
	unsigned char *u;
	int st;

	memset(in, 0, sizeof(*in));
	*inp = in;
	ft_buf_init(&in->data);
	ft_buf_init(&in->raw);
	ft_buf_init(&in->head);
	ft_buf_init(&in->keys);
	ft_buf_init(&in->fields);
	ft_buf_init(&in->rawq);
	ft_buf_init(&in->deferred);
	ft_buf_init(&in->prepped);
	ft_json_doc_init(&in->doc);
	in->cd = (iconv_t)-1;
	in->line = 1;
	if (!strcmp(path, "-")) {
		in->name = ft_xstrdup("stdin");
		in->fd = 0;
	} else {
		in->name = ft_xstrdup(path);
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			ft_error("%s: cannot open: %s", path, strerror(errno));
			return FT_NOINPUT;
		}
		/* Open(2) takes a directory; reading it is then an I/O error
		 * (74), but it is a file that cannot be opened (66). */
		if (fstat(in->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			ft_error("%s: cannot open: %s", path, strerror(EISDIR));
			return FT_NOINPUT;
		}
	}
	if (o->encoding && *o->encoding && strcasecmp(o->encoding, "UTF-8") &&
	    strcasecmp(o->encoding, "UTF8")) {
		if ((st = open_iconv(in, o->encoding)))
			return st;
	}
	/* Look at the first bytes before decoding, for a byte order mark. */
	if (in->cd == (iconv_t)-1) {
		if (fill(in) < 0)
			return in->err;
		u = (unsigned char *)in->data.s;
		if (in->data.len >= 3 && u[0] == 0xEF && u[1] == 0xBB &&
		    u[2] == 0xBF) {
			in->pos = 3;
		} else if (in->data.len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
						 (u[0] == 0xFE && u[1] == 0xFF))) {
			if ((st = open_iconv(in, "UTF-16")))
				return st;
			memcpy(in->ibuf, in->data.s, in->data.len);
			in->ilen = in->data.len;
			ft_buf_reset(&in->data);
			convert(in, in->eof);
		}
	} else if (fill(in) < 0) {
		return in->err;
	}
	/* Enough to decide the format on: a few lines. */
	while (!in->eof && in->data.len - in->pos < CHUNK &&
	       !memchr(in->data.s + in->pos, '\n', in->data.len - in->pos))
		if (fill(in) < 0)
			return in->err;
	/*
	 * No text holds a NUL byte: a program or an archive given by mistake
	 * is refused as a whole, not read as thousands of bad records.
	 */
	if (memchr(in->data.s + in->pos, '\0', in->data.len - in->pos)) {
		ft_error("%s: a binary file, not text", in->name);
		return FT_DATAERR;
	}
	in->format = o->format != FT_FMT_AUTO ? o->format : detect(in);
	if (in->format == FT_FMT_CSV || in->format == FT_FMT_TSV)
		return csv_setup(in, o);
	in->js = J_START;
	return FT_OK;
}

void
ft_input_close(struct ft_input *in)
{
	size_t i;

	if (!in)
		return;
	ra_stop(in);
	if (in->fd > 0)
		close(in->fd);
	if (in->cd != (iconv_t)-1)
		iconv_close(in->cd);
	if (in->format == FT_FMT_CSV || in->format == FT_FMT_TSV)
		csv_free(&in->csv);
	for (i = 0; i < in->ncols; i++)
		free(in->names[i]);
	free(in->names);
	free(in->keyoff);
	free(in->keylen);
	free(in->keyhash);
	free(in->keyesc);
	free(in->fstart);
	free(in->flen);
	free(in->recend);
	free(in->recline);
	free(in->rawend);
	free(in->ibuf);
	free(in->whole);
	free(in->name);
	ft_buf_release(&in->data);
	ft_buf_release(&in->raw);
	ft_buf_release(&in->head);
	ft_buf_release(&in->keys);
	ft_buf_release(&in->fields);
	ft_buf_release(&in->rawq);
	ft_json_doc_release(&in->doc);
	ft_buf_release(&in->deferred);
	ft_buf_release(&in->prepped);
	free(in);
}

/*
 * Keeps the start of a record over the limit, cut at a character, for its
 * reject: the record itself is not held.
 */
static void
head_add(struct ft_input *in, const char *p, size_t n)
{
	size_t room = FT_RECORD_HEAD + 1 - in->head.len;

	ft_buf_add(&in->head, p, n < room ? n : room);
}

/* Cuts the kept start to FT_RECORD_HEAD bytes, at a character. */
static void
head_cut(struct ft_input *in)
{
	size_t k;

	if (in->head.len > FT_RECORD_HEAD) {
		k = FT_RECORD_HEAD;
		while (k > 0 && ((unsigned char)in->head.s[k] & 0xC0) == 0x80)
			k--;
		in->head.len = k;
		in->head.s[k] = '\0';
	}
}

static void
keep_head(struct ft_input *in, const char *p, size_t n)
{
	ft_buf_reset(&in->head);
	head_add(in, p, n);
	head_cut(in);
}

/* Hands out the record over the limit whose start keep_head() kept. */
static int
big_item(struct ft_input *in, struct ft_item *it, long line)
{
	it->line = line;
	it->raw = in->head.s;
	it->rawlen = in->head.len;
	it->doc = NULL;
	it->err = too_big;
	return 1;
}

/* Counts the line ends in p[0..n) into in->line. */
static void
count_lines(struct ft_input *in, const char *p, size_t n, char nl)
{
	const char *e = p + n;

	while ((p = memchr(p, nl, (size_t)(e - p)))) {
		in->line++;
		p++;
	}
}

/* ---- CSV ---- */

static void
csv_field(void *s, size_t len, void *data)
{
	struct ft_input *in = data;

	if (in->nf == in->capf) {
		in->capf = in->capf ? in->capf * 2 : 64;
		in->fstart = ft_xrealloc(in->fstart, in->capf * sizeof(size_t));
		in->flen = ft_xrealloc(in->flen, in->capf * sizeof(size_t));
	}
	in->fstart[in->nf] = in->fields.len;
	in->flen[in->nf] = len;
	in->nf++;
	ft_buf_add(&in->fields, s ? s : "", s ? len : 0);
}

static void
csv_row(int c, void *data)
{
	struct ft_input *in = data;

	(void)c;
	if (in->nrec == in->caprec) {
		in->caprec = in->caprec ? in->caprec * 2 : 8;
		in->recend = ft_xrealloc(in->recend, in->caprec * sizeof(size_t));
		in->recline = ft_xrealloc(in->recline, in->caprec * sizeof(long));
		in->rawend = ft_xrealloc(in->rawend, in->caprec * sizeof(size_t));
	}
	in->recend[in->nrec] = in->nf;
	in->recline[in->nrec] = in->recstart;
	ft_buf_add(&in->rawq, in->raw.s, in->raw.len);
	in->rawend[in->nrec] = in->rawq.len;
	in->nrec++;
	ft_buf_reset(&in->raw);
	in->inrec = 0;
}

static int
never_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Header columns in name order, then column order: duplicates side by side. */
static int
by_name(const void *a, const void *b)
{
	const char *const *x = *(const char *const *const *)a;
	const char *const *y = *(const char *const *const *)b;
	int c = strcmp(*x, *y);

	return c ? c : x < y ? -1 : x > y;
}

/*
 * Refuses a header that names a column twice.  Sorted, not compared pair by
 * pair: a header of 100,000 columns must not take minutes.
 */
static int
header_twice(struct ft_input *in, char **names, size_t n)
{
	char ***v;
	size_t i, a = 0, b = 0;
	int twice = 0;

	if (n < 2)
		return FT_OK;
	v = ft_xmalloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = &names[i];
	qsort(v, n, sizeof(*v), by_name);
	/* Of the names given twice, the one whose second use comes first. */
	for (i = 1; i < n; i++)
		if (!strcmp(*v[i], *v[i - 1]) &&
		    (!twice || (size_t)(v[i] - names) < b)) {
			twice = 1;
			a = (size_t)(v[i - 1] - names);
			b = (size_t)(v[i] - names);
			while (i + 1 < n && !strcmp(*v[i + 1], *v[i]))
				i++;
		}
	free(v);
	if (!twice)
		return FT_OK;
	in_error(in,
		 "%s: the header names column %s twice (columns %zu and %zu)",
		 in->name, ft_q(names[a]), a + 1, b + 1);
	return FT_DATAERR;
}

static int
set_header(struct ft_input *in, char **names, size_t n)
{
	size_t i;

	in->ncols = n;
	in->names = names;
	in->keyoff = ft_xmalloc(n * sizeof(size_t));
	in->keylen = ft_xmalloc(n * sizeof(size_t));
	in->keyhash = ft_xmalloc(n * sizeof(unsigned));
	in->keyesc = ft_xmalloc(n * sizeof(int));
	for (i = 0; i < n; i++) {
		if (!*names[i]) {
			free(names[i]);
			names[i] = ft_xmalloc(32);
			snprintf(names[i], 32, "column_%zu", i + 1);
		}
		if (ft_utf8_valid(names[i], strlen(names[i])) != strlen(names[i])) {
			in_error(in,
				 "%s: column %zu of the header is not valid "
				 "UTF-8 (try --encoding)",
				 in->name, i + 1);
			return FT_DATAERR;
		}
		in->keyoff[i] = in->keys.len;
		ft_json_escape(&in->keys, names[i], strlen(names[i]));
		in->keylen[i] = in->keys.len - in->keyoff[i];
		in->keyesc[i] = memchr(in->keys.s + in->keyoff[i], '\\',
				       in->keylen[i]) != NULL;
		in->keyhash[i] = ft_json_key_hash(in->keys.s + in->keyoff[i] + 1,
						  in->keylen[i] - 2);
	}
	if (header_twice(in, names, n))
		return FT_DATAERR;
	in->have_header = 1;
	return FT_OK;
}

static int
csv_setup(struct ft_input *in, const struct ft_input_opts *o)
{
	if (csv_init(&in->csv, 0)) {
		ft_error("%s: cannot set up the CSV parser", in->name);
		return FT_SOFTWARE;
	}
	in->delim = o->delimiter ? o->delimiter :
		    in->format == FT_FMT_TSV ? '\t' : ',';
	csv_set_delim(&in->csv, (unsigned char)in->delim);
	csv_set_space_func(&in->csv, never_space);
	/*
	 * libcsv grows its field buffer by this much at a time (128 bytes by
	 * default): a field of megabytes would be copied thousands of times
	 * where realloc(3) cannot grow it in place.
	 */
	csv_set_blk_size(&in->csv, CHUNK);
	in->cr_only = !memchr(in->data.s + in->pos, '\n',
			      in->data.len - in->pos) &&
		      memchr(in->data.s + in->pos, '\r',
			     in->data.len - in->pos);
	if (o->columns) {
		char **names = NULL;
		size_t n = 0;
		const char *p = o->columns, *c;

		for (;;) {
			c = strchr(p, ',');
			names = ft_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = ft_xstrndup(p, c ? (size_t)(c - p) : strlen(p));
			if (!c)
				break;
			p = c + 1;
		}
		return set_header(in, names, n);
	}
	return FT_OK;
}

static void
csv_drop_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	(void)data;
}

static void
csv_drop_row(int c, void *data)
{
	(void)c;
	(void)data;
}

/*
 * Passes over the rest of a CSV record over the limit, from pos (a line
 * start: inside a quoted field when the record began on an earlier line),
 * without holding it: quotes are followed as libcsv follows them, and the
 * record ends at a line end outside quotes.  Then the parser starts afresh
 * and the record is queued as in->big.  Returns 1, or -1.
 */
static int
csv_skip(struct ft_input *in)
{
	char nl = in->cr_only ? '\r' : '\n';
	int quoted = in->inrec, after = 0, start = !in->inrec;
	char c;

	in->bigline = in->inrec ? in->recstart : in->line;
	/* Its start: the lines fed so far, then the line at pos. */
	ft_buf_reset(&in->head);
	head_add(in, in->raw.s, in->raw.len);
	head_add(in, in->data.s + in->pos, in->data.len - in->pos);
	head_cut(in);
	for (;;) {
		while (in->pos < in->data.len) {
			c = in->data.s[in->pos++];
			if (c == nl)
				in->line++;
			if (quoted) {
				if (c == '"') {
					quoted = 0;
					after = 1;
				}
				continue;
			}
			if (c == '"' && (after || start)) {
				quoted = 1;	/* a doubled quote, or an opening one */
				after = start = 0;
				continue;
			}
			after = 0;
			start = c == in->delim;
			if (c == '\n' || c == '\r')
				goto end;
		}
		if (in->eof)
			break;
		if (fill(in) < 0)
			return -1;
	}
end:
	if (in->inrec)
		csv_fini(&in->csv, csv_drop_field, csv_drop_row, NULL);
	in->nf = 0;
	ft_buf_reset(&in->fields);
	ft_buf_reset(&in->raw);
	in->inrec = 0;
	in->big = 1;
	return 1;
}

/* Feeds the next physical line to libcsv.  Returns 1, 0 at the end, -1. */
static int
csv_feed(struct ft_input *in)
{
	const char *p, *nl;
	size_t n;
	int blank;

	for (;;) {
		p = in->data.s + in->pos;
		nl = memchr(p, in->cr_only ? '\r' : '\n', in->data.len - in->pos);
		if (nl || in->eof)
			break;
		if (in->raw.len + in->data.len - in->pos > FT_RECORD_MAX)
			return csv_skip(in);
		if (fill(in) < 0)
			return -1;
	}
	if (in->raw.len + (nl ? (size_t)(nl - p) + 1 : in->data.len - in->pos) >
	    FT_RECORD_MAX)
		return csv_skip(in);
	if (!nl && in->pos == in->data.len) {
		if (!in->fed_eof) {
			in->fed_eof = 1;
			csv_fini(&in->csv, csv_field, csv_row, in);
			return 1;
		}
		return 0;
	}
	n = nl ? (size_t)(nl - p) + 1 : in->data.len - in->pos;
	blank = (n == 1 && (*p == '\n' || *p == '\r')) ||
		(n == 2 && p[0] == '\r' && p[1] == '\n');
	if (!in->inrec && !blank) {
		in->inrec = 1;
		in->recstart = in->line;
	}
	if (in->inrec)
		ft_buf_add(&in->raw, p, n);
	if (csv_parse(&in->csv, p, n, csv_field, csv_row, in) != n) {
		in_error(in, "%s:%ld: CSV parser: %s", in->name, in->line,
			 csv_strerror(csv_error(&in->csv)));
		in->err = FT_SOFTWARE;
		return -1;
	}
	in->pos += n;
	if (nl)
		in->line++;
	return 1;
}

/* Builds the JSON object of queued record r into in->doc. */
static const char *
csv_build(struct ft_input *in, size_t f0, size_t f1)
{
	struct ft_json_doc *d = &in->doc;
	size_t i;

	ft_buf_reset(&d->text);
	d->n = 0;
	d->type = '{';
	if (f1 - f0 != in->ncols)
		return NULL;
	if (d->cap < in->ncols) {
		d->cap = in->ncols;
		d->m = ft_xrealloc(d->m, d->cap * sizeof(*d->m));
	}
	ft_buf_addc(&d->text, '{');
	for (i = 0; i < in->ncols; i++) {
		struct ft_json_member *m = &d->m[i];
		const char *v = in->fields.s + in->fstart[f0 + i];
		size_t vl = in->flen[f0 + i];

		if (i)
			ft_buf_addc(&d->text, ',');
		m->key = d->text.len + 1;
		m->keylen = in->keylen[i] - 2;
		m->hash = in->keyhash[i];
		m->escaped = in->keyesc[i];
		m->vplain = 0;
		ft_buf_add(&d->text, in->keys.s + in->keyoff[i], in->keylen[i]);
		ft_buf_addc(&d->text, ':');
		m->val = d->text.len;
		switch (ft_json_escape_checked(&d->text, v, vl)) {
		case -1:
			in->fielderr = in->names[i];
			return "NUL byte";
		case -2:
			in->fielderr = in->names[i];
			return "invalid UTF-8 (try --encoding)";
		}
		m->vallen = d->text.len - m->val;
	}
	ft_buf_addc(&d->text, '}');
	d->n = in->ncols;
	return NULL;
}

static int
csv_next(struct ft_input *in, struct ft_item *it)
{
	char *msg = in->msg;
	size_t f0, f1, r0, r1;
	const char *why;
	int r;

	for (;;) {
		/* Drop the record handed out last time. */
		if (in->headrec == in->nrec && in->nrec) {
			in->nrec = in->headrec = in->headfield = in->nf = 0;
			ft_buf_reset(&in->fields);
			ft_buf_reset(&in->rawq);
		}
		while (in->headrec == in->nrec) {
			r = csv_feed(in);
			if (r < 0)
				return in->err;
			if (r == 0)
				return 0;
			if (in->big) {
				in->big = 0;
				if (!in->have_header) {
					in_error(in,
						 "%s: the header is larger "
						 "than %s",
						 in->name, FT_RECORD_MAX_TEXT);
					in->err = FT_DATAERR;
					return FT_DATAERR;
				}
				return big_item(in, it, in->bigline);
			}
		}
		f0 = in->headfield;
		f1 = in->recend[in->headrec];
		r0 = in->headrec ? in->rawend[in->headrec - 1] : 0;
		r1 = in->rawend[in->headrec];
		it->line = in->recline[in->headrec];
		in->headfield = f1;
		in->headrec++;
		it->raw = in->rawq.s + r0;
		it->rawlen = r1 - r0;
		if (!in->have_header) {
			char **names = ft_xmalloc((f1 - f0 + 1) * sizeof(*names));
			size_t i;
			int st;

			for (i = f0; i < f1; i++)
				names[i - f0] = ft_xstrndup(in->fields.s +
							    in->fstart[i],
							    in->flen[i]);
			if ((st = set_header(in, names, f1 - f0))) {
				in->err = st;
				return st;
			}
			continue;
		}
		/* A line holding nothing but spaces is not a record. */
		if (f1 - f0 == 1 && in->ncols > 1 && in->flen[f0] == 0)
			continue;
		it->doc = NULL;
		it->err = NULL;
		if (f1 - f0 != in->ncols) {
			snprintf(msg, sizeof(in->msg),
				 "row has %zu fields, the "
				 "header has %zu",
				 f1 - f0, in->ncols);
			it->err = msg;
			return 1;
		}
		why = csv_build(in, f0, f1);
		if (why) {
			snprintf(msg, sizeof(in->msg), "column %s: %s",
				 ft_q(in->fielderr), why);
			it->err = msg;
			return 1;
		}
		it->doc = &in->doc;
		return 1;
	}
}

/* ---- NDJSON ---- */

static const char *
json_error(const char *why, const char *text, size_t errpos, long *line,
	   long *col)
{
	size_t i;

	*col = 1;
	for (i = 0; i < errpos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
	return why;
}

/*
 * Passes over the rest of a line over the limit, from pos, reading and
 * dropping it a chunk at a time.  Returns 0, or -1 on a read error.
 */
static int
skip_line(struct ft_input *in)
{
	const char *p, *nl;

	for (;;) {
		p = in->data.s + in->pos;
		nl = memchr(p, '\n', in->data.len - in->pos);
		if (nl) {
			in->pos = (size_t)(nl - in->data.s) + 1;
			return 0;
		}
		in->pos = in->data.len;
		if (in->eof)
			return 0;
		if (fill(in) < 0)
			return -1;
	}
}

static int
ndjson_next(struct ft_input *in, struct ft_item *it)
{
	char *msg = in->msg;
	const char *p, *nl, *q, *why;
	size_t n, errpos;
	long line, col;

	for (;;) {
		for (;;) {
			p = in->data.s + in->pos;
			nl = memchr(p, '\n', in->data.len - in->pos);
			if (nl || in->eof ||
			    in->data.len - in->pos > FT_RECORD_MAX)
				break;
			if (fill(in) < 0)
				return in->err;
		}
		if (!nl && in->pos == in->data.len)
			return 0;
		n = nl ? (size_t)(nl - p) : in->data.len - in->pos;
		if (n > FT_RECORD_MAX) {
			keep_head(in, p, n);
			if (skip_line(in))
				return in->err;
			return big_item(in, it, in->line++);
		}
		in->pos += n + (nl != NULL);
		it->line = in->line++;
		for (q = p; q < p + n && (*q == ' ' || *q == '\t' || *q == '\r');
		     q++)
			;
		if (q == p + n)
			continue;	/* a blank line is not a record */
		it->raw = p;
		it->rawlen = n && p[n - 1] == '\r' ? n - 1 : n;
		if (ft_json_parse(&in->doc, p, n, &why, &errpos)) {
			line = it->line;
			json_error(why, p, errpos, &line, &col);
			snprintf(msg, sizeof(in->msg),
				 "invalid JSON: %s (column "
				 "%ld)",
				 why, col);
			it->doc = NULL;
			it->err = msg;
			return 1;
		}
		it->doc = &in->doc;
		it->err = NULL;
		return 1;
	}
}

/* ---- JSON: an array of records, or one value ---- */

static void
skip_ws(struct ft_input *in)
{
	for (;;) {
		while (in->pos < in->data.len) {
			char c = in->data.s[in->pos];

			if (c == '\n')
				in->line++;
			else if (c != ' ' && c != '\t' && c != '\r')
				return;
			in->pos++;
		}
		if (fill(in) <= 0)
			return;
	}
}

static int
fatal_at(struct ft_input *in, long line, const char *why)
{
	in_error(in, "%s:%ld: invalid JSON: %s", in->name, line, why);
	in->err = FT_DATAERR;
	return FT_DATAERR;
}

/*
 * Reads the rest of the input into memory, from pos: a document that can
 * be read only whole, up to FT_DOCUMENT_MAX.
 */
static int
slurp(struct ft_input *in)
{
	ssize_t r;

	do {
		if (in->data.len - in->pos > FT_DOCUMENT_MAX) {
			in_error(in,
				 "%s: a JSON document larger than %s, which "
				 "is read whole: give the records as NDJSON or "
				 "a JSON array",
				 in->name, FT_DOCUMENT_MAX_TEXT);
			in->err = FT_DATAERR;
			return -1;
		}
	} while ((r = fill(in)) > 0);
	return r < 0 ? -1 : 0;
}

/*
 * Passes over the rest of an array element over the limit, from pos, which
 * the scanner has followed up to scan.pos: what it has passed is dropped
 * (its line ends counted), all but the byte it stands after, so that it
 * goes on where it was.  Returns 1 and the element's end past pos in *end,
 * or an exit status.
 */
static int
skip_element(struct ft_input *in, size_t *end)
{
	size_t k;
	int r;

	keep_head(in, in->data.s + in->pos, in->data.len - in->pos);
	for (;;) {
		k = in->scan.pos ? in->scan.pos - 1 : in->data.len - in->pos - 1;
		count_lines(in, in->data.s + in->pos, k, '\n');
		in->pos += k;
		if (in->scan.pos)
			in->scan.pos = 1;
		if (fill(in) < 0)
			return in->err;
		r = ft_json_scan(&in->scan, in->data.s + in->pos,
				 in->data.len - in->pos, in->eof, end);
		if (r > 0)
			return 1;
		if (r < 0)
			return fatal_at(in, in->line, "mismatched bracket");
		if (in->eof)
			return fatal_at(in, in->line, "unterminated array");
	}
}

/* Where the value of member "features" of the object at p starts. */
static const char *
find_features(const char *p, const char *end)
{
	struct ft_json_scan sc;
	size_t e;
	int isfeat;

	p++;	/* '{' */
	for (;;) {
		while (p < end && strchr(" \t\r\n,", *p))
			p++;
		if (p >= end || *p != '"')
			return NULL;
		isfeat = (size_t)(end - p) >= 10 && !memcmp(p, "\"features\"", 10);
		ft_json_scan_init(&sc);
		if (ft_json_scan(&sc, p, (size_t)(end - p), 1, &e) != 1)
			return NULL;
		p += e;
		while (p < end && strchr(" \t\r\n:", *p))
			p++;
		if (isfeat)
			return p < end && *p == '[' ? p : NULL;
		ft_json_scan_init(&sc);
		if (ft_json_scan(&sc, p, (size_t)(end - p), 1, &e) != 1)
			return NULL;
		p += e;
	}
}

/* A top-level object: a FeatureCollection, or one record. */
static int
json_object(struct ft_input *in, struct ft_item *it)
{
	const char *why, *feat;
	const struct ft_json_member *t;
	size_t errpos, i;
	long line = in->line, col;
	struct ft_buf crs = FT_BUF_INIT;

	if (slurp(in))
		return in->err;
	in->wholelen = in->data.len - in->pos;
	in->whole = ft_xstrndup(in->data.s + in->pos, in->wholelen);
	if (ft_json_parse(&in->doc, in->whole, in->wholelen, &why, &errpos)) {
		json_error(why, in->whole, errpos, &line, &col);
		return fatal_at(in, line, why);
	}
	t = ft_json_get(&in->doc, "type");
	if (!t || t->vallen != 19 ||
	    memcmp(in->doc.text.s + t->val, "\"FeatureCollection\"", 19)) {
		/* One record: the whole object. */
		in->js = J_DONE;
		it->line = in->line;
		it->raw = in->whole;
		it->rawlen = in->wholelen;
		it->doc = &in->doc;
		it->err = NULL;
		in->pos = in->data.len;
		return 1;
	}
	if (ft_geojson_crs_name(&in->doc, &crs) && !ft_geo_is_wgs84(crs.s)) {
		in_error(in,
			 "%s: crs %s is not WGS 84 longitude/latitude; "
			 "reproject the file to EPSG:4326 (for example with "
			 "ogr2ogr -t_srs EPSG:4326) and load it again",
			 in->name, ft_q(crs.s));
		ft_buf_release(&crs);
		in->err = FT_DATAERR;
		return FT_DATAERR;
	}
	ft_buf_release(&crs);
	feat = find_features(in->whole, in->whole + in->wholelen);
	if (!feat) {
		in_error(in,
			 "%s: a FeatureCollection without a \"features\" "
			 "array",
			 in->name);
		in->err = FT_DATAERR;
		return FT_DATAERR;
	}
	/* Iterate the features in place: data becomes the whole text. */
	for (i = 0; in->whole + i < feat; i++)
		if (in->whole[i] == '\n')
			in->line++;
	ft_buf_reset(&in->data);
	ft_buf_add(&in->data, in->whole, in->wholelen);
	in->pos = (size_t)(feat - in->whole) + 1;
	in->in_features = 1;
	in->js = J_ELEM;
	ft_json_scan_init(&in->scan);
	skip_ws(in);
	if (in->pos < in->data.len && in->data.s[in->pos] == ']') {
		in->js = J_DONE;
		return 0;
	}
	return -1;	/* go on reading elements */
}

static int
json_next(struct ft_input *in, struct ft_item *it)
{
	char *msg = in->msg;
	const char *why;
	size_t end, errpos, i;
	long line, col, start;
	int r, big;

	for (;;) {
		switch (in->js) {
		case J_START:
			skip_ws(in);
			if (in->err)
				return in->err;
			if (in->pos >= in->data.len) {
				in->js = J_DONE;
				return 0;	/* nothing at all: no records */
			}
			if (in->data.s[in->pos] == '{') {
				r = json_object(in, it);
				if (r >= 0)
					return r;
				continue;
			}
			if (in->data.s[in->pos] != '[') {
				/* One value that is not an object or array. */
				if (slurp(in))
					return in->err;
				in->js = J_DONE;
				it->line = in->line;
				it->raw = in->data.s + in->pos;
				it->rawlen = in->data.len - in->pos;
				if (ft_json_parse(&in->doc, it->raw, it->rawlen,
						  &why, &errpos)) {
					line = in->line;
					json_error(why, it->raw, errpos, &line,
						   &col);
					return fatal_at(in, line, why);
				}
				it->doc = &in->doc;
				it->err = NULL;
				return 1;
			}
			in->pos++;
			skip_ws(in);
			if (in->pos < in->data.len &&
			    in->data.s[in->pos] == ']') {
				in->pos++;
				in->js = J_TAIL;
				continue;
			}
			in->js = J_ELEM;
			ft_json_scan_init(&in->scan);
			continue;
		case J_ELEM:
			skip_ws(in);
			if (in->pos >= in->data.len)
				return fatal_at(in, in->line,
						"unterminated array");
			if (strchr(",]}:", in->data.s[in->pos]))
				return fatal_at(in, in->line,
						"expected a value");
			start = in->line;
			big = 0;
			for (;;) {
				r = ft_json_scan(&in->scan,
						 in->data.s + in->pos,
						 in->data.len - in->pos,
						 in->eof, &end);
				if (r != 0)
					break;
				if (in->eof)
					return fatal_at(in, in->line,
						"unterminated array");
				if (in->data.len - in->pos > FT_RECORD_MAX) {
					r = skip_element(in, &end);
					if (r != 1)
						return r;
					big = 1;
					break;
				}
				if (fill(in) < 0)
					return in->err;
			}
			if (r < 0)
				return fatal_at(in, in->line,
						"mismatched bracket");
			ft_json_scan_init(&in->scan);
			if (big || end > FT_RECORD_MAX) {
				if (!big)
					keep_head(in, in->data.s + in->pos, end);
				count_lines(in, in->data.s + in->pos, end, '\n');
				in->pos += end;
				in->js = J_SEP;
				return big_item(in, it, start);
			}
			it->line = in->line;
			it->raw = in->data.s + in->pos;
			it->rawlen = end;
			for (i = 0; i < end; i++)
				if (it->raw[i] == '\n')
					in->line++;
			in->pos += end;
			in->js = J_SEP;
			if (ft_json_parse(&in->doc, it->raw, end, &why,
					  &errpos)) {
				line = it->line;
				json_error(why, it->raw, errpos, &line, &col);
				snprintf(msg, sizeof(in->msg),
					 "invalid JSON: %s (line %ld, column "
					 "%ld)",
					 why, line, col);
				it->doc = NULL;
				it->err = msg;
				return 1;
			}
			it->doc = &in->doc;
			it->err = NULL;
			return 1;
		case J_SEP:
			skip_ws(in);
			if (in->pos >= in->data.len)
				return fatal_at(in, in->line,
						"unterminated array");
			if (in->data.s[in->pos] == ',') {
				in->pos++;
				in->js = J_ELEM;
				continue;
			}
			if (in->data.s[in->pos] == ']') {
				in->pos++;
				if (in->in_features) {
					in->js = J_DONE;
					return 0;
				}
				in->js = J_TAIL;
				continue;
			}
			return fatal_at(in, in->line,
					"expected ',' or ']' after an element");
		case J_TAIL:
			skip_ws(in);
			if (in->pos < in->data.len)
				return fatal_at(in, in->line,
						"unexpected data after the "
						"array");
			in->js = J_DONE;
			return 0;
		case J_DONE:
			return 0;
		}
	}
}

/* The serial reader: the one record after the last, as documented. */
static int
serial_next(struct ft_input *in, struct ft_item *it)
{
	if (in->err)
		return in->err;
	switch (in->format) {
	case FT_FMT_CSV:
	case FT_FMT_TSV:
		return csv_next(in, it);
	case FT_FMT_NDJSON:
		return ndjson_next(in, it);
	default:
		return json_next(in, it);
	}
}

/* ---- Reading ahead ---- */

#ifdef FT_NO_READ_AHEAD
/* make bench's build without the thread (bench/run.sh): read serially. */
static void
ra_start(struct ft_input *in)
{
	(void)in;
}

static int
ra_next(struct ft_input *in, struct ft_item *it)
{
	return serial_next(in, it);
}

static void
ra_stop(struct ft_input *in)
{
	(void)in;
}

static size_t
ra_replaced(const struct ft_input *in)
{
	return in->replaced;
}
#else
/*
 * A regular file is read and parsed ahead by a thread, the serial reader
 * above run on the input as it is (the thread owns everything of it but
 * ra's caller side from ra_start() to ra_stop()), into chunks of up to
 * RA_RECORDS records, closed early once their raw text passes RA_BYTES.
 * Chunk j is filled in ch[j % depth] once the caller has given chunk
 * j - depth back (j - given < depth); the caller may take chunk j once
 * made counts it.  So memory stays bounded: depth chunks, each of at most
 * RA_RECORDS records and RA_BYTES of raw text plus one record (up to
 * FT_RECORD_MAX, or a whole JSON document up to FT_DOCUMENT_MAX), and
 * their parsed documents, which are swapped with the reader's, not
 * copied; one kept for reuse past RA_DOC_KEEP is freed.
 *
 * A side that finds the ring full (the thread) or empty (the caller) sleeps
 * until half of it is free or made again (or the input ended), not a
 * chunk: the faster side would otherwise be woken for every chunk, and a
 * wakeup cost the waker some 20 microseconds here (perf: 0.19 s of a 10M
 * readings stream's engine thread, 0.05 s now).
 *
 * With a prep callback the ring is deeper (RA_CHUNKS_PREP), for the
 * caller's thread may stop taking records for a while (ft-warn writing a
 * batch's state), and a record whose prep says the caller needs no more
 * of it is kept as its prep alone: neither its raw text nor its document.
 * A chunk's prepped work is bounded too, by RA_PREP_BYTES plus a record's.
 *
 * What the caller gets is what the serial reader gives: the same items,
 * line numbers, raw texts and reasons, ft_input_replaced() as it was
 * when each was read, the same status at the end; the thread prints
 * nothing (in->defer): a message is kept with the end of the input and
 * printed when the caller reaches it, as the serial reader would have.
 *
 * A pipe or a terminal stays serial: its idle callback runs in the
 * caller's thread, when the input waits.  A regular file never waits
 * (poll(2) says it is always ready), so it never called idle anyway.
 */
#define RA_CHUNKS 3
#define RA_CHUNKS_PREP 16
#define RA_RECORDS 1024
#define RA_PREP_BYTES ((size_t)512 << 10)
#define RA_BYTES ((size_t)64 << 10)
#define RA_DOC_KEEP ((size_t)16 << 10)
#define RA_DOC_KEEP_MEMBERS 256
#define RA_NO_ERR ((size_t)-1)
#define RA_PREP_ONLY ((size_t)-2) /* neither raw text nor document */

struct ra_item {
	long line;
	size_t raw, rawlen; /* in the chunk's text */
	size_t err; /* the reason, in text, or RA_NO_ERR: the doc, or
		       RA_PREP_ONLY */
	size_t replaced; /* bytes replaced once it was read */
	size_t prep, preplen; /* in the chunk's prepped */
};

struct ra_chunk {
	struct ra_item it[RA_RECORDS];
	struct ft_json_doc *doc; /* RA_RECORDS of them, once one is kept */
	size_t n;
	struct ft_buf text;
	struct ft_buf prepped; /* the caller's work on the records */
	/*
	 * ended: the input ends after the items, ft_input_next() returning
	 * end (0 or a status) once the messages in text from msgs (each
	 * ending in a NUL) are printed.
	 */
	int ended, end;
	size_t msgs;
	size_t replaced;
};

struct ra {
	struct ra_chunk *ch;
	long depth; /* chunks in ch */
	pthread_t tid;
	/* Guards made, given and stop; cv is broadcast when one changes. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long made; /* chunks the thread has filled (the thread writes) */
	long given; /* chunks the caller has given back (the caller) */
	int stop; /* the caller wants the thread to end */
	int done; /* the chunk that ends the input is made */
	/* A side asleep: the given (made) that wakes it, or 0. */
	long rwake, cwake;
	/* The caller's alone. */
	long ready; /* made, as last seen */
	size_t next; /* the next item of chunk given */
	size_t replaced;
	int err;
};

static void *
ra_run(void *arg)
{
	struct ft_input *in = arg;
	struct ra *ra = in->ra;
	struct ra_chunk *c;
	struct ra_item *e;
	struct ft_json_doc t;
	struct ft_item it = { 0 };
	long j;
	int r = 1, stop, keep;
	size_t k;

	for (j = 0; r == 1; j++) {
		pthread_mutex_lock(&ra->mu);
		if (j - ra->given >= ra->depth && !ra->stop) {
			ra->rwake = j - ra->depth / 2;
			while (ra->given < ra->rwake && !ra->stop)
				pthread_cond_wait(&ra->cv, &ra->mu);
			ra->rwake = 0;
		}
		stop = ra->stop;
		pthread_mutex_unlock(&ra->mu);
		if (stop)
			break;
		c = &ra->ch[j % ra->depth];
		c->n = 0;
		c->ended = 0;
		ft_buf_reset(&c->text);
		ft_buf_reset(&c->prepped);
		while (c->n < RA_RECORDS && c->text.len < RA_BYTES &&
		       c->prepped.len < RA_PREP_BYTES) {
			r = serial_next(in, &it);
			if (r != 1) {
				c->ended = 1;
				c->end = r;
				c->msgs = c->text.len;
				ft_buf_add(&c->text, in->deferred.s,
					   in->deferred.len);
				ft_buf_reset(&in->deferred);
				break;
			}
			e = &c->it[c->n];
			e->line = it.line;
			e->preplen = 0;
			keep = 1;
			if (it.doc && in->prep) {
				e->prep = prep_add(in, &it, &c->prepped, &keep);
				e->preplen = c->prepped.len - e->prep;
			}
			if (!keep) {
				e->raw = e->rawlen = 0;
				e->err = RA_PREP_ONLY;
				e->replaced = in->replaced;
				c->n++;
				continue;
			}
			e->raw = c->text.len;
			e->rawlen = it.rawlen;
			ft_buf_add(&c->text, it.raw, it.rawlen);
			if (it.doc) {
				if (!c->doc) {
					c->doc = ft_xmalloc(RA_RECORDS *
							    sizeof(*c->doc));
					for (k = 0; k < RA_RECORDS; k++)
						ft_json_doc_init(&c->doc[k]);
				}
				/* it.doc is in->doc, always: swapped. */
				e->err = RA_NO_ERR;
				t = c->doc[c->n];
				c->doc[c->n] = in->doc;
				in->doc = t;
				if (in->doc.text.cap > RA_DOC_KEEP ||
				    in->doc.cap > RA_DOC_KEEP_MEMBERS)
					ft_json_doc_release(&in->doc);
			} else {
				e->err = c->text.len;
				ft_buf_adds(&c->text, it.err ? it.err : "");
				ft_buf_addc(&c->text, '\0');
			}
			e->replaced = in->replaced;
			c->n++;
		}
		c->replaced = in->replaced;
		pthread_mutex_lock(&ra->mu);
		ra->made = j + 1;
		ra->done = c->ended;
		if (ra->cwake && (ra->made >= ra->cwake || ra->done))
			pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
	}
	return NULL;
}

static void
ra_free(struct ra *ra)
{
	size_t k;
	long i;

	for (i = 0; i < ra->depth; i++) {
		struct ra_chunk *c = &ra->ch[i];

		for (k = 0; c->doc && k < RA_RECORDS; k++)
			ft_json_doc_release(&c->doc[k]);
		free(c->doc);
		ft_buf_release(&c->text);
		ft_buf_release(&c->prepped);
	}
	free(ra->ch);
	pthread_mutex_destroy(&ra->mu);
	pthread_cond_destroy(&ra->cv);
	free(ra);
}

/* Starts the thread for a regular file; the reading stays serial if not. */
static void
ra_start(struct ft_input *in)
{
	struct ra *ra;
	struct stat sb;
	long i;

	if (in->err || fstat(in->fd, &sb) || !S_ISREG(sb.st_mode))
		return;
	ra = ft_xmalloc(sizeof(*ra));
	memset(ra, 0, sizeof(*ra));
	ra->depth = in->prep ? RA_CHUNKS_PREP : RA_CHUNKS;
	ra->ch = ft_xmalloc((size_t)ra->depth * sizeof(*ra->ch));
	for (i = 0; i < ra->depth; i++) {
		ra->ch[i].doc = NULL;
		ft_buf_init(&ra->ch[i].text);
		ft_buf_init(&ra->ch[i].prepped);
	}
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->cv, NULL);
	in->ra = ra;
	in->defer = 1;
	in->idle = NULL;
	if (pthread_create(&ra->tid, NULL, ra_run, in)) {
		in->ra = NULL;
		in->defer = 0;
		ra_free(ra);
	}
}

static int
ra_next(struct ft_input *in, struct ft_item *it)
{
	struct ra *ra = in->ra;
	struct ra_chunk *c;
	struct ra_item *e;
	const char *m;

	if (!ra)
		return serial_next(in, it);
	if (ra->err)
		return ra->err;
	for (;;) {
		if (ra->ready == ra->given) {
			pthread_mutex_lock(&ra->mu);
			if (ra->made == ra->given) {
				ra->cwake = ra->given + ra->depth / 2;
				while (ra->made < ra->cwake && !ra->done)
					pthread_cond_wait(&ra->cv, &ra->mu);
				ra->cwake = 0;
			}
			ra->ready = ra->made;
			pthread_mutex_unlock(&ra->mu);
		}
		c = &ra->ch[ra->given % ra->depth];
		if (ra->next < c->n)
			break;
		if (c->ended) {
			for (m = c->text.s + c->msgs;
			     m < c->text.s + c->text.len; m += strlen(m) + 1)
				ft_error("%s", m);
			c->msgs = c->text.len;
			ra->replaced = c->replaced;
			if (c->end > 1)
				ra->err = c->end;
			return c->end;
		}
		ra->next = 0;
		pthread_mutex_lock(&ra->mu);
		ra->given++;
		if (ra->rwake && ra->given >= ra->rwake)
			pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
	}
	e = &c->it[ra->next];
	it->line = e->line;
	it->raw = e->err == RA_PREP_ONLY ? NULL : c->text.s + e->raw;
	it->rawlen = e->rawlen;
	it->doc = e->err == RA_NO_ERR ? &c->doc[ra->next] : NULL;
	it->err = e->err == RA_NO_ERR || e->err == RA_PREP_ONLY ?
			  NULL :
			  c->text.s + e->err;
	if (in->prep && !it->err)
		it->prep = e->preplen ? c->prepped.s + e->prep : "";
	if (in->prep && ra->next + FT_PREP_AHEAD < c->n) {
		const struct ra_item *a = &c->it[ra->next + FT_PREP_AHEAD];

		if ((a->err == RA_NO_ERR || a->err == RA_PREP_ONLY) &&
		    a->preplen)
			it->ahead = c->prepped.s + a->prep;
	}
	it->preplen = e->preplen;
	ra->replaced = e->replaced;
	ra->next++;
	return 1;
}

static void
ra_stop(struct ft_input *in)
{
	struct ra *ra = in->ra;

	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->stop = 1;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->tid, NULL);
	in->ra = NULL;
	in->defer = 0;
	ra_free(ra);
}

static size_t
ra_replaced(const struct ft_input *in)
{
	return in->ra ? in->ra->replaced : in->replaced;
}
#endif

int
ft_input_next(struct ft_input *in, struct ft_item *it)
{
	size_t at;
	int r, keep;

	if (!in->ra_tried) {
		in->ra_tried = 1;
		ra_start(in);
	}
	it->prep = NULL;
	it->preplen = 0;
	it->ahead = NULL;
	r = ra_next(in, it);
	if (r == 1 && it->doc && in->prep && !in->ra) {
		ft_buf_reset(&in->prepped);
		at = prep_add(in, it, &in->prepped, &keep);
		it->prep = in->prepped.s + at;
		it->preplen = in->prepped.len - at;
	}
	return r;
}
