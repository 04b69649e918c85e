/*
 * ft_report_stat.c - percentiles, shares, ranks and their cells for the
 * sla and warnings reports: see ft_report_stat.h.
 */
#include "ft_report_stat.h"
#include "ft_err.h"
#include "ft_store_report_sla.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ft_rstat_add(struct ft_rstat *s, int64_t x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = ft_xrealloc(s->v, s->cap * sizeof(int64_t));
	}
	s->v[s->n++] = x;
}

void
ft_rstat_release(struct ft_rstat *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
ft_rstat_sort(struct ft_rstat *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(int64_t), by_value);
}

int64_t
ft_rstat_pct(const struct ft_rstat *s, int p)
{
	size_t rank = ((size_t)p * s->n + 99) / 100;

	return s->v[rank ? rank - 1 : 0];
}

void
ft_rshare_count(struct ft_rshare *s, int64_t t, int64_t m, int waiting,
		int64_t now)
{
	if (t != FT_SLA_NONE) {
		s->n++;
		s->in += t <= m;
	} else if (waiting && m < now) {
		s->n++;
	}
}

/* <0 when a is the higher share; a share of nothing is the lowest. */
static int
share_cmp(const struct ft_rshare *a, const struct ft_rshare *b)
{
	int64_t x, y;

	if (!a->n || !b->n)
		return !a->n - !b->n;
	x = a->in * b->n;
	y = b->in * a->n;
	return x > y ? -1 : x < y;
}

/* By both shares: 0 when the groups rank equal. */
static int
measure_cmp(const struct ft_rgroup *a, const struct ft_rgroup *b)
{
	int c = share_cmp(&a->by[0], &b->by[0]);

	return c ? c : share_cmp(&a->by[1], &b->by[1]);
}

static int
rank_order(const void *pa, const void *pb)
{
	const struct ft_rgroup *a = pa, *b = pb;
	int c;

	if (a->small != b->small)
		return a->small - b->small;
	if (!a->small && (c = measure_cmp(a, b)))
		return c;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (!a->key || !b->key)
		return !b->key - !a->key;
	return strcmp(a->key, b->key);
}

struct ft_rgroup *
ft_rgroups_at(const struct ft_rgroups *gs, size_t i)
{
	return (struct ft_rgroup *)(void *)((char *)gs->base + i * gs->size);
}

struct ft_rgroup *
ft_rgroups_of(struct ft_rgroups *gs, const char *key)
{
	struct ft_rgroup *g;

	if (gs->base && gs->n) {
		g = ft_rgroups_at(gs, gs->n - 1);
		if (g->key && key ? !strcmp(g->key, key) : g->key == key)
			return g;
	}
	if (!gs->base || gs->n == gs->cap) {
		gs->cap = gs->cap ? 2 * gs->cap : 32;
		gs->base = ft_xrealloc(gs->base, gs->cap * gs->size);
	}
	g = ft_rgroups_at(gs, gs->n++);
	memset(g, 0, gs->size);
	g->key = key ? ft_xstrdup(key) : NULL;
	return g;
}

void
ft_rgroups_release(struct ft_rgroups *gs, void (*release)(void *g))
{
	size_t i;

	for (i = 0; gs->base && i < gs->n; i++) {
		if (release)
			release(ft_rgroups_at(gs, i));
		free(ft_rgroups_at(gs, i)->key);
	}
	free(gs->base);
	gs->base = NULL;
	gs->n = gs->cap = 0;
}

void
ft_report_rank(void *base, size_t n, size_t size, long min)
{
	char *p = base;
	struct ft_rgroup *g, *prev = NULL;
	size_t i;

	if (!n)
		return; /* base may be NULL, which qsort() does not take */
	for (i = 0; i < n; i++) {
		g = (struct ft_rgroup *)(void *)(p + i * size);
		g->small = g->count < min;
	}
	qsort(base, n, size, rank_order);
	for (i = 0; i < n; i++) {
		g = (struct ft_rgroup *)(void *)(p + i * size);
		if (g->small)
			g->rank = 0;
		else if (prev && !measure_cmp(prev, g))
			g->rank = prev->rank;
		else
			g->rank = (long)i + 1;
		prev = g;
	}
}

void
ft_rtab_set_int(struct ft_rtab *t, size_t r, int col, int64_t n)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)n);
	ft_rtab_set(t, r, col, s, s);
}

/*
 * in / n in units of 1 / scale, rounded half up, but never to all when
 * some are not in nor to none when some are.
 */
static int64_t
fraction(int64_t in, int64_t n, int64_t scale)
{
	int64_t v = (in * scale * 2 + n) / (2 * n);

	if (v == scale && in < n)
		v--;
	if (!v && in > 0)
		v = 1;
	return v;
}

void
ft_rtab_set_share(struct ft_rtab *t, size_t r, int col,
		  const struct ft_rshare *s)
{
	char text[48], raw[48];
	int64_t tenths;

	if (!s->n)
		return;
	tenths = fraction(s->in, s->n, 1000);
	snprintf(text, sizeof(text), "%lld%%",
		 (long long)fraction(s->in, s->n, 100));
	snprintf(raw, sizeof(raw), "%lld.%lld", (long long)tenths / 10,
		 (long long)tenths % 10);
	ft_rtab_set(t, r, col, text, raw);
}

void
ft_rtab_set_pct(struct ft_rtab *t, size_t r, int col, const struct ft_rstat *s,
		int p)
{
	char text[40], raw[32];
	int64_t v, a;

	if (!s->n)
		return;
	v = ft_rstat_pct(s, p);
	a = v < 0 ? -v : v;
	if (a < 60)
		snprintf(text, sizeof(text), "%s%llds", v < 0 ? "-" : "",
			 (long long)a);
	else if (a < 3600)
		snprintf(text, sizeof(text), "%s%lldm%02llds", v < 0 ? "-" : "",
			 (long long)a / 60, (long long)a % 60);
	else if (a < 86400)
		snprintf(text, sizeof(text), "%s%lldh%02lldm", v < 0 ? "-" : "",
			 (long long)a / 3600, (long long)a % 3600 / 60);
	else
		snprintf(text, sizeof(text), "%s%lldd%02lldh", v < 0 ? "-" : "",
			 (long long)a / 86400, (long long)a % 86400 / 3600);
	snprintf(raw, sizeof(raw), "%lld", (long long)v);
	ft_rtab_set(t, r, col, text, raw);
}

void
ft_rtab_set_mean(struct ft_rtab *t, size_t r, int col, int64_t sum, int64_t n)
{
	char text[32], raw[32];
	int64_t tenths, hundredths;

	if (n <= 0)
		return;
	tenths = (sum * 20 + n) / (2 * n);
	hundredths = (sum * 200 + n) / (2 * n);
	snprintf(text, sizeof(text), "%lld.%lld", (long long)tenths / 10,
		 (long long)tenths % 10);
	snprintf(raw, sizeof(raw), "%lld.%02lld", (long long)hundredths / 100,
		 (long long)hundredths % 100);
	ft_rtab_set(t, r, col, text, raw);
}

/* The key (none: "(none)"), the rank ("small"), and the JSON "small". */
static void
set_group(struct ft_rtab *t, size_t r, const struct ft_rgroup *g, int rank_col,
	  int small_col)
{
	char s[32];

	ft_rtab_set(t, r, 0, g->key ? g->key : "(none)", g->key);
	if (g->small) {
		ft_rtab_set(t, r, rank_col, "small", NULL);
	} else {
		snprintf(s, sizeof(s), "%ld", g->rank);
		ft_rtab_set(t, r, rank_col, s, s);
	}
	ft_rtab_set(t, r, small_col, NULL, g->small ? "true" : "false");
}

void
ft_rtab_ranked_cols(struct ft_rtab *t, const char *key,
		    const char *const *heads, int n)
{
	int c;

	ft_rtab_col(t, key, 0);
	for (c = 1; c < n; c++)
		ft_rtab_col(t, heads[c],
			    c == n - 1 ? FT_COL_NUM | FT_COL_JSON : FT_COL_NUM);
}

void
ft_rtab_ranked_print(struct ft_rtab *t, struct ft_rgroups *gs, void *total,
		     const struct ft_report_opts *o,
		     void (*set_row)(struct ft_rtab *t, size_t r, void *g))
{
	struct ft_buf out = FT_BUF_INIT;
	size_t i, r;

	ft_report_rank(gs->base, gs->n, gs->size, o->min_group);
	for (i = 0; i < gs->n; i++) {
		r = ft_rtab_row(t, 0);
		set_group(t, r, ft_rgroups_at(gs, i), 1, t->ncol - 1);
		set_row(t, r, ft_rgroups_at(gs, i));
	}
	r = ft_rtab_row(t, 1);
	ft_rtab_set(t, r, 0, "total", NULL);
	set_row(t, r, total);
	if (o->no_output)
		return;
	ft_rtab_print(t, o->format, &out);
	if (fwrite(out.s, 1, out.len, stdout) != out.len)
		ft_stdout_failed(errno);
	ft_buf_release(&out);
}
