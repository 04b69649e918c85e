/*
 * ft_report_svc.c - the services report: the government services that
 * property offices handle as proxies, per proxy point and service:
 * requests, time to completion, residents' ratings.  A request is an
 * event of source "proxy", its point the facility it names, its service
 * its category, completed when it is first resolved.  See ft-report(1).
 */
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_keymap.h"
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
	const char *sort; /* borrowed from struct svcs's keys */
};

static int
by_secs(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Groups by their sort key. */
static int
by_sort(const void *a, const void *b)
{
	return strcmp((*(struct svc *const *)a)->sort,
		      (*(struct svc *const *)b)->sort);
}

/* The groups, numbered by their sort key (ft_keymap: found in C, not
 * sorted by SQLite), and a buffer for a request's key. */
struct svcs {
	struct svc *s;
	size_t n, cap;
	struct ft_keymap keys;
	struct ft_buf key;
};

static int
add_req(void *ctx, const struct ft_srm_req *r)
{
	struct svcs *ss = ctx;
	struct svc *s;
	size_t i;
	int added;

	/* None first, then by bytes: point, then service. */
	ft_buf_reset(&ss->key);
	ft_buf_addc(&ss->key, r->point ? '\x02' : '\x01');
	if (r->point)
		ft_buf_adds(&ss->key, r->point);
	ft_buf_addc(&ss->key, '\x01');
	ft_buf_addc(&ss->key, r->service ? '\x02' : '\x01');
	if (r->service)
		ft_buf_adds(&ss->key, r->service);
	i = ft_keymap_get(&ss->keys, ss->key.s, ss->key.len, &added);
	if (added) {
		if (ss->n == ss->cap) {
			ss->cap = ss->cap ? 2 * ss->cap : 64;
			ss->s = ft_xrealloc(ss->s,
					    ss->cap * sizeof(struct svc));
		}
		s = &ss->s[ss->n++];
		memset(s, 0, sizeof(*s));
		s->point = ft_report_dup(r->point);
		s->service = ft_report_dup(r->service);
		s->sort = ft_keymap_key(&ss->keys, i);
	}
	s = &ss->s[i];
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

/*
 * Each group's times sorted, and its point's name (read once a point:
 * the groups of a point follow each other in the order of their keys).
 */
static int
finish(struct ft_store_rmore *st, struct svcs *ss)
{
	struct svc *s, **by = NULL;
	char *kind, *area;
	size_t i;
	int rc = FT_OK;

	if (ss->n)
		by = ft_xmalloc(ss->n * sizeof(struct svc *));
	for (i = 0; i < ss->n; i++) {
		s = by[i] = &ss->s[i];
		if (s->done.n > 1)
			qsort(s->done.v, s->done.n, sizeof(int64_t), by_secs);
	}
	if (ss->n)
		qsort(by, ss->n, sizeof(struct svc *), by_sort);
	for (i = 0; !rc && i < ss->n; i++) {
		s = by[i];
		if (!s->point)
			continue;
		if (i && by[i - 1]->point &&
		    !strcmp(by[i - 1]->point, s->point)) {
			s->name = ft_report_dup(by[i - 1]->name);
			continue;
		}
		rc = ft_store_rmore_facility(st, s->point, &kind, &s->name,
					     &area);
		free(kind);
		free(area);
	}
	free(by);
	return rc;
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
	struct svcs ss = { .s = NULL, .n = 0, .cap = 0 };
	struct ft_rtab t;
	size_t i;
	int st;

	ft_rtab_init(&t);
	ft_keymap_init(&ss.keys);
	ft_buf_init(&ss.key);
	if ((st = ft_report_scope(db, m->o, &sc)))
		goto out;
	s = ft_store_rmore_open(db);
	if ((st = ft_store_rmore_requests_each(s, &sc.f, sc.from, sc.until,
					       add_req, &ss)) ||
	    (st = finish(s, &ss)))
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
	}
	free(ss.s);
	ft_keymap_release(&ss.keys);
	ft_buf_release(&ss.key);
	ft_rtab_release(&t);
	ft_store_rmore_close(s);
	return st;
}
