/*
 * ft_report_warn.c - the warnings report: ft-warn's warnings by level,
 * rule or key, the major ones among them, how fast people answered them
 * (raised to acknowledged) and how many escalated.  The figures are
 * defined in ft-report(1), "The warnings report".
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

static const char *const by_names[FT_SWK_N] = { "level", "rule", "key" };

int
ft_report_warn_by_find(const char *name)
{
	int i;

	for (i = 0; i < FT_SWK_N; i++)
		if (!strcmp(by_names[i], name))
			return i;
	return -1;
}

/* A group's figures; g.by[0] answered within 5, g.by[1] 30 minutes. */
struct warn_group {
	struct ft_rgroup g;
	struct ft_rstat ack; /* the times to answer */
	struct ft_rshare never; /* in: not answered, of all */
	int64_t major, escalated;
};

struct warn_run {
	struct ft_rgroups gs; /* of struct warn_group */
	struct warn_group total;
	int64_t now;
};

static void
count(struct warn_group *g, const struct ft_store_warn_row *w, int64_t now)
{
	g->g.count++;
	g->major += w->major != 0;
	g->escalated += w->escalation > 0;
	if (w->answered != FT_SLA_NONE)
		ft_rstat_add(&g->ack, w->answered - w->raised);
	ft_rshare_count(&g->g.by[0], w->answered, w->raised + 5 * 60, 1, now);
	ft_rshare_count(&g->g.by[1], w->answered, w->raised + 30 * 60, 1, now);
	g->never.n++;
	g->never.in += w->answered == FT_SLA_NONE;
}

static int
add_warning(void *ctx, const struct ft_store_warn_row *w)
{
	struct warn_run *run = ctx;
	struct warn_group *g = (struct warn_group *)(void *)
		ft_rgroups_of(&run->gs, w->key);

	count(g, w, run->now);
	count(&run->total, w, run->now);
	return FT_OK;
}

enum {
	C_KEY,
	C_RANK,
	C_WARNINGS,
	C_MAJOR,
	C_ACK_MED,
	C_ACK_P90,
	C_ACK_5M,
	C_ACK_30M,
	C_NEVER,
	C_ESCALATED,
	C_SMALL,
	C_N
};

static const char *const heads[C_N] = { NULL,	     "rank",	"warnings",
					"major",     "ack_med", "ack_p90",
					"ack_5m",    "ack_30m", "unanswered",
					"escalated", "small" };

static void
set_row(struct ft_rtab *t, size_t r, void *pg)
{
	struct warn_group *g = pg;

	ft_rstat_sort(&g->ack);
	ft_rtab_set_int(t, r, C_WARNINGS, g->g.count);
	ft_rtab_set_int(t, r, C_MAJOR, g->major);
	ft_rtab_set_pct(t, r, C_ACK_MED, &g->ack, 50);
	ft_rtab_set_pct(t, r, C_ACK_P90, &g->ack, 90);
	ft_rtab_set_share(t, r, C_ACK_5M, &g->g.by[0]);
	ft_rtab_set_share(t, r, C_ACK_30M, &g->g.by[1]);
	ft_rtab_set_share(t, r, C_NEVER, &g->never);
	ft_rtab_set_int(t, r, C_ESCALATED, g->escalated);
}

static void
release(void *pg)
{
	struct warn_group *g = pg;

	ft_rstat_release(&g->ack);
}

int
ft_report_warnings(struct ft_db *db, const struct ft_report_opts *o)
{
	struct ft_store_report *s = ft_store_report_open(db);
	struct ft_store_report_sla *ss = ft_store_report_sla_open(db);
	struct ft_store_report_filter f = { o->category, o->unit, o->area,
					    NULL };
	struct warn_run run;
	struct ft_rtab t;
	char from[FT_TIME_LEN], until[FT_TIME_LEN], as_of[FT_TIME_LEN];
	int st;

	memset(&run, 0, sizeof(run));
	run.gs.size = sizeof(struct warn_group);
	run.now = ft_time_now();
	f.as_of = ft_report_as_of(o, as_of);
	ft_rtab_init(&t);
	if ((st = ft_report_unit_known(s, "unit", o->unit)) ||
	    (st = ft_report_unit_known(s, "area", o->area)))
		goto out;
	ft_rtab_ranked_cols(&t, by_names[o->wby], heads, C_N);
	ft_time_format(o->since, from);
	ft_time_format(o->until, until);
	st = ft_store_report_warn_each(ss, &f, from, until, o->major,
				       (enum ft_store_warn_key)o->wby,
				       add_warning, &run);
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
