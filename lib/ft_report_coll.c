/*
 * ft_report_coll.c - the collectors report: the patrol reports (source
 * "patrol") of each grid-information collector and firm, and what became
 * of them.  A collector is shown by a pseudonym, never by its reporter:
 * see ft_store_rmore_collectors_each() and ft-report(1).
 */
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_report_more.h"
#include "ft_store_report_more.h"
#include "ft_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct coll {
	struct ft_srm_coll c; /* firm owned */
	char key[48]; /* "C7", or none */
	char *sort; /* the order of equals: collector, then firm */
};

struct colls {
	struct coll *c;
	size_t n, cap;
};

static int
add_coll(void *ctx, const struct ft_srm_coll *r)
{
	struct colls *cs = ctx;
	struct coll *c;
	struct ft_buf b = FT_BUF_INIT;

	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 64;
		cs->c = ft_xrealloc(cs->c, cs->cap * sizeof(struct coll));
	}
	c = &cs->c[cs->n++];
	c->c = *r;
	c->c.firm = r->firm ? ft_xstrdup(r->firm) : NULL;
	c->key[0] = '\0';
	if (r->collector)
		snprintf(c->key, sizeof(c->key), "C%lld",
			 (long long)r->collector);
	/* Numbers as 20 digits sort as numbers; no firm before a firm. */
	ft_buf_addf(&b, "%020lld%c%s", (long long)r->collector,
		    r->firm ? '\x02' : '\x01', r->firm ? r->firm : "");
	c->sort = ft_buf_detach(&b, NULL);
	return FT_OK;
}

enum {
	C_RANK,
	C_COLLECTOR
};

/* The count columns, after the keys: their first index. */
static int
columns(struct ft_rtab *t, enum ft_report_per per)
{
	int first;

	ft_rank_col_rank(t);
	if (per == FT_PER_COLLECTOR)
		ft_rtab_col(t, "collector", 0);
	ft_rtab_col(t, "firm", 0);
	first = ft_rtab_col(t, "submitted", FT_COL_NUM);
	ft_rtab_col(t, "accepted", FT_COL_NUM);
	ft_rtab_col(t, "duplicates", FT_COL_NUM);
	ft_rtab_col(t, "rejected", FT_COL_NUM);
	ft_rtab_col(t, "resolved", FT_COL_NUM);
	ft_rtab_col(t, "resolved_pct", FT_COL_NUM);
	ft_rank_col_small(t);
	return first;
}

static void
set_counts(struct ft_rtab *t, size_t r, int col, const struct ft_srm_coll *c)
{
	ft_rset_int(t, r, col, c->submitted);
	ft_rset_int(t, r, col + 1, c->accepted);
	ft_rset_int(t, r, col + 2, c->duplicates);
	ft_rset_int(t, r, col + 3, c->rejected);
	ft_rset_int(t, r, col + 4, c->resolved);
	ft_rset_pct(t, r, col + 5, c->resolved, c->submitted);
}

static void
fill(struct ft_rtab *t, struct colls *cs, const struct ft_report_more *m)
{
	struct ft_rank *rk = ft_xmalloc((cs->n + 1) * sizeof(struct ft_rank));
	struct ft_srm_coll sum = { 0, NULL, 0, 0, 0, 0, 0 };
	int first = columns(t, m->per), small = t->ncol - 1;
	int firm = first - 1;
	const struct coll *c;
	size_t i, r;

	for (i = 0; i < cs->n; i++) {
		c = &cs->c[i];
		rk[i].idx = i;
		rk[i].size = c->c.submitted;
		rk[i].measure = c->c.submitted ?
					(double)c->c.resolved /
						(double)c->c.submitted :
					0;
		rk[i].key = c->sort;
	}
	ft_rank_order(rk, cs->n, m->min_group);
	for (i = 0; i < cs->n; i++) {
		c = &cs->c[rk[i].idx];
		r = ft_rtab_row(t, 0);
		ft_rank_set(t, r, C_RANK, small, &rk[i]);
		if (m->per == FT_PER_COLLECTOR)
			ft_rtab_set(t, r, C_COLLECTOR,
				    c->key[0] ? c->key : "(none)",
				    c->key[0] ? c->key : NULL);
		ft_rtab_set(t, r, firm, c->c.firm ? c->c.firm : "(none)",
			    c->c.firm);
		set_counts(t, r, first, &c->c);
		sum.submitted += c->c.submitted;
		sum.accepted += c->c.accepted;
		sum.duplicates += c->c.duplicates;
		sum.rejected += c->c.rejected;
		sum.resolved += c->c.resolved;
	}
	r = ft_rank_total(t, C_RANK + 1);
	set_counts(t, r, first, &sum);
	free(rk);
}

int
ft_report_collectors(struct ft_db *db, const struct ft_report_more *m)
{
	struct ft_report_scope sc;
	struct ft_store_rmore *s = NULL;
	struct colls cs = { NULL, 0, 0 };
	struct ft_rtab t;
	size_t i;
	int st;

	ft_rtab_init(&t);
	if ((st = ft_report_scope(db, m->o, &sc)))
		goto out;
	s = ft_store_rmore_open(db);
	if ((st = ft_store_rmore_collectors_each(s, &sc.f, sc.from, sc.until,
						 m->per == FT_PER_FIRM,
						 add_coll, &cs)))
		goto out;
	fill(&t, &cs, m);
	ft_report_put(&t, m->o);
out:
	for (i = 0; i < cs.n; i++) {
		free((char *)cs.c[i].c.firm);
		free(cs.c[i].sort);
	}
	free(cs.c);
	ft_rtab_release(&t);
	ft_store_rmore_close(s);
	return st;
}
