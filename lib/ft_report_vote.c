/*
 * ft_report_vote.c - the vote report: a participatory-budgeting round's
 * stored count (ft-vote tally) with each project's reason, its summary
 * and digest, its ballots by channel and by area, and the comparison of
 * the rules it was counted under, turnout by area and channel, and the
 * funded projects' progress.  It reads what ft-vote stored and never
 * counts: no voter and no ballot is printed.  See ft-report(1).
 */
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"
#include "ft_report_more.h"
#include "ft_store_report_more.h"
#include "ft_store_report_vote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 8

struct tally {
	int64_t tally, ballots;
	char *rule, *counted_at, *digest, *result;
};

struct vote {
	const struct ft_report_more *m;
	char *name, *budget, *rule; /* the round's */
	char *closes_at, *first; /* its close and first count, or NULL */
	int64_t voters;
	char as_of_buf[FT_TIME_LEN];
	const char *as_of; /* --as-of as a stored time, or NULL */
	struct tally t[MAX_RULES];
	size_t nt;
	char **keep; /* the projects the filters let through; NULL: all */
	size_t nkeep, capkeep;
};

static int
on_round(void *ctx, const struct ft_srm_round *r)
{
	struct vote *v = ctx;

	v->name = ft_report_dup(r->name);
	v->budget = ft_report_dup(r->budget);
	v->rule = ft_report_dup(r->rule);
	v->voters = r->voters;
	v->closes_at = ft_report_dup(r->closes_at);
	v->first = ft_report_dup(r->first_counted_at);
	return FT_OK;
}

static int
on_tally(void *ctx, const struct ft_srm_tally *r)
{
	struct vote *v = ctx;
	struct tally *t;

	if (v->nt == MAX_RULES)
		return FT_OK;
	t = &v->t[v->nt++];
	t->tally = r->tally;
	t->ballots = r->ballots;
	t->rule = ft_report_dup(r->rule);
	t->counted_at = ft_report_dup(r->counted_at);
	t->digest = ft_report_dup(r->digest);
	t->result = ft_report_dup(r->result);
	return FT_OK;
}

static int
on_project(void *ctx, const char *project)
{
	struct vote *v = ctx;

	if (v->nkeep == v->capkeep) {
		v->capkeep = v->capkeep ? 2 * v->capkeep : 64;
		v->keep = ft_xrealloc(v->keep, v->capkeep * sizeof(char *));
	}
	v->keep[v->nkeep++] = ft_xstrdup(project);
	return FT_OK;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the filters let project p through. */
static int
kept(const struct vote *v, const char *p)
{
	return !v->keep || (v->nkeep && bsearch(&p, v->keep, v->nkeep,
						sizeof(char *), str_cmp));
}

/* The count the result and summary are of: --rule's, else the round's
 * rule's, else the first rule's. */
static const struct tally *
chosen(const struct vote *v)
{
	size_t i;

	for (i = 0; v->rule && i < v->nt; i++)
		if (v->t[i].rule && !strcmp(v->t[i].rule, v->rule))
			return &v->t[i];
	return &v->t[0];
}

/*
 * Calls each(ctx, line) for the lines of result, each parsed into d;
 * totals: the totals line only, else the projects' lines.
 */
static void
lines_each(const char *result, int totals, struct ft_json_doc *d,
	   void (*each)(void *ctx, struct ft_json_doc *d), void *ctx)
{
	const char *p = result, *nl, *err;
	size_t errpos;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (ft_json_parse(d, p, nl ? (size_t)(nl - p) : strlen(p), &err,
				  &errpos) ||
		    d->type != '{')
			continue;
		if (!ft_json_get(d, "totals") != !totals)
			continue;
		each(ctx, d);
	}
}

/* Member key of d as text (a string decoded, else as written) into b. */
static const char *
member(const struct ft_json_doc *d, const char *key, struct ft_buf *b)
{
	const struct ft_json_member *mm = ft_json_get(d, key);

	b->len = 0;
	if (!mm)
		return NULL;
	if (d->text.s[mm->val] == '"')
		ft_json_unescape(d->text.s + mm->val, mm->vallen, b);
	else
		ft_buf_add(b, d->text.s + mm->val, mm->vallen);
	ft_buf_addc(b, '\0');
	b->len--;
	return !strcmp(b->s, "null") && d->text.s[mm->val] == 'n' ? NULL : b->s;
}

/* ---- result ---- */

struct result_walk {
	const struct vote *v;
	struct ft_rtab *t;
	struct ft_buf b;
};

static void
result_line(void *ctx, struct ft_json_doc *d)
{
	static const char *const keys[] = { "rank",	"project", "name",
					    "cost",	"votes",   "score",
					    "selected", "reason" };
	struct result_walk *w = ctx;
	const char *s;
	size_t r, k;

	if (!(s = member(d, "project", &w->b)) || !kept(w->v, s))
		return;
	r = ft_rtab_row(w->t, 0);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		s = member(d, keys[k], &w->b);
		if (k == 6 && s)
			ft_rtab_set(w->t, r, (int)k,
				    !strcmp(s, "true") ? "yes" : "no", s);
		else
			ft_rtab_set(w->t, r, (int)k, s, s);
	}
}

static void
result(const struct vote *v, struct ft_rtab *t)
{
	struct result_walk w = { v, t, FT_BUF_INIT };
	struct ft_json_doc d;

	ft_rtab_col(t, "rank", FT_COL_NUM);
	ft_rtab_col(t, "project", 0);
	ft_rtab_col(t, "name", 0);
	ft_rtab_col(t, "cost", FT_COL_NUM);
	ft_rtab_col(t, "votes", FT_COL_NUM);
	ft_rtab_col(t, "score", FT_COL_NUM);
	ft_rtab_col(t, "selected", FT_COL_BARE);
	ft_rtab_col(t, "reason", 0);
	ft_json_doc_init(&d);
	lines_each(chosen(v)->result, 0, &d, result_line, &w);
	ft_json_doc_release(&d);
	ft_buf_release(&w.b);
}

/* ---- summary ---- */

struct summary_walk {
	struct ft_rtab *t;
	struct ft_buf b;
	int64_t ballots;
};

/* A row of the summary: field, and value as text (num: bare in JSON). */
static void
field(struct ft_rtab *t, const char *f, const char *v)
{
	size_t r = ft_rtab_row(t, 0);

	ft_rtab_set(t, r, 0, f, f);
	ft_rtab_set(t, r, 1, v, v);
}

static void
summary_line(void *ctx, struct ft_json_doc *d)
{
	static const char *const keys[] = { "budget", "spent", "left",
					    "selected", "projects" };
	struct summary_walk *w = ctx;
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		field(w->t, keys[k], member(d, keys[k], &w->b));
}

static void
summary(const struct vote *v, struct ft_rtab *t)
{
	const struct tally *c = chosen(v);
	struct summary_walk w = { t, FT_BUF_INIT, c->ballots };
	struct ft_json_doc d;
	char n[32];
	size_t r;

	ft_rtab_col(t, "field", 0);
	ft_rtab_col(t, "value", 0);
	field(t, "round", v->m->round);
	field(t, "name", v->name);
	field(t, "rule", c->rule);
	snprintf(n, sizeof(n), "%lld", (long long)c->tally);
	field(t, "tally", n);
	field(t, "counted_at", c->counted_at);
	ft_json_doc_init(&d);
	lines_each(c->result, 1, &d, summary_line, &w);
	ft_json_doc_release(&d);
	snprintf(n, sizeof(n), "%lld", (long long)c->ballots);
	field(t, "ballots", n);
	snprintf(n, sizeof(n), "%lld", (long long)v->voters);
	field(t, "voters", v->voters ? n : NULL);
	r = ft_rtab_row(t, 0);
	ft_rtab_set(t, r, 0, "turnout_pct", "turnout_pct");
	ft_rset_pct(t, r, 1, c->ballots, v->voters);
	field(t, "digest", c->digest);
	ft_buf_release(&w.b);
}

/* ---- ballots by channel or area ---- */

struct count {
	char *key;
	int64_t n;
};

struct counts {
	struct count *c;
	size_t n, cap;
	int64_t sum;
};

static int
on_count(void *ctx, const char *key, int64_t n)
{
	struct counts *cs = ctx;

	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 16;
		cs->c = ft_xrealloc(cs->c, cs->cap * sizeof(struct count));
	}
	cs->c[cs->n].key = ft_report_dup(key);
	cs->c[cs->n++].n = n;
	cs->sum += n;
	return FT_OK;
}

static int
ballots(struct ft_store_rmore *s, const struct vote *v, struct ft_rtab *t)
{
	struct counts cs = { NULL, 0, 0, 0 };
	int area = v->m->part == FT_PART_AREA, st;
	size_t i, r;

	ft_rtab_col(t, area ? "area" : "channel", 0);
	ft_rtab_col(t, "ballots", FT_COL_NUM);
	ft_rtab_col(t, "share_pct", FT_COL_NUM);
	ft_rank_col_small(t);
	st = ft_store_rmore_ballots_each(s, v->m->round, area, on_count, &cs);
	for (i = 0; !st && i < cs.n; i++) {
		r = ft_rtab_row(t, 0);
		ft_rtab_set(t, r, 0, cs.c[i].key ? cs.c[i].key : "(none)",
			    cs.c[i].key);
		ft_rset_int(t, r, 1, cs.c[i].n);
		ft_rset_pct(t, r, 2, cs.c[i].n, cs.sum);
		ft_rtab_set(t, r, 3, cs.c[i].n < v->m->min_group ? "small" : "",
			    cs.c[i].n < v->m->min_group ? "true" : "false");
	}
	if (!st) {
		r = ft_rank_total(t, 0);
		ft_rset_int(t, r, 1, cs.sum);
		ft_rset_pct(t, r, 2, cs.sum, cs.sum);
	}
	for (i = 0; i < cs.n; i++)
		free(cs.c[i].key);
	free(cs.c);
	return st;
}

/* ---- the rules compared ---- */

struct rules_walk {
	const struct vote *v;
	struct ft_rtab *t;
	size_t rule; /* the count read */
	struct ft_buf b;
};

/* The row of project p in t (column 0), or a new one. */
static size_t
project_row(struct ft_rtab *t, const char *p)
{
	size_t r;

	for (r = 0; r < t->nrow; r++)
		if (t->cells[r * (size_t)t->ncol].raw &&
		    !strcmp(t->cells[r * (size_t)t->ncol].raw, p))
			return r;
	return ft_rtab_row(t, 0);
}

static void
rules_line(void *ctx, struct ft_json_doc *d)
{
	struct rules_walk *w = ctx;
	int col = 4 + (int)w->rule, differs = 5 + (int)w->v->nt - 1;
	const char *s, *first;
	size_t r;
	int k;

	if (!(s = member(d, "project", &w->b)) || !kept(w->v, s))
		return;
	r = project_row(w->t, s);
	if (!w->t->cells[r * (size_t)w->t->ncol].raw) {
		static const char *const keys[] = { "project", "name", "cost",
						    "votes" };

		for (k = 0; k < 4; k++) {
			s = member(d, keys[k], &w->b);
			ft_rtab_set(w->t, r, k, s, s);
		}
		ft_rtab_set(w->t, r, differs, "no", "false");
	}
	s = member(d, "selected", &w->b);
	s = s && !strcmp(s, "true") ? "true" : "false";
	ft_rtab_set(w->t, r, col, !strcmp(s, "true") ? "yes" : "no", s);
	first = w->t->cells[r * (size_t)w->t->ncol + 4].raw;
	if (first && strcmp(first, s))
		ft_rtab_set(w->t, r, differs, "yes", "true");
}

static void
rules(const struct vote *v, struct ft_rtab *t)
{
	struct rules_walk w = { v, t, 0, FT_BUF_INIT };
	struct ft_json_doc d;

	ft_rtab_col(t, "project", 0);
	ft_rtab_col(t, "name", 0);
	ft_rtab_col(t, "cost", FT_COL_NUM);
	ft_rtab_col(t, "votes", FT_COL_NUM);
	for (w.rule = 0; w.rule < v->nt; w.rule++)
		ft_rtab_col(t, v->t[w.rule].rule, FT_COL_BARE);
	ft_rtab_col(t, "differs", FT_COL_BARE);
	ft_json_doc_init(&d);
	for (w.rule = 0; w.rule < v->nt; w.rule++)
		lines_each(v->t[w.rule].result, 0, &d, rules_line, &w);
	ft_json_doc_release(&d);
	ft_buf_release(&w.b);
}

/* ---- turnout by area and channel ---- */

struct turnout_walk {
	const struct vote *v;
	struct ft_rtab *t;
};

static int
on_turnout(void *ctx, const struct ft_srv_turnout *r)
{
	struct turnout_walk *w = ctx;
	struct ft_rtab *t = w->t;
	int small = r->voters < w->v->m->min_group;
	size_t row = ft_rtab_row(t, 0);

	ft_rtab_set(t, row, 0, r->area ? r->area : "(none)", r->area);
	ft_rtab_set(t, row, 1, r->name, r->name);
	ft_rtab_set(t, row, 2, r->kind, r->kind);
	ft_rtab_set(t, row, 3, r->channel ? r->channel : "all",
		    r->channel ? r->channel : "all");
	ft_rset_int(t, row, 4, r->voters);
	ft_rset_int(t, row, 5, r->ballots);
	ft_rset_pct(t, row, 6, r->ballots, r->voters);
	ft_rtab_set(t, row, 7, small ? "small" : "", small ? "true" : "false");
	return FT_OK;
}

/* No total row: the areas nest, a sum would count a voter again. */
static int
turnout(struct ft_db *db, const struct vote *v, struct ft_rtab *t)
{
	struct ft_store_rvote *s = ft_store_rvote_open(db);
	struct turnout_walk w = { v, t };
	int st;

	ft_rtab_col(t, "area", 0);
	ft_rtab_col(t, "name", 0);
	ft_rtab_col(t, "kind", 0);
	ft_rtab_col(t, "channel", 0);
	ft_rtab_col(t, "voters", FT_COL_NUM);
	ft_rtab_col(t, "ballots", FT_COL_NUM);
	ft_rtab_col(t, "turnout_pct", FT_COL_NUM);
	ft_rank_col_small(t);
	st = ft_store_rvote_turnout_each(s, v->m->round, v->m->o->area,
					 v->m->o->level, on_turnout, &w);
	ft_store_rvote_close(s);
	return st;
}

/* ---- the funded projects' progress ---- */

struct step {
	char *project, *at, *stage, *note;
	int percent;
};

struct steps {
	struct step *s;
	size_t n, cap;
};

static int
on_step(void *ctx, const struct ft_srv_progress *r)
{
	struct steps *ss = ctx;
	struct step *p;

	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? 2 * ss->cap : 16;
		ss->s = ft_xrealloc(ss->s, ss->cap * sizeof(struct step));
	}
	p = &ss->s[ss->n++];
	p->project = ft_report_dup(r->project);
	p->at = ft_report_dup(r->at);
	p->stage = ft_report_dup(r->stage);
	p->note = ft_report_dup(r->note);
	p->percent = r->percent;
	return FT_OK;
}

struct progress_walk {
	const struct vote *v;
	struct ft_rtab *t;
	const struct steps *ss;
	struct ft_buf b, name;
};

/* The rows of a funded project of the count: a row for each step, the
 * newest marked latest; one row without a step when it has none. */
static void
progress_line(void *ctx, struct ft_json_doc *d)
{
	struct progress_walk *w = ctx;
	struct ft_rtab *t = w->t;
	const char *p, *sel = member(d, "selected", &w->b);
	size_t i, row, last = (size_t)-1;
	char pct[8];
	int any = 0;

	if (!sel || strcmp(sel, "true"))
		return;
	member(d, "name", &w->name);
	if (!(p = member(d, "project", &w->b)) || !kept(w->v, p))
		return;
	for (i = 0; i < w->ss->n; i++)
		if (!strcmp(w->ss->s[i].project, p))
			last = i;
	for (i = 0; i < w->ss->n || !any; i++) {
		const struct step *s = i < w->ss->n ? &w->ss->s[i] : NULL;

		if (s && strcmp(s->project, p))
			continue;
		any = 1;
		row = ft_rtab_row(t, 0);
		ft_rtab_set(t, row, 0, p, p);
		ft_rtab_set(t, row, 1, w->name.len ? w->name.s : NULL,
			    w->name.len ? w->name.s : NULL);
		if (!s) {
			ft_rtab_set(t, row, 6, "no", "false");
			break;
		}
		ft_rtab_set(t, row, 2, s->at, s->at);
		ft_rtab_set(t, row, 3, s->stage, s->stage);
		snprintf(pct, sizeof(pct), "%d", s->percent);
		ft_rtab_set(t, row, 4, s->percent < 0 ? NULL : pct,
			    s->percent < 0 ? NULL : pct);
		ft_rtab_set(t, row, 5, s->note, s->note);
		ft_rtab_set(t, row, 6, i == last ? "yes" : "no",
			    i == last ? "true" : "false");
	}
}

static int
progress(struct ft_db *db, const struct vote *v, struct ft_rtab *t)
{
	struct ft_store_rvote *s = ft_store_rvote_open(db);
	struct steps ss = { NULL, 0, 0 };
	struct progress_walk w = { v, t, &ss, FT_BUF_INIT, FT_BUF_INIT };
	struct ft_json_doc d;
	size_t i;
	int st;

	ft_rtab_col(t, "project", 0);
	ft_rtab_col(t, "name", 0);
	ft_rtab_col(t, "at", 0);
	ft_rtab_col(t, "stage", 0);
	ft_rtab_col(t, "percent", FT_COL_NUM);
	ft_rtab_col(t, "note", 0);
	ft_rtab_col(t, "latest", FT_COL_BARE);
	st = ft_store_rvote_progress_at(s, v->m->round, v->as_of, on_step, &ss);
	ft_store_rvote_close(s);
	if (!st) {
		ft_json_doc_init(&d);
		lines_each(chosen(v)->result, 0, &d, progress_line, &w);
		ft_json_doc_release(&d);
	}
	for (i = 0; i < ss.n; i++) {
		free(ss.s[i].project);
		free(ss.s[i].at);
		free(ss.s[i].stage);
		free(ss.s[i].note);
	}
	free(ss.s);
	ft_buf_release(&w.b);
	ft_buf_release(&w.name);
	return st;
}

/* ---- the report ---- */

/*
 * With --as-of, whether the ballots (and the voters) of then can be
 * rebuilt: 0, or 66 after the message.  Ballots keep no time (ballot
 * secrecy), so they are known as they stood only once ft-vote cast takes
 * no more: from the round's first stored count on (before it, a ballot
 * dated before the close can still be entered; the first count is kept
 * after the close).  Voters register until the close: a round without
 * one takes voters at any time.
 */
static int
ballots_then(const struct vote *v)
{
	const char *r = v->m->round, *t = v->as_of;
	int voters = v->m->part == FT_PART_SUMMARY ||
		     v->m->part == FT_PART_TURNOUT;

	if (v->closes_at && strcmp(t, v->closes_at) < 0)
		ft_error("vote: --as-of %s is before round %s closed (%s): "
			 "ballots keep no time, so the ballots then cannot be "
			 "rebuilt",
			 t, ft_q(r), v->closes_at);
	else if (!v->first)
		ft_error("vote: --as-of %s: round %s has not been counted: "
			 "ballots keep no time and can be entered until its "
			 "first count, so the ballots then cannot be rebuilt",
			 t, ft_q(r));
	else if (strcmp(t, v->first) < 0)
		ft_error("vote: --as-of %s is before round %s was first "
			 "counted (%s): ballots keep no time and can be "
			 "entered until then, so the ballots then cannot be "
			 "rebuilt",
			 t, ft_q(r), v->first);
	else if (voters && !v->closes_at)
		ft_error("vote: --as-of %s: round %s has no closing time: "
			 "voters keep no time and can register at any time, "
			 "so the voters then cannot be rebuilt",
			 t, ft_q(r));
	else
		return FT_OK;
	return FT_NOINPUT;
}

static int
load(struct ft_store_rmore *s, struct vote *v)
{
	const struct ft_report_more *m = v->m;
	const struct ft_report_opts *o = m->o;
	struct ft_store_report_filter f = { o->category, o->unit, o->area,
					    NULL };
	int found, st;

	if ((st = ft_store_rmore_round(s, m->round, on_round, v, &found)))
		return st;
	if (!found) {
		ft_error("no round %s in the database", ft_q(m->round));
		return FT_NOINPUT;
	}
	if (o->category || o->unit || o->area) {
		v->keep = ft_xmalloc(sizeof(char *));
		v->capkeep = 1;
		if ((st = ft_store_rmore_projects_each(s, m->round, &f,
						       on_project, v)))
			return st;
		qsort(v->keep, v->nkeep, sizeof(char *), str_cmp);
	}
	if (v->as_of &&
	    (m->part == FT_PART_SUMMARY || m->part == FT_PART_CHANNEL ||
	     m->part == FT_PART_AREA || m->part == FT_PART_TURNOUT) &&
	    (st = ballots_then(v)))
		return st;
	if (m->part == FT_PART_CHANNEL || m->part == FT_PART_AREA ||
	    m->part == FT_PART_TURNOUT)
		return FT_OK;
	if ((st = ft_store_rmore_tallies_at(s, m->round, m->rule, v->as_of,
					    on_tally, v)))
		return st;
	if (!v->nt) {
		if (m->rule)
			ft_error("round %s has no count under the rule %s%s%s",
				 ft_q(m->round), ft_q(m->rule),
				 v->as_of ? " by " : "",
				 v->as_of ? v->as_of : "");
		else
			ft_error("round %s has not been counted%s%s (ft-vote "
				 "tally)",
				 ft_q(m->round), v->as_of ? " by " : "",
				 v->as_of ? v->as_of : "");
		return FT_NOINPUT;
	}
	return FT_OK;
}

int
ft_report_vote(struct ft_db *db, const struct ft_report_more *m)
{
	struct ft_store_rmore *s = NULL;
	struct vote v;
	struct ft_rtab t;
	struct ft_buf title = FT_BUF_INIT;
	size_t i;
	int st;

	memset(&v, 0, sizeof(v));
	v.m = m;
	v.as_of = ft_report_as_of(m->o, v.as_of_buf);
	ft_rtab_init(&t);
	if ((st = ft_report_unit_known_db(db, "unit", m->o->unit)) ||
	    (st = ft_report_unit_known_db(db, "area", m->o->area)))
		goto out;
	s = ft_store_rmore_open(db);
	if ((st = load(s, &v)))
		goto out;
	switch (m->part) {
	case FT_PART_RESULT:
		result(&v, &t);
		break;
	case FT_PART_SUMMARY:
		summary(&v, &t);
		break;
	case FT_PART_RULES:
		rules(&v, &t);
		break;
	case FT_PART_TURNOUT:
		st = turnout(db, &v, &t);
		ft_buf_addf(&title, "Turnout of %s by area and channel",
			    v.name ? v.name : m->round);
		t.title = title.s;
		/* Rows of nested areas and channels: no one bar a row. */
		t.chart = FT_RCHART_NONE;
		break;
	case FT_PART_PROGRESS:
		st = progress(db, &v, &t);
		ft_buf_addf(&title, "Progress of the funded projects of %s",
			    v.name ? v.name : m->round);
		t.title = title.s;
		t.chart = FT_RCHART_NONE;
		break;
	default:
		st = ballots(s, &v, &t);
	}
	if (!st)
		ft_report_put(&t, m->o);
out:
	ft_rtab_release(&t);
	ft_buf_release(&title);
	free(v.name);
	free(v.budget);
	free(v.rule);
	free(v.closes_at);
	free(v.first);
	for (i = 0; i < v.nt; i++) {
		free(v.t[i].rule);
		free(v.t[i].counted_at);
		free(v.t[i].digest);
		free(v.t[i].result);
	}
	for (i = 0; i < v.nkeep; i++)
		free(v.keep[i]);
	free(v.keep);
	ft_store_rmore_close(s);
	return st;
}
