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
	void *base; /* the groups, struct warn_group */
	size_t n, cap;
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

/* Group i of run. */
static struct warn_group *
grp(struct warn_run *run, size_t i)
{
	return (struct warn_group *)run->base + i;
}

static int
add_warning(void *ctx, const struct ft_store_warn_row *w)
{
	struct warn_run *run = ctx;
	struct warn_group *g = (struct warn_group *)(void *)
		ft_rgroup_of(&run->base, &run->n, &run->cap,
			     sizeof(struct warn_group), w->key);

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
set_row(struct ft_rtab *t, size_t r, struct warn_group *g)
{
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
release(struct warn_group *g)
{
	free(g->g.key);
	ft_rstat_release(&g->ack);
}

int
ft_report_warnings(struct ft_db *db, const struct ft_report_opts *o)
{
	struct ft_store_report *s = ft_store_report_open(db);
	struct ft_store_report_sla *ss = ft_store_report_sla_open(db);
	struct ft_store_report_filter f = { o->category, o->unit, o->area };
	struct warn_run run;
	struct ft_rtab t;
	struct ft_buf out = FT_BUF_INIT;
	char from[FT_TIME_LEN], until[FT_TIME_LEN];
	size_t i, r;
	int st, c;

	memset(&run, 0, sizeof(run));
	run.now = ft_time_now();
	ft_rtab_init(&t);
	if ((st = ft_report_unit_known(s, "unit", o->unit)) ||
	    (st = ft_report_unit_known(s, "area", o->area)))
		goto out;
	for (c = 0; c < C_N; c++)
		ft_rtab_col(&t, c == C_KEY ? by_names[o->wby] : heads[c],
			    c == C_KEY	 ? 0 :
			    c == C_SMALL ? FT_COL_NUM | FT_COL_JSON :
					   FT_COL_NUM);
	ft_time_format(o->since, from);
	ft_time_format(o->until, until);
	if ((st = ft_store_report_warn_each(ss, &f, from, until, o->major,
					    (enum ft_store_warn_key)o->wby,
					    add_warning, &run)))
		goto out;
	ft_report_rank(run.base, run.n, sizeof(struct warn_group),
		       o->min_group);
	for (i = 0; i < run.n; i++) {
		r = ft_rtab_row(&t, 0);
		ft_rtab_set_group(&t, r, &grp(&run, i)->g, C_RANK, C_SMALL);
		set_row(&t, r, grp(&run, i));
	}
	r = ft_rtab_row(&t, 1);
	ft_rtab_set(&t, r, C_KEY, "total", NULL);
	set_row(&t, r, &run.total);
	if (o->no_output)
		goto out;
	ft_rtab_print(&t, o->format, &out);
	if (fwrite(out.s, 1, out.len, stdout) != out.len)
		ft_stdout_failed(errno);
out:
	for (i = 0; i < run.n; i++)
		release(grp(&run, i));
	release(&run.total);
	free(run.base);
	ft_buf_release(&out);
	ft_rtab_release(&t);
	ft_store_report_sla_close(ss);
	ft_store_report_close(s);
	return st;
}
