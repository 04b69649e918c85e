/*
 * ft_vote.c - the run every verb of ft-vote works in (statements, held
 * output, rejects, the record loop; see ft_vote_int.h), and the verbs that
 * read records: open, projects, register, cast; then rounds and the
 * checks of the options.  Import and export are in ft_vote_pb.c, tally
 * and recount in ft_vote_count.c.
 */
#include "ft_vote.h"
#include "ft_vote_ballot.h"
#include "ft_vote_int.h"
#include "ft_amount.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_hold.h"
#include "ft_input.h"
#include "ft_json.h"
#include "ft_reject.h"
#include "ft_tally.h"
#include "ft_time.h"
#include "ft_vkey.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

/*
 * A usage error found with the round in hand (the options alone are
 * checked by ft_vote_check() before the database opens): the message,
 * then FT_USAGE.  The library prints no usage text; main() does.
 */
int
vote_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ft_errorv(fmt, ap);
	va_end(ap);
	return FT_USAGE;
}

/*
 * Is v[0..len) the compact JSON array text of strings and numbers?  1,
 * its elements appended to items NUL-terminated and their count in *n;
 * else 0, and *n 0.
 */
int
vote_list_json(const char *v, size_t len, struct ft_buf *items, int *n)
{
	struct ft_buf tmp = FT_BUF_INIT;
	const char *e = v + len;

	*n = 0;
	ft_buf_reset(items);
	if (len == 0 || *v != '[')
		return 0;
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
			*n = 0;
			return 0;
		}
		ft_buf_addc(items, '\0');
		(*n)++;
		if (*v == ',')
			v++;
	}
	ft_buf_release(&tmp);
	return 1;
}

/*
 * The elements of a member that is a JSON array of strings or numbers, or
 * (from CSV) a string of comma-separated items: each appended to items as
 * a NUL-terminated string, their count in *n (0 when absent).  Returns 1,
 * or 0 when it is neither (*n 0): a reason to reject the record.
 */
static int
member_list(const struct ft_json_doc *d, const char *key, struct ft_buf *items,
	    int *n)
{
	const struct ft_json_member *m = ft_json_get(d, key);
	struct ft_buf tmp = FT_BUF_INIT;
	const char *v;

	*n = 0;
	ft_buf_reset(items);
	if (!m)
		return 1;
	v = d->text.s + m->val;
	if (*v == 'n')
		return 1;
	if (*v == '"') {
		const char *s, *c;

		ft_json_unescape(v, m->vallen, &tmp);
		if (tmp.len == 0) {
			ft_buf_release(&tmp);
			return 1;
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
			(*n)++;
			if (!c)
				break;
		}
		ft_buf_release(&tmp);
		return 1;
	}
	if (*v != '[')
		return 0;
	ft_buf_release(&tmp);
	return vote_list_json(v, m->vallen, items, n);
}

/* The next item of a list member_list() filled. */
const char *
vote_next_item(const struct ft_buf *items, size_t *pos)
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
int64_t
vote_stored_point(const char *s)
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

const char *
vote_fmt_time(int64_t t, char buf[FT_TIME_LEN])
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

/* ---- the run: its store, output, rejects ---- */

/* A file's transaction committed: its counts stand (ft_run). */
static void
keep_counts(void *ctx)
{
	struct run *u = ctx;

	u->kept[0] = u->done;
	u->kept[1] = u->unchanged;
	u->kept[2] = u->updated;
}

/* It did not: nothing of it was stored, nothing of it is counted. */
static void
drop_counts(void *ctx)
{
	struct run *u = ctx;

	u->done = u->kept[0];
	u->unchanged = u->kept[1];
	u->updated = u->kept[2];
}

void
vote_run_init(struct run *u, struct ft_db *db, const struct ft_vote_opts *o)
{
	memset(u, 0, sizeof(*u));
	u->db = db;
	u->o = o;
	u->vs = ft_store_vote_open(db);
	ft_run_init(&u->run, db, 0, o->dry_run, o->no_output);
	u->run.ctx = u;
	u->run.keep = keep_counts;
	u->run.drop = drop_counts;
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

	for (i = 0; i < FT_STORE_VOTE_ROUND_FIELDS; i++) {
		free(r->f[i]);
		r->f[i] = NULL;
	}
}

int
vote_run_release(struct run *u, int st)
{
	ft_store_vote_close(u->vs);
	u->vs = NULL;
	round_release(&u->r);
	st = ft_exit_worst(st, ft_reject_close(&u->rej));
	ft_run_release(&u->run);
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
void
vote_flush(struct run *u)
{
	ft_hold_print(&u->run.out);
}

static void
reject(struct run *u, const struct ft_item *it, const char *why)
{
	ft_reject_add(&u->rej, u->fname, it->line, why, it->raw, it->rawlen,
		      it->doc ? it->doc->text.s : NULL,
		      it->doc ? it->doc->text.len : 0);
}

/* Loads round id into u->r.  66 when there is none. */
int
vote_load_round(struct run *u, const char *id, int quiet)
{
	struct ft_store_vote_round r;
	int st, found, i;

	round_release(&u->r);
	if ((st = ft_store_vote_round(u->vs, id, &r, &found)))
		return st;
	if (!found) {
		if (!quiet)
			ft_error("no such round: %s", ft_q(id));
		return FT_NOINPUT;
	}
	for (i = 0; i < FT_STORE_VOTE_ROUND_FIELDS; i++)
		u->r.f[i] = r.f[i] ? ft_xstrdup(r.f[i]) : NULL;
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
		ft_error("%s: not the key of round %s", u->o->key,
			 ft_q(u->r.f[R_ID]));
		return FT_CONFIG;
	}
	return FT_OK;
}

typedef const char *(*record_fn)(struct run *, const struct ft_item *);

/* One record of a file (ft_run_file_whole()): u->fn decides it. */
static int
each(void *ctx, const struct ft_item *it)
{
	struct run *u = ctx;
	const char *why;

	u->fname = u->run.fname;
	if (it->err) {
		reject(u, it, it->err);
		return FT_OK;
	}
	if (it->doc->type != '{') {
		reject(u, it, "not a record (a JSON object)");
		return FT_OK;
	}
	why = u->fn(u, it);
	if (u->status)
		return u->status;
	if (why)
		reject(u, it, why);
	return (u->status = ft_hold_keep(&u->run.out));
}

/*
 * Runs fn on every record of files[0..n): a returned reason rejects the
 * record; u->status set to an error stops.  A transaction a file: what
 * was printed is what was stored, even when a later file cannot be read,
 * and nothing of a file whose transaction did not commit.
 */
static int
each_record(struct run *u, char **files, int n, record_fn fn)
{
	/* Read only (files is not const): standard input as the one file. */
	static char *stdin_only[] = { "-" };
	int i, st = FT_OK;

	if (n == 0) {
		files = stdin_only;
		n = 1;
	}
	u->fn = fn;
	for (i = 0; i < n && !st; i++)
		st = ft_run_file_whole(&u->run, files[i], each);
	if (!st && u->rej.n)
		st = FT_REJECTED;
	return st;
}

/* Writes JSON array text of the items into o. */
static void
json_list(struct ft_buf *o, const struct ft_buf *items, int n, int numbers)
{
	size_t pos = 0;
	int i;

	ft_buf_addc(o, '[');
	for (i = 0; i < n; i++) {
		const char *s = vote_next_item(items, &pos);

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

int
vote_known(const char *const *list, const char *s)
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
const char *
vote_why(struct run *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->reason, sizeof(u->reason), fmt, ap);
	va_end(ap);
	return u->reason;
}

/* Prints a round (its settings, by R_*) as a record into u->run.out. */
static void
print_round(struct run *u, char *const *f)
{
	static const char *const names[] = {
		"id", "name", "budget", "scope", "opens_at", "closes_at",
		"ballot", "min_length", "max_length", "max_cost",
		"min_points", "points", "rule", "threshold", "tiebreak"
	};
	struct ft_buf *o = &u->run.out.buf;
	int i;

	/* The id first: a round always has one. */
	ft_json_open(o, names[R_ID]);
	ft_json_escape(o, f[R_ID], strlen(f[R_ID]));
	for (i = R_ID + 1; i < 15; i++) {
		if (!f[i])
			continue;
		if (i == R_BUDGET || i == R_SCOPE || (i >= R_MINLEN &&
		    i <= R_MAXPTS) || i == R_THRESHOLD)
			ft_json_put_raw(o, names[i], f[i], strlen(f[i]));
		else
			ft_json_put_str(o, names[i], f[i], strlen(f[i]));
	}
	ft_buf_adds(o, "}\n");
}

/*
 * Member key of d as text into b: NULL, or the reason when it is missing
 * or not a what.
 */
static const char *
need(struct run *u, const struct ft_json_doc *d, const char *key,
     const char *what, struct ft_buf *b)
{
	int r = ft_json_member_text(d, key, b);

	if (r > 0)
		return NULL;
	return vote_why(u, "field %s: %s%s", ft_q(key), r < 0 ? "not a " : "",
			r < 0 ? what : "missing");
}

/* The id, name and budget of the round in d, by R_* into f. */
static const char *
open_head(struct run *u, const struct ft_json_doc *d, char **f)
{
	struct ft_buf *b = &u->a;
	const char *reason;

	if ((reason = need(u, d, "id", "string", b)))
		return reason;
	f[R_ID] = ft_xstrdup(b->s);
	if ((reason = need(u, d, "name", "string", b)))
		return reason;
	f[R_NAME] = ft_xstrdup(b->s);
	if ((reason = need(u, d, "budget", "number", b)))
		return reason;
	if (ft_amount_scale(b->s) < 0 || ft_amount_is_zero(b->s))
		return vote_why(u,
				"field \"budget\": not an amount above 0: "
				"%s",
				ft_q(b->s));
	ft_amount_canon(b->s, &u->b);
	f[R_BUDGET] = ft_xstrdup(u->b.s);
	return NULL;
}

/* When voting opens and closes, by R_* into f. */
static const char *
open_window(struct run *u, const struct ft_json_doc *d, char **f)
{
	char t1[FT_TIME_LEN], t2[FT_TIME_LEN];
	struct ft_buf *b = &u->a;
	const char *reason;
	int64_t opens, closes;

	if ((reason = need(u, d, "opens_at", "time", b)))
		return reason;
	if (parse_time(b->s, &opens))
		return vote_why(u, "field \"opens_at\": not a time: %s",
				ft_q(b->s));
	f[R_OPENS] = ft_xstrdup(vote_fmt_time(opens, t1));
	if ((reason = need(u, d, "closes_at", "time", b)))
		return reason;
	if (parse_time(b->s, &closes))
		return vote_why(u, "field \"closes_at\": not a time: %s",
				ft_q(b->s));
	f[R_CLOSES] = ft_xstrdup(vote_fmt_time(closes, t2));
	if (closes <= opens)
		return vote_why(u,
				"field \"closes_at\": %s is not after "
				"opens_at %s",
				t2, t1);
	return NULL;
}

/* The ballot's type and the limits of a ballot by its type, into f. */
static const char *
open_ballot(struct run *u, const struct ft_json_doc *d, char **f)
{
	struct ft_buf *b = &u->a;
	const char *reason;
	long v, minl = -1, maxl = -1, minp = -1, maxp = -1;
	int r;

	if ((reason = need(u, d, "ballot", "string", b)))
		return reason;
	if (!vote_known(ballot_types, b->s))
		return vote_why(u,
				"field \"ballot\": not approval, "
				"choose-1, cumulative or ordinal: %s",
				ft_q(b->s));
	f[R_BALLOT] = ft_xstrdup(b->s);
	if ((r = member_long(d, "min_length", 1, MAX_BALLOT, &minl, b)) < 0 ||
	    (r = member_long(d, "max_length", 1, MAX_BALLOT, &maxl, b)) < 0)
		return "fields \"min_length\", \"max_length\": not a whole "
		       "number from 1 to 1024";
	if (strcmp(f[R_BALLOT], "choose-1") == 0) {
		minl = maxl = 1;
	} else if (strcmp(f[R_BALLOT], "ordinal") == 0) {
		if ((r = member_long(d, "length", 1, MAX_BALLOT, &v, b)) <= 0)
			return r < 0 ? "field \"length\": not a whole number "
				       "from 1 to 1024" :
				       "field \"length\": missing (an ordinal "
				       "ballot ranks a fixed number)";
		minl = maxl = v;
	} else if (strcmp(f[R_BALLOT], "cumulative") == 0) {
		if ((r = member_long(d, "points", 1, MAX_POINTS, &maxp, b)) <=
		    0)
			return r < 0 ? "field \"points\": not a whole number "
				       "from 1 to 1000000" :
				       "field \"points\": missing (the points "
				       "a cumulative ballot spreads)";
		if ((r = member_long(d, "min_points", 1, maxp, &minp, b)) < 0)
			return "field \"min_points\": not a whole number "
			       "from 1 to points";
		if (r == 0)
			minp = 1;
	}
	if (minl < 0 && strcmp(f[R_BALLOT], "approval") == 0)
		minl = 1;
	if (minl > 0 && maxl > 0 && minl > maxl)
		return "field \"min_length\": above max_length";
	if (minl > 0)
		f[R_MINLEN] = ft_xstrdup(vote_why(u, "%ld", minl));
	if (maxl > 0)
		f[R_MAXLEN] = ft_xstrdup(vote_why(u, "%ld", maxl));
	if (minp > 0)
		f[R_MINPTS] = ft_xstrdup(vote_why(u, "%ld", minp));
	if (maxp > 0)
		f[R_MAXPTS] = ft_xstrdup(vote_why(u, "%ld", maxp));
	return NULL;
}

/* How the round is counted (max_cost, rule, threshold, tiebreak). */
static const char *
open_count(struct run *u, const struct ft_json_doc *d, char **f)
{
	struct ft_buf *b = &u->a;
	int r;

	if ((r = ft_json_member_text(d, "max_cost", b)) != 0) {
		if (r < 0 || ft_amount_scale(b->s) < 0)
			return "field \"max_cost\": not an amount";
		ft_amount_canon(b->s, &u->b);
		f[R_MAXCOST] = ft_xstrdup(u->b.s);
	}
	if ((r = ft_json_member_text(d, "rule", b)) != 0) {
		if (r < 0 || ft_tally_rule_parse(b->s) == FT_RULE_NONE)
			return vote_why(u,
					"field \"rule\": not greedy, "
					"greedy-no-skip, greedy-threshold, "
					"mes or mes-add1: %s",
					ft_q(b->s));
		f[R_RULE] = ft_xstrdup(b->s);
	}
	if ((r = ft_json_member_text(d, "threshold", b)) != 0) {
		if (r < 0 || b->s[strspn(b->s, "0123456789")] || b->len > 15)
			return "field \"threshold\": not a whole number";
		f[R_THRESHOLD] = ft_xstrdup(b->s);
	}
	if ((r = ft_json_member_text(d, "tiebreak", b)) != 0) {
		struct ft_tally t;

		ft_tally_init(&t, 0, 0);
		if (r < 0 || ft_tally_set_tiebreak(&t, b->s))
			return vote_why(u,
					"field \"tiebreak\": not a list "
					"of votes, cost, id, or refuse: %s",
					ft_q(b->s));
	}
	f[R_TIEBREAK] = ft_xstrdup(r > 0 ? b->s : "votes,cost,id");
	return NULL;
}

/*
 * The units the round is open to, each one checked, into f.  u->status
 * set on an error of the database.
 */
static const char *
open_scope(struct run *u, const struct ft_json_doc *d, char **f)
{
	struct ft_buf *b = &u->a;
	size_t pos = 0;
	int i, n;

	if (!member_list(d, "scope", &u->items, &n))
		return "field \"scope\": not a list of unit ids";
	if (n == 0)
		return NULL;
	/* A voter's unit is checked against the scope: a unit that does not
	 * exist would let no one in, or not the ones meant. */
	for (i = 0; i < n; i++) {
		const char *unit = vote_next_item(&u->items, &pos);
		int yes;

		if ((u->status = ft_store_vote_unit_exists(u->vs, unit, &yes)))
			return NULL;
		if (!yes) {
			ft_buf_reset(b);
			ft_json_escape(b, unit, strlen(unit));
			return vote_why(u, "field \"scope\": unknown unit %s",
					b->s);
		}
	}
	ft_buf_reset(b);
	json_list(b, &u->items, n, 0);
	f[R_SCOPE] = ft_xstrdup(b->s);
	return NULL;
}

/*
 * The settings of the round in record d, checked, by R_* into f (new
 * strings the caller frees).  NULL or the reason the record is refused;
 * u->status set on an error of the database.
 */
static const char *
open_fields(struct run *u, const struct ft_json_doc *d, char **f)
{
	const char *reason;

	if ((reason = open_head(u, d, f)) || (reason = open_window(u, d, f)) ||
	    (reason = open_ballot(u, d, f)) || (reason = open_count(u, d, f)))
		return reason;
	return open_scope(u, d, f);
}

/*
 * Stores the round of settings f (from open_fields()) with the check
 * value of its key, and prints it; the same round again changes nothing.
 * NULL or the reason it is refused; u->status set on an error.
 */
static const char *
open_store(struct run *u, char **f)
{
	char check[65];
	const char *reason = NULL;
	int found, i;
	unsigned char secret[32], rkey[32];

	/* The same round again changes nothing; another is refused. */
	{
		struct ft_store_vote_round old;

		if ((u->status = ft_store_vote_round(u->vs, f[R_ID], &old,
						     &found)))
			goto out;
		if (found) {
			for (i = 1; i <= R_TIEBREAK; i++) {
				const char *c = old.f[i];

				if ((c == NULL) != (f[i] == NULL) ||
				    (c && strcmp(c, f[i])))
					break;
			}
			if (i <= R_TIEBREAK) {
				reason = vote_why(u,
						  "round %s exists with "
						  "other settings",
						  f[R_ID]);
				goto out;
			}
			u->unchanged++;
			goto out;
		}
	}
	if ((u->status = ft_vkey_read(u->o->key, 1, secret)))
		goto out;
	ft_vkey_round(secret, f[R_ID], rkey);
	ft_vkey_hash(rkey, "check", "", check);
	{
		struct ft_store_vote_round r;
		char now[FT_TIME_LEN];

		memset(&r, 0, sizeof(r));
		for (i = 0; i <= R_TIEBREAK; i++)
			r.f[i] = f[i];
		r.f[R_KEYCHECK] = check;
		r.f[R_META] = "{}";
		r.source = u->fname;
		r.created_at = vote_fmt_time(ft_time_now(), now);
		if ((u->status = ft_store_vote_round_add(u->vs, &r)))
			goto out;
	}
	u->done++;
	print_round(u, f);
out:
	return reason;
}

static const char *
open_one(struct run *u, const struct ft_item *it)
{
	char *f[17] = { 0 };
	const char *reason;
	int i;

	if (!(reason = open_fields(u, it->doc, f)) && !u->status)
		reason = open_store(u, f);
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

	vote_run_init(&u, db, o);
	if (!o->key || !*o->key) {
		vote_run_release(&u, 0);
		return vote_usage_error("open needs --key KEYFILE (or "
					"FT_VOTE_KEY): where the round's "
					"secret is kept");
	}
	if ((st = ft_reject_open(&u.rej, o->rejects)) == FT_OK)
		st = each_record(&u, files, n, open_one);
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%ld round%s opened, %ld unchanged, %ld rejected%s",
			u.done, u.done == 1 ? "" : "s", u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	return vote_run_release(&u, st);
}

/* ---- projects ---- */

static const char *
project_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	const char *id, *name, *cat, *unit;
	struct ft_buf *o = &u->run.out.buf;
	struct ft_store_vote_project p;
	int r, same, found;

	if (u->r.opens != INT64_MIN && ft_time_now() >= u->r.opens)
		return vote_why(u,
				"round %s opened at %s: its projects are "
				"fixed",
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
		return vote_why(u, "field \"cost\": not an amount above 0: %s",
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
	if ((u->status = ft_store_vote_project(u->vs, u->r.f[R_ID], id, &p,
					       &found)))
		return NULL;
	if (found) {
		same = p.name && !strcmp(p.name, name) &&
		       !strcmp(p.cost, u->e.s) && (!p.category) == (!cat) &&
		       (!cat || !strcmp(p.category, cat)) &&
		       (!p.unit) == (!unit) && (!unit || !strcmp(p.unit, unit));
		if (same) {
			u->unchanged++;
			return NULL;
		}
		u->updated++;
	} else {
		u->done++;
	}
	memset(&p, 0, sizeof(p));
	p.round = u->r.f[R_ID];
	p.id = id;
	p.name = name;
	p.cost = u->e.s;
	p.category = cat;
	p.unit = unit;
	if ((u->status = found ? ft_store_vote_project_set(u->vs, &p) :
				 ft_store_vote_project_add(u->vs, &p)))
		return NULL;
	ft_json_open(o, "round");
	ft_json_escape(o, u->r.f[R_ID], strlen(u->r.f[R_ID]));
	ft_json_put_str(o, "id", id, strlen(id));
	ft_json_put_str(o, "name", name, strlen(name));
	ft_json_put_raw(o, "cost", u->e.s, strlen(u->e.s));
	ft_json_put_str(o, "category", cat, cat ? strlen(cat) : 0);
	ft_json_put_str(o, "unit", unit, unit ? strlen(unit) : 0);
	ft_buf_adds(o, "}\n");
	return NULL;
}

/* The start of every verb on a round: its record, the rejects file. */
static int
start_round(struct run *u, const char *round)
{
	int st;

	if ((st = vote_load_round(u, round, 0)))
		return st;
	return ft_reject_open(&u->rej, u->o->rejects);
}

int
ft_vote_projects(struct ft_db *db, const struct ft_vote_opts *o,
		 const char *round, char **files, int n)
{
	struct run u;
	int st;

	vote_run_init(&u, db, o);
	if ((st = start_round(&u, round)) == FT_OK)
		st = each_record(&u, files, n, project_one);
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld project%s added, %ld changed, %ld unchanged, "
			"%ld rejected%s", round, u.done, u.done == 1 ? "" : "s",
			u.updated, u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	return vote_run_release(&u, st);
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
	int r, yes, added;

	if ((bad = voter_id(u, d)))
		return bad;
	if (u->r.closes != INT64_MIN && ft_time_now() >= u->r.closes)
		return vote_why(u, "voting has closed (closed at %s)",
				u->r.f[R_CLOSES]);
	if ((r = ft_json_member_text(d, "unit", &u->b)) < 0)
		return "field \"unit\": not a string";
	if (u->r.f[R_SCOPE]) {
		if (r == 0)
			return "field \"unit\": missing (the round has a scope)";
		if ((u->status = ft_store_vote_unit_exists(u->vs, u->b.s,
							   &yes)))
			return NULL;
		if (!yes)
			return vote_why(u, "field \"unit\": unknown unit %s",
					ft_q(u->b.s));
		if ((u->status = ft_store_vote_unit_in_scope(u->vs, u->b.s,
							     u->r.f[R_SCOPE],
							     &yes)))
			return NULL;
		if (!yes)
			return vote_why(u,
					"field \"unit\": %s is not in the "
					"round's scope",
					ft_q(u->b.s));
	}
	ft_vkey_hash(u->r.key, "voter", u->a.s, hash);
	/* The unit is kept for turnout by area, where it was checked. */
	if ((u->status = ft_store_vote_voter_add(u->vs, u->r.f[R_ID], hash,
						 u->r.f[R_SCOPE] ? u->b.s :
								   NULL,
						 &added)))
		return NULL;
	if (added)
		u->done++;
	else
		u->unchanged++;
	return NULL;
}

int
ft_vote_register(struct ft_db *db, const struct ft_vote_opts *o,
		 const char *round, char **files, int n)
{
	struct run u;
	int st;

	vote_run_init(&u, db, o);
	if ((st = start_round(&u, round)) == FT_OK &&
	    (st = round_unlock(&u)) == FT_OK)
		st = each_record(&u, files, n, register_one);
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld voter%s registered, %ld unchanged, %ld "
			"rejected%s", round, u.done, u.done == 1 ? "" : "s",
			u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	return vote_run_release(&u, st);
}

/* ---- cast ---- */

struct cast {
	struct plist p;
	int scale;
	int idx[MAX_BALLOT + 1];
	int64_t pts[MAX_BALLOT + 1];
};

/* Is s UTF-8 without control characters (C0, DEL, C1)? */
int
vote_is_text(const char *s)
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
	struct ft_store_vote_tally t;
	int found;

	if (u->counted_txn != u->db->txn) {
		u->counted = 0;
		if ((u->status = ft_store_vote_tally_first(u->vs, u->r.f[R_ID],
							   &t, &found)))
			return NULL;
		if (found) {
			u->counted = t.tally;
			snprintf(u->counted_at, sizeof(u->counted_at), "%s",
				 t.counted_at ? t.counted_at : "?");
		}
		u->counted_txn = u->db->txn;
	}
	if (!u->counted)
		return NULL;
	return vote_why(u,
			"field \"cast_at\": too late: round %s was counted "
			"at %s (tally %lld), its ballots are frozen",
			u->r.f[R_ID], u->counted_at, u->counted);
}

/*
 * When the ballot of record d was cast (now, if it does not say), checked
 * against the clock and the round's voting window: NULL or the reason it
 * is refused.
 */
static const char *
cast_when(struct run *u, const struct ft_json_doc *d)
{
	char t1[FT_TIME_LEN], t2[FT_TIME_LEN];
	int64_t at, now;
	int r;

	at = now = ft_time_now();
	if ((r = ft_json_member_text(d, "cast_at", &u->b)) < 0 ||
	    (r > 0 && parse_time(u->b.s, &at)))
		return vote_why(u, "field \"cast_at\": not a time: %s",
				ft_q(u->b.s));
	/* A ballot is cast before it is stored: one dated later is not one
	 * (nor one dated inside the period while voting has not opened). */
	if (at > now)
		return vote_why(u,
				"field \"cast_at\": %s is later than the "
				"current time %s",
				vote_fmt_time(at, t1), vote_fmt_time(now, t2));
	if (u->r.opens != INT64_MIN && at < u->r.opens)
		return vote_why(u,
				"field \"cast_at\": voting has not opened "
				"yet (opens at %s)",
				u->r.f[R_OPENS]);
	if (u->r.closes != INT64_MIN && at >= u->r.closes)
		return vote_why(u,
				"field \"cast_at\": voting has closed "
				"(closed at %s)",
				u->r.f[R_CLOSES]);
	return NULL;
}

/*
 * The ballot of record d, checked: its channel into *channel (borrowed:
 * u->c or the options), the canonical texts the count reads and the
 * digest covers into u->d (the projects) and u->e (the points; empty
 * when *np is 0).  NULL or the reason it is refused.
 */
static const char *
cast_ballot(struct run *u, const struct ft_json_doc *d, const char **channel,
	    int *np)
{
	struct cast *c = u->cast;
	const char *bad;
	int n, r, i;

	if ((r = ft_json_member_text(d, "channel", &u->c)) < 0 ||
	    (r > 0 && !is_word(u->c.s)))
		return "field \"channel\": not a word";
	*channel = r > 0 ? u->c.s : u->o->channel ? u->o->channel : "online";
	if (!member_list(d, "projects", &u->items, &n))
		return "field \"projects\": not a list of project ids";
	if (n == 0 && !ft_json_get(d, "projects"))
		return "field \"projects\": missing";
	if (!member_list(d, "points", &u->items2, np))
		return "field \"points\": not a list of numbers";
	if ((bad = vote_check_ballot(u, &c->p, c->scale, &u->items, n,
				     &u->items2, *np, c->idx, c->pts)))
		return bad;
	ft_buf_reset(&u->d);
	json_list(&u->d, &u->items, n, 0);
	ft_buf_reset(&u->e);
	if (*np > 0) {
		ft_buf_addc(&u->e, '[');
		for (i = 0; i < n; i++)
			ft_buf_addf(&u->e, "%s%lld", i ? "," : "",
				    (long long)c->pts[i]);
		ft_buf_addc(&u->e, ']');
	}
	return NULL;
}

/* Prints ballot id of the round as stored from u->d and u->e. */
static void
print_ballot(struct run *u, long long id, const char *channel, int np,
	     int replaced)
{
	struct ft_buf *o = &u->run.out.buf;

	ft_json_open(o, "round");
	ft_json_escape(o, u->r.f[R_ID], strlen(u->r.f[R_ID]));
	ft_json_put_int(o, "ballot", id);
	ft_json_put_str(o, "channel", channel, strlen(channel));
	ft_json_put_raw(o, "projects", u->d.s, strlen(u->d.s));
	if (np > 0)
		ft_json_put_raw(o, "points", u->e.s, strlen(u->e.s));
	if (replaced)
		ft_json_put_bool(o, "replaced", 1);
	ft_buf_adds(o, "}\n");
}

/*
 * Stores the ballot of cast_ballot() under the voter's tag, and prints
 * it: the same ballot again changes nothing, another replaces the first
 * only with --replace, none goes in once the round is counted.  NULL or
 * the reason it is refused; u->status set on an error.
 */
static const char *
cast_store(struct run *u, const char *tag, const char *channel, int np,
	   const char *unit)
{
	struct ft_store_vote_ballot b;
	const char *bad;
	int64_t id = 0;
	long long oldid;
	int old;

	if ((u->status = ft_store_vote_ballot(u->vs, u->r.f[R_ID], tag, &b,
					      &old)))
		return NULL;
	oldid = 0;
	if (old) {
		const char *op = b.projects;
		const char *opts = b.points;

		oldid = (long long)b.ballot;
		/* The same ballot again (a job run twice, or resumed after a
		 * crash) changes nothing: it is not a second vote. */
		if (op && !strcmp(op, u->d.s) &&
		    (np > 0 ? opts && !strcmp(opts, u->e.s) : !opts)) {
			u->unchanged++;
			return NULL;
		}
	}
	/* Once a result is stored, it must stay the count of the ballots:
	 * they are frozen, however late ballots are dated. */
	if ((bad = counted(u)) != NULL)
		return bad;
	if (u->status)
		return NULL;
	if (old && !u->o->replace)
		return "already voted";
	memset(&b, 0, sizeof(b));
	b.round = u->r.f[R_ID];
	b.tag = tag;
	b.channel = channel;
	b.projects = u->d.s;
	b.points = np > 0 ? u->e.s : NULL;
	b.unit = unit;
	if ((u->status = old ? ft_store_vote_ballot_replace(u->vs, &b) :
			       ft_store_vote_ballot_add(u->vs, &b, &id)))
		return NULL;
	if (old)
		u->updated++;
	else
		u->done++;
	print_ballot(u, old ? oldid : (long long)id, channel, np, old);
	return NULL;
}

static const char *
cast_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	const char *bad, *channel, *unit;
	char tag[65], hash[65];
	int np, r;

	if ((bad = voter_id(u, d)))
		return bad;
	ft_vkey_hash(u->r.key, "voter", u->a.s, hash);
	if ((u->status = ft_store_vote_voter_exists(u->vs, u->r.f[R_ID], hash,
						    &r, &unit)))
		return NULL;
	if (!r)
		return "not registered for this round";
	if ((bad = cast_when(u, d)) || (bad = cast_ballot(u, d, &channel, &np)))
		return bad;
	ft_vkey_hash(u->r.key, "ballot", u->a.s, tag);
	return cast_store(u, tag, channel, np, unit);
}

int
ft_vote_cast(struct ft_db *db, const struct ft_vote_opts *o,
	     const char *round, char **files, int n)
{
	struct run u;
	struct cast *c = ft_xmalloc(sizeof(*c));
	int st;

	memset(c, 0, sizeof(*c));
	vote_run_init(&u, db, o);
	if (o->channel && !is_word(o->channel)) {
		free(c);
		vote_run_release(&u, 0);
		return vote_usage_error("--channel: not a word: %s",
					ft_q(o->channel));
	}
	if ((st = start_round(&u, round)) == FT_OK &&
	    (st = round_unlock(&u)) == FT_OK &&
	    (st = vote_plist_load(&u, &c->p)) == FT_OK) {
		c->scale = vote_round_scale(&u, &c->p);
		u.cast = c;
		st = each_record(&u, files, n, cast_one);
	}
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld ballot%s cast, %ld replaced, %ld unchanged, "
			"%ld rejected%s", round, u.done, u.done == 1 ? "" : "s",
			u.updated, u.unchanged, u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	vote_plist_release(&c->p);
	free(c);
	return vote_run_release(&u, st);
}

/* ---- progress ---- */

/* What progress checks a record against: the count the round is
 * published by, and the projects it funds. */
struct funded {
	long long tally; /* 0: the round has not been counted */
	const char *rule; /* the round's rule (borrowed), or NULL */
	char *first_rule, *result;
	int tally_rule_is_round; /* tally is under the round's rule */
	struct ft_buf ids; /* the funded projects, each NUL-terminated */
};

/*
 * The count a round is published by, as ft-report's vote report chooses
 * it: the newest under the round's rule, else the newest under the rule
 * it was first counted with.
 */
static int
funded_tally(void *ctx, const struct ft_store_vote_tally *t)
{
	struct funded *f = ctx;
	int round_rule = f->rule && t->rule && !strcmp(t->rule, f->rule);

	if (!t->rule || !t->result)
		return FT_OK;
	if (!f->first_rule)
		f->first_rule = ft_xstrdup(t->rule);
	/* In tally order: the newer of the same kind replaces. */
	if (round_rule ||
	    (!f->tally_rule_is_round && !strcmp(t->rule, f->first_rule))) {
		f->tally = t->tally;
		f->tally_rule_is_round = round_rule;
		free(f->result);
		f->result = ft_xstrdup(t->result);
	}
	return FT_OK;
}

/* The projects the chosen count selects, into f->ids. */
static void
funded_ids(struct funded *f, struct ft_buf *b)
{
	struct ft_json_doc d;
	const struct ft_json_member *m;
	const char *p = f->result, *nl, *err;
	size_t errpos;

	ft_json_doc_init(&d);
	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (ft_json_parse(&d, p, nl ? (size_t)(nl - p) : strlen(p),
				  &err, &errpos) ||
		    d.type != '{')
			continue;
		m = ft_json_get(&d, "selected");
		if (!m || m->vallen != 4 ||
		    memcmp(d.text.s + m->val, "true", 4))
			continue;
		if (ft_json_member_text(&d, "project", b) > 0)
			ft_buf_add(&f->ids, b->s, b->len + 1);
	}
	ft_json_doc_release(&d);
}

static int
is_funded(const struct funded *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->ids.len; i += strlen(f->ids.s + i) + 1)
		if (!strcmp(f->ids.s + i, id))
			return 1;
	return 0;
}

static const char *
progress_one(struct run *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	struct ft_store_vote_progress p;
	struct ft_store_vote_project pr;
	struct funded *f = u->funded;
	char at_s[FT_TIME_LEN], now_s[FT_TIME_LEN], rec_s[FT_TIME_LEN];
	struct ft_buf *o = &u->run.out.buf;
	int64_t at, now = ft_time_now();
	long pct = 0;
	int r, found, added, has_pct;

	if ((r = ft_json_member_text(d, "project", &u->a)) <= 0)
		return r < 0 ? "field \"project\": not a string" :
			       "field \"project\": missing";
	if ((u->status = ft_store_vote_project(u->vs, u->r.f[R_ID], u->a.s, &pr,
					       &found)))
		return NULL;
	if (!found)
		return vote_why(u, "field \"project\": unknown project %s",
				ft_q(u->a.s));
	if (!f->tally)
		return vote_why(u,
				"field \"project\": round %s has not been "
				"counted (ft-vote tally): no project is "
				"funded yet",
				u->r.f[R_ID]);
	if (!is_funded(f, u->a.s))
		return vote_why(u,
				"field \"project\": %s is not funded (not "
				"selected by tally %lld): only funded "
				"projects have progress",
				ft_q(u->a.s), f->tally);
	if ((r = ft_json_member_text(d, "stage", &u->b)) <= 0)
		return r < 0 ? "field \"stage\": not a string" :
			       "field \"stage\": missing";
	if (!vote_is_text(u->b.s) || u->b.len > 200)
		return "field \"stage\": not text of up to 200 bytes";
	if ((has_pct = member_long(d, "percent", 0, 100, &pct, &u->c)) < 0 &&
	    !u->c.len) /* a list, an object, a boolean */
		return "field \"percent\": not a whole number from 0 to 100";
	if (has_pct < 0)
		return vote_why(u,
				"field \"percent\": not a whole number from "
				"0 to 100: %s",
				ft_q(u->c.s));
	if ((r = ft_json_member_text(d, "note", &u->d)) < 0 ||
	    (r > 0 && (!vote_is_text(u->d.s) || u->d.len > 2000)))
		return "field \"note\": not text of up to 2000 bytes";
	at = now;
	if ((r = ft_json_member_text(d, "at", &u->e)) < 0 ||
	    (r > 0 && parse_time(u->e.s, &at)))
		return vote_why(u, "field \"at\": not a time: %s",
				ft_q(u->e.s));
	if (at > now)
		return vote_why(u,
				"field \"at\": %s is later than the current "
				"time %s",
				vote_fmt_time(at, at_s),
				vote_fmt_time(now, now_s));
	memset(&p, 0, sizeof(p));
	p.round = u->r.f[R_ID];
	p.project = u->a.s;
	p.at = vote_fmt_time(at, at_s);
	p.stage = u->b.s;
	if (has_pct > 0) {
		ft_buf_reset(&u->c);
		ft_buf_addf(&u->c, "%ld", pct);
		p.percent = u->c.s;
	}
	p.note = u->d.len ? u->d.s : NULL;
	p.recorded_at = vote_fmt_time(now, rec_s);
	if ((u->status = ft_store_vote_progress_add(u->vs, &p, &added)))
		return NULL;
	if (!added) {
		u->unchanged++;
		return NULL;
	}
	u->done++;
	ft_json_open(o, "round");
	ft_json_escape(o, p.round, strlen(p.round));
	ft_json_put_str(o, "project", p.project, strlen(p.project));
	ft_json_put_str(o, "at", p.at, strlen(p.at));
	ft_json_put_str(o, "stage", p.stage, strlen(p.stage));
	if (p.percent)
		ft_json_put_raw(o, "percent", p.percent, strlen(p.percent));
	ft_json_put_str(o, "note", p.note, p.note ? strlen(p.note) : 0);
	ft_buf_adds(o, "}\n");
	return NULL;
}

int
ft_vote_progress(struct ft_db *db, const struct ft_vote_opts *o,
		 const char *round, char **files, int n)
{
	struct run u;
	struct funded f;
	int st;

	memset(&f, 0, sizeof(f));
	ft_buf_init(&f.ids);
	vote_run_init(&u, db, o);
	if ((st = start_round(&u, round)) == FT_OK) {
		f.rule = u.r.f[R_RULE];
		st = ft_store_vote_tallies_each(u.vs, round, funded_tally, &f);
	}
	if (st == FT_OK) {
		funded_ids(&f, &u.a);
		u.funded = &f;
		st = each_record(&u, files, n, progress_one);
	}
	if (!o->quiet && st <= FT_REJECTED)
		ft_warn("%s: %ld progress step%s recorded, %ld unchanged, %ld "
			"rejected%s",
			round, u.done, u.done == 1 ? "" : "s", u.unchanged,
			u.rej.n,
			o->dry_run ? " (dry run: nothing stored)" : "");
	free(f.first_rule);
	free(f.result);
	ft_buf_release(&f.ids);
	return vote_run_release(&u, st);
}

/* Prints a round of ft_vote_rounds(). */
static int
rounds_one(void *ctx, const struct ft_store_vote_round *r)
{
	struct run *u = ctx;
	struct ft_buf *b = &u->run.out.buf;
	char *f[FT_STORE_VOTE_ROUND_SETTINGS];
	int i;

	for (i = 0; i < FT_STORE_VOTE_ROUND_SETTINGS; i++)
		f[i] = r->f[i] ? ft_xstrdup(r->f[i]) : NULL;
	print_round(u, f);
	for (i = 0; i < FT_STORE_VOTE_ROUND_SETTINGS; i++)
		free(f[i]);
	/* Open's record, and then what the round holds. */
	b->len -= 2;
	ft_json_put_int(b, "projects", r->projects);
	ft_json_put_int(b, "voters", r->voters);
	ft_json_put_int(b, "ballots", r->ballots);
	ft_buf_adds(b, "}\n");
	vote_flush(u);
	return FT_OK;
}

int
ft_vote_rounds(struct ft_db *db, const struct ft_vote_opts *o)
{
	struct run u;

	vote_run_init(&u, db, o);
	return vote_run_release(&u, ft_store_vote_rounds_each(u.vs, rounds_one,
							      &u));
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
		ft_buf_addf(why,
			    "--rule: not greedy, greedy-no-skip, "
			    "greedy-threshold, mes or mes-add1: %s",
			    ft_q(o->rule));
		return -1;
	}
	if (o->complete && o->rule && r != FT_RULE_MES &&
	    r != FT_RULE_MES_ADD1) {
		ft_buf_addf(why,
			    "--complete greedy completes mes or mes-add1, "
			    "not %s",
			    o->rule);
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
		ft_buf_addf(why,
			    "--tiebreak: not a list of votes, cost, id, "
			    "or refuse: %s",
			    ft_q(o->tiebreak));
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
			ft_buf_addf(why,
				    "--compare: not greedy, "
				    "greedy-no-skip, greedy-threshold, mes or "
				    "mes-add1: %s",
				    ft_q(name));
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
	if (o->round && !vote_is_text(o->round)) {
		ft_buf_adds(why, "--round ");
		ft_json_escape_lossy(why, o->round, strlen(o->round));
		ft_buf_adds(why, ": not UTF-8 text without control characters");
		return -1;
	}
	return 0;
}
