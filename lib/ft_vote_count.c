/*
 * ft_vote_count.c - ft-vote tally and recount: reading a round's ballots
 * once, counting them by a rule (ft_tally), keeping the result with the
 * digest of the ballots it counted, and recounting every kept result.
 */
#include "ft_vote_ballot.h"
#include "ft_amount.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spec {
	enum ft_rule rule;
	int complete;
	int64_t threshold;
	/* Owned, not borrowed: spec_parse() reads it from a buffer of its
	 * own.  A valid list is at most "votes,cost,id" (13 bytes). */
	char tiebreak[16];
	char text[160]; /* as tallies.rule keeps it */
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

/* What bset_load() reads the ballots into. */
struct bset_ctx {
	struct run *u;
	const struct plist *p;
	struct bset *b;
	int ordinal;
	char **lines;
	long lcap;
};

/* Adds the stored ballot r to the set: FT_DATAERR after a message for
 * one that is not a ballot of the round. */
static int
bset_add(void *ctx, const struct ft_store_vote_ballot *r)
{
	struct bset_ctx *c = ctx;
	struct run *u = c->u;
	struct bset *b = c->b;
	const char *pj = r->projects, *pt = r->points;
	int n, k, np = 0;
	size_t pos = 0, ppos = 0;

	if (!vote_list_json(pj, strlen(pj), &u->items, &n) ||
	    (pt &&
	     (!vote_list_json(pt, strlen(pt), &u->items2, &np) || np != n))) {
		ft_error("round %s: ballot %ld: not a ballot: %s",
			 ft_q(u->r.f[R_ID]), b->n + 1, pj);
		return FT_DATAERR;
	}
	while (b->ne + (size_t)n > b->cap) {
		b->cap = b->cap ? 2 * b->cap : 65536;
		b->proj = ft_xrealloc(b->proj, b->cap * sizeof(int));
		b->pts = ft_xrealloc(b->pts, b->cap * sizeof(int64_t));
	}
	for (k = 0; k < n; k++) {
		const char *id = vote_next_item(&u->items, &pos);
		int x = vote_plist_find(c->p, id);

		if (x < 0) {
			ft_error("round %s: ballot %ld names no project of "
				 "the round: %s",
				 ft_q(u->r.f[R_ID]), b->n + 1, ft_q(id));
			return FT_DATAERR;
		}
		b->proj[b->ne] = x;
		b->pts[b->ne] = pt ? vote_stored_point(
					     vote_next_item(&u->items2,
							    &ppos)) :
				c->ordinal ? n - k :
					     1;
		if (b->pts[b->ne] < 0 || n > MAX_BALLOT) {
			ft_error("round %s: ballot %ld: not a ballot (at most "
				 "%d projects, points from 0 to %d): %s",
				 ft_q(u->r.f[R_ID]), b->n + 1, MAX_BALLOT,
				 MAX_POINTS, pt ? pt : pj);
			return FT_DATAERR;
		}
		b->ne++;
	}
	if (b->n + 1 >= c->lcap) {
		c->lcap = c->lcap ? 2 * c->lcap : 1024;
		c->lines = ft_xrealloc(c->lines,
				       (size_t)c->lcap * sizeof(*c->lines));
		b->off = ft_xrealloc(b->off,
				     ((size_t)c->lcap + 1) * sizeof(*b->off));
	}
	c->lines[b->n] = vote_ballot_line(pj, pt);
	b->off[++b->n] = b->ne;
	return FT_OK;
}

static int
bset_load(struct run *u, const struct plist *p, struct bset *b)
{
	struct bset_ctx c = { u, p, b, 0, NULL, 0 };
	int st;

	memset(b, 0, sizeof(*b));
	c.ordinal = !strcmp(u->r.f[R_BALLOT], "ordinal");
	b->off = ft_xmalloc(sizeof(*b->off));
	b->off[0] = 0;
	if ((st = ft_store_vote_ballots_each(u->vs, u->r.f[R_ID], bset_add,
					     &c))) {
		while (b->n)
			free(c.lines[--b->n]);
		free(c.lines);
		return st;
	}
	vote_digest(c.lines, b->n, b->hex);
	free(c.lines);
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
	/* Never empty, even in a spec refused (clang-tidy cannot see that
	 * vote_usage_error() returns no 0, and follows a refused spec on). */
	snprintf(sp->tiebreak, sizeof(sp->tiebreak), "%s", "votes,cost,id");
	if (!rule)
		rule = u->r.f[R_RULE];
	if (!rule) {
		ft_error("round %s has no counting rule: name one with "
			 "--rule",
			 ft_q(u->r.f[R_ID]));
		return FT_USAGE;
	}
	if ((sp->rule = ft_tally_rule_parse(rule)) == FT_RULE_NONE)
		return vote_usage_error("--rule: not greedy, greedy-no-skip, "
					"greedy-threshold, mes or mes-add1: %s",
					ft_q(rule));
	sp->complete = complete;
	if (complete && sp->rule != FT_RULE_MES && sp->rule != FT_RULE_MES_ADD1)
		return vote_usage_error("--complete greedy completes mes or "
					"mes-add1, not %s",
					rule);
	if (sp->rule == FT_RULE_GREEDY_THRESHOLD) {
		if (!threshold)
			threshold = u->r.f[R_THRESHOLD];
		if (!threshold)
			return vote_usage_error("greedy-threshold needs "
						"--threshold N (the round has "
						"none)");
		errno = 0;
		sp->threshold = strtoll(threshold, &end, 10);
		if (!*threshold || *end || errno || sp->threshold < 0)
			return vote_usage_error("--threshold: not a whole "
						"number: %s",
						ft_q(threshold));
	}
	if (!tiebreak)
		tiebreak = u->r.f[R_TIEBREAK];
	if (!tiebreak)
		tiebreak = "votes,cost,id";
	ft_tally_init(&t, 0, 0);
	if (ft_tally_set_tiebreak(&t, tiebreak))
		return vote_usage_error("--tiebreak: not a list of votes, "
					"cost, id, or refuse: %s",
					ft_q(tiebreak));
	snprintf(sp->tiebreak, sizeof(sp->tiebreak), "%s", tiebreak);
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
count(struct run *u, const struct plist *p, const struct bset *b, int scale,
      const struct spec *sp, struct ft_tally *t, int *order)
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

/* Starts a line of the count of round u: {"round":"id". */
static void
round_open(const struct run *u, struct ft_buf *o)
{
	ft_json_open(o, "round");
	ft_json_escape(o, u->r.f[R_ID], strlen(u->r.f[R_ID]));
}

/* The rule and its options, as members of a result line. */
static void
spec_fields(struct ft_buf *o, const struct spec *sp)
{
	const char *rule = ft_tally_rule_name(sp->rule);

	ft_json_put_str(o, "rule", rule, strlen(rule));
	if (sp->rule == FT_RULE_GREEDY_THRESHOLD)
		ft_json_put_int(o, "threshold", (long long)sp->threshold);
	if (sp->complete)
		ft_json_put_str(o, "complete", "greedy", 6);
	if (strcmp(sp->tiebreak, "votes,cost,id"))
		ft_json_put_str(o, "tiebreak", sp->tiebreak,
				strlen(sp->tiebreak));
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

		round_open(u, o);
		spec_fields(o, sp);
		ft_json_put_str(o, "project", q->id, strlen(q->id));
		ft_json_put_str(o, "name", q->name, strlen(q->name));
		ft_tally_amount(q->cost, t->scale, a, sizeof(a));
		ft_json_put_raw(o, "cost", a, strlen(a));
		ft_json_put_int(o, "votes", q->votes);
		ft_json_put_int(o, "score", (long long)q->score);
		ft_json_put_int(o, "rank", q->rank);
		ft_json_put_bool(o, "selected", q->selected);
		ft_json_put_str(o, "reason", q->reason, strlen(q->reason));
		ft_buf_adds(o, "}\n");
	}
	if (!totals)
		return;
	round_open(u, o);
	spec_fields(o, sp);
	ft_json_put_bool(o, "totals", 1);
	ft_tally_amount(t->budget, t->scale, a, sizeof(a));
	ft_json_put_raw(o, "budget", a, strlen(a));
	ft_tally_amount(t->spent, t->scale, a, sizeof(a));
	ft_json_put_raw(o, "spent", a, strlen(a));
	ft_tally_amount(t->budget - t->spent, t->scale, a, sizeof(a));
	ft_json_put_raw(o, "left", a, strlen(a));
	ft_json_put_int(o, "selected", t->nselected);
	ft_json_put_int(o, "projects", t->np);
	ft_json_put_int(o, "ballots", b->n);
	if (sp->rule == FT_RULE_MES || sp->rule == FT_RULE_MES_ADD1) {
		ft_tally_amount(t->per_voter, t->scale, a, sizeof(a));
		ft_json_put_raw(o, "per_voter", a, strlen(a));
	}
	ft_json_put_str(o, "digest", b->hex, strlen(b->hex));
	if (provisional)
		ft_json_put_bool(o, "provisional", 1);
	ft_buf_adds(o, "}\n");
}

static int
compare(struct run *u, const struct plist *p, const struct bset *b, int scale)
{
	struct spec sp[8];
	struct ft_tally t[8];
	int *order[8], n = 0, i, k, st = 0, counted = 0;
	const char *s = u->o->compare;
	struct ft_buf *o = &u->run.out.buf;
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
		return vote_usage_error("--compare: no rule named");
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

		round_open(u, o);
		ft_json_put_str(o, "project", q->id, strlen(q->id));
		ft_json_put_str(o, "name", q->name, strlen(q->name));
		ft_tally_amount(q->cost, scale, a, sizeof(a));
		ft_json_put_raw(o, "cost", a, strlen(a));
		ft_json_put_int(o, "votes", q->votes);
		ft_json_put_int(o, "score", (long long)q->score);
		/* Keyed by the rule's text: a rule name and its options, all
		 * plain ASCII that needs no escape. */
		for (i = 0; i < n; i++) {
			ft_json_put_bool(o, sp[i].text, t[i].p[x].selected);
			differs |= t[i].p[x].selected != q->selected;
		}
		ft_json_put_bool(o, "differs", differs);
		ft_buf_adds(o, "}\n");
	}
	if (u->o->totals)
		for (i = 0; i < n; i++) {
			round_open(u, o);
			spec_fields(o, &sp[i]);
			ft_json_put_bool(o, "totals", 1);
			ft_tally_amount(t[i].spent, scale, a, sizeof(a));
			ft_json_put_raw(o, "spent", a, strlen(a));
			ft_tally_amount(t[i].budget - t[i].spent, scale, a,
					sizeof(a));
			ft_json_put_raw(o, "left", a, strlen(a));
			ft_json_put_int(o, "selected", t[i].nselected);
			ft_json_put_int(o, "ballots", b->n);
			ft_json_put_str(o, "digest", b->hex, strlen(b->hex));
			ft_buf_adds(o, "}\n");
		}
	ft_hold_print(&u->run.out);
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
			 "(--force to count anyway)",
			 u->r.f[R_ID], u->r.f[R_CLOSES]);
		return FT_TEMPFAIL;
	}
	ft_warn("round %s has not closed (it closes at %s): this count "
		"is provisional and is not kept",
		ft_q(u->r.f[R_ID]), u->r.f[R_CLOSES]);
	*provisional = 1;
	return FT_OK;
}

int
ft_vote_tally(struct ft_db *db, const struct ft_vote_opts *o, const char *round)
{
	struct run u;
	struct plist p;
	struct bset b;
	struct spec sp;
	struct ft_tally t;
	struct ft_buf res = FT_BUF_INIT;
	int *order = NULL, st, provisional, scale, counted = 0;
	char now[FT_TIME_LEN];

	vote_run_init(&u, db, o);
	memset(&p, 0, sizeof(p));
	memset(&b, 0, sizeof(b));
	if ((st = vote_load_round(&u, round, 0)) ||
	    (st = closed(&u, &provisional)))
		goto out;
	if (!o->compare && (st = spec_make(&u, &sp, o->rule, o->complete,
					   o->threshold, o->tiebreak)))
		goto out;
	/* A count that is kept reads the ballots in the transaction that
	 * keeps it: no ballot comes in between (see cast's freeze). */
	if (!provisional && !o->dry_run && !o->compare &&
	    (st = ft_db_begin_write(db)))
		goto out;
	if ((st = vote_plist_load(&u, &p)) || (st = bset_load(&u, &p, &b)))
		goto out;
	scale = vote_round_scale(&u, &p);
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
	result_text(&u, &t, order, &sp, &b, o->totals, provisional,
		    &u.run.out.buf);
	/* Printed once kept: a count that could not be stored is not a
	 * result. */
	if (!provisional && !o->dry_run) {
		struct ft_store_vote_tally k;
		int kept;

		memset(&k, 0, sizeof(k));
		k.round = round;
		k.rule = sp.text;
		k.ballots = b.n;
		k.digest = b.hex;
		k.result = res.s;
		if ((st = ft_store_vote_tally_kept(u.vs, &k, &kept)))
			goto out;
		if (!kept) {
			k.counted_at = vote_fmt_time(ft_time_now(), now);
			if ((st = ft_store_vote_tally_add(u.vs, &k)))
				goto out;
		}
		if ((st = ft_db_commit(db)))
			goto out;
	}
	vote_flush(&u);
	if (!o->quiet && !st)
		ft_warn("%s: %s: %d of %d projects selected, %ld ballot%s, "
			"digest %.12s",
			round, sp.text, t.nselected, t.np, b.n,
			b.n == 1 ? "" : "s", b.hex);
out:
	if (counted)
		ft_tally_release(&t);
	ft_db_rollback(db);
	free(order);
	ft_buf_release(&res);
	bset_release(&b);
	vote_plist_release(&p);
	return vote_run_release(&u, st);
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
				ft_buf_adds(&line,
					    m && d.text.s[m->val] == 't' ?
						    "\tselected" :
						    "\tnot selected");
			} else if (ft_json_member_text(&d, "spent", &v) > 0) {
				ft_buf_adds(&line, "\tspent ");
				ft_buf_add(&line, v.s, v.len);
			}
			if (line.len) {
				if (n == cap) {
					cap = cap ? 2 * cap : 64;
					lines = ft_xrealloc(
						lines,
						(size_t)cap * sizeof(*lines));
				}
				lines[n++] = ft_buf_detach(&line, NULL);
			}
			ft_buf_release(&line);
		}
		p = e ? e + 1 : NULL;
	}
	/* With no line, lines is NULL, which qsort(3) must not be given. */
	if (n > 0)
		qsort(lines, (size_t)n, sizeof(*lines), vote_str_cmp);
	for (i = 0; i < n; i++) {
		ft_buf_adds(out, lines[i]);
		ft_buf_addc(out, '\n');
		free(lines[i]);
	}
	free(lines);
	ft_buf_release(&v);
	ft_json_doc_release(&d);
}

/* What ft_vote_recount() recounts with, and what it found so far. */
struct recount {
	struct run *u;
	const char *round;
	const struct plist *p;
	const struct bset *b;
	int scale, *order;
	struct ft_buf res;
	long n;
	int differ;
};

/* Recounts the kept count k, and prints whether it is the same. */
static int
recount_one(void *ctx, const struct ft_store_vote_tally *k)
{
	struct recount *c = ctx;
	struct run *u = c->u;
	const struct bset *b = c->b;
	const char *round = c->round, *rule = k->rule, *dg = k->digest;
	struct ft_buf *o = &u->run.out.buf;
	long id = (long)k->tally;
	struct spec sp;
	struct ft_tally t;
	int st, same;

	c->n++;
	if ((st = spec_parse(u, &sp, rule)))
		return st;
	if ((st = count(u, c->p, b, c->scale, &sp, &t, c->order))) {
		ft_tally_release(&t);
		return st;
	}
	ft_buf_reset(&c->res);
	result_text(u, &t, c->order, &sp, b, 1, 0, &c->res);
	/* The outcome, not the text: a later version may word the
	 * reasons or order the members otherwise. */
	outcome_of(k->result, &u->c);
	outcome_of(c->res.s, &u->d);
	same = !strcmp(dg, b->hex) && !strcmp(u->c.s, u->d.s);
	if (!same) {
		c->differ++;
		ft_error("round %s: count %ld (%s): the recount "
			 "differs: %s",
			 ft_q(round), id, rule,
			 strcmp(dg, b->hex) ?
				 "the ballots are not the "
				 "ones counted (another digest)" :
				 "another result from the same ballots");
	}
	ft_json_open(o, "round");
	ft_json_escape(o, round, strlen(round));
	ft_json_put_int(o, "tally", id);
	ft_json_put_str(o, "rule", rule, strlen(rule));
	ft_json_put_str(o, "digest", dg, strlen(dg));
	if (!same && strcmp(dg, b->hex))
		ft_json_put_str(o, "now", b->hex, strlen(b->hex));
	ft_json_put_bool(o, "same", same);
	ft_buf_adds(o, "}\n");
	vote_flush(u);
	ft_tally_release(&t);
	return FT_OK;
}

int
ft_vote_recount(struct ft_db *db, const struct ft_vote_opts *o,
		const char *round)
{
	struct run u;
	struct plist p;
	struct bset b;
	struct recount c;
	int st;

	vote_run_init(&u, db, o);
	memset(&p, 0, sizeof(p));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	ft_buf_init(&c.res);
	if ((st = vote_load_round(&u, round, 0)) ||
	    (st = vote_plist_load(&u, &p)) || (st = bset_load(&u, &p, &b)))
		goto out;
	c.u = &u;
	c.round = round;
	c.p = &p;
	c.b = &b;
	c.scale = vote_round_scale(&u, &p);
	c.order = ft_xmalloc(((size_t)p.n + 1) * sizeof(int));
	st = ft_store_vote_tallies_each(u.vs, round, recount_one, &c);
	if (!st && c.differ)
		st = FT_DATAERR;
	if (!st && !o->quiet)
		ft_warn("%s: %ld count%s recounted, all the same", round, c.n,
			c.n == 1 ? "" : "s");
out:
	free(c.order);
	ft_buf_release(&c.res);
	bset_release(&b);
	vote_plist_release(&p);
	return vote_run_release(&u, st);
}
