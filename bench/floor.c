/*
 * floor - the plain-SQL floors of issue 12: the same durable writes as
 * ft-ingest and ft-dispatch --pending, with as little code as will do
 * them, so that bench/run.sh can print "ft / floor" beside the tools.
 *
 * Usage: floor ingest DB FILE        FILE is .csv (with a header) or .ndjson
 *        floor dispatch DB DECISIONS
 *        floor readings DB FILE      FILE is .ndjson
 *
 * DB must already hold ft's schema (run.sh makes it with ft-ingest on an
 * empty file, or copies the dispatch base database), so that every index,
 * trigger, CHECK and foreign key a row meets is ft's own.  The connection
 * is set up as ft_db_open() sets up its own: WAL (the file is in WAL mode
 * already), journal_size_limit 64 MiB, foreign_keys on, synchronous =
 * NORMAL, cache_size -8000, temp_store memory.  Checkpoints are SQLite's
 * defaults: the automatic one at 1000 pages, and the one sqlite3_close()
 * makes; no thread of any kind.
 *
 * ingest: one ingests row (its own transaction, as ft-ingest's start_run),
 * then the records in transactions of 2000 (ft-ingest's batch): each an
 * INSERT ... ON CONFLICT(id) DO NOTHING of the same 12 canonical columns,
 * extra (the other fields, as a JSON object), raw (the source record as
 * JSON: the NDJSON line itself; for CSV an object of the header's names
 * and the fields as strings), ingest and line; then, as ft-ingest does
 * once a transaction, one chained history entry for the events created
 * (the SHA-256 of their ids, first and last seq) and the ingests row's
 * counts.  The values are the bytes ft-ingest stores: lat, lon REAL,
 * severity INTEGER, an empty CSV field or a missing member NULL, and
 * reported_at converted to UTC ("...Z").  The CSV is read with libcsv (as
 * ft does, spaces kept); the NDJSON with a minimal parser of flat objects
 * (strings with their escapes, numbers, true/false/null), no checks.
 * Not done: any validation or rejection, the duplicate/upsert comparison,
 * the lock of the runs, the output lines, jq maps, units and facilities.
 *
 * dispatch: the events still pending, read a page of 2000 at a time in
 * ft-dispatch --pending's order (reported_at, seq) inside a write
 * transaction, and for each one ft-dispatch's own UPDATE of the 11 decision
 * columns and one chained history entry ("dispatch" or "duplicate", from
 * "new"), then COMMIT: one transaction a page, as ft-dispatch's batches.
 * The decisions are not made: they are read, one a line in the pages'
 * order, from DECISIONS, which run.sh exports from the database that
 * ft-dispatch --pending left (seq, status, area, unit, rule, priority,
 * respond_by, resolve_by, chain, near_boundary, duplicate_of, action and
 * the history entry's detail, tab-separated, NULL as \N), so that the
 * floor writes the very values ft-dispatch wrote.  Not done: the rules,
 * the areas, the duplicate search, the deadlines, the output lines, the
 * "unplaced" look-up in the history that ft's page query makes.
 *
 * readings: as ingest, for ft-ingest --kind readings: one ingests row
 * (kind "readings"), then the readings of FILE (flat NDJSON objects of
 * sensor, metric, at as "YYYY-MM-DDTHH:MM:SSZ", value) in file order, in
 * transactions of RBATCH (ft-ingest's batch for readings): each an INSERT
 * ... ON CONFLICT(sensor, metric, at) DO NOTHING of sensor, metric ('' when
 * absent), at as epoch seconds, value REAL and ingest, then the ingests
 * row's counts.  No history (ft-ingest logs none for readings).  Not
 * done: validation, rejection, the comparison of a value stored already,
 * the runs' lock, the output lines, and ft's sorting of each batch by key.
 *
 * Both compute each history entry's hash as ft does (SHA-256, nettle, of
 * the previous hash and the entry's json_array() text), so that
 * ft-update --verify accepts the result.  At the end the count of rows
 * written goes to standard error: "floor: N rows".
 *
 * Exit status: 0 done, 64 usage, 65 bad input, 66 a file cannot be opened,
 * 70 an SQLite error.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>
#include <nettle/sha2.h>
#include <sqlite3.h>

#define BATCH 2000

static sqlite3 *db;
static const char *user;
static char now[32];
static char prev[65];		/* the last history entry's hash */

static void
die(int st, const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : strerror(errno));
	exit(st);
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(70, sql);
}

static sqlite3_stmt *
prep(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(70, sql);
	return st;
}

static void
step(sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		die(70, what);
	sqlite3_reset(st);
}

/* A growing buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
grow(struct buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap = b->cap ? 2 * b->cap : 4096;
	if (!(b->s = realloc(b->s, b->cap)))
		die(70, "out of memory");
}

static void
add(struct buf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

/* s as a JSON string, escaped as SQLite's json_array() escapes it. */
static void
add_json(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, from = 0;

	add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		add(b, s + from, i - from);
		from = i + 1;
		e[0] = '\\';
		switch (c) {
		case '"': case '\\': e[1] = (char)c; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			add(b, "\\u00", 4);
			e[0] = hex[c >> 4];
			e[1] = hex[c & 15];
		}
		add(b, e, 2);
	}
	add(b, s + from, n - from);
	add(b, "\"", 1);
}

static void
add_jsonz(struct buf *b, const char *s)
{
	if (s)
		add_json(b, s, strlen(s));
	else
		adds(b, "null");
}

static void
hexof(char *out, const unsigned char *md, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- the history: ft_hist_add()'s entry, chained ---- */

static sqlite3_stmt *hist_ins, *hist_last;

static void
hist_prepare(void)
{
	hist_ins = prep("INSERT INTO history(kind, id, at, tool, by, action, "
			"from_status, to_status, detail, ingest, hash) VALUES "
			"('event', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	hist_last = prep("SELECT hash FROM history ORDER BY seq DESC LIMIT 1");
}

/* The previous hash, read at the start of each transaction, as ft does. */
static void
hist_begin(void)
{
	int rc = sqlite3_step(hist_last);

	prev[0] = '\0';
	if (rc == SQLITE_ROW && sqlite3_column_text(hist_last, 0))
		snprintf(prev, sizeof(prev), "%s",
			 (const char *)sqlite3_column_text(hist_last, 0));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		die(70, "reading the history");
	sqlite3_reset(hist_last);
}

static void
hist_add(const char *id, size_t idlen, const char *tool, const char *action,
	 const char *from, const char *to, const char *detail,
	 int64_t ingest)
{
	static struct buf t;
	struct sha256_ctx c;
	unsigned char md[SHA256_DIGEST_SIZE];
	char num[32];

	t.len = 0;
	adds(&t, "[\"event\",");
	add_json(&t, id, idlen);
	adds(&t, ",");
	add_jsonz(&t, now);
	adds(&t, ",");
	add_jsonz(&t, tool);
	adds(&t, ",");
	add_jsonz(&t, user);
	adds(&t, ",");
	add_jsonz(&t, action);
	adds(&t, ",");
	add_jsonz(&t, from);
	adds(&t, ",");
	add_jsonz(&t, to);
	adds(&t, ",");
	add_jsonz(&t, detail);
	adds(&t, ",");
	if (ingest)
		snprintf(num, sizeof(num), "%lld", (long long)ingest);
	else
		snprintf(num, sizeof(num), "null");
	adds(&t, num);
	adds(&t, "]");
	sha256_init(&c);
	sha256_update(&c, strlen(prev), (const uint8_t *)prev);
	sha256_update(&c, t.len, (const uint8_t *)t.s);
	sha256_digest(&c, sizeof(md), md);
	hexof(prev, md, sizeof(md));

	sqlite3_bind_text(hist_ins, 1, id, (int)idlen, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 3, tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 4, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 6, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 7, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist_ins, 8, detail, -1, SQLITE_STATIC);
	if (ingest)
		sqlite3_bind_int64(hist_ins, 9, ingest);
	else
		sqlite3_bind_null(hist_ins, 9);
	sqlite3_bind_text(hist_ins, 10, prev, 64, SQLITE_STATIC);
	step(hist_ins, "logging a change");
}

/* ---- ingest ---- */

/* The canonical columns of an event, in the INSERT's order. */
enum { C_ID, C_SOURCE, C_CATEGORY, C_TITLE, C_TEXT, C_LAT, C_LON, C_ADDRESS,
       C_FACILITY, C_REPORTER, C_SEVERITY, C_REPORTED_AT, NCOL };
static const char *const cols[NCOL] = {
	"id", "source", "category", "title", "text", "lat", "lon", "address",
	"facility", "reporter", "severity", "reported_at"
};

static int
col_of(const char *name, size_t n)
{
	int i;

	for (i = 0; i < NCOL; i++)
		if (strlen(cols[i]) == n && !memcmp(cols[i], name, n))
			return i;
	return -1;
}

/* One record: its canonical values (text, unescaped), extra and raw. */
struct rec {
	struct buf val[NCOL];
	int has[NCOL];
	struct buf extra, raw;
	long line;
};

static sqlite3_stmt *ins, *run_upd;
static int64_t run, first_seq, last_seq;
static long in_tx, records, inserted;
static struct sha256_ctx idmd;

/* "2024-06-01T00:00:34+08:00" -> "2024-05-31T16:00:34Z". */
static int
utc(const char *s, char out[32])
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, se, oh = 0, om = 0, n = 0;
	char sign = 'Z';
	time_t t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se,
		   &n) != 6)
		return -1;
	s += n;
	if (*s == '+' || *s == '-') {
		sign = *s;
		if (sscanf(s + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	t -= (sign == '-' ? -1 : sign == '+' ? 1 : 0) * (oh * 3600 + om * 60);
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

static void
ingest_begin(void)
{
	exec("BEGIN IMMEDIATE");
	hist_begin();
	in_tx = 0;
}

static void
ingest_commit(const char *status)
{
	char hex[65], detail[192];
	unsigned char md[SHA256_DIGEST_SIZE];

	if (in_tx) {
		sha256_digest(&idmd, sizeof(md), md);
		hexof(hex, md, sizeof(md));
		snprintf(detail, sizeof(detail), "{\"events\":%ld,\"first_seq\":"
			 "%lld,\"last_seq\":%lld,\"ids\":\"%s\"}", in_tx,
			 (long long)first_seq, (long long)last_seq, hex);
		hist_add("", 0, "ft-ingest", "ingest", NULL, "new", detail,
			 run);
	}
	sqlite3_bind_int64(run_upd, 1, run);
	sqlite3_bind_int64(run_upd, 2, records);
	sqlite3_bind_int64(run_upd, 3, inserted);
	if (status) {
		sqlite3_bind_text(run_upd, 4, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(run_upd, 5, status, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(run_upd, 4);
		sqlite3_bind_null(run_upd, 5);
	}
	step(run_upd, "recording the run");
	exec("COMMIT");
}

static void
store(struct rec *r)
{
	char t[32];
	int i;

	records++;
	for (i = 0; i < NCOL; i++) {
		const char *v = r->val[i].s;
		int c = i + 1;

		if (!r->has[i] || (r->val[i].len == 0 && i != C_ID)) {
			sqlite3_bind_null(ins, c);
		} else if (i == C_LAT || i == C_LON) {
			sqlite3_bind_double(ins, c, strtod(v, NULL));
		} else if (i == C_SEVERITY) {
			sqlite3_bind_int64(ins, c, strtoll(v, NULL, 10));
		} else if (i == C_REPORTED_AT) {
			if (utc(v, t))
				die(65, "a reported_at that is no time");
			sqlite3_bind_text(ins, c, t, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_text(ins, c, v, (int)r->val[i].len,
					  SQLITE_STATIC);
		}
	}
	if (r->extra.len > 2)
		sqlite3_bind_text(ins, NCOL + 1, r->extra.s, (int)r->extra.len,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(ins, NCOL + 1);
	sqlite3_bind_text(ins, NCOL + 2, r->raw.s, (int)r->raw.len,
			  SQLITE_STATIC);
	sqlite3_bind_int64(ins, NCOL + 3, run);
	sqlite3_bind_int64(ins, NCOL + 4, r->line);
	step(ins, "storing a record");
	if (sqlite3_changes(db) == 1) {
		last_seq = sqlite3_last_insert_rowid(db);
		if (!in_tx++) {
			first_seq = last_seq;
			sha256_init(&idmd);
		}
		sha256_update(&idmd, r->val[C_ID].len,
			      (const uint8_t *)r->val[C_ID].s);
		sha256_update(&idmd, 1, (const uint8_t *)"\n");
		inserted++;
	}
	if (records % BATCH == 0) {
		ingest_commit(NULL);
		ingest_begin();
	}
}

static void
rec_reset(struct rec *r)
{
	int i;

	for (i = 0; i < NCOL; i++) {
		r->has[i] = 0;
		r->val[i].len = 0;
	}
	r->extra.len = r->raw.len = 0;
}

/* -- CSV, through libcsv -- */

static struct rec crec;
static struct buf hdr;		/* the header's names, each NUL-ended */
static size_t *hoff;
static int *hcol, nh, field, in_header = 1;

static void
csv_field(void *s, size_t n, void *arg)
{
	(void)arg;
	if (in_header) {
		hoff = realloc(hoff, (size_t)(nh + 1) * sizeof(*hoff));
		hcol = realloc(hcol, (size_t)(nh + 1) * sizeof(*hcol));
		if (!hoff || !hcol)
			die(70, "out of memory");
		hoff[nh] = hdr.len;
		hcol[nh] = col_of(s, n);
		add(&hdr, s, n);
		add(&hdr, "", 1);
		nh++;
		return;
	}
	if (field >= nh)
		die(65, "a row with more fields than the header");
	add(&crec.raw, field ? "," : "{", 1);
	add_json(&crec.raw, hdr.s + hoff[field], strlen(hdr.s + hoff[field]));
	add(&crec.raw, ":", 1);
	add_json(&crec.raw, s, n);
	if (hcol[field] >= 0) {
		crec.has[hcol[field]] = 1;
		add(&crec.val[hcol[field]], s, n);
	} else {
		add(&crec.extra, crec.extra.len ? "," : "{", 1);
		add_json(&crec.extra, hdr.s + hoff[field],
			 strlen(hdr.s + hoff[field]));
		add(&crec.extra, ":", 1);
		add_json(&crec.extra, s, n);
	}
	field++;
}

static void
csv_row(int c, void *arg)
{
	(void)c;
	(void)arg;
	if (in_header) {
		in_header = 0;
	} else {
		add(&crec.raw, "}", 1);
		if (crec.extra.len)
			add(&crec.extra, "}", 1);
		crec.line = (long)records + 2;
		store(&crec);
	}
	rec_reset(&crec);
	field = 0;
}

static int
never_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
read_csv(FILE *f)
{
	static char b[65536];
	struct csv_parser p;
	size_t n;

	if (csv_init(&p, 0))
		die(70, "csv_init");
	csv_set_space_func(&p, never_space);
	while ((n = fread(b, 1, sizeof(b), f)) > 0)
		if (csv_parse(&p, b, n, csv_field, csv_row, NULL) != n)
			die(65, csv_strerror(csv_error(&p)));
	csv_fini(&p, csv_field, csv_row, NULL);
	csv_free(&p);
}

/* -- NDJSON: flat objects, the least parser that will read them -- */

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

static unsigned
hex4(const char *s)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if ((c | 32) >= 'a' && (c | 32) <= 'f')
			v |= (unsigned)((c | 32) - 'a' + 10);
		else
			die(65, "a bad \\u escape");
	}
	return v;
}

static void
add_utf8(struct buf *b, unsigned u)
{
	char o[4];

	if (u < 0x80) {
		o[0] = (char)u;
		add(b, o, 1);
	} else if (u < 0x800) {
		o[0] = (char)(0xc0 | u >> 6);
		o[1] = (char)(0x80 | (u & 63));
		add(b, o, 2);
	} else if (u < 0x10000) {
		o[0] = (char)(0xe0 | u >> 12);
		o[1] = (char)(0x80 | (u >> 6 & 63));
		o[2] = (char)(0x80 | (u & 63));
		add(b, o, 3);
	} else {
		o[0] = (char)(0xf0 | u >> 18);
		o[1] = (char)(0x80 | (u >> 12 & 63));
		o[2] = (char)(0x80 | (u >> 6 & 63));
		o[3] = (char)(0x80 | (u & 63));
		add(b, o, 4);
	}
}

/* The string at s (after its opening quote), unescaped into out (when
 * not NULL); returns what follows its closing quote. */
static const char *
string(const char *s, struct buf *out)
{
	const char *from = s;

	for (;;) {
		if (*s == '"') {
			if (out)
				add(out, from, (size_t)(s - from));
			return s + 1;
		}
		if (!*s)
			die(65, "an unterminated string");
		if (*s != '\\') {
			s++;
			continue;
		}
		if (out)
			add(out, from, (size_t)(s - from));
		s++;
		if (*s == 'u') {
			unsigned u = hex4(s + 1);

			s += 5;
			if (u >= 0xd800 && u < 0xdc00 && s[0] == '\\' &&
			    s[1] == 'u') {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (hex4(s + 2) - 0xdc00);
				s += 6;
			}
			if (out)
				add_utf8(out, u);
		} else {
			char c = *s == 'n' ? '\n' : *s == 't' ? '\t' :
				 *s == 'r' ? '\r' : *s == 'b' ? '\b' :
				 *s == 'f' ? '\f' : *s;

			if (out)
				add(out, &c, 1);
			s++;
		}
		from = s;
	}
}

static void
ndjson_line(const char *s, size_t len, long line)
{
	static struct rec r;
	const char *p = skip_ws(s);

	rec_reset(&r);
	r.line = line;
	add(&r.raw, s, len);
	if (*p != '{')
		die(65, "a line that is no object");
	p = skip_ws(p + 1);
	while (*p != '}') {
		const char *k = p + 1, *v;
		int c;

		if (*p != '"')
			die(65, "a member that is no string");
		p = string(k, NULL);
		c = col_of(k, (size_t)(p - 1 - k));
		p = skip_ws(p);
		if (*p++ != ':')
			die(65, "no colon");
		v = p = skip_ws(p);
		if (*p == '"') {
			p = string(p + 1, c >= 0 ? &r.val[c] : NULL);
		} else {
			while (*p && *p != ',' && *p != '}' && *p != ' ')
				p++;
			if (c >= 0 && !(p - v == 4 && !memcmp(v, "null", 4)))
				add(&r.val[c], v, (size_t)(p - v));
		}
		if (c >= 0) {
			r.has[c] = !(p - v == 4 && !memcmp(v, "null", 4));
		} else {
			add(&r.extra, r.extra.len ? "," : "{", 1);
			add(&r.extra, k - 1, (size_t)(p - (k - 1)));
		}
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p != '}')
			die(65, "a bad object");
	}
	if (r.extra.len)
		add(&r.extra, "}", 1);
	store(&r);
}

static void
read_ndjson(FILE *f)
{
	char *s = NULL;
	size_t cap = 0;
	ssize_t n;
	long line = 0;

	while ((n = getline(&s, &cap, f)) > 0) {
		line++;
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		if (n)
			ndjson_line(s, (size_t)n, line);
	}
	free(s);
}

static void
ingest(const char *path)
{
	size_t n = strlen(path);
	int csv = n > 4 && !strcmp(path + n - 4, ".csv");
	FILE *f = fopen(path, "r");
	struct buf sql = { 0 };
	sqlite3_stmt *st;
	int i;

	if (!f)
		die(66, path);
	adds(&sql, "INSERT INTO events(");
	for (i = 0; i < NCOL; i++) {
		adds(&sql, cols[i]);
		adds(&sql, ", ");
	}
	adds(&sql, "extra, raw, ingest, line) VALUES (");
	for (i = 0; i < NCOL + 4; i++)
		adds(&sql, i ? ", ?" : "?");
	adds(&sql, ") ON CONFLICT(id) DO NOTHING");
	ins = prep(sql.s);
	free(sql.s);
	run_upd = prep("UPDATE ingests SET records = ?2, inserted = ?3, "
		       "updated = 0, unchanged = 0, rejected = 0, "
		       "finished_at = ?4, status = coalesce(?5, status) "
		       "WHERE ingest = ?1");
	exec("BEGIN IMMEDIATE");
	st = prep("INSERT INTO ingests(kind, file, format, map, started_at, "
		  "status, version) VALUES ('events', ?1, ?2, NULL, ?3, "
		  "'running', '0.1.0')");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, csv ? "csv" : "ndjson", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	step(st, "recording the run");
	sqlite3_finalize(st);
	run = sqlite3_last_insert_rowid(db);
	exec("COMMIT");

	ingest_begin();
	if (csv)
		read_csv(f);
	else
		read_ndjson(f);
	if (ferror(f))
		die(66, path);
	fclose(f);
	ingest_commit("done");
	sqlite3_finalize(ins);
	sqlite3_finalize(run_upd);
	fprintf(stderr, "floor: %ld rows\n", inserted);
}

/* ---- readings ---- */

#define RBATCH 100000

static void
reading_line(const char *s, long line)
{
	static struct buf sensor, metric, at;
	const char *p = skip_ws(s), *v;
	double value = 0;
	struct tm tm = { 0 };
	int has_value = 0;

	sensor.len = metric.len = at.len = 0;
	if (*p != '{')
		die(65, "a line that is no object");
	p = skip_ws(p + 1);
	while (*p != '}') {
		const char *k = p + 1;
		size_t kn;

		if (*p != '"')
			die(65, "a member that is no string");
		p = string(k, NULL);
		kn = (size_t)(p - 1 - k);
		p = skip_ws(p);
		if (*p++ != ':')
			die(65, "no colon");
		v = p = skip_ws(p);
		if (*p == '"') {
			p = string(p + 1, kn == 6 && !memcmp(k, "sensor", 6) ?
				   &sensor : kn == 6 && !memcmp(k, "metric", 6) ?
				   &metric : kn == 2 && !memcmp(k, "at", 2) ? &at
				   : NULL);
		} else {
			while (*p && *p != ',' && *p != '}' && *p != ' ')
				p++;
			if (kn == 5 && !memcmp(k, "value", 5)) {
				value = strtod(v, NULL);
				has_value = 1;
			}
		}
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p != '}')
			die(65, "a bad object");
	}
	add(&at, "", 1);
	if (!sensor.len || !has_value ||
	    sscanf(at.s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		fprintf(stderr, "floor: line %ld: ", line);
		die(65, "not a reading");
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	records++;
	sqlite3_bind_text(ins, 1, sensor.s, (int)sensor.len, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, metric.len ? metric.s : "", (int)metric.len,
			  SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, (int64_t)timegm(&tm));
	sqlite3_bind_double(ins, 4, value);
	sqlite3_bind_int64(ins, 5, run);
	step(ins, "storing a reading");
	inserted += sqlite3_changes(db) == 1;
	if (records % RBATCH == 0) {
		ingest_commit(NULL);
		ingest_begin();
	}
}

static void
readings(const char *path)
{
	FILE *f = fopen(path, "r");
	sqlite3_stmt *st;
	char *s = NULL;
	size_t cap = 0;
	ssize_t n;
	long line = 0;

	if (!f)
		die(66, path);
	ins = prep("INSERT INTO readings(sensor, metric, at, value, ingest) "
		   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(sensor, metric, at) "
		   "DO NOTHING");
	run_upd = prep("UPDATE ingests SET records = ?2, inserted = ?3, "
		       "updated = 0, unchanged = 0, rejected = 0, "
		       "finished_at = ?4, status = coalesce(?5, status) "
		       "WHERE ingest = ?1");
	exec("BEGIN IMMEDIATE");
	st = prep("INSERT INTO ingests(kind, file, format, map, started_at, "
		  "status, version) VALUES ('readings', ?1, 'ndjson', NULL, "
		  "?2, 'running', '0.1.0')");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	step(st, "recording the run");
	sqlite3_finalize(st);
	run = sqlite3_last_insert_rowid(db);
	exec("COMMIT");

	ingest_begin();
	while ((n = getline(&s, &cap, f)) > 0) {
		line++;
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		if (n)
			reading_line(s, line);
	}
	free(s);
	if (ferror(f))
		die(66, path);
	fclose(f);
	ingest_commit("done");
	sqlite3_finalize(ins);
	sqlite3_finalize(run_upd);
	fprintf(stderr, "floor: %ld rows\n", inserted);
}

/* ---- dispatch ---- */

#define NF 13	/* the fields of a line of DECISIONS */
enum { D_SEQ, D_STATUS, D_AREA, D_UNIT, D_RULE, D_PRIORITY, D_RESPOND,
       D_RESOLVE, D_CHAIN, D_NEAR, D_DUP, D_ACTION, D_DETAIL };

static void
dispatch(const char *path)
{
	FILE *f = fopen(path, "r");
	sqlite3_stmt *page, *upd;
	int64_t *seqs = malloc(BATCH * sizeof(*seqs));
	char **ids = calloc(BATCH, sizeof(*ids));
	char last_at[64] = "", *line = NULL, *fld[NF];
	int64_t last_seq_read = 0;
	size_t cap = 0;
	long n, i, done = 0;
	ssize_t len;
	int k;

	if (!f)
		die(66, path);
	if (!seqs || !ids)
		die(70, "out of memory");
	page = prep("SELECT seq, id, reported_at FROM events WHERE status = "
		    "'new' AND dispatched_at IS NULL AND (reported_at, seq) > "
		    "(?1, ?2) ORDER BY reported_at, seq LIMIT ?3");
	upd = prep("UPDATE events SET area = ?2, unit = ?3, rule = ?4, "
		   "priority = ?5, respond_by = ?6, resolve_by = ?7, status = "
		   "?8, dispatched_at = ?9, status_at = ?9, chain = ?10, "
		   "near_boundary = ?11, duplicate_of = ?12 WHERE seq = ?1 "
		   "AND dispatched_at IS NULL");
	do {
		exec("BEGIN IMMEDIATE");
		hist_begin();
		sqlite3_bind_text(page, 1, last_at, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(page, 2, last_seq_read);
		sqlite3_bind_int(page, 3, BATCH);
		for (n = 0; sqlite3_step(page) == SQLITE_ROW; n++) {
			seqs[n] = sqlite3_column_int64(page, 0);
			free(ids[n]);
			ids[n] = strdup((const char *)
					sqlite3_column_text(page, 1));
			snprintf(last_at, sizeof(last_at), "%s",
				 (const char *)sqlite3_column_text(page, 2));
			last_seq_read = seqs[n];
		}
		if (sqlite3_reset(page) != SQLITE_OK)
			die(70, "reading pending events");
		for (i = 0; i < n; i++) {
			if ((len = getline(&line, &cap, f)) <= 0)
				die(65, "fewer decisions than pending events");
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			fld[0] = line;
			for (k = 1; k < NF; k++) {
				if (!(fld[k] = strchr(fld[k - 1], '\t')))
					die(65, "a decision of too few fields");
				*fld[k]++ = '\0';
			}
			for (k = 0; k < NF; k++)
				if (!strcmp(fld[k], "\\N"))
					fld[k] = NULL;
			if (!fld[D_SEQ] || strtoll(fld[D_SEQ], NULL, 10) !=
			    seqs[i])
				die(65, "the decisions are not in the pages' "
				    "order");
			sqlite3_bind_int64(upd, 1, seqs[i]);
			sqlite3_bind_text(upd, 2, fld[D_AREA], -1, SQLITE_STATIC);
			sqlite3_bind_text(upd, 3, fld[D_UNIT], -1, SQLITE_STATIC);
			sqlite3_bind_text(upd, 4, fld[D_RULE], -1, SQLITE_STATIC);
			if (fld[D_PRIORITY])
				sqlite3_bind_int(upd, 5, atoi(fld[D_PRIORITY]));
			else
				sqlite3_bind_null(upd, 5);
			sqlite3_bind_text(upd, 6, fld[D_RESPOND], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(upd, 7, fld[D_RESOLVE], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(upd, 8, fld[D_STATUS], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(upd, 9, now, -1, SQLITE_STATIC);
			sqlite3_bind_text(upd, 10, fld[D_CHAIN], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(upd, 11, fld[D_NEAR], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(upd, 12, fld[D_DUP], -1, SQLITE_STATIC);
			step(upd, "storing a dispatch");
			if (sqlite3_changes(db) != 1)
				die(65, "an event dispatched meanwhile");
			hist_add(ids[i], strlen(ids[i]), "ft-dispatch",
				 fld[D_ACTION], "new", fld[D_STATUS],
				 fld[D_DETAIL], 0);
			done++;
		}
		exec("COMMIT");
	} while (n == BATCH);
	sqlite3_finalize(page);
	sqlite3_finalize(upd);
	for (i = 0; i < BATCH; i++)
		free(ids[i]);
	free(ids);
	free(seqs);
	free(line);
	fclose(f);
	fprintf(stderr, "floor: %ld rows\n", done);
}

int
main(int argc, char **argv)
{
	struct passwd *pw;
	time_t t = time(NULL);
	struct tm tm;

	if (argc != 4 || (strcmp(argv[1], "ingest") &&
			  strcmp(argv[1], "dispatch") &&
			  strcmp(argv[1], "readings"))) {
		fprintf(stderr, "usage: floor ingest DB FILE\n"
			"       floor dispatch DB DECISIONS\n"
			"       floor readings DB FILE\n");
		return 64;
	}
	/* Who and when, as ft's history says them (FT_USER, else the
	 * account's name). */
	if (!(user = getenv("FT_USER")) || !*user)
		user = (pw = getpwuid(getuid())) ? pw->pw_name : "unknown";
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die(66, argv[2]);
	sqlite3_busy_timeout(db, 60000);
	exec("PRAGMA journal_mode = WAL;"
	     "PRAGMA journal_size_limit = 67108864;"
	     "PRAGMA foreign_keys = ON;"
	     "PRAGMA synchronous = NORMAL;"
	     "PRAGMA cache_size = -8000;"
	     "PRAGMA temp_store = MEMORY");
	hist_prepare();
	if (!strcmp(argv[1], "ingest"))
		ingest(argv[3]);
	else if (!strcmp(argv[1], "readings"))
		readings(argv[3]);
	else
		dispatch(argv[3]);
	sqlite3_finalize(hist_ins);
	sqlite3_finalize(hist_last);
	if (sqlite3_close(db) != SQLITE_OK)
		die(70, "closing");
	return 0;
}
