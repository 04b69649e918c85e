/*
 * ft_report_svc.c - the services report: the government services that
 * property offices handle as proxies, per proxy point and service:
 * requests, time to completion, residents' ratings.  A request is an
 * event of source "proxy", its point the facility it names, its service
 * its category, completed when it is first resolved.  See ft-report(1).
 */
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_report_more.h"
#include "ft_store_report_more.h"
#include "ft_time.h"

#include <stdlib.h>
#include <string.h>

/* Times to completion, in seconds, in ascending order once sorted. */
struct secs {
	int64_t *v;
	size_t n, cap;
};

static void
secs_add(struct secs *s, int64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = ft_xrealloc(s->v, s->cap * sizeof(int64_t));
	}
	s->v[s->n++] = v;
}

/* The nearest-rank pct-th percentile of sorted s; s->n > 0. */
static int64_t
secs_pct(const struct secs *s, unsigned pct)
{
	size_t k = (s->n * pct + 99) / 100;

	return s->v[k ? k - 1 : 0];
}

struct svc {
	char *point, *name, *service;
	int64_t requests, ratings, rating_sum, satisfied;
	struct secs done;
	char *sort;
};

struct svcs {
	struct svc *s;
	size_t n, cap;
};

static int
same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static int
add_req(void *ctx, const struct ft_srm_req *r)
{
	struct svcs *ss = ctx;
	struct svc *s;
	struct ft_buf b = FT_BUF_INIT;

	if (ss->s && ss->n && same(ss->s[ss->n - 1].point, r->point) &&
	    same(ss->s[ss->n - 1].service, r->service)) {
		s = &ss->s[ss->n - 1];
	} else {
		if (!ss->s || ss->n == ss->cap) {
			ss->cap = ss->cap ? 2 * ss->cap : 64;
			ss->s = ft_xrealloc(ss->s,
					    ss->cap * sizeof(struct svc));
		}
		s = &ss->s[ss->n++];
		memset(s, 0, sizeof(*s));
		s->point = ft_report_dup(r->point);
		s->name = ft_report_dup(r->point_name);
		s->service = ft_report_dup(r->service);
		/* None first, then by bytes: point, then service. */
		ft_buf_addf(&b, "%c%s%c%c%s", r->point ? '\x02' : '\x01',
			    r->point ? r->point : "", '\x01',
			    r->service ? '\x02' : '\x01',
			    r->service ? r->service : "");
		s->sort = ft_buf_detach(&b, NULL);
	}
	s->requests++;
	if (r->secs >= 0)
		secs_add(&s->done, r->secs);
	if (r->rating > 0) {
		s->ratings++;
		s->rating_sum += r->rating;
		s->satisfied += r->rating >= 4;
	}
	return FT_OK;
}

enum {
	C_RANK,
	C_POINT,
	C_NAME,
	C_SERVICE,
	C_REQUESTS,
	C_DONE,
	C_MEDIAN,
	C_P90,
	C_RATINGS,
	C_MEAN,
	C_SATISFIED,
	C_SMALL
};

static void
columns(struct ft_rtab *t)
{
	ft_rank_col_rank(t);
	ft_rtab_col(t, "point", 0);
	ft_rtab_col(t, "name", 0);
	ft_rtab_col(t, "service", 0);
	ft_rtab_col(t, "requests", FT_COL_NUM);
	ft_rtab_col(t, "completed", FT_COL_NUM);
	ft_rtab_col(t, "median_hours", FT_COL_NUM);
	ft_rtab_col(t, "p90_hours", FT_COL_NUM);
	ft_rtab_col(t, "ratings", FT_COL_NUM);
	ft_rtab_col(t, "rating_mean", FT_COL_NUM);
	ft_rtab_col(t, "satisfied_pct", FT_COL_NUM);
	ft_rank_col_small(t);
}

static void
set_counts(struct ft_rtab *t, size_t r, const struct svc *s)
{
	ft_rset_int(t, r, C_REQUESTS, s->requests);
	ft_rset_int(t, r, C_DONE, (int64_t)s->done.n);
	if (s->done.n) {
		ft_rset_dec(t, r, C_MEDIAN,
			    (double)secs_pct(&s->done, 50) / 3600.0, 1);
		ft_rset_dec(t, r, C_P90,
			    (double)secs_pct(&s->done, 90) / 3600.0, 1);
	}
	ft_rset_int(t, r, C_RATINGS, s->ratings);
	if (s->ratings)
		ft_rset_dec(t, r, C_MEAN,
			    (double)s->rating_sum / (double)s->ratings, 2);
	ft_rset_pct(t, r, C_SATISFIED, s->satisfied, s->ratings);
}

static int
by_secs(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
fill(struct ft_rtab *t, struct svcs *ss, int64_t min_group)
{
	struct ft_rank *rk = ft_xmalloc((ss->n + 1) * sizeof(struct ft_rank));
	struct svc sum;
	const struct svc *s;
	size_t i, k, r;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < ss->n; i++) {
		rk[i].idx = i;
		rk[i].size = ss->s[i].requests;
		rk[i].measure = (double)ss->s[i].requests;
		rk[i].key = ss->s[i].sort;
	}
	ft_rank_order(rk, ss->n, min_group);
	for (i = 0; i < ss->n; i++) {
		s = &ss->s[rk[i].idx];
		r = ft_rtab_row(t, 0);
		ft_rank_set(t, r, C_RANK, C_SMALL, &rk[i]);
		ft_rtab_set(t, r, C_POINT, s->point ? s->point : "(none)",
			    s->point);
		ft_rtab_set(t, r, C_NAME, s->name, s->name);
		ft_rtab_set(t, r, C_SERVICE, s->service, s->service);
		set_counts(t, r, s);
		sum.requests += s->requests;
		sum.ratings += s->ratings;
		sum.rating_sum += s->rating_sum;
		sum.satisfied += s->satisfied;
		for (k = 0; k < s->done.n; k++)
			secs_add(&sum.done, s->done.v[k]);
	}
	if (sum.done.n)
		qsort(sum.done.v, sum.done.n, sizeof(int64_t), by_secs);
	r = ft_rank_total(t, C_POINT);
	set_counts(t, r, &sum);
	free(sum.done.v);
	free(rk);
}

int
ft_report_services(struct ft_db *db, const struct ft_report_more *m)
{
	struct ft_report_scope sc;
	struct ft_store_rmore *s = NULL;
	struct svcs ss = { NULL, 0, 0 };
	struct ft_rtab t;
	size_t i;
	int st;

	ft_rtab_init(&t);
	if ((st = ft_report_scope(db, m->o, &sc)))
		goto out;
	s = ft_store_rmore_open(db);
	if ((st = ft_store_rmore_requests_each(s, &sc.f, sc.from, sc.until,
					       add_req, &ss)))
		goto out;
	columns(&t);
	fill(&t, &ss, m->min_group);
	ft_report_put(&t, m->o);
out:
	for (i = 0; i < ss.n; i++) {
		free(ss.s[i].point);
		free(ss.s[i].name);
		free(ss.s[i].service);
		free(ss.s[i].done.v);
		free(ss.s[i].sort);
	}
	free(ss.s);
	ft_rtab_release(&t);
	ft_store_rmore_close(s);
	return st;
}
