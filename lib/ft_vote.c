#include "ft_vote.h"
#include "ft_vkey.h"
#include "ft_amount.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_hold.h"
#include "ft_exit.h"
#include "ft_input.h"
#include "ft_json.h"
#include "ft_pb.h"
#include "ft_reject.h"
#include "ft_sha256.h"
#include "ft_tally.h"
#include "ft_time.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BALLOT FT_TALLY_MAX_BALLOT	/* projects on one ballot */
#define MAX_POINTS FT_TALLY_MAX_POINTS	/* points on one ballot */

/* ---- small helpers ---- */

/*
 * A usage error found with the round in hand (the options alone are
 * checked by ft_vote_check() before the database opens): the message,
 * then FT_USAGE.  The library prints no usage text; main() does.
 */
static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ft_error("%s", msg);
	return FT_USAGE;
}

/*
 * The elements of the compact JSON array text v[0..len) of strings and
 * numbers, appended to items NUL-terminated.  Returns the count, or -2
 * for another element.
 */
static int
list_json(const char *v, size_t len, struct ft_buf *items)
{
	struct ft_buf tmp = FT_BUF_INIT;
	const char *e = v + len;
	int n = 0;

	ft_buf_reset(items);
	if (len == 0 || *v != '[')
		return -2;
	v++;
	while (v < e && *v != ']') {
		const char *s = v;

		if (*v == '"') {
			for (v++; *v != '"'; v++)
				if (*v == '\\')
					v++;
			v++;
			ft_buf_reset(&tmp);
			ft_json_unescape(s, (size_t)(v - s), &tmp);
			ft_buf_add(items, tmp.s, tmp.len);
		} else if (*v == '-' || (*v >= '0' && *v <= '9')) {
			while (v < e && *v != ',' && *v != ']')
				v++;
			ft_buf_add(items, s, (size_t)(v - s));
		} else {
			ft_buf_release(&tmp);
			return -2;
		}
		ft_buf_addc(items, '\0');
		n++;
		if (*v == ',')
			v++;
	}
	ft_buf_release(&tmp);
	return n;
}

/*
 * The elements of a member that is a JSON array of strings or numbers, or
 * (from CSV) a string of comma-separated items: each appended to items as
 * a NUL-terminated string.  Returns the count, 0 when absent, -1 when it
 * is neither, -2 for an element that is not a string or number.
 */
static int
member_list(const struct ft_json_doc *d, const char *key,
	    struct ft_buf *items)
{
	const struct ft_json_member *m = ft_json_get(d, key);
	struct ft_buf tmp = FT_BUF_INIT;
	const char *v;
	int n = 0;

	ft_buf_reset(items);
	if (!m)
		return 0;
	v = d->text.s + m->val;
	if (*v == 'n')
		return 0;
	if (*v == '"') {
		const char *s, *c;

		ft_json_unescape(v, m->vallen, &tmp);
		if (tmp.len == 0) {
			ft_buf_release(&tmp);
			return 0;
		}
		for (s = tmp.s;; s = c + 1) {
			size_t l;

			c = strchr(s, ',');
			l = c ? (size_t)(c - s) : strlen(s);
			while (l && (*s == ' ' || *s == '\t'))
				s++, l--;
			while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
				l--;
			ft_buf_add(items, s, l);
			ft_buf_addc(items, '\0');
			n++;
			if (!c)
				break;
		}
		ft_buf_release(&tmp);
		return n;
	}
	if (*v != '[')
		return -1;
	ft_buf_release(&tmp);
	return list_json(v, m->vallen, items);
}

/* The next item of a list member_list() filled. */
static const char *
next_item(const struct ft_buf *items, size_t *pos)
{
	const char *s = items->s + *pos;

	*pos += strlen(s) + 1;
	return s;
}

/*
 * A point of a stored ballot: a whole number from 0 to MAX_POINTS, as cast
 * and import store them.  -1 for another text (a database written by
 * other means): counted, it could overflow a score.
 */
static int64_t
stored_point(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > MAX_POINTS)
		return -1;
	return v;
}

static int
parse_time(const char *s, int64_t *t)
{
	const char *err;

	return ft_time_parse(s, strlen(s), t, &err);
}

static const char *
fmt_time(int64_t t, char buf[FT_TIME_LEN])
{
	ft_time_format(t, buf);
	return buf;
}

/* Whole numbers of a field: 1 and *v, 0 absent, -1 not one. */
static int
member_long(const struct ft_json_doc *d, const char *key, long min, long max,
	    long *v, struct ft_buf *b)
{
	char *end;
	int r = ft_json_member_text(d, key, b);

	if (r <= 0)
		return r;
	errno = 0;
	*v = strtol(b->s, &end, 10);
	if (*end || errno || *v < min || *v > max)
		return -1;
	return 1;
}

/* ---- the run: statements, output, rejects ---- */

enum {
	S_ROUND, S_ROUND_INS, S_PROJ_GET, S_PROJ_INS, S_PROJ_UPD, S_PROJ_SEQ,
	S_VOTER_INS, S_VOTER_GET, S_BALLOT_GET, S_BALLOT_INS, S_BALLOT_UPD,
	S_UNIT, S_IN_SCOPE, S_PROJ_ALL, S_BALLOT_ALL, S_TALLY_INS,
	S_TALLY_SAME, S_TALLY_ALL, S_ROUNDS, S_COUNTED, S_N
};

static const char *const sql[S_N] = {
	[S_ROUND] = "SELECT round, name, budget, scope, opens_at, closes_at,"
		    " ballot, min_length, max_length, max_cost, min_points,"
		    " max_points, rule, threshold, tiebreak, key_check, meta"
		    " FROM rounds WHERE round = ?1",
	[S_ROUND_INS] = "INSERT INTO rounds(round, name, budget, scope,"
			" opens_at, closes_at, ballot, min_length, max_length,"
			" max_cost, min_points, max_points, rule, threshold,"
			" tiebreak, key_check, meta, source, created_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
			" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
	[S_PROJ_GET] = "SELECT name, cost, category, unit FROM projects"
		       " WHERE round = ?1 AND project = ?2",
	[S_PROJ_INS] = "INSERT INTO projects(round, project, seq, name, cost,"
		       " category, unit, selected, extra) VALUES (?1, ?2,"
		       " (SELECT coalesce(max(seq), 0) + 1 FROM projects"
		       "  WHERE round = ?1), ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_PROJ_UPD] = "UPDATE projects SET name = ?3, cost = ?4,"
		       " category = ?5, unit = ?6 WHERE round = ?1 AND"
		       " project = ?2",
	[S_PROJ_SEQ] = "SELECT count(*) FROM projects WHERE round = ?1",
	[S_VOTER_INS] = "INSERT OR IGNORE INTO voters(round, voter)"
			" VALUES (?1, ?2)",
	[S_VOTER_GET] = "SELECT 1 FROM voters WHERE round = ?1 AND voter = ?2",
	[S_BALLOT_GET] = "SELECT ballot, projects, points FROM ballots"
			 " WHERE round = ?1 AND tag = ?2",
	[S_BALLOT_INS] = "INSERT INTO ballots(round, tag, channel, projects,"
			 " points, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_BALLOT_UPD] = "UPDATE ballots SET channel = ?3, projects = ?4,"
			 " points = ?5, replaced = replaced + 1"
			 " WHERE round = ?1 AND tag = ?2",
	[S_UNIT] = "SELECT 1 FROM units WHERE id = ?1",
	[S_IN_SCOPE] = "WITH RECURSIVE up(id, n) AS (SELECT ?1, 0 UNION"
		       " SELECT u.parent, up.n + 1 FROM units u JOIN up"
		       " ON u.id = up.id WHERE u.parent IS NOT NULL AND"
		       " up.n < 64) SELECT 1 FROM up WHERE id IN"
		       " (SELECT value FROM json_each(?2)) LIMIT 1",
	[S_PROJ_ALL] = "SELECT project, name, cost, category, unit, selected,"
		       " extra FROM projects WHERE round = ?1 ORDER BY seq",
	/* In rowid order within the round's range: a round's ballots lie
	 * together, and reading them by the (round, tag) index would visit
	 * the table's pages at random. */
	[S_BALLOT_ALL] = "SELECT projects, points, channel, extra FROM"
			 " ballots WHERE ballot BETWEEN (SELECT min(ballot)"
			 " FROM ballots WHERE round = ?1) AND (SELECT"
			 " max(ballot) FROM ballots WHERE round = ?1) AND"
			 " round = ?1 ORDER BY ballot",
	[S_TALLY_INS] = "INSERT INTO tallies(round, rule, counted_at,"
			" ballots, digest, result) VALUES (?1, ?2, ?3, ?4,"
			" ?5, ?6)",
	[S_TALLY_SAME] = "SELECT tally FROM tallies WHERE round = ?1 AND"
			 " rule = ?2 AND digest = ?3 AND result = ?4",
	[S_TALLY_ALL] = "SELECT tally, rule, digest, result FROM tallies"
			" WHERE round = ?1 ORDER BY tally",
	[S_ROUNDS] = "SELECT r.round, name, budget, scope, opens_at,"
		     " closes_at, ballot, min_length, max_length, max_cost,"
		     " min_points, max_points, rule, threshold, tiebreak,"
		     " (SELECT count(*) FROM projects p WHERE p.round = r.round),"
		     " (SELECT count(*) FROM voters v WHERE v.round = r.round),"
		     " (SELECT count(*) FROM ballots b WHERE b.round = r.round)"
		     " FROM rounds r ORDER BY r.round",
	[S_COUNTED] = "SELECT tally, counted_at FROM tallies WHERE round = ?1"
		      " ORDER BY tally LIMIT 1",
};

/* A round as stored. */
struct round {
	char *f[17];		/* the columns of S_ROUND, NULL for NULL */
	int64_t opens, closes;	/* INT64_MIN: none */
	unsigned char key[32];
};

enum {
	R_ID, R_NAME, R_BUDGET, R_SCOPE, R_OPENS, R_CLOSES, R_BALLOT,
	R_MINLEN, R_MAXLEN, R_MAXCOST, R_MINPTS, R_MAXPTS, R_RULE,
	R_THRESHOLD, R_TIEBREAK, R_KEYCHECK, R_META
};

struct cast;

struct run {
	struct ft_db *db;
	const struct ft_vote_opts *o;
	sqlite3_stmt *st[S_N];
	struct ft_reject rej;
	struct ft_hold out;	/* a transaction's output, until it commits */
	struct ft_buf a, b, c, d, e, items, items2;
	const char *fname;
	struct round r;
	int have_round;
	long done, unchanged, updated;
	int status;		/* worst so far */
	/* cast: the round's first stored count, as of transaction txn */
	unsigned long counted_txn;
	long long counted;	/* its tally, 0: none */
	char counted_at[FT_TIME_LEN];
	struct cast *cast;	/* cast: the round's projects, a ballot's */
	char reason[512];	/* why()'s text */
};

static sqlite3_stmt *
stmt(struct run *u, int i)
{
	if (!u->st[i])
		u->st[i] = ft_db_prepare(u->db, sql[i]);
	if (u->st[i]) {
		sqlite3_reset(u->st[i]);
		sqlite3_clear_bindings(u->st[i]);
	}
	return u->st[i];
}

static void
bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Steps a statement that returns no row (or one, ignored). */
static int
exec_stmt(struct run *u, sqlite3_stmt *s, const char *what)
{
	int rc;

	if (!s)
		return FT_SOFTWARE;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ft_db_fail(u->db, rc, what);
	return FT_OK;
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? ft_xstrdup((const char *)t) : NULL;
}

static void
run_init(struct run *u, struct ft_db *db, const struct ft_vote_opts *o)
{
	memset(u, 0, sizeof(*u));
	u->db = db;
	u->o = o;
	ft_hold_init(&u->out, o->no_output);
	ft_buf_init(&u->a);
	ft_buf_init(&u->b);
	ft_buf_init(&u->c);
	ft_buf_init(&u->d);
	ft_buf_init(&u->e);
	ft_buf_init(&u->items);
	ft_buf_init(&u->items2);
	u->r.opens = u->r.closes = INT64_MIN;
}

static void
round_release(struct round *r)
{
	int i;

	for (i = 0; i < 17; i++) {
		free(r->f[i]);
		r->f[i] = NULL;
	}
}

static int
run_release(struct run *u, int st)
{
	int i;

	for (i = 0; i < S_N; i++)
		if (u->st[i])
			sqlite3_finalize(u->st[i]);
	round_release(&u->r);
	st = ft_exit_worst(st, ft_reject_close(&u->rej));
	ft_hold_release(&u->out);
	ft_buf_release(&u->a);
	ft_buf_release(&u->b);
	ft_buf_release(&u->c);
	ft_buf_release(&u->d);
	ft_buf_release(&u->e);
	ft_buf_release(&u->items);
	ft_buf_release(&u->items2);
	return st;
}

/* Prints what is in u->out now: output outside a transaction. */
static void
flush(struct run *u)
{
	ft_hold_print(&u->out);
}

static void
reject(struct run *u, const struct ft_item *it, const char *why)
{
	ft_reject_add(&u->rej, u->fname, it->line, why, it->raw, it->rawlen,
		      it->doc ? it->doc->text.s : NULL,
		      it->doc ? it->doc->text.len : 0);
}

/* Loads round id into u->r.  66 when there is none. */
static int
load_round(struct run *u, const char *id, int quiet)
{
	sqlite3_stmt *s = stmt(u, S_ROUND);
	int rc, i;

	if (!s)
		return FT_SOFTWARE;
	round_release(&u->r);
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		if (!quiet)
			ft_error("no such round: %s", ft_q(id));
		return FT_NOINPUT;
	}
	if (rc != SQLITE_ROW)
		return ft_db_fail(u->db, rc, "reading the round");
	for (i = 0; i < 17; i++)
		u->r.f[i] = col_dup(s, i);
	sqlite3_reset(s);
	u->r.opens = u->r.closes = INT64_MIN;
	if (u->r.f[R_OPENS])
		parse_time(u->r.f[R_OPENS], &u->r.opens);
	if (u->r.f[R_CLOSES])
		parse_time(u->r.f[R_CLOSES], &u->r.closes);
	u->have_round = 1;
	return FT_OK;
}

/* Reads the key and checks it against the round's check value. */
static int
round_unlock(struct run *u)
{
	unsigned char secret[32];
	char check[65];
	int st;

	if ((st = ft_vkey_read(u->o->key, 0, secret)))
		return st;
	ft_vkey_round(secret, u->r.f[R_ID], u->r.key);
	ft_vkey_hash(u->r.key, "check", "", check);
	if (!u->r.f[R_KEYCHECK]) {
		ft_error("round %s kept no key: it takes no voters and no "
			 "ballots", ft_q(u->r.f[R_ID]));
		return FT_CONFIG;
	}
	if (strcmp(check, u->r.f[R_KEYCHECK]) != 0) {
		ft_error("%s: not the key of round %s",
			 u->o->key,
			 ft_q(u->r.f[R_ID]));
		return FT_CONFIG;
	}
	return FT_OK;
}

typedef const char *(*record_fn)(struct run *, const struct ft_item *);

/*
 * Runs fn on every record of files[0..n): a returned reason rejects the
 * record; u->status set to an error stops.  One transaction for the run.
 */
static int
each_record(struct run *u, char **files, int n, record_fn fn)
{
	static char *stdin_only[] = { "-" };
	struct ft_input_opts io = { 0 };
	int i, st = FT_OK;

	if (n == 0) {
		files = stdin_only;
		n = 1;
	}
	/* A transaction a file: what was printed is what was stored, even
	 * when a later file cannot be read, and nothing of a file whose
	 * transaction did not commit. */
	for (i = 0; i < n && !st; i++) {
		long done = u->done, unchanged = u->unchanged;
		long updated = u->updated;
		struct ft_input *in;
		struct ft_item it;
		int rc;

		if ((st = ft_input_open(&in, files[i], &io))) {
			ft_input_close(in);
			break;
		}
		if ((st = ft_db_begin_write(u->db))) {
			ft_input_close(in);
			break;
		}
		u->fname = ft_input_name(in);
		while ((rc = ft_input_next(in, &it)) == 1) {
			const char *why;

			if (it.err) {
				reject(u, &it, it.err);
				continue;
			}
			if (it.doc->type != '{') {
				reject(u, &it, "not a record (a JSON object)");
				continue;
			}
			why = fn(u, &it);
			if (u->status)
				break;
			if (why)
				reject(u, &it, why);
			if ((u->status = ft_hold_keep(&u->out)))
				break;
		}
		if (u->status)
			st = u->status;
		else if (rc > 1)
			st = rc;
		ft_input_close(in);
		if (!st && !u->o->dry_run)
			st = ft_db_commit(u->db);
		else
			ft_db_rollback(u->db);
		if (st) {
			/* Nothing of it was stored: nothing is printed or
			 * counted. */
			ft_hold_drop(&u->out);
			u->done = done;
			u->unchanged = unchanged;
			u->updated = updated;
		} else {
			st = ft_hold_print(&u->out);
		}
	}
	if (!st && u->rej.n)
		st = FT_REJECTED;
	return st;
}

static void
json_key(struct ft_buf *o, const char *k)
{
	if (o->len && o->s[o->len - 1] != '{')
		ft_buf_addc(o, ',');
	ft_json_escape(o, k, strlen(k));
	ft_buf_addc(o, ':');
}

static void
json_str(struct ft_buf *o, const char *k, const char *v)
{
	if (!v)
		return;
	json_key(o, k);
	ft_json_escape(o, v, strlen(v));
}

/* A value that is already JSON text (a number, an array). */
static void
json_raw(struct ft_buf *o, const char *k, const char *v)
{
	if (!v)
		return;
	json_key(o, k);
	ft_buf_adds(o, v);
}

static void
json_long(struct ft_buf *o, const char *k, long long v)
{
	json_key(o, k);
	ft_buf_addf(o, "%lld", v);
}

static void
json_bool(struct ft_buf *o, const char *k, int v)
{
	json_key(o, k);
	ft_buf_adds(o, v ? "true" : "false");
}

/* Writes JSON array text of the items into o. */
static void
json_list(struct ft_buf *o, const struct ft_buf *items, int n, int numbers)
{
	size_t pos = 0;
	int i;

	ft_buf_addc(o, '[');
	for (i = 0; i < n; i++) {
		const char *s = next_item(items, &pos);

		if (i)
			ft_buf_addc(o, ',');
		if (numbers)
			ft_buf_adds(o, s);
		else
			ft_json_escape(o, s, strlen(s));
	}
	ft_buf_addc(o, ']');
}

/* ---- open ---- */

static const char *const ballot_types[] = {
	"approval", "choose-1", "cumulative", "ordinal", NULL
};

static int
known(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/*
 * A reason with printf formatting, in u->reason: valid until the next
 * call on the same run.
 */
static const char *
why(struct run *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *
why(struct run *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->reason, sizeof(u->reason), fmt, ap);
	va_end(ap);
	return u->reason;
}

/* Prints a round (the columns of S_ROUND) as a record into u->out. */
static void
print_round(struct run *u, char *const *f)
{
	static const char *const names[] = {
		"id", "name", "budget", "scope", "opens_at", "closes_at",
		"ballot", "min_length", "max_length", "max_cost",
		"min_points", "points", "rule", "threshold", "tiebreak"
	};
	struct ft_buf *o = &u->out.buf;
	int i;

	ft_buf_addc(o, '{');
	for (i = 0; i < 15; i++) {
		if (!f[i])
			continue;
		if (i == R_BUDGET || i == R_SCOPE || (i >= R_MINLEN &&
		    i <= R_MAXPTS) || i == R_THRESHOLD)
			json_raw(o, names[i], f[i]);
		else
			json_str(o, names[i], f[i]);
	}
	ft_buf_adds(o, "}\n");
}

static const char *
open_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	char *f[17] = { 0 };
	char t1[FT_TIME_LEN], t2[FT_TIME_LEN], check[65];
	struct ft_buf *b = &u->a;
	const char *reason = NULL;
	int64_t opens, closes;
	long v, minl = -1, maxl = -1, minp = -1, maxp = -1;
	int r, i, n;
	unsigned char secret[32], rkey[32];

#define NEED(key, what) do {						\
		if ((r = ft_json_member_text(d, key, b)) <= 0) {		\
			reason = why(u, "field %s: %s", ft_q(key),		\
				     r < 0 ? "not a " what : "missing");\
			goto out;					\
		}							\
	} while (0)
	NEED("id", "string");
	f[R_ID] = ft_xstrdup(b->s);
	NEED("name", "string");
	f[R_NAME] = ft_xstrdup(b->s);
	NEED("budget", "number");
	if (ft_amount_scale(b->s) < 0 || ft_amount_is_zero(b->s)) {
		reason = why(u, "field \"budget\": not an amount above 0: %s",
			     ft_q(b->s));
		goto out;
	}
	ft_amount_canon(b->s, &u->b);
	f[R_BUDGET] = ft_xstrdup(u->b.s);
	NEED("opens_at", "time");
	if (parse_time(b->s, &opens)) {
		reason = why(u, "field \"opens_at\": not a time: %s", ft_q(b->s));
		goto out;
	}
	f[R_OPENS] = ft_xstrdup(fmt_time(opens, t1));
	NEED("closes_at", "time");
	if (parse_time(b->s, &closes)) {
		reason = why(u, "field \"closes_at\": not a time: %s", ft_q(b->s));
		goto out;
	}
	f[R_CLOSES] = ft_xstrdup(fmt_time(closes, t2));
	if (closes <= opens) {
		reason = why(u, "field \"closes_at\": %s is not after opens_at "
			     "%s", t2, t1);
		goto out;
	}
	NEED("ballot", "string");
	if (!known(ballot_types, b->s)) {
		reason = why(u, "field \"ballot\": not approval, choose-1, "
			     "cumulative or ordinal: %s", ft_q(b->s));
		goto out;
	}
	f[R_BALLOT] = ft_xstrdup(b->s);
#undef NEED
	/* The limits of a ballot, by its type. */
	if ((r = member_long(d, "min_length", 1, MAX_BALLOT, &minl, b)) < 0 ||
	    (r = member_long(d, "max_length", 1, MAX_BALLOT, &maxl, b)) < 0) {
		reason = "fields \"min_length\", \"max_length\": not a whole "
			 "number from 1 to 1024";
		goto out;
	}
	if (strcmp(f[R_BALLOT], "choose-1") == 0) {
		minl = maxl = 1;
	} else if (strcmp(f[R_BALLOT], "ordinal") == 0) {
		if ((r = member_long(d, "length", 1, MAX_BALLOT, &v, b)) <= 0) {
			reason = r < 0 ? "field \"length\": not a whole number "
					 "from 1 to 1024" :
					 "field \"length\": missing (an ordinal "
					 "ballot ranks a fixed number)";
			goto out;
		}
		minl = maxl = v;
	} else if (strcmp(f[R_BALLOT], "cumulative") == 0) {
		if ((r = member_long(d, "points", 1, MAX_POINTS, &maxp, b)) <= 0) {
			reason = r < 0 ? "field \"points\": not a whole number "
					 "from 1 to 1000000" :
					 "field \"points\": missing (the points "
					 "a cumulative ballot spreads)";
			goto out;
		}
		if ((r = member_long(d, "min_points", 1, maxp, &minp, b)) < 0) {
			reason = "field \"min_points\": not a whole number "
				 "from 1 to points";
			goto out;
		}
		if (r == 0)
			minp = 1;
	}
	if (minl < 0 && strcmp(f[R_BALLOT], "approval") == 0)
		minl = 1;
	if (minl > 0 && maxl > 0 && minl > maxl) {
		reason = "field \"min_length\": above max_length";
		goto out;
	}
	if (minl > 0)
		f[R_MINLEN] = ft_xstrdup(why(u, "%ld", minl));
	if (maxl > 0)
		f[R_MAXLEN] = ft_xstrdup(why(u, "%ld", maxl));
	if (minp > 0)
		f[R_MINPTS] = ft_xstrdup(why(u, "%ld", minp));
	if (maxp > 0)
		f[R_MAXPTS] = ft_xstrdup(why(u, "%ld", maxp));
	if ((r = ft_json_member_text(d, "max_cost", b)) != 0) {
		if (r < 0 || ft_amount_scale(b->s) < 0) {
			reason = "field \"max_cost\": not an amount";
			goto out;
		}
		ft_amount_canon(b->s, &u->b);
		f[R_MAXCOST] = ft_xstrdup(u->b.s);
	}
	if ((r = ft_json_member_text(d, "rule", b)) != 0) {
		if (r < 0 || ft_tally_rule_parse(b->s) == FT_RULE_NONE) {
			reason = why(u, "field \"rule\": not greedy, "
				     "greedy-no-skip, greedy-threshold, mes or "
				     "mes-add1: %s", ft_q(b->s));
			goto out;
		}
		f[R_RULE] = ft_xstrdup(b->s);
	}
	if ((r = ft_json_member_text(d, "threshold", b)) != 0) {
		if (r < 0 || b->s[strspn(b->s, "0123456789")] || b->len > 15) {
			reason = "field \"threshold\": not a whole number";
			goto out;
		}
		f[R_THRESHOLD] = ft_xstrdup(b->s);
	}
	if ((r = ft_json_member_text(d, "tiebreak", b)) != 0) {
		struct ft_tally t;

		ft_tally_init(&t, 0, 0);
		if (r < 0 || ft_tally_set_tiebreak(&t, b->s)) {
			reason = why(u, "field \"tiebreak\": not a list of votes, "
				     "cost, id, or refuse: %s", ft_q(b->s));
			goto out;
		}
	}
	f[R_TIEBREAK] = ft_xstrdup(r > 0 ? b->s : "votes,cost,id");
	if ((n = member_list(d, "scope", &u->items)) < 0) {
		reason = "field \"scope\": not a list of unit ids";
		goto out;
	}
	if (n > 0) {
		size_t pos = 0;

		/* A voter's unit is checked against the scope: a unit that
		 * does not exist would let no one in, or not the ones meant. */
		for (i = 0; i < n; i++) {
			const char *unit = next_item(&u->items, &pos);
			sqlite3_stmt *s = stmt(u, S_UNIT);

			if (!s) {
				u->status = FT_SOFTWARE;
				goto out;
			}
			bind_text(s, 1, unit);
			r = sqlite3_step(s);
			sqlite3_reset(s);
			if (r != SQLITE_ROW && r != SQLITE_DONE) {
				u->status = ft_db_fail(u->db, r,
						       "reading the units");
				goto out;
			}
			if (r != SQLITE_ROW) {
				ft_buf_reset(b);
				ft_json_escape(b, unit, strlen(unit));
				reason = why(u, "field \"scope\": unknown unit %s",
					     b->s);
				goto out;
			}
		}
		ft_buf_reset(b);
		json_list(b, &u->items, n, 0);
		f[R_SCOPE] = ft_xstrdup(b->s);
	}
	/* The same round again changes nothing; another is refused. */
	{
		sqlite3_stmt *s = stmt(u, S_ROUND);

		if (!s) {
			u->status = FT_SOFTWARE;
			goto out;
		}
		bind_text(s, 1, f[R_ID]);
		r = sqlite3_step(s);
		if (r == SQLITE_ROW) {
			for (i = 1; i <= R_TIEBREAK; i++) {
				const char *c = (const char *)
					sqlite3_column_text(s, i);

				if ((c == NULL) != (f[i] == NULL) ||
				    (c && strcmp(c, f[i])))
					break;
			}
			sqlite3_reset(s);
			if (i <= R_TIEBREAK) {
				reason = why(u, "round %s exists with other "
					     "settings", f[R_ID]);
				goto out;
			}
			u->unchanged++;
			goto out;
		}
		sqlite3_reset(s);
		if (r != SQLITE_DONE) {
			u->status = ft_db_fail(u->db, r, "reading the round");
			goto out;
		}
	}
	if ((u->status = ft_vkey_read(u->o->key, 1, secret)))
		goto out;
	ft_vkey_round(secret, f[R_ID], rkey);
	ft_vkey_hash(rkey, "check", "", check);
	{
		sqlite3_stmt *s = stmt(u, S_ROUND_INS);
		char now[FT_TIME_LEN];

		if (!s) {
			u->status = FT_SOFTWARE;
			goto out;
		}
		for (i = 0; i <= R_TIEBREAK; i++)
			bind_text(s, i + 1, f[i]);
		bind_text(s, 16, check);
		bind_text(s, 17, "{}");
		bind_text(s, 18, u->fname);
		bind_text(s, 19, fmt_time(ft_time_now(), now));
		if ((u->status = exec_stmt(u, s, "storing the round")))
			goto out;
	}
	u->done++;
	print_round(u, f);
out:
	for (i = 0; i < 17; i++)
		free(f[i]);
	return reason;
}

int
ft_vote_open(struct ft_db *db, const struct ft_vote_opts *o, char **files,
	     int n)
{
	struct run u;
	int st;

	run_init(&u, db, o);
	if (!o->key || !*o->key) {
		run_release(&u, 0);
		return usage_error("open needs --key KEYFILE (or "
				      "FT_VOTE_KEY): where the round's secret "
				      "is kept");
	}
	if ((st = ft_reject_open(&u.rej, o->rejects)) == FT_OK)
		st = each_record(&u, files, n, open_one);
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%ld round%s opened, %ld unchanged, %ld rejected%s",
			u.done, u.done == 1 ? "" : "s", u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	return run_release(&u, st);
}

/* ---- projects ---- */

static const char *
project_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	const char *id, *name, *cat, *unit;
	struct ft_buf *o = &u->out.buf;
	sqlite3_stmt *s;
	int r, same;

	if (u->r.opens != INT64_MIN && ft_time_now() >= u->r.opens)
		return why(u, "round %s opened at %s: its projects are fixed",
			   u->r.f[R_ID], u->r.f[R_OPENS]);
	if ((r = ft_json_member_text(d, "id", &u->a)) <= 0)
		return r < 0 ? "field \"id\": not a string" :
			       "field \"id\": missing";
	if ((r = ft_json_member_text(d, "name", &u->b)) <= 0)
		return r < 0 ? "field \"name\": not a string" :
			       "field \"name\": missing";
	if ((r = ft_json_member_text(d, "cost", &u->c)) <= 0)
		return r < 0 ? "field \"cost\": not a number" :
			       "field \"cost\": missing";
	if (ft_amount_scale(u->c.s) < 0 || ft_amount_is_zero(u->c.s))
		return why(u, "field \"cost\": not an amount above 0: %s",
			   ft_q(u->c.s));
	ft_amount_canon(u->c.s, &u->e);
	if (ft_json_member_text(d, "category", &u->d) < 0)
		return "field \"category\": not a string";
	if (ft_json_member_text(d, "unit", &u->items) < 0)
		return "field \"unit\": not a string";
	id = u->a.s;
	name = u->b.s;
	cat = u->d.len ? u->d.s : NULL;
	unit = u->items.len ? u->items.s : NULL;
	if (!(s = stmt(u, S_PROJ_GET))) {
		u->status = FT_SOFTWARE;
		return NULL;
	}
	bind_text(s, 1, u->r.f[R_ID]);
	bind_text(s, 2, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		const char *c[4];
		int i;

		for (i = 0; i < 4; i++)
			c[i] = (const char *)sqlite3_column_text(s, i);
		same = c[0] && !strcmp(c[0], name) && !strcmp(c[1], u->e.s) &&
		       (!c[2]) == (!cat) && (!cat || !strcmp(c[2], cat)) &&
		       (!c[3]) == (!unit) && (!unit || !strcmp(c[3], unit));
		sqlite3_reset(s);
		if (same) {
			u->unchanged++;
			return NULL;
		}
		s = stmt(u, S_PROJ_UPD);
		u->updated++;
	} else {
		sqlite3_reset(s);
		if (r != SQLITE_DONE) {
			u->status = ft_db_fail(u->db, r, "reading a project");
			return NULL;
		}
		s = stmt(u, S_PROJ_INS);
		u->done++;
	}
	if (!s) {
		u->status = FT_SOFTWARE;
		return NULL;
	}
	bind_text(s, 1, u->r.f[R_ID]);
	bind_text(s, 2, id);
	bind_text(s, 3, name);
	bind_text(s, 4, u->e.s);
	bind_text(s, 5, cat);
	bind_text(s, 6, unit);
	if ((u->status = exec_stmt(u, s, "storing a project")))
		return NULL;
	ft_buf_addc(o, '{');
	json_str(o, "round", u->r.f[R_ID]);
	json_str(o, "id", id);
	json_str(o, "name", name);
	json_raw(o, "cost", u->e.s);
	json_str(o, "category", cat);
	json_str(o, "unit", unit);
	ft_buf_adds(o, "}\n");
	return NULL;
}

/* The start of every verb on a round: its record, the rejects file. */
static int
start_round(struct run *u, const char *round)
{
	int st;

	if ((st = load_round(u, round, 0)))
		return st;
	return ft_reject_open(&u->rej, u->o->rejects);
}

int
ft_vote_projects(struct ft_db *db, const struct ft_vote_opts *o,
		 const char *round, char **files, int n)
{
	struct run u;
	int st;

	run_init(&u, db, o);
	if ((st = start_round(&u, round)) == FT_OK)
		st = each_record(&u, files, n, project_one);
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld project%s added, %ld changed, %ld unchanged, "
			"%ld rejected%s", round, u.done, u.done == 1 ? "" : "s",
			u.updated, u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	return run_release(&u, st);
}

/* ---- register ---- */

/* The voter's id, trimmed, into u->a: NULL or the reason it is bad. */
static const char *
voter_id(struct run *u, const struct ft_json_doc *d)
{
	char *s;
	size_t n;
	int r = ft_json_member_text(d, "voter", &u->a);

	if (r < 0)
		return "field \"voter\": not a string";
	s = u->a.s;
	n = u->a.len;
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*s && isspace((unsigned char)*s))
		memmove(s, s + 1, n--);
	u->a.len = n;
	if (n == 0)
		return "field \"voter\": missing";
	return NULL;
}

static const char *
register_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	const char *bad;
	char hash[65];
	sqlite3_stmt *s;
	int r;

	if ((bad = voter_id(u, d)))
		return bad;
	if (u->r.closes != INT64_MIN && ft_time_now() >= u->r.closes)
		return why(u, "voting has closed (closed at %s)",
			   u->r.f[R_CLOSES]);
	if ((r = ft_json_member_text(d, "unit", &u->b)) < 0)
		return "field \"unit\": not a string";
	if (u->r.f[R_SCOPE]) {
		if (r == 0)
			return "field \"unit\": missing (the round has a scope)";
		if (!(s = stmt(u, S_UNIT)))
			goto fail;
		bind_text(s, 1, u->b.s);
		r = sqlite3_step(s);
		sqlite3_reset(s);
		if (r != SQLITE_ROW)
			return why(u, "field \"unit\": unknown unit %s",
				   ft_q(u->b.s));
		if (!(s = stmt(u, S_IN_SCOPE)))
			goto fail;
		bind_text(s, 1, u->b.s);
		bind_text(s, 2, u->r.f[R_SCOPE]);
		r = sqlite3_step(s);
		sqlite3_reset(s);
		if (r != SQLITE_ROW)
			return why(u, "field \"unit\": %s is not in the "
				   "round's scope", ft_q(u->b.s));
	}
	ft_vkey_hash(u->r.key, "voter", u->a.s, hash);
	if (!(s = stmt(u, S_VOTER_INS)))
		goto fail;
	bind_text(s, 1, u->r.f[R_ID]);
	bind_text(s, 2, hash);
	if ((u->status = exec_stmt(u, s, "registering a voter")))
		return NULL;
	if (sqlite3_changes(u->db->h))
		u->done++;
	else
		u->unchanged++;
	return NULL;
fail:
	u->status = FT_SOFTWARE;
	return NULL;
}

int
ft_vote_register(struct ft_db *db, const struct ft_vote_opts *o,
		 const char *round, char **files, int n)
{
	struct run u;
	int st;

	run_init(&u, db, o);
	if ((st = start_round(&u, round)) == FT_OK &&
	    (st = round_unlock(&u)) == FT_OK)
		st = each_record(&u, files, n, register_one);
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld voter%s registered, %ld unchanged, %ld "
			"rejected%s", round, u.done, u.done == 1 ? "" : "s",
			u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	return run_release(&u, st);
}

/* ---- cast ---- */

/* The round's projects by id, for checking ballots and counting. */
struct plist {
	int n;
	char **id;
	char **name;
	char **cost;		/* canonical decimal */
	int *order;		/* indexes sorted by id, for bsearch */
};

/*
 * An id with its index, sorted as one: the comparison needs no context
 * beyond the two elements.
 */
struct id_ix {
	const char *id;
	int ix;
};

static int
id_ix_cmp(const void *a, const void *b)
{
	const struct id_ix *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->ix > y->ix) - (x->ix < y->ix);
}

/*
 * Fills order[0..n) with the indexes of ids[0..n) in the order of their
 * ids; equal ids in the order of their indexes.
 */
static void
order_by_id(char *const *ids, int n, int *order)
{
	struct id_ix *v = ft_xmalloc(((size_t)n + 1) * sizeof(*v));
	int i;

	for (i = 0; i < n; i++) {
		v[i].id = ids[i];
		v[i].ix = i;
	}
	qsort(v, (size_t)n, sizeof(*v), id_ix_cmp);
	for (i = 0; i < n; i++)
		order[i] = v[i].ix;
	free(v);
}

static void
plist_release(struct plist *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		free(p->id[i]);
		free(p->name[i]);
		free(p->cost[i]);
	}
	free(p->id);
	free(p->name);
	free(p->cost);
	free(p->order);
	memset(p, 0, sizeof(*p));
}

static int
plist_load(struct run *u, struct plist *p)
{
	sqlite3_stmt *s = stmt(u, S_PROJ_ALL);
	int rc, cap = 0;

	memset(p, 0, sizeof(*p));
	if (!s)
		return FT_SOFTWARE;
	bind_text(s, 1, u->r.f[R_ID]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->n == cap) {
			cap = cap ? 2 * cap : 64;
			p->id = ft_xrealloc(p->id, (size_t)cap * sizeof(char *));
			p->name = ft_xrealloc(p->name,
					      (size_t)cap * sizeof(char *));
			p->cost = ft_xrealloc(p->cost,
					      (size_t)cap * sizeof(char *));
		}
		p->id[p->n] = col_dup(s, 0);
		p->name[p->n] = col_dup(s, 1);
		p->cost[p->n] = col_dup(s, 2);
		if (!p->name[p->n])
			p->name[p->n] = ft_xstrdup("");
		p->n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ft_db_fail(u->db, rc, "reading the projects");
	p->order = ft_xmalloc(((size_t)p->n + 1) * sizeof(int));
	order_by_id(p->id, p->n, p->order);
	return FT_OK;
}

static int
plist_find(const struct plist *p, const char *id)
{
	int lo = 0, hi = p->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(id, p->id[p->order[mid]]);

		if (c == 0)
			return p->order[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The scale of the round's amounts: the most decimals of any. */
static int
round_scale(const struct run *u, const struct plist *p)
{
	int i, s = ft_amount_scale(u->r.f[R_BUDGET]), x;

	for (i = 0; i < p->n; i++)
		if ((x = ft_amount_scale(p->cost[i])) > s)
			s = x;
	if (u->r.f[R_MAXCOST] && (x = ft_amount_scale(u->r.f[R_MAXCOST])) > s)
		s = x;
	return s < 0 ? 0 : s;
}

/*
 * Checks a ballot's projects (names[0..n), each a NUL-terminated string in
 * one buffer) and points (pts, or NULL) against the round.  Returns NULL
 * or the reason.  idx receives the projects' indexes.
 */
static const char *
check_ballot(struct run *u, const struct plist *p, int scale,
	     const struct ft_buf *names, int n, const struct ft_buf *ptext,
	     int np, int *idx, int64_t *pts)
{
	const char *type = u->r.f[R_BALLOT];
	long minl = u->r.f[R_MINLEN] ? atol(u->r.f[R_MINLEN]) : 0;
	long maxl = u->r.f[R_MAXLEN] ? atol(u->r.f[R_MAXLEN]) : MAX_BALLOT;
	int cumulative = strcmp(type, "cumulative") == 0;
	size_t pos = 0;
	int64_t cost = 0, sum = 0, c;
	int i, j, over = 0;

	if (n > MAX_BALLOT)
		return why(u, "field \"projects\": %d projects, at most %d", n,
			   MAX_BALLOT);
	for (i = 0; i < n; i++) {
		const char *id = next_item(names, &pos);

		if ((idx[i] = plist_find(p, id)) < 0)
			return why(u, "field \"projects\": unknown project "
				   "%s", ft_q(id));
		for (j = 0; j < i; j++)
			if (idx[j] == idx[i])
				return why(u, "field \"projects\": project %s "
					   "named twice", ft_q(id));
		/* Costs below 10^17 units each: 93 of them overflow. */
		c = ft_amount_units(p->cost[idx[i]], scale);
		if (cost > INT64_MAX - c)
			over = 1;
		else
			cost += c;
	}
	if (strcmp(type, "ordinal") == 0 && n != minl)
		return why(u, "field \"projects\": a ranking of exactly %ld "
			   "projects", minl);
	if (n < minl)
		return why(u, "field \"projects\": %d project%s, at least %ld", n,
			   n == 1 ? "" : "s", minl);
	if (n > maxl)
		return why(u, "field \"projects\": %d projects, at most %ld", n,
			   maxl);
	if (u->r.f[R_MAXCOST] && over)
		return why(u, "field \"projects\": total cost over the ballot's "
			   "limit %s", u->r.f[R_MAXCOST]);
	if (u->r.f[R_MAXCOST] &&
	    cost > ft_amount_units(u->r.f[R_MAXCOST], scale))
	{
		char a[64];

		ft_tally_amount(cost, scale, a, sizeof(a));
		return why(u, "field \"projects\": total cost %s over the "
			   "ballot's limit %s", a, u->r.f[R_MAXCOST]);
	}
	if (!cumulative) {
		if (np > 0)
			return "field \"points\": only cumulative ballots give "
			       "points";
		for (i = 0; i < n; i++)
			pts[i] = 1;
		return NULL;
	}
	if (np != n)
		return why(u, "field \"points\": %d values for %d projects", np,
			   n);
	pos = 0;
	for (i = 0; i < n; i++) {
		const char *s = next_item(ptext, &pos);
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (!*s || *end || errno || v < 1 || v > MAX_POINTS)
			return why(u, "field \"points\": not a whole number above "
				   "0: %s", ft_q(s));
		pts[i] = v;
		sum += v;
	}
	if (u->r.f[R_MAXPTS] && sum > atol(u->r.f[R_MAXPTS]))
		return why(u, "field \"points\": %lld points, at most %s",
			   (long long)sum, u->r.f[R_MAXPTS]);
	if (u->r.f[R_MINPTS] && sum < atol(u->r.f[R_MINPTS]))
		return why(u, "field \"points\": %lld point%s, at least %s",
			   (long long)sum, sum == 1 ? "" : "s",
			   u->r.f[R_MINPTS]);
	return NULL;
}

struct cast {
	struct plist p;
	int scale;
	int idx[MAX_BALLOT + 1];
	int64_t pts[MAX_BALLOT + 1];
};

/* Is s UTF-8 without control characters (C0, DEL, C1)? */
static int
is_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i;

	if (ft_utf8_valid(s, n) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] == 0xc2 && u[i + 1] < 0xa0))
			return 0;
	return 1;
}

static int
is_word(const char *s)
{
	if (!*s || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/*
 * NULL while the round has no stored count, else the reason a ballot is
 * refused.  Read once a transaction: a count is kept in one of its own.
 */
static const char *
counted(struct run *u)
{
	sqlite3_stmt *s;
	int r;

	if (u->counted_txn != u->db->txn) {
		if (!(s = stmt(u, S_COUNTED))) {
			u->status = FT_SOFTWARE;
			return NULL;
		}
		bind_text(s, 1, u->r.f[R_ID]);
		r = sqlite3_step(s);
		u->counted = 0;
		if (r == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(s, 1);

			u->counted = sqlite3_column_int64(s, 0);
			snprintf(u->counted_at, sizeof(u->counted_at), "%s",
				 c ? c : "?");
		}
		sqlite3_reset(s);
		if (r != SQLITE_ROW && r != SQLITE_DONE) {
			u->status = ft_db_fail(u->db, r, "reading the counts");
			return NULL;
		}
		u->counted_txn = u->db->txn;
	}
	if (!u->counted)
		return NULL;
	return why(u, "field \"cast_at\": too late: round %s was counted at %s "
		   "(tally %lld), its ballots are frozen", u->r.f[R_ID],
		   u->counted_at, u->counted);
}

static const char *
cast_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	struct cast *c = u->cast;
	const char *bad, *channel;
	char tag[65], hash[65], t1[FT_TIME_LEN], t2[FT_TIME_LEN];
	struct ft_buf *o = &u->out.buf;
	sqlite3_stmt *s;
	int64_t at, now;
	long long oldid;
	int n, np, r, old;

	if ((bad = voter_id(u, d)))
		return bad;
	ft_vkey_hash(u->r.key, "voter", u->a.s, hash);
	if (!(s = stmt(u, S_VOTER_GET)))
		goto fail;
	bind_text(s, 1, u->r.f[R_ID]);
	bind_text(s, 2, hash);
	r = sqlite3_step(s);
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		u->status = ft_db_fail(u->db, r, "reading the register");
		return NULL;
	}
	if (r != SQLITE_ROW)
		return "not registered for this round";
	at = now = ft_time_now();
	if ((r = ft_json_member_text(d, "cast_at", &u->b)) < 0 ||
	    (r > 0 && parse_time(u->b.s, &at)))
		return why(u, "field \"cast_at\": not a time: %s", ft_q(u->b.s));
	/* A ballot is cast before it is stored: one dated later is not one
	 * (nor one dated inside the period while voting has not opened). */
	if (at > now)
		return why(u, "field \"cast_at\": %s is later than the current "
			   "time %s", fmt_time(at, t1), fmt_time(now, t2));
	if (u->r.opens != INT64_MIN && at < u->r.opens)
		return why(u, "field \"cast_at\": voting has not opened yet "
			   "(opens at %s)", u->r.f[R_OPENS]);
	if (u->r.closes != INT64_MIN && at >= u->r.closes)
		return why(u, "field \"cast_at\": voting has closed (closed at "
			   "%s)", u->r.f[R_CLOSES]);
	if ((r = ft_json_member_text(d, "channel", &u->c)) < 0 ||
	    (r > 0 && !is_word(u->c.s)))
		return "field \"channel\": not a word";
	channel = r > 0 ? u->c.s : u->o->channel ? u->o->channel : "online";
	if ((n = member_list(d, "projects", &u->items)) < 0)
		return "field \"projects\": not a list of project ids";
	if (n == 0 && !ft_json_get(d, "projects"))
		return "field \"projects\": missing";
	if ((np = member_list(d, "points", &u->items2)) < 0)
		return "field \"points\": not a list of numbers";
	if ((bad = check_ballot(u, &c->p, c->scale, &u->items, n, &u->items2,
				np, c->idx, c->pts)))
		return bad;
	ft_vkey_hash(u->r.key, "ballot", u->a.s, tag);
	if (!(s = stmt(u, S_BALLOT_GET)))
		goto fail;
	bind_text(s, 1, u->r.f[R_ID]);
	bind_text(s, 2, tag);
	/* The canonical texts the count reads and the digest covers. */
	ft_buf_reset(&u->d);
	json_list(&u->d, &u->items, n, 0);
	ft_buf_reset(&u->e);
	if (np > 0) {
		int i;

		ft_buf_addc(&u->e, '[');
		for (i = 0; i < n; i++)
			ft_buf_addf(&u->e, "%s%lld", i ? "," : "",
				    (long long)c->pts[i]);
		ft_buf_addc(&u->e, ']');
	}
	r = sqlite3_step(s);
	old = r == SQLITE_ROW;
	oldid = 0;
	if (old) {
		const char *op = (const char *)sqlite3_column_text(s, 1);
		const char *opts = (const char *)sqlite3_column_text(s, 2);

		oldid = (long long)sqlite3_column_int64(s, 0);
		/* The same ballot again (a job run twice, or resumed after a
		 * crash) changes nothing: it is not a second vote. */
		if (op && !strcmp(op, u->d.s) && (np > 0 ? opts &&
		    !strcmp(opts, u->e.s) : !opts)) {
			sqlite3_reset(s);
			u->unchanged++;
			return NULL;
		}
	}
	sqlite3_reset(s);
	/* Once a result is stored, it must stay the count of the ballots:
	 * they are frozen, however late ballots are dated. */
	if ((bad = counted(u)) != NULL)
		return bad;
	if (u->status)
		return NULL;
	if (old && !u->o->replace)
		return "already voted";
	if (!(s = stmt(u, old ? S_BALLOT_UPD : S_BALLOT_INS)))
		goto fail;
	bind_text(s, 1, u->r.f[R_ID]);
	bind_text(s, 2, tag);
	bind_text(s, 3, channel);
	bind_text(s, 4, u->d.s);
	bind_text(s, 5, np > 0 ? u->e.s : NULL);
	if ((u->status = exec_stmt(u, s, "storing a ballot")))
		return NULL;
	if (old)
		u->updated++;
	else
		u->done++;
	ft_buf_addc(o, '{');
	json_str(o, "round", u->r.f[R_ID]);
	json_long(o, "ballot", old ? oldid :
		  (long long)sqlite3_last_insert_rowid(u->db->h));
	json_str(o, "channel", channel);
	json_raw(o, "projects", u->d.s);
	if (np > 0)
		json_raw(o, "points", u->e.s);
	if (old)
		json_bool(o, "replaced", 1);
	ft_buf_adds(o, "}\n");
	return NULL;
fail:
	u->status = FT_SOFTWARE;
	return NULL;
}

int
ft_vote_cast(struct ft_db *db, const struct ft_vote_opts *o,
	     const char *round, char **files, int n)
{
	struct run u;
	struct cast *c = ft_xmalloc(sizeof(*c));
	int st;

	memset(c, 0, sizeof(*c));
	run_init(&u, db, o);
	if (o->channel && !is_word(o->channel)) {
		free(c);
		run_release(&u, 0);
		return usage_error("--channel: not a word: %s",
				      ft_q(o->channel));
	}
	if ((st = start_round(&u, round)) == FT_OK &&
	    (st = round_unlock(&u)) == FT_OK &&
	    (st = plist_load(&u, &c->p)) == FT_OK) {
		c->scale = round_scale(&u, &c->p);
		u.cast = c;
		st = each_record(&u, files, n, cast_one);
	}
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld ballot%s cast, %ld replaced, %ld unchanged, "
			"%ld rejected%s", round, u.done, u.done == 1 ? "" : "s",
			u.updated, u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	plist_release(&c->p);
	free(c);
	return run_release(&u, st);
}

/* ---- import ---- */

struct imp {
	const char *path;
	struct ft_pb pb;
	long errors;
	/* META */
	int nmeta;
	const char **mkey, **mval;
	long *mline;
	/* columns */
	int p_id, p_cost, p_name, p_cat, p_sel, p_votes, p_score;
	int v_id, v_vote, v_points, v_method, v_sex;
	const char *type;
	int scale;
	long *votes;
	int64_t *score;
};

static void
imp_err(struct imp *m, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
imp_err(struct imp *m, long line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (++m->errors > 100) {
		if (m->errors == 101)
			ft_error("%s: more errors not shown", m->path);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		ft_error("%s:%ld: %s", m->path, line, msg);
	else
		ft_error("%s: %s", m->path, msg);
}

static const char *
meta(const struct imp *m, const char *key)
{
	int i;

	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->mkey[i], key) == 0)
			return m->mval[i];
	return NULL;
}

static long
meta_line(const struct imp *m, const char *key)
{
	int i;

	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->mkey[i], key) == 0)
			return m->mline[i];
	return m->pb.meta.line;
}

/* A pabulib date: dd.mm.yyyy (with an optional time), or a year alone.
 * end: the instant after the day (or year).  0, or -1 for another form. */
static int
pb_date(const char *s, int end, int64_t *t)
{
	unsigned d, mo, y, h = 0, mi = 0;
	char extra;

	if (sscanf(s, "%2u.%2u.%4u%c", &d, &mo, &y, &extra) == 3 ||
	    sscanf(s, "%2u.%2u.%4u, %2u:%2u%c", &d, &mo, &y, &h, &mi,
		   &extra) == 5) {
		if (d < 1 || d > 31 || mo < 1 || mo > 12 || h > 23 || mi > 59)
			return -1;
		*t = ft_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
		if (end)
			*t += strchr(s, ':') ? 60 : 86400;
		return 0;
	}
	if (strlen(s) == 4 && strspn(s, "0123456789") == 4) {
		y = (unsigned)atoi(s);
		*t = ft_days_from_civil(y + (end ? 1 : 0), 1, 1) * 86400;
		return 0;
	}
	return -1;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
whole(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && !*end && !errno && *v >= 0;
}

/* Checks the file whole; every error is printed.  Fills m. */
static void
imp_check(struct imp *m)
{
	struct ft_pb *pb = &m->pb;
	const struct ft_pb_section *ps = &pb->projects, *vs = &pb->votes;
	static const char *const types[] = {
		"approval", "choose-1", "cumulative", "ordinal", NULL
	};
	static const char *const ints[] = {
		"min_length", "max_length", "min_sum_points", "max_sum_points",
		"min_project_score_threshold", "num_projects", "num_votes", NULL
	};
	const char *v;
	char **ids;
	long minl = 0, maxl = MAX_BALLOT, minp = -1, maxp = -1, x;
	int i, j, k, kc, vc;
	int64_t begin = 0, end = 0;
	int have_begin, have_end;
	struct plist pl;

	kc = ft_pb_col(&pb->meta, "key");
	vc = ft_pb_col(&pb->meta, "value");
	if (kc < 0 || vc < 0)
		imp_err(m, pb->meta.line + 1, "META: the columns are not "
			"key;value");
	m->mkey = ft_xmalloc(((size_t)pb->meta.nrows + 1) * sizeof(char *));
	m->mval = ft_xmalloc(((size_t)pb->meta.nrows + 1) * sizeof(char *));
	m->mline = ft_xmalloc(((size_t)pb->meta.nrows + 1) * sizeof(long));
	for (i = 0; i < pb->meta.nrows && kc >= 0 && vc >= 0; i++) {
		const struct ft_pb_row *r = &pb->meta.rows[i];
		const char *key = ft_pb_field(r, kc);

		if (meta(m, key)) {
			imp_err(m, r->line, "META %s: given twice", key);
			continue;
		}
		m->mkey[m->nmeta] = key;
		m->mval[m->nmeta] = ft_pb_field(r, vc);
		m->mline[m->nmeta++] = r->line;
	}
	if (!meta(m, "country"))
		imp_err(m, pb->meta.line, "META country: missing");
	if (!(v = meta(m, "budget")))
		imp_err(m, pb->meta.line, "META budget: missing");
	else if (ft_amount_scale(v) < 0 || ft_amount_is_zero(v))
		imp_err(m, meta_line(m, "budget"), "META budget: not a decimal "
			"amount above 0: %s", ft_q(v));
	if (!(m->type = meta(m, "vote_type")))
		imp_err(m, pb->meta.line, "META vote_type: missing");
	else if (!known(types, m->type))
		imp_err(m, meta_line(m, "vote_type"), "META vote_type: not "
			"approval, choose-1, cumulative or ordinal: %s",
			ft_q(m->type));
	if (!m->type || !known(types, m->type))
		m->type = "approval";
	if ((v = meta(m, "currency")) && (strlen(v) != 3 ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		imp_err(m, meta_line(m, "currency"), "META currency: not an "
			"ISO 4217 code: %s", ft_q(v));
	if (meta(m, "budget_per_category"))
		imp_err(m, meta_line(m, "budget_per_category"),
			"META budget_per_category: budgets by category are not "
			"supported");
	for (i = 0; ints[i]; i++)
		if ((v = meta(m, ints[i])) && !whole(v, &x))
			imp_err(m, meta_line(m, ints[i]), "META %s: not a whole "
				"number: %s", ints[i], ft_q(v));
	if ((v = meta(m, "max_sum_cost")) && ft_amount_scale(v) < 0)
		imp_err(m, meta_line(m, "max_sum_cost"), "META max_sum_cost: "
			"not a decimal amount: %s", ft_q(v));
	have_begin = (v = meta(m, "date_begin")) && !pb_date(v, 0, &begin);
	have_end = (v = meta(m, "date_end")) && !pb_date(v, 1, &end);
	if (have_begin && have_end && end <= begin)
		imp_err(m, meta_line(m, "date_end"), "META date_end: %s is "
			"before date_begin %s", ft_q(meta(m, "date_end")),
			ft_q(meta(m, "date_begin")));
	if ((v = meta(m, "min_length")) && whole(v, &x))
		minl = x;
	if ((v = meta(m, "max_length")) && whole(v, &x))
		maxl = x;
	if (strcmp(m->type, "choose-1") == 0)
		minl = maxl = 1;
	if ((v = meta(m, "min_sum_points")) && whole(v, &x))
		minp = x;
	if ((v = meta(m, "max_sum_points")) && whole(v, &x))
		maxp = x;

	/* PROJECTS */
	m->p_id = ft_pb_col(ps, "project_id");
	m->p_cost = ft_pb_col(ps, "cost");
	m->p_name = ft_pb_col(ps, "name");
	m->p_cat = ft_pb_col(ps, "category");
	m->p_sel = ft_pb_col(ps, "selected");
	m->p_votes = ft_pb_col(ps, "votes");
	m->p_score = ft_pb_col(ps, "score");
	if (m->p_id < 0 || m->p_cost < 0)
		imp_err(m, ps->line + 1, "PROJECTS: no %s column",
			m->p_id < 0 ? "project_id" : "cost");
	memset(&pl, 0, sizeof(pl));
	pl.n = ps->nrows;
	pl.id = ft_xmalloc(((size_t)pl.n + 1) * sizeof(char *));
	pl.order = ft_xmalloc(((size_t)pl.n + 1) * sizeof(int));
	for (i = 0; i < ps->nrows; i++) {
		const struct ft_pb_row *r = &ps->rows[i];

		pl.id[i] = (char *)ft_pb_field(r, m->p_id);
		if (!*pl.id[i])
			imp_err(m, r->line, "PROJECTS project_id: missing");
		v = ft_pb_field(r, m->p_cost);
		if (m->p_cost >= 0 && (ft_amount_scale(v) < 0 || ft_amount_is_zero(v)))
			imp_err(m, r->line, "PROJECTS cost: not a decimal "
				"amount above 0: %s", ft_q(v));
		if (m->p_sel >= 0 && *(v = ft_pb_field(r, m->p_sel)) &&
		    !whole(v, &x))
			imp_err(m, r->line, "PROJECTS selected: not a whole "
				"number: %s", ft_q(v));
	}
	order_by_id(pl.id, pl.n, pl.order);
	for (i = 1; i < pl.n; i++)
		if (*pl.id[pl.order[i]] &&
		    strcmp(pl.id[pl.order[i]], pl.id[pl.order[i - 1]]) == 0)
			imp_err(m, ps->rows[pl.order[i]].line, "PROJECTS "
				"project_id: %s given twice",
				ft_q(pl.id[pl.order[i]]));
	if ((v = meta(m, "num_projects")) && whole(v, &x) && x != ps->nrows)
		imp_err(m, meta_line(m, "num_projects"), "META num_projects: "
			"%ld, but PROJECTS has %d", x, ps->nrows);

	/* VOTES */
	m->v_id = ft_pb_col(vs, "voter_id");
	m->v_vote = ft_pb_col(vs, "vote");
	m->v_points = ft_pb_col(vs, "points");
	m->v_method = ft_pb_col(vs, "voting_method");
	m->v_sex = ft_pb_col(vs, "sex");
	if (m->v_id < 0 || m->v_vote < 0)
		imp_err(m, vs->line + 1, "VOTES: no %s column",
			m->v_id < 0 ? "voter_id" : "vote");
	if (strcmp(m->type, "cumulative") == 0 && m->v_points < 0)
		imp_err(m, vs->line + 1, "VOTES: no points column (the vote "
			"type is cumulative)");
	m->votes = ft_xmalloc(((size_t)pl.n + 1) * sizeof(long));
	m->score = ft_xmalloc(((size_t)pl.n + 1) * sizeof(int64_t));
	memset(m->votes, 0, ((size_t)pl.n + 1) * sizeof(long));
	memset(m->score, 0, ((size_t)pl.n + 1) * sizeof(int64_t));
	ids = ft_xmalloc(((size_t)vs->nrows + 1) * sizeof(char *));
	for (i = 0; i < vs->nrows; i++) {
		const struct ft_pb_row *r = &vs->rows[i];
		struct ft_buf list = FT_BUF_INIT, pts = FT_BUF_INIT;
		const char *id = ft_pb_field(r, m->v_id);
		int idx[MAX_BALLOT + 1], n = 0, np = 0;
		size_t pos = 0, ppos = 0;
		int64_t sum = 0;

		ids[i] = (char *)id;
		if (!*id)
			imp_err(m, r->line, "VOTES voter_id: missing");
		else if (strchr(id, ','))
			imp_err(m, r->line, "VOTES voter_id: %s holds a "
				"comma", ft_q(id));
		if (m->v_sex >= 0 && *(v = ft_pb_field(r, m->v_sex)) &&
		    strcmp(v, "M") && strcmp(v, "F") && strcmp(v, "O"))
			imp_err(m, r->line, "VOTES sex: not M, F or O: %s",
				ft_q(v));
		v = ft_pb_field(r, m->v_vote);
		if (*v) {
			const char *s = v, *c;

			for (;; s = c + 1) {
				c = strchr(s, ',');
				ft_buf_add(&list, s, c ? (size_t)(c - s) :
					   strlen(s));
				ft_buf_addc(&list, '\0');
				n++;
				if (!c)
					break;
			}
		}
		if (m->v_points >= 0 && *(v = ft_pb_field(r, m->v_points))) {
			const char *s = v, *c;

			for (;; s = c + 1) {
				c = strchr(s, ',');
				ft_buf_add(&pts, s, c ? (size_t)(c - s) :
					   strlen(s));
				ft_buf_addc(&pts, '\0');
				np++;
				if (!c)
					break;
			}
		}
		if (n == 0)
			imp_err(m, r->line, "VOTES vote: empty");
		if (n > MAX_BALLOT) {
			imp_err(m, r->line, "VOTES vote: more than %d projects",
				MAX_BALLOT);
			n = 0;
		}
		if (strcmp(m->type, "cumulative") == 0 && np != n)
			imp_err(m, r->line, "VOTES points: %d values for %d "
				"projects", np, n);
		for (j = 0; j < n; j++) {
			const char *p = next_item(&list, &pos);
			long pt = 1;

			idx[j] = plist_find(&pl, p);
			if (idx[j] < 0) {
				imp_err(m, r->line, "VOTES vote: unknown "
					"project %s", ft_q(p));
				continue;
			}
			for (k = 0; k < j; k++)
				if (idx[k] == idx[j])
					imp_err(m, r->line, "VOTES vote: project "
						"%s named twice", ft_q(p));
			if (strcmp(m->type, "cumulative") == 0 && np == n) {
				const char *q = next_item(&pts, &ppos);

				/* Bounded, so that no sum can wrap. */
				if (!whole(q, &pt) || pt > MAX_POINTS) {
					imp_err(m, r->line, "VOTES points: not "
						"a whole number from 0 to %d: "
						"%s", MAX_POINTS, ft_q(q));
					pt = 0;
				}
				sum += pt;
			} else if (strcmp(m->type, "ordinal") == 0) {
				pt = n - j;
			}
			m->votes[idx[j]]++;
			m->score[idx[j]] += pt;
		}
		if (n && (n < minl || n > maxl))
			imp_err(m, r->line, "VOTES vote: %d project%s, outside "
				"min_length %ld and max_length %ld", n,
				n == 1 ? "" : "s", minl, maxl);
		if (n && np && ((minp >= 0 && sum < minp) ||
				(maxp >= 0 && sum > maxp)))
			imp_err(m, r->line, "VOTES points: %lld, outside "
				"min_sum_points and max_sum_points",
				(long long)sum);
		ft_buf_release(&list);
		ft_buf_release(&pts);
	}
	/* Twice the same voter: sorted by id, then by line. */
	{
		int *ix = ft_xmalloc(((size_t)vs->nrows + 1) * sizeof(int));

		order_by_id(ids, vs->nrows, ix);
		for (i = 1; i < vs->nrows; i++)
			if (*ids[ix[i]] && !strcmp(ids[ix[i]], ids[ix[i - 1]]))
				imp_err(m, vs->rows[ix[i]].line, "VOTES voter_id: "
					"%s given twice (first at line %ld)",
					ft_q(ids[ix[i]]),
					vs->rows[ix[i - 1]].line);
		free(ix);
	}
	free(ids);
	if ((v = meta(m, "num_votes")) && whole(v, &x) && x != vs->nrows)
		imp_err(m, meta_line(m, "num_votes"), "META num_votes: %ld, "
			"but VOTES has %d", x, vs->nrows);
	/* The published counts must be the ballots' own. */
	for (i = 0; i < ps->nrows; i++) {
		const struct ft_pb_row *r = &ps->rows[i];

		if (m->p_votes >= 0 && *(v = ft_pb_field(r, m->p_votes)) &&
		    (!whole(v, &x) || x != m->votes[i]))
			imp_err(m, r->line, "PROJECTS votes: %s, but the "
				"ballots give %ld", ft_q(v), m->votes[i]);
		if (m->p_score >= 0 && *(v = ft_pb_field(r, m->p_score)) &&
		    strcmp(m->type, "approval") && strcmp(m->type, "choose-1")
		    && (!whole(v, &x) || x != m->score[i]))
			imp_err(m, r->line, "PROJECTS score: %s, but the "
				"ballots give %lld", ft_q(v),
				(long long)m->score[i]);
	}
	free(pl.id);
	free(pl.order);
}

static void
imp_release(struct imp *m)
{
	ft_pb_release(&m->pb);
	free(m->mkey);
	free(m->mval);
	free(m->mline);
	free(m->votes);
	free(m->score);
}

/* A JSON object of row r's fields except the columns in skip (-1 ends). */
static void
row_object(struct ft_buf *o, const struct ft_pb_section *s,
	   const struct ft_pb_row *r, const int *skip)
{
	int i, k, n = 0;

	ft_buf_reset(o);
	ft_buf_addc(o, '{');
	for (i = 0; i < s->head.n; i++) {
		for (k = 0; skip[k] >= 0; k++)
			if (skip[k] == i)
				break;
		if (skip[k] >= 0 || !*ft_pb_field(r, i))
			continue;
		if (n++)
			ft_buf_addc(o, ',');
		ft_json_escape_lossy(o, s->head.f[i], strlen(s->head.f[i]));
		ft_buf_addc(o, ':');
		ft_json_escape_lossy(o, ft_pb_field(r, i),
				     strlen(ft_pb_field(r, i)));
	}
	ft_buf_addc(o, '}');
}

/*
 * The digest of a ballot set: SHA-256 of its canonical lines (projects,
 * a tab, points or null), sorted, each ended by a newline.  Takes lines.
 */
static void
digest(char **lines, long n, char hex[65])
{
	struct ft_sha256 c;
	unsigned char h[32];
	long i;

	if (n > 1)	/* lines is NULL when there are none */
		qsort(lines, (size_t)n, sizeof(*lines), str_cmp);
	ft_sha256_init(&c);
	for (i = 0; i < n; i++) {
		ft_sha256_add(&c, lines[i], strlen(lines[i]));
		ft_sha256_add(&c, "\n", 1);
		free(lines[i]);
	}
	ft_sha256_done(&c, h);
	ft_hex(hex, h, 32);
}

static char *
ballot_line(const char *projects, const char *points)
{
	struct ft_buf b = FT_BUF_INIT;

	ft_buf_adds(&b, projects);
	ft_buf_addc(&b, '\t');
	ft_buf_adds(&b, points ? points : "null");
	return ft_buf_detach(&b, NULL);
}

/* The digest of the stored ballots of u->r. */
static int
stored_digest(struct run *u, char hex[65], long *count)
{
	sqlite3_stmt *s = stmt(u, S_BALLOT_ALL);
	char **lines = NULL;
	long n = 0, cap = 0;
	int rc;

	if (!s)
		return FT_SOFTWARE;
	bind_text(s, 1, u->r.f[R_ID]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			lines = ft_xrealloc(lines, (size_t)cap * sizeof(*lines));
		}
		lines[n++] = ballot_line((const char *)sqlite3_column_text(s, 0),
					 (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		while (n)
			free(lines[--n]);
		free(lines);
		return ft_db_fail(u->db, rc, "reading the ballots");
	}
	digest(lines, n, hex);
	free(lines);
	*count = n;
	return FT_OK;
}

/* The pabulib names of the rules ft-vote counts by, and its own. */
static const char *const pb_rules[][2] = {
	{ "greedy", "greedy" },
	{ "greedy-no-skip", "greedy-no-skip" },
	{ "greedy-threshold", "greedy-threshold" },
	{ "equalshares", "mes" },
	{ "equalshares/add1", "mes-add1" },
};

/* from = 0: a META rule to ft-vote's (NULL if none); 1: the other way. */
static const char *
pb_rule_name(const char *r, int from)
{
	size_t i;

	for (i = 0; r && i < sizeof(pb_rules) / sizeof(*pb_rules); i++)
		if (!strcmp(r, pb_rules[i][from]))
			return pb_rules[i][!from];
	return from ? r : NULL;
}

/*
 * The canonical texts of the ballot in VOTES row r, as they are stored
 * and as the digest covers them: the projects as a JSON array into pj, and
 * for a cumulative ballot the points as one into pts (else pts is empty).
 */
static void
pb_ballot(const struct imp *m, const struct ft_pb_row *r, struct ft_buf *pj,
	  struct ft_buf *pts)
{
	const char *p;
	long pt;

	ft_buf_reset(pj);
	ft_buf_addc(pj, '[');
	for (p = ft_pb_field(r, m->v_vote); *p;) {
		size_t l = strcspn(p, ",");

		if (pj->len > 1)
			ft_buf_addc(pj, ',');
		ft_json_escape_lossy(pj, p, l);
		p += l;
		if (*p == ',')
			p++;
	}
	ft_buf_addc(pj, ']');
	ft_buf_reset(pts);
	if (strcmp(m->type, "cumulative"))
		return;
	ft_buf_addc(pts, '[');
	for (p = ft_pb_field(r, m->v_points); *p;) {
		size_t l = strcspn(p, ",");
		char num[24];

		snprintf(num, sizeof(num), "%.*s", (int)l, p);
		whole(num, &pt);
		ft_buf_addf(pts, "%s%ld", pts->len > 1 ? "," : "", pt);
		p += l;
		if (*p == ',')
			p++;
	}
	ft_buf_addc(pts, ']');
}

/* Stores the checked file m as round id. */
static int
imp_store(struct run *u, struct imp *m, const char *id,
	  const unsigned char rkey[32], const char *check)
{
	const struct ft_pb_section *ps = &m->pb.projects, *vs = &m->pb.votes;
	sqlite3_stmt *s;
	char t[FT_TIME_LEN];
	int64_t when;
	const char *v, *type = m->type;
	int i, st, skip_p[8], skip_v[5];
	struct ft_buf *o = &u->a;
	long x;

	/* The round: META as JSON, in its order. */
	ft_buf_reset(o);
	ft_buf_addc(o, '{');
	for (i = 0; i < m->nmeta; i++) {
		if (i)
			ft_buf_addc(o, ',');
		ft_json_escape_lossy(o, m->mkey[i], strlen(m->mkey[i]));
		ft_buf_addc(o, ':');
		ft_json_escape_lossy(o, m->mval[i], strlen(m->mval[i]));
	}
	ft_buf_addc(o, '}');
	if (!(s = stmt(u, S_ROUND_INS)))
		return FT_SOFTWARE;
	bind_text(s, 1, id);
	v = meta(m, "description");
	bind_text(s, 2, v && *v ? v : id);
	ft_amount_canon(meta(m, "budget"), &u->b);
	bind_text(s, 3, u->b.s);
	if ((v = meta(m, "date_begin")) && !pb_date(v, 0, &when))
		bind_text(s, 5, fmt_time(when, t));
	if ((v = meta(m, "date_end")) && !pb_date(v, 1, &when))
		bind_text(s, 6, fmt_time(when, t));
	bind_text(s, 7, type);
	if (!strcmp(type, "choose-1")) {
		bind_text(s, 8, "1");
		bind_text(s, 9, "1");
	} else {
		if ((v = meta(m, "min_length")) && whole(v, &x))
			sqlite3_bind_int64(s, 8, x);
		if ((v = meta(m, "max_length")) && whole(v, &x))
			sqlite3_bind_int64(s, 9, x);
	}
	if ((v = meta(m, "max_sum_cost"))) {
		ft_amount_canon(v, &u->c);
		bind_text(s, 10, u->c.s);
	}
	if ((v = meta(m, "min_sum_points")) && whole(v, &x))
		sqlite3_bind_int64(s, 11, x);
	if ((v = meta(m, "max_sum_points")) && whole(v, &x))
		sqlite3_bind_int64(s, 12, x);
	bind_text(s, 13, pb_rule_name(meta(m, "rule"), 0));
	bind_text(s, 14, meta(m, "min_project_score_threshold"));
	bind_text(s, 15, "votes,cost,id");
	bind_text(s, 16, check);
	bind_text(s, 17, o->s);
	bind_text(s, 18, m->path);
	bind_text(s, 19, fmt_time(ft_time_now(), t));
	if ((st = exec_stmt(u, s, "storing the round")))
		return st;

	/* The projects, with the columns ft has no place for in extra. */
	i = 0;
	skip_p[i++] = m->p_id;
	skip_p[i++] = m->p_cost;
	skip_p[i++] = m->p_name;
	skip_p[i++] = m->p_cat;
	skip_p[i++] = m->p_sel;
	skip_p[i++] = m->p_votes;
	skip_p[i++] = m->p_score;
	skip_p[i] = -1;
	for (i = 0; i < 7; i++)
		if (skip_p[i] < 0)
			skip_p[i] = INT32_MAX;
	for (i = 0; i < ps->nrows; i++) {
		const struct ft_pb_row *r = &ps->rows[i];

		if (!(s = stmt(u, S_PROJ_INS)))
			return FT_SOFTWARE;
		bind_text(s, 1, id);
		bind_text(s, 2, ft_pb_field(r, m->p_id));
		bind_text(s, 3, ft_pb_field(r, m->p_name));
		ft_amount_canon(ft_pb_field(r, m->p_cost), &u->b);
		bind_text(s, 4, u->b.s);
		if (*(v = ft_pb_field(r, m->p_cat)))
			bind_text(s, 5, v);
		if (*(v = ft_pb_field(r, m->p_sel)) && whole(v, &x))
			sqlite3_bind_int64(s, 7, x);
		row_object(&u->c, ps, r, skip_p);
		if (u->c.len > 2)
			bind_text(s, 8, u->c.s);
		if ((st = exec_stmt(u, s, "storing a project")))
			return st;
	}

	/* The ballots; the voter ids only as keyed hashes. */
	skip_v[0] = m->v_id;
	skip_v[1] = m->v_vote;
	skip_v[2] = m->v_points < 0 ? INT32_MAX : m->v_points;
	skip_v[3] = m->v_method < 0 ? INT32_MAX : m->v_method;
	skip_v[4] = -1;
	for (i = 0; i < vs->nrows; i++) {
		const struct ft_pb_row *r = &vs->rows[i];
		const char *vid = ft_pb_field(r, m->v_id);
		char hash[65];

		ft_vkey_hash(rkey, "voter", vid, hash);
		if (!(s = stmt(u, S_VOTER_INS)))
			return FT_SOFTWARE;
		bind_text(s, 1, id);
		bind_text(s, 2, hash);
		if ((st = exec_stmt(u, s, "registering a voter")))
			return st;
		ft_vkey_hash(rkey, "ballot", vid, hash);
		if (!(s = stmt(u, S_BALLOT_INS)))
			return FT_SOFTWARE;
		bind_text(s, 1, id);
		bind_text(s, 2, hash);
		v = ft_pb_field(r, m->v_method);
		bind_text(s, 3, *v ? v : "pb");
		pb_ballot(m, r, &u->b, &u->c);
		bind_text(s, 4, u->b.s);
		if (u->c.len)
			bind_text(s, 5, u->c.s);
		row_object(&u->d, vs, r, skip_v);
		if (u->d.len > 2)
			bind_text(s, 6, u->d.s);
		if ((st = exec_stmt(u, s, "storing a ballot")))
			return st;
	}
	return FT_OK;
}

/* The digest of the ballots of a checked file, as they would be stored. */
static void
imp_digest(struct run *u, struct imp *m, char hex[65])
{
	const struct ft_pb_section *vs = &m->pb.votes;
	char **lines = ft_xmalloc(((size_t)vs->nrows + 1) * sizeof(char *));
	int i;

	for (i = 0; i < vs->nrows; i++) {
		pb_ballot(m, &vs->rows[i], &u->b, &u->c);
		lines[i] = ballot_line(u->b.s, u->c.len ? u->c.s : NULL);
	}
	digest(lines, vs->nrows, hex);
	free(lines);
}

int
ft_vote_import(struct ft_db *db, const struct ft_vote_opts *o,
	       const char *path)
{
	struct run u;
	struct imp m;
	char idbuf[256], check[65], d1[65], d2[65];
	unsigned char secret[32], rkey[32];
	const char *id = o->round;
	const char *keyfile = o->key;
	long nb;
	int st;

	if (keyfile && !*keyfile)
		keyfile = NULL;
	memset(&m, 0, sizeof(m));
	m.path = path;
	run_init(&u, db, o);
	if ((st = ft_pb_read(&m.pb, path))) {
		if (m.pb.errors)
			ft_error("%s: refused: %ld error%s; nothing stored",
				 path, m.pb.errors, m.pb.errors == 1 ? "" : "s");
		goto out;
	}
	imp_check(&m);
	if (m.errors) {
		ft_error("%s: refused: %ld error%s; nothing stored", path,
			 m.errors, m.errors == 1 ? "" : "s");
		st = FT_DATAERR;
		goto out;
	}
	if (!id) {
		const char *base = strrchr(path, '/');
		size_t l;

		base = base ? base + 1 : path;
		l = strlen(base);
		if (l > 3 && !strcmp(base + l - 3, ".pb"))
			l -= 3;
		snprintf(idbuf, sizeof(idbuf), "%.*s", (int)l, base);
		id = idbuf;
	}
	if (!*id) {
		st = usage_error("--round: an empty id");
		goto out;
	}
	if (!is_text(id)) {
		ft_buf_reset(&u.a);
		ft_json_escape_lossy(&u.a, id, strlen(id));
		st = usage_error("%s %s: not UTF-8 text without control "
				    "characters", o->round ? "--round" :
				    "the round id from the file's name", u.a.s);
		goto out;
	}
	if ((st = ft_db_begin_write(db)))
		goto out;
	/* The same file again is the same round; another is refused. */
	st = load_round(&u, id, 1);
	if (st == FT_OK) {
		imp_digest(&u, &m, d1);
		if ((st = stored_digest(&u, d2, &nb)))
			goto rollback;
		if (strcmp(d1, d2) != 0) {
			ft_error("%s: round %s exists with other ballots "
				 "(--round ID imports it under another id)",
				 path, ft_q(id));
			st = FT_DATAERR;
			goto rollback;
		}
		ft_db_rollback(db);
		if (!o->quiet)
			ft_warn("%s: round %s is already in, unchanged",
				path, ft_q(id));
		if (!o->no_output)
			printf("%s\n", id);
		goto out;
	}
	if (st != FT_NOINPUT)
		goto rollback;
	/* No such round: load_round's message is not an error here. */
	if (keyfile) {
		if ((st = ft_vkey_read(keyfile, 1, secret)))
			goto rollback;
	} else {
		if ((st = ft_vkey_random(secret)))
			goto rollback;
	}
	ft_vkey_round(secret, id, rkey);
	ft_vkey_hash(rkey, "check", "", check);
	if ((st = imp_store(&u, &m, id, rkey, keyfile ? check : NULL)))
		goto rollback;
	if (o->dry_run)
		ft_db_rollback(db);
	else if ((st = ft_db_commit(db)))
		goto out;
	if (!o->quiet)
		ft_warn("%s: round %s: %d project%s, %d ballot%s%s", path,
			ft_q(id), m.pb.projects.nrows,
			m.pb.projects.nrows == 1 ? "" : "s", m.pb.votes.nrows,
			m.pb.votes.nrows == 1 ? "" : "s",
			o->dry_run ? " (dry run: nothing stored)" : "");
	if (!o->no_output)
		printf("%s\n", id);
	goto out;
rollback:
	ft_db_rollback(db);
out:
	imp_release(&m);
	return run_release(&u, st);
}

/* ---- export ---- */

/* Appends one "key;value" META row. */
static void
meta_row(struct ft_buf *o, const char *k, const char *v)
{
	const char *f[2] = { k, v };

	if (v)
		ft_pb_put_row(o, f, 2);
}

/* "dd.mm.yyyy" of instant t (end: of the instant before it). */
static void
pb_date_of(int64_t t, int end, char out[16])
{
	char iso[FT_TIME_LEN];

	ft_time_format(end ? t - 1 : t, iso);
	snprintf(out, 16, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* The keys of the JSON objects in texts[0..n), in order of appearance. */
static int
union_keys(char **texts, long n, char ***keys)
{
	struct ft_json_doc d;
	struct ft_buf k = FT_BUF_INIT;
	int nk = 0, cap = 0, j;
	long i;
	size_t m;

	*keys = NULL;
	ft_json_doc_init(&d);
	for (i = 0; i < n; i++) {
		const char *err;
		size_t pos;

		if (!texts[i] || ft_json_parse(&d, texts[i], strlen(texts[i]),
					       &err, &pos) || d.type != '{')
			continue;
		for (m = 0; m < d.n; m++) {
			ft_json_key(&d, &d.m[m], &k);
			for (j = 0; j < nk; j++)
				if (!strcmp((*keys)[j], k.s))
					break;
			if (j < nk)
				continue;
			if (nk == cap) {
				cap = cap ? 2 * cap : 8;
				*keys = ft_xrealloc(*keys, (size_t)cap *
						    sizeof(char *));
			}
			(*keys)[nk++] = ft_xstrdup(k.s);
		}
		if (i > 2000 && nk == 0)
			break;
	}
	ft_json_doc_release(&d);
	ft_buf_release(&k);
	return nk;
}

/* The value of key in the JSON object text as a string, into b. */
static void
object_field(const char *text, const char *key, struct ft_buf *b)
{
	struct ft_json_doc d;
	const char *err;
	size_t pos;

	ft_buf_reset(b);
	if (!text)
		return;
	ft_json_doc_init(&d);
	if (ft_json_parse(&d, text, strlen(text), &err, &pos) == 0 &&
	    d.type == '{')
		ft_json_member_text(&d, key, b);
	ft_json_doc_release(&d);
}

int
ft_vote_export(struct ft_db *db, const struct ft_vote_opts *o,
	       const char *round)
{
	struct run u;
	struct plist p;
	sqlite3_stmt *s;
	struct ft_buf *out = &u.out.buf, v = FT_BUF_INIT;
	char **pextra = NULL, **bproj = NULL, **bpts = NULL, **bchan = NULL;
	char **bextra = NULL, **pcat = NULL, **psel = NULL, **pk = NULL;
	char **bk = NULL, num[32], d1[16];
	long nb = 0, cap = 0, i, *votes = NULL, *score = NULL;
	int st, npk = 0, nbk = 0, j, cumulative, ordinal, method = 0;
	int has_cat = 0, has_sel = 0;
	struct ft_buf items = FT_BUF_INIT;

	run_init(&u, db, o);
	memset(&p, 0, sizeof(p));
	if ((st = load_round(&u, round, 0)) || (st = plist_load(&u, &p)))
		goto out;
	cumulative = !strcmp(u.r.f[R_BALLOT], "cumulative");
	ordinal = !strcmp(u.r.f[R_BALLOT], "ordinal");
	pextra = ft_xmalloc(((size_t)p.n + 1) * sizeof(char *));
	pcat = ft_xmalloc(((size_t)p.n + 1) * sizeof(char *));
	psel = ft_xmalloc(((size_t)p.n + 1) * sizeof(char *));
	votes = ft_xmalloc(((size_t)p.n + 1) * sizeof(long));
	score = ft_xmalloc(((size_t)p.n + 1) * sizeof(long));
	memset(votes, 0, ((size_t)p.n + 1) * sizeof(long));
	memset(score, 0, ((size_t)p.n + 1) * sizeof(long));
	if (!(s = stmt(&u, S_PROJ_ALL))) {
		st = FT_SOFTWARE;
		goto out;
	}
	bind_text(s, 1, round);
	for (i = 0; sqlite3_step(s) == SQLITE_ROW && i < p.n; i++) {
		pcat[i] = col_dup(s, 3);
		psel[i] = col_dup(s, 5);
		pextra[i] = col_dup(s, 6);
		has_cat |= pcat[i] != NULL;
		has_sel |= psel[i] != NULL;
	}
	sqlite3_reset(s);
	if (!(s = stmt(&u, S_BALLOT_ALL))) {
		st = FT_SOFTWARE;
		goto out;
	}
	bind_text(s, 1, round);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (nb == cap) {
			cap = cap ? 2 * cap : 1024;
			bproj = ft_xrealloc(bproj, (size_t)cap * sizeof(char *));
			bpts = ft_xrealloc(bpts, (size_t)cap * sizeof(char *));
			bchan = ft_xrealloc(bchan, (size_t)cap * sizeof(char *));
			bextra = ft_xrealloc(bextra,
					     (size_t)cap * sizeof(char *));
		}
		bproj[nb] = col_dup(s, 0);
		bpts[nb] = col_dup(s, 1);
		bchan[nb] = col_dup(s, 2);
		bextra[nb] = col_dup(s, 3);
		method |= strcmp(bchan[nb], "pb") != 0;
		nb++;
	}
	sqlite3_reset(s);
	/* The counts of the PROJECTS section, from the ballots. */
	for (i = 0; i < nb; i++) {
		int n = list_json(bproj[i], strlen(bproj[i]), &items), k;
		size_t pos = 0, ppos = 0;

		if (bpts[i] && list_json(bpts[i], strlen(bpts[i]), &u.items) !=
		    n) {
			ft_error("round %s: ballot %ld: not a ballot: %s",
				 ft_q(round), i + 1, bpts[i]);
			st = FT_DATAERR;
			goto out;
		}
		for (k = 0; k < n; k++) {
			int x = plist_find(&p, next_item(&items, &pos));
			int64_t pt = ordinal ? n - k : 1;

			if (bpts[i] &&
			    (pt = stored_point(next_item(&u.items, &ppos))) < 0) {
				ft_error("round %s: ballot %ld: not a ballot "
					 "(points from 0 to %d): %s",
					 ft_q(round), i + 1, MAX_POINTS,
					 bpts[i]);
				st = FT_DATAERR;
				goto out;
			}
			if (x >= 0) {
				votes[x]++;
				score[x] += pt;
			}
		}
	}
	/* META */
	ft_buf_adds(out, "META\nkey;value\n");
	{
		struct ft_json_doc d;
		const char *err;
		size_t pos, k;

		ft_json_doc_init(&d);
		if (u.r.f[R_META] && ft_json_parse(&d, u.r.f[R_META],
		    strlen(u.r.f[R_META]), &err, &pos) == 0 && d.n > 0) {
			struct ft_buf key = FT_BUF_INIT;

			for (k = 0; k < d.n; k++) {
				ft_json_key(&d, &d.m[k], &key);
				ft_buf_reset(&v);
				ft_json_unescape(d.text.s + d.m[k].val,
						 d.m[k].vallen, &v);
				if (!strcmp(key.s, "num_projects"))
					snprintf(num, sizeof(num), "%d", p.n);
				else if (!strcmp(key.s, "num_votes"))
					snprintf(num, sizeof(num), "%ld", nb);
				meta_row(out, key.s,
					 !strcmp(key.s, "num_projects") ||
					 !strcmp(key.s, "num_votes") ? num :
					 v.s);
			}
			ft_buf_release(&key);
		} else {
			meta_row(out, "description", u.r.f[R_NAME]);
			meta_row(out, "country", "unknown");
			meta_row(out, "unit", u.r.f[R_ID]);
			snprintf(num, sizeof(num), "%d", p.n);
			meta_row(out, "num_projects", num);
			snprintf(num, sizeof(num), "%ld", nb);
			meta_row(out, "num_votes", num);
			meta_row(out, "budget", u.r.f[R_BUDGET]);
			meta_row(out, "vote_type", u.r.f[R_BALLOT]);
			meta_row(out, "rule", pb_rule_name(u.r.f[R_RULE], 1));
			if (u.r.opens != INT64_MIN) {
				pb_date_of(u.r.opens, 0, d1);
				meta_row(out, "date_begin", d1);
			}
			if (u.r.closes != INT64_MIN) {
				pb_date_of(u.r.closes, 1, d1);
				meta_row(out, "date_end", d1);
			}
			if (strcmp(u.r.f[R_BALLOT], "choose-1")) {
				meta_row(out, "min_length", u.r.f[R_MINLEN]);
				meta_row(out, "max_length", u.r.f[R_MAXLEN]);
			}
			meta_row(out, "min_sum_points", u.r.f[R_MINPTS]);
			meta_row(out, "max_sum_points", u.r.f[R_MAXPTS]);
			meta_row(out, "max_sum_cost", u.r.f[R_MAXCOST]);
			meta_row(out, "min_project_score_threshold",
				 u.r.f[R_THRESHOLD]);
		}
		ft_json_doc_release(&d);
	}
	/* PROJECTS */
	npk = union_keys(pextra, p.n, &pk);
	{
		const char *h[64];
		int n = 0;

		h[n++] = "project_id";
		h[n++] = "cost";
		h[n++] = "votes";
		if (cumulative || ordinal)
			h[n++] = "score";
		h[n++] = "name";
		if (has_cat)
			h[n++] = "category";
		if (has_sel)
			h[n++] = "selected";
		for (j = 0; j < npk && n < 64; j++)
			h[n++] = pk[j];
		ft_buf_adds(out, "PROJECTS\n");
		ft_pb_put_row(out, h, n);
		for (i = 0; i < p.n; i++) {
			const char *f[64];
			char vb[24], sb[24];
			struct ft_buf ex[64];
			int m = 0, e;

			snprintf(vb, sizeof(vb), "%ld", votes[i]);
			snprintf(sb, sizeof(sb), "%ld", score[i]);
			f[m++] = p.id[i];
			f[m++] = p.cost[i];
			f[m++] = vb;
			if (cumulative || ordinal)
				f[m++] = sb;
			f[m++] = p.name[i];
			if (has_cat)
				f[m++] = pcat[i];
			if (has_sel)
				f[m++] = psel[i];
			for (e = 0; e < npk && m < 64; e++) {
				ft_buf_init(&ex[e]);
				object_field(pextra[i], pk[e], &ex[e]);
				f[m++] = ex[e].s;
			}
			ft_pb_put_row(out, f, m);
			for (e = 0; e < npk && e < 64; e++)
				ft_buf_release(&ex[e]);
		}
	}
	flush(&u);
	/* VOTES */
	nbk = union_keys(bextra, nb, &bk);
	{
		const char *h[64];
		int n = 0;

		h[n++] = "voter_id";
		h[n++] = "vote";
		if (cumulative)
			h[n++] = "points";
		if (method)
			h[n++] = "voting_method";
		for (j = 0; j < nbk && n < 64; j++)
			h[n++] = bk[j];
		ft_buf_adds(out, "VOTES\n");
		ft_pb_put_row(out, h, n);
		for (i = 0; i < nb; i++) {
			const char *f[64];
			char idb[24];
			struct ft_buf vote = FT_BUF_INIT, pts = FT_BUF_INIT;
			struct ft_buf ex[64];
			int m = 0, e, k, c;
			size_t pos = 0;

			snprintf(idb, sizeof(idb), "%ld", i + 1);
			c = list_json(bproj[i], strlen(bproj[i]), &items);
			for (k = 0; k < c; k++) {
				if (k)
					ft_buf_addc(&vote, ',');
				ft_buf_adds(&vote, next_item(&items, &pos));
			}
			if (bpts[i]) {
				c = list_json(bpts[i], strlen(bpts[i]), &items);
				pos = 0;
				for (k = 0; k < c; k++) {
					if (k)
						ft_buf_addc(&pts, ',');
					ft_buf_adds(&pts,
						    next_item(&items, &pos));
				}
			}
			f[m++] = idb;
			f[m++] = vote.s;
			if (cumulative)
				f[m++] = pts.s;
			if (method)
				f[m++] = strcmp(bchan[i], "pb") ? bchan[i] : "";
			for (e = 0; e < nbk && m < 64; e++) {
				ft_buf_init(&ex[e]);
				object_field(bextra[i], bk[e], &ex[e]);
				f[m++] = ex[e].s;
			}
			ft_pb_put_row(out, f, m);
			for (e = 0; e < nbk && e < 64; e++)
				ft_buf_release(&ex[e]);
			ft_buf_release(&vote);
			ft_buf_release(&pts);
			if (out->len > 65536)
				flush(&u);
		}
	}
	flush(&u);
out:
	for (i = 0; i < p.n && pextra; i++) {
		free(pextra[i]);
		free(pcat[i]);
		free(psel[i]);
	}
	for (i = 0; i < nb; i++) {
		free(bproj[i]);
		free(bpts[i]);
		free(bchan[i]);
		free(bextra[i]);
	}
	for (j = 0; j < npk; j++)
		free(pk[j]);
	for (j = 0; j < nbk; j++)
		free(bk[j]);
	free(pk);
	free(bk);
	free(pextra);
	free(pcat);
	free(psel);
	free(bproj);
	free(bpts);
	free(bchan);
	free(bextra);
	free(votes);
	free(score);
	ft_buf_release(&v);
	ft_buf_release(&items);
	plist_release(&p);
	return run_release(&u, st);
}

/* ---- tally ---- */

struct spec {
	enum ft_rule rule;
	int complete;
	int64_t threshold;
	const char *tiebreak;
	char text[160];		/* as tallies.rule keeps it */
};

/* The round's ballots, read once for every count. */
struct bset {
	long n;
	size_t *off;
	int *proj;
	int64_t *pts;
	size_t ne, cap;
	char hex[65];
};

static void
bset_release(struct bset *b)
{
	free(b->off);
	free(b->proj);
	free(b->pts);
	memset(b, 0, sizeof(*b));
}

static int
bset_load(struct run *u, const struct plist *p, struct bset *b)
{
	sqlite3_stmt *s = stmt(u, S_BALLOT_ALL);
	int ordinal = !strcmp(u->r.f[R_BALLOT], "ordinal");
	char **lines = NULL;
	long lcap = 0;
	int rc;

	memset(b, 0, sizeof(*b));
	if (!s)
		return FT_SOFTWARE;
	bind_text(s, 1, u->r.f[R_ID]);
	b->off = ft_xmalloc(sizeof(*b->off));
	b->off[0] = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *pj = (const char *)sqlite3_column_text(s, 0);
		const char *pt = (const char *)sqlite3_column_text(s, 1);
		int n = list_json(pj, strlen(pj), &u->items), k, np = 0;
		size_t pos = 0, ppos = 0;

		if (pt)
			np = list_json(pt, strlen(pt), &u->items2);
		if (n < 0 || (pt && np != n)) {
			ft_error("round %s: ballot %ld: not a ballot: %s",
				 ft_q(u->r.f[R_ID]), b->n + 1, pj);
			rc = SQLITE_CORRUPT;
			break;
		}
		while (b->ne + (size_t)n > b->cap) {
			b->cap = b->cap ? 2 * b->cap : 65536;
			b->proj = ft_xrealloc(b->proj, b->cap * sizeof(int));
			b->pts = ft_xrealloc(b->pts, b->cap * sizeof(int64_t));
		}
		for (k = 0; k < n; k++) {
			const char *id = next_item(&u->items, &pos);
			int x = plist_find(p, id);

			if (x < 0) {
				ft_error("round %s: ballot %ld names no "
					 "project of the round: %s",
					 ft_q(u->r.f[R_ID]), b->n + 1,
					 ft_q(id));
				rc = SQLITE_CORRUPT;
				break;
			}
			b->proj[b->ne] = x;
			b->pts[b->ne] = pt ? stored_point(next_item(&u->items2,
								    &ppos))
				      : ordinal ? n - k : 1;
			if (b->pts[b->ne] < 0 || n > MAX_BALLOT) {
				ft_error("round %s: ballot %ld: not a ballot "
					 "(at most %d projects, points from 0 "
					 "to %d): %s", ft_q(u->r.f[R_ID]),
					 b->n + 1,
					 MAX_BALLOT, MAX_POINTS, pt ? pt : pj);
				rc = SQLITE_CORRUPT;
				break;
			}
			b->ne++;
		}
		if (rc == SQLITE_CORRUPT)
			break;
		if (b->n + 1 >= lcap) {
			lcap = lcap ? 2 * lcap : 1024;
			lines = ft_xrealloc(lines, (size_t)lcap * sizeof(*lines));
			b->off = ft_xrealloc(b->off, ((size_t)lcap + 1) *
					     sizeof(*b->off));
		}
		lines[b->n] = ballot_line(pj, pt);
		b->off[++b->n] = b->ne;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		while (b->n)
			free(lines[--b->n]);
		free(lines);
		return rc == SQLITE_CORRUPT ? FT_DATAERR :
		       ft_db_fail(u->db, rc, "reading the ballots");
	}
	digest(lines, b->n, b->hex);
	free(lines);
	return FT_OK;
}

/* Parses a spec from its options; returns 0 or FT_USAGE after a message. */
static int
spec_make(struct run *u, struct spec *sp, const char *rule, int complete,
	  const char *threshold, const char *tiebreak)
{
	struct ft_tally t;
	char *end;
	size_t n;

	memset(sp, 0, sizeof(*sp));
	if (!rule)
		rule = u->r.f[R_RULE];
	if (!rule) {
		ft_error("round %s has no counting rule: name one with "
			 "--rule", ft_q(u->r.f[R_ID]));
		return FT_USAGE;
	}
	if ((sp->rule = ft_tally_rule_parse(rule)) == FT_RULE_NONE)
		return usage_error("--rule: not greedy, greedy-no-skip, "
				      "greedy-threshold, mes or mes-add1: "
				      "%s", ft_q(rule));
	sp->complete = complete;
	if (complete && sp->rule != FT_RULE_MES && sp->rule != FT_RULE_MES_ADD1)
		return usage_error("--complete greedy completes mes or "
				      "mes-add1, not %s", rule);
	if (sp->rule == FT_RULE_GREEDY_THRESHOLD) {
		if (!threshold)
			threshold = u->r.f[R_THRESHOLD];
		if (!threshold)
			return usage_error("greedy-threshold needs "
					      "--threshold N (the round has "
					      "none)");
		errno = 0;
		sp->threshold = strtoll(threshold, &end, 10);
		if (!*threshold || *end || errno || sp->threshold < 0)
			return usage_error("--threshold: not a whole number: "
					      "%s", ft_q(threshold));
	}
	sp->tiebreak = tiebreak ? tiebreak : u->r.f[R_TIEBREAK];
	if (!sp->tiebreak)
		sp->tiebreak = "votes,cost,id";
	ft_tally_init(&t, 0, 0);
	if (ft_tally_set_tiebreak(&t, sp->tiebreak))
		return usage_error("--tiebreak: not a list of votes, cost, "
				      "id, or refuse: %s", ft_q(sp->tiebreak));
	n = (size_t)snprintf(sp->text, sizeof(sp->text), "%s",
			     ft_tally_rule_name(sp->rule));
	if (sp->rule == FT_RULE_GREEDY_THRESHOLD)
		n += (size_t)snprintf(sp->text + n, sizeof(sp->text) - n,
				      " --threshold %lld",
				      (long long)sp->threshold);
	if (complete)
		n += (size_t)snprintf(sp->text + n, sizeof(sp->text) - n,
				      " --complete greedy");
	if (strcmp(sp->tiebreak, "votes,cost,id"))
		snprintf(sp->text + n, sizeof(sp->text) - n, " --tiebreak %s",
			 sp->tiebreak);
	return 0;
}

/* Reads a spec back from tallies.rule. */
static int
spec_parse(struct run *u, struct spec *sp, const char *text)
{
	char buf[160], *w[8], *save = NULL, *tok;
	const char *rule = NULL, *thr = NULL, *tb = NULL;
	int n = 0, i, complete = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, " ", &save); tok && n < 8;
	     tok = strtok_r(NULL, " ", &save))
		w[n++] = tok;
	if (n)
		rule = w[0];
	for (i = 1; i + 1 < n; i += 2) {
		if (!strcmp(w[i], "--threshold"))
			thr = w[i + 1];
		else if (!strcmp(w[i], "--complete"))
			complete = 1;
		else if (!strcmp(w[i], "--tiebreak"))
			tb = w[i + 1];
	}
	return spec_make(u, sp, rule ? rule : "?", complete, thr,
			 tb ? tb : "votes,cost,id");
}

/*
 * Counts the ballots b by spec into t (initialised here; the caller
 * releases it); order gets the rank order.
 */
static int
count(struct run *u, const struct plist *p, const struct bset *b,
      int scale, const struct spec *sp, struct ft_tally *t, int *order)
{
	long i;
	int st;

	ft_tally_init(t, ft_amount_units(u->r.f[R_BUDGET], scale), scale);
	ft_tally_set_tiebreak(t, sp->tiebreak);
	for (i = 0; i < p->n; i++)
		ft_tally_add_project(t, p->id[i], p->name[i],
				     ft_amount_units(p->cost[i], scale));
	for (i = 0; i < b->n; i++)
		ft_tally_add_ballot(t, b->proj + b->off[i], b->pts + b->off[i],
				    (int)(b->off[i + 1] - b->off[i]));
	if ((st = ft_tally_count(t, sp->rule, sp->threshold, sp->complete,
				 order)))
		ft_error("round %s: %s: %s (--tiebreak refuse)",
			 ft_q(u->r.f[R_ID]), sp->text, t->err);
	return st;
}

/* The rule and its options, as members of a result line. */
static void
spec_fields(struct ft_buf *o, const struct spec *sp)
{
	json_str(o, "rule", ft_tally_rule_name(sp->rule));
	if (sp->rule == FT_RULE_GREEDY_THRESHOLD)
		json_long(o, "threshold", (long long)sp->threshold);
	if (sp->complete)
		json_str(o, "complete", "greedy");
	if (strcmp(sp->tiebreak, "votes,cost,id"))
		json_str(o, "tiebreak", sp->tiebreak);
}

/* The result lines of a count, and with totals its last line. */
static void
result_text(struct run *u, const struct ft_tally *t, const int *order,
	    const struct spec *sp, const struct bset *b, int totals,
	    int provisional, struct ft_buf *o)
{
	char a[64];
	int i;

	for (i = 0; i < t->np; i++) {
		const struct ft_tally_project *q = &t->p[order[i]];

		ft_buf_addc(o, '{');
		json_str(o, "round", u->r.f[R_ID]);
		spec_fields(o, sp);
		json_str(o, "project", q->id);
		json_str(o, "name", q->name);
		ft_tally_amount(q->cost, t->scale, a, sizeof(a));
		json_raw(o, "cost", a);
		json_long(o, "votes", q->votes);
		json_long(o, "score", (long long)q->score);
		json_long(o, "rank", q->rank);
		json_bool(o, "selected", q->selected);
		json_str(o, "reason", q->reason);
		ft_buf_adds(o, "}\n");
	}
	if (!totals)
		return;
	ft_buf_addc(o, '{');
	json_str(o, "round", u->r.f[R_ID]);
	spec_fields(o, sp);
	json_bool(o, "totals", 1);
	ft_tally_amount(t->budget, t->scale, a, sizeof(a));
	json_raw(o, "budget", a);
	ft_tally_amount(t->spent, t->scale, a, sizeof(a));
	json_raw(o, "spent", a);
	ft_tally_amount(t->budget - t->spent, t->scale, a, sizeof(a));
	json_raw(o, "left", a);
	json_long(o, "selected", t->nselected);
	json_long(o, "projects", t->np);
	json_long(o, "ballots", b->n);
	if (sp->rule == FT_RULE_MES || sp->rule == FT_RULE_MES_ADD1) {
		ft_tally_amount(t->per_voter, t->scale, a, sizeof(a));
		json_raw(o, "per_voter", a);
	}
	json_str(o, "digest", b->hex);
	if (provisional)
		json_bool(o, "provisional", 1);
	ft_buf_adds(o, "}\n");
}

static int
compare(struct run *u, const struct plist *p, const struct bset *b,
	int scale)
{
	struct spec sp[8];
	struct ft_tally t[8];
	int *order[8], n = 0, i, k, st = 0, counted = 0;
	const char *s = u->o->compare;
	struct ft_buf *o = &u->out.buf;
	char name[64], a[64];

	while (*s && n < 8) {
		size_t l = strcspn(s, ",");

		snprintf(name, sizeof(name), "%.*s", (int)l, s);
		if ((st = spec_make(u, &sp[n], name, 0, u->o->threshold,
				    u->o->tiebreak)))
			return st;
		n++;
		s += l;
		if (*s == ',')
			s++;
	}
	if (n < 1)
		return usage_error("--compare: no rule named");
	for (i = 0; i < n; i++) {
		order[i] = ft_xmalloc(((size_t)p->n + 1) * sizeof(int));
		st = count(u, p, b, scale, &sp[i], &t[i], order[i]);
		counted = i + 1;
		if (st)
			goto out;
	}
	/* In the rank order of the first rule, by score. */
	for (k = 0; k < p->n; k++) {
		int x = order[0][k], differs = 0;
		const struct ft_tally_project *q = &t[0].p[x];

		ft_buf_addc(o, '{');
		json_str(o, "round", u->r.f[R_ID]);
		json_str(o, "project", q->id);
		json_str(o, "name", q->name);
		ft_tally_amount(q->cost, scale, a, sizeof(a));
		json_raw(o, "cost", a);
		json_long(o, "votes", q->votes);
		json_long(o, "score", (long long)q->score);
		for (i = 0; i < n; i++) {
			json_bool(o, sp[i].text, t[i].p[x].selected);
			differs |= t[i].p[x].selected != q->selected;
		}
		json_bool(o, "differs", differs);
		ft_buf_adds(o, "}\n");
	}
	if (u->o->totals)
		for (i = 0; i < n; i++) {
			ft_buf_addc(o, '{');
			json_str(o, "round", u->r.f[R_ID]);
			spec_fields(o, &sp[i]);
			json_bool(o, "totals", 1);
			ft_tally_amount(t[i].spent, scale, a, sizeof(a));
			json_raw(o, "spent", a);
			ft_tally_amount(t[i].budget - t[i].spent, scale, a,
				   sizeof(a));
			json_raw(o, "left", a);
			json_long(o, "selected", t[i].nselected);
			json_long(o, "ballots", b->n);
			json_str(o, "digest", b->hex);
			ft_buf_adds(o, "}\n");
		}
	ft_hold_print(&u->out);
out:
	for (i = 0; i < counted; i++) {
		ft_tally_release(&t[i]);
		free(order[i]);
	}
	return st;
}

/* Has the round closed?  0, or 75 after the message (unless forced). */
static int
closed(struct run *u, int *provisional)
{
	*provisional = 0;
	if (u->r.closes == INT64_MIN || ft_time_now() >= u->r.closes)
		return FT_OK;
	if (!u->o->force) {
		ft_error("round %s closes at %s: no results before then "
			 "(--force to count anyway)", u->r.f[R_ID],
			 u->r.f[R_CLOSES]);
		return FT_TEMPFAIL;
	}
	ft_warn("round %s has not closed (it closes at %s): this count "
		"is provisional and is not kept", ft_q(u->r.f[R_ID]),
		u->r.f[R_CLOSES]);
	*provisional = 1;
	return FT_OK;
}

int
ft_vote_tally(struct ft_db *db, const struct ft_vote_opts *o,
	      const char *round)
{
	struct run u;
	struct plist p;
	struct bset b;
	struct spec sp;
	struct ft_tally t;
	struct ft_buf res = FT_BUF_INIT;
	int *order = NULL, st, provisional, scale, counted = 0;
	char now[FT_TIME_LEN];

	run_init(&u, db, o);
	memset(&p, 0, sizeof(p));
	memset(&b, 0, sizeof(b));
	if ((st = load_round(&u, round, 0)) || (st = closed(&u, &provisional)))
		goto out;
	if (!o->compare && (st = spec_make(&u, &sp, o->rule, o->complete,
					   o->threshold, o->tiebreak)))
		goto out;
	/* A count that is kept reads the ballots in the transaction that
	 * keeps it: no ballot comes in between (see cast's freeze). */
	if (!provisional && !o->dry_run && !o->compare &&
	    (st = ft_db_begin_write(db)))
		goto out;
	if ((st = plist_load(&u, &p)) || (st = bset_load(&u, &p, &b)))
		goto out;
	scale = round_scale(&u, &p);
	if (o->compare) {
		st = compare(&u, &p, &b, scale);
		goto out;
	}
	order = ft_xmalloc(((size_t)p.n + 1) * sizeof(int));
	counted = 1;
	if ((st = count(&u, &p, &b, scale, &sp, &t, order)))
		goto out;
	/* What is kept is the whole result, totals included. */
	result_text(&u, &t, order, &sp, &b, 1, 0, &res);
	result_text(&u, &t, order, &sp, &b, o->totals, provisional, &u.out.buf);
	/* Printed once kept: a count that could not be stored is not a
	 * result. */
	if (!provisional && !o->dry_run) {
		sqlite3_stmt *s;
		int rc;

		if (!(s = stmt(&u, S_TALLY_SAME))) {
			st = FT_SOFTWARE;
			goto out;
		}
		bind_text(s, 1, round);
		bind_text(s, 2, sp.text);
		bind_text(s, 3, b.hex);
		bind_text(s, 4, res.s);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE) {
			if (!(s = stmt(&u, S_TALLY_INS))) {
				st = FT_SOFTWARE;
				goto out;
			}
			bind_text(s, 1, round);
			bind_text(s, 2, sp.text);
			bind_text(s, 3, fmt_time(ft_time_now(), now));
			sqlite3_bind_int64(s, 4, b.n);
			bind_text(s, 5, b.hex);
			bind_text(s, 6, res.s);
			if ((st = exec_stmt(&u, s, "keeping the count")))
				goto out;
		} else if (rc != SQLITE_ROW) {
			st = ft_db_fail(db, rc, "reading the counts");
			goto out;
		}
		if ((st = ft_db_commit(db)))
			goto out;
	}
	flush(&u);
	if (!o->quiet && !st)
		ft_warn("%s: %s: %d of %d projects selected, %ld ballot%s, "
			"digest %.12s", round, sp.text, t.nselected, t.np, b.n,
			b.n == 1 ? "" : "s", b.hex);
out:
	if (counted)
		ft_tally_release(&t);
	ft_db_rollback(db);
	free(order);
	ft_buf_release(&res);
	bset_release(&b);
	plist_release(&p);
	return run_release(&u, st);
}

/*
 * The outcome of a count's result text, for comparing two counts: each
 * project with whether it was selected, sorted, and the amount spent.
 */
static void
outcome_of(const char *text, struct ft_buf *out)
{
	struct ft_json_doc d;
	struct ft_buf v = FT_BUF_INIT;
	char **lines = NULL;
	long n = 0, cap = 0, i;
	const char *p = text;

	ft_json_doc_init(&d);
	ft_buf_reset(out);
	while (p && *p) {
		const char *e = strchr(p, '\n'), *err;
		size_t len = e ? (size_t)(e - p) : strlen(p), pos;
		const struct ft_json_member *m;

		if (ft_json_parse(&d, p, len, &err, &pos) == 0 &&
		    d.type == '{') {
			struct ft_buf line = FT_BUF_INIT;

			if (ft_json_member_text(&d, "project", &v) > 0) {
				ft_buf_add(&line, v.s, v.len);
				m = ft_json_get(&d, "selected");
				ft_buf_adds(&line, m && d.text.s[m->val] == 't' ?
					    "\tselected" : "\tnot selected");
			} else if (ft_json_member_text(&d, "spent", &v) > 0) {
				ft_buf_adds(&line, "\tspent ");
				ft_buf_add(&line, v.s, v.len);
			}
			if (line.len) {
				if (n == cap) {
					cap = cap ? 2 * cap : 64;
					lines = ft_xrealloc(lines, (size_t)cap *
							    sizeof(*lines));
				}
				lines[n++] = ft_buf_detach(&line, NULL);
			}
			ft_buf_release(&line);
		}
		p = e ? e + 1 : NULL;
	}
	qsort(lines, (size_t)n, sizeof(*lines), str_cmp);
	for (i = 0; i < n; i++) {
		ft_buf_adds(out, lines[i]);
		ft_buf_addc(out, '\n');
		free(lines[i]);
	}
	free(lines);
	ft_buf_release(&v);
	ft_json_doc_release(&d);
}

int
ft_vote_recount(struct ft_db *db, const struct ft_vote_opts *o,
		const char *round)
{
	struct run u;
	struct plist p;
	struct bset b;
	sqlite3_stmt *s;
	struct ft_buf res = FT_BUF_INIT;
	int *order = NULL, st, scale, rc, differ = 0;
	long n = 0;

	run_init(&u, db, o);
	memset(&p, 0, sizeof(p));
	memset(&b, 0, sizeof(b));
	if ((st = load_round(&u, round, 0)) || (st = plist_load(&u, &p)) ||
	    (st = bset_load(&u, &p, &b)))
		goto out;
	scale = round_scale(&u, &p);
	order = ft_xmalloc(((size_t)p.n + 1) * sizeof(int));
	if (!(s = stmt(&u, S_TALLY_ALL))) {
		st = FT_SOFTWARE;
		goto out;
	}
	bind_text(s, 1, round);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long id = (long)sqlite3_column_int64(s, 0);
		char *rule = col_dup(s, 1), *dg = col_dup(s, 2);
		char *kept = col_dup(s, 3);
		struct spec sp;
		struct ft_tally t;
		int same;

		n++;
		if ((st = spec_parse(&u, &sp, rule))) {
			free(rule), free(dg), free(kept);
			break;
		}
		if ((st = count(&u, &p, &b, scale, &sp, &t, order))) {
			ft_tally_release(&t);
			free(rule), free(dg), free(kept);
			break;
		}
		ft_buf_reset(&res);
		result_text(&u, &t, order, &sp, &b, 1, 0, &res);
		/* The outcome, not the text: a later version may word the
		 * reasons or order the members otherwise. */
		outcome_of(kept, &u.c);
		outcome_of(res.s, &u.d);
		same = !strcmp(dg, b.hex) && !strcmp(u.c.s, u.d.s);
		if (!same) {
			differ++;
			ft_error("round %s: count %ld (%s): the recount "
				 "differs: %s", ft_q(round), id, rule,
				 strcmp(dg, b.hex) ? "the ballots are not the "
				 "ones counted (another digest)" :
				 "another result from the same ballots");
		}
		ft_buf_addc(&u.out.buf, '{');
		json_str(&u.out.buf, "round", round);
		json_long(&u.out.buf, "tally", id);
		json_str(&u.out.buf, "rule", rule);
		json_str(&u.out.buf, "digest", dg);
		if (!same && strcmp(dg, b.hex))
			json_str(&u.out.buf, "now", b.hex);
		json_bool(&u.out.buf, "same", same);
		ft_buf_adds(&u.out.buf, "}\n");
		flush(&u);
		ft_tally_release(&t);
		free(rule);
		free(dg);
		free(kept);
	}
	sqlite3_reset(s);
	if (!st && rc != SQLITE_DONE)
		st = ft_db_fail(db, rc, "reading the counts");
	if (!st && differ)
		st = FT_DATAERR;
	if (!st && !o->quiet)
		ft_warn("%s: %ld count%s recounted, all the same", round, n,
			n == 1 ? "" : "s");
out:
	free(order);
	ft_buf_release(&res);
	bset_release(&b);
	plist_release(&p);
	return run_release(&u, st);
}

int
ft_vote_rounds(struct ft_db *db, const struct ft_vote_opts *o)
{
	struct run u;
	sqlite3_stmt *s;
	int rc, st = FT_OK;

	run_init(&u, db, o);
	if (!(s = stmt(&u, S_ROUNDS)))
		return run_release(&u, FT_SOFTWARE);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ft_buf *b = &u.out.buf;
		char *f[15];
		int i;

		for (i = 0; i < 15; i++)
			f[i] = col_dup(s, i);
		print_round(&u, f);
		for (i = 0; i < 15; i++)
			free(f[i]);
		/* Open's record, and then what the round holds. */
		b->len -= 2;
		json_long(b, "projects", sqlite3_column_int64(s, 15));
		json_long(b, "voters", sqlite3_column_int64(s, 16));
		json_long(b, "ballots", sqlite3_column_int64(s, 17));
		ft_buf_adds(b, "}\n");
		flush(&u);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		st = ft_db_fail(db, rc, "reading the rounds");
	return run_release(&u, st);
}

/*
 * The checks of the options that need no round: run before the database
 * opens, so that a mistyped option neither creates nor changes one.
 */
int
ft_vote_check(const struct ft_vote_opts *o, struct ft_buf *why)
{
	struct ft_tally t;
	enum ft_rule r = FT_RULE_NONE;
	const char *s;
	char *end;
	long long v;

	ft_buf_reset(why);
	if (o->rule && (r = ft_tally_rule_parse(o->rule)) == FT_RULE_NONE) {
		ft_buf_addf(why, "--rule: not greedy, greedy-no-skip, "
			    "greedy-threshold, mes or mes-add1: %s",
			    ft_q(o->rule));
		return -1;
	}
	if (o->complete && o->rule && r != FT_RULE_MES &&
	    r != FT_RULE_MES_ADD1) {
		ft_buf_addf(why, "--complete greedy completes mes or mes-add1, "
			    "not %s", o->rule);
		return -1;
	}
	if (o->threshold) {
		errno = 0;
		v = strtoll(o->threshold, &end, 10);
		if (!*o->threshold || *end || errno || v < 0) {
			ft_buf_addf(why, "--threshold: not a whole number: %s",
				    ft_q(o->threshold));
			return -1;
		}
	}
	ft_tally_init(&t, 0, 0);
	if (o->tiebreak && ft_tally_set_tiebreak(&t, o->tiebreak)) {
		ft_buf_addf(why, "--tiebreak: not a list of votes, cost, id, "
			    "or refuse: %s", ft_q(o->tiebreak));
		return -1;
	}
	if (o->compare && !*o->compare) {
		ft_buf_adds(why, "--compare: no rule named");
		return -1;
	}
	for (s = o->compare; s && *s;) {
		size_t l = strcspn(s, ",");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)l, s);
		if (l >= sizeof(name) ||
		    ft_tally_rule_parse(name) == FT_RULE_NONE) {
			ft_buf_addf(why, "--compare: not greedy, "
				    "greedy-no-skip, greedy-threshold, mes or "
				    "mes-add1: %s", ft_q(name));
			return -1;
		}
		s += l;
		if (*s == ',')
			s++;
	}
	if (o->channel && !is_word(o->channel)) {
		ft_buf_addf(why, "--channel: not a word: %s", ft_q(o->channel));
		return -1;
	}
	if (o->round && !*o->round) {
		ft_buf_adds(why, "--round: an empty id");
		return -1;
	}
	if (o->round && !is_text(o->round)) {
		ft_buf_adds(why, "--round ");
		ft_json_escape_lossy(why, o->round, strlen(o->round));
		ft_buf_adds(why, ": not UTF-8 text without control characters");
		return -1;
	}
	return 0;
}
