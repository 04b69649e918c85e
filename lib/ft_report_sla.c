/*
 * ft_report_sla.c - the sla report: by unit, category or area, how fast
 * cases were accepted and resolved against their deadlines, what is
 * overdue now, escalated, reopened, how cases ended and how residents
 * rated them.  The figures are defined in ft-report(1), "The sla
 * report"; this file is their one implementation.
 */
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_report.h"
#include "ft_report_stat.h"
#include "ft_store_report.h"
#include "ft_store_report_sla.h"
#include "ft_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A group's figures; g.by[0] resolved, g.by[1] accepted within deadline. */
struct sla_group {
	struct ft_rgroup g;
	struct ft_rstat acc, res; /* the times to accept, to resolve */
	struct ft_rshare acc5, acc30, satisfied;
	int64_t overdue, escalated, reopened, fixed, not_fixed, rating_sum;
};

struct sla_run {
	struct ft_rgroups gs; /* of struct sla_group */
	struct sla_group total;
	int64_t now;
};

static int
is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

/* Counts case c into g. */
static void
count(struct sla_group *g, const struct ft_store_sla_case *c, int64_t now)
{
	int open = is(c->status, "dispatched") || is(c->status, "accepted") ||
		   is(c->status, "reopened");
	int64_t acc = c->accepted, res = FT_SLA_NONE;

	if (c->resolved != FT_SLA_NONE &&
	    (is(c->status, "resolved") ||
	     (is(c->status, "closed") && is(c->outcome, "fixed"))))
		res = c->resolved;
	g->g.count++;
	if (acc != FT_SLA_NONE)
		ft_rstat_add(&g->acc, acc - c->reported);
	if (res != FT_SLA_NONE)
		ft_rstat_add(&g->res, res - c->reported);
	if (c->resolve_by != FT_SLA_NONE)
		ft_rshare_count(&g->g.by[0], res, c->resolve_by, open, now);
	if (c->respond_by != FT_SLA_NONE)
		ft_rshare_count(&g->g.by[1], acc, c->respond_by, open, now);
	ft_rshare_count(&g->acc5, acc, c->reported + 5 * 60, open, now);
	ft_rshare_count(&g->acc30, acc, c->reported + 30 * 60, open, now);
	if (open && ((c->resolve_by != FT_SLA_NONE && c->resolve_by < now) ||
		     (acc == FT_SLA_NONE && c->respond_by != FT_SLA_NONE &&
		      c->respond_by < now)))
		g->overdue++;
	g->escalated += c->escalation > 0;
	g->reopened += c->reopened != 0;
	g->fixed += is(c->outcome, "fixed");
	g->not_fixed += is(c->outcome, "not fixed");
	if (c->rating > 0) {
		g->satisfied.n++;
		g->satisfied.in += c->rating >= 4;
		g->rating_sum += c->rating;
	}
}

static int
add_case(void *ctx, const struct ft_store_sla_case *c)
{
	struct sla_run *run = ctx;
	struct sla_group *g = (struct sla_group *)(void *)
		ft_rgroups_of(&run->gs, c->key);

	count(g, c, run->now);
	count(&run->total, c, run->now);
	return FT_OK;
}

enum {
	C_KEY,
	C_RANK,
	C_CASES,
	C_ACC_MED,
	C_ACC_P90,
	C_ACC_DUE,
	C_ACC_5M,
	C_ACC_30M,
	C_RES_MED,
	C_RES_P90,
	C_RES_DUE,
	C_OVERDUE,
	C_ESCALATED,
	C_REOPENED,
	C_FIXED,
	C_NOT_FIXED,
	C_RATED,
	C_RATING,
	C_SATISFIED,
	C_SMALL,
	C_N
};

static const char *const heads[C_N] = {
	NULL,	       "rank",	    "cases",	  "accept_med",	 "accept_p90",
	"accept_due",  "accept_5m", "accept_30m", "resolve_med", "resolve_p90",
	"resolve_due", "overdue",   "escalated",  "reopened",	 "fixed",
	"not_fixed",   "rated",	    "rating",	  "satisfied",	 "small"
};

/* The cells of g in row r. */
static void
set_row(struct ft_rtab *t, size_t r, void *pg)
{
	struct sla_group *g = pg;

	ft_rstat_sort(&g->acc);
	ft_rstat_sort(&g->res);
	ft_rtab_set_int(t, r, C_CASES, g->g.count);
	ft_rtab_set_pct(t, r, C_ACC_MED, &g->acc, 50);
	ft_rtab_set_pct(t, r, C_ACC_P90, &g->acc, 90);
	ft_rtab_set_share(t, r, C_ACC_DUE, &g->g.by[1]);
	ft_rtab_set_share(t, r, C_ACC_5M, &g->acc5);
	ft_rtab_set_share(t, r, C_ACC_30M, &g->acc30);
	ft_rtab_set_pct(t, r, C_RES_MED, &g->res, 50);
	ft_rtab_set_pct(t, r, C_RES_P90, &g->res, 90);
	ft_rtab_set_share(t, r, C_RES_DUE, &g->g.by[0]);
	ft_rtab_set_int(t, r, C_OVERDUE, g->overdue);
	ft_rtab_set_int(t, r, C_ESCALATED, g->escalated);
	ft_rtab_set_int(t, r, C_REOPENED, g->reopened);
	ft_rtab_set_int(t, r, C_FIXED, g->fixed);
	ft_rtab_set_int(t, r, C_NOT_FIXED, g->not_fixed);
	ft_rtab_set_int(t, r, C_RATED, g->satisfied.n);
	ft_rtab_set_mean(t, r, C_RATING, g->rating_sum, g->satisfied.n);
	ft_rtab_set_share(t, r, C_SATISFIED, &g->satisfied);
}

static void
release(void *pg)
{
	struct sla_group *g = pg;

	ft_rstat_release(&g->acc);
	ft_rstat_release(&g->res);
}

int
ft_report_sla(struct ft_db *db, const struct ft_report_opts *o)
{
	static const enum ft_store_report_key keys[FT_BY_N] = {
		[FT_BY_CATEGORY] = FT_SRK_CATEGORY,
		[FT_BY_UNIT] = FT_SRK_UNIT,
		[FT_BY_AREA] = FT_SRK_AREA
	};
	struct ft_store_report *s = ft_store_report_open(db);
	struct ft_store_report_sla *ss = ft_store_report_sla_open(db);
	struct ft_store_report_filter f = { o->category, o->unit, o->area,
					    NULL };
	struct sla_run run;
	struct ft_rtab t;
	char from[FT_TIME_LEN], until[FT_TIME_LEN], as_of[FT_TIME_LEN];
	int st;

	memset(&run, 0, sizeof(run));
	run.gs.size = sizeof(struct sla_group);
	run.now = ft_time_now();
	f.as_of = ft_report_as_of(o, as_of);
	ft_rtab_init(&t);
	if ((st = ft_report_unit_known(s, "unit", o->unit)) ||
	    (st = ft_report_unit_known(s, "area", o->area)))
		goto out;
	ft_rtab_ranked_cols(&t,
			    o->by == FT_BY_AREA && o->level ?
				    o->level :
				    ft_report_by_names[o->by],
			    heads, C_N);
	ft_time_format(o->since, from);
	ft_time_format(o->until, until);
	st = ft_store_report_sla_each(ss, &f, from, until, keys[o->by],
				      o->level, add_case, &run);
	/* HTML: the bars of units and areas by their names. */
	if (o->by == FT_BY_UNIT || o->by == FT_BY_AREA)
		t.names_db = db;
	if (!st)
		ft_rtab_ranked_print(&t, &run.gs, &run.total, o, set_row);
out:
	ft_rgroups_release(&run.gs, release);
	release(&run.total);
	ft_rtab_release(&t);
	ft_store_report_sla_close(ss);
	ft_store_report_close(s);
	return st;
}
