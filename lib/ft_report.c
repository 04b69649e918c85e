/*
 * ft_report.c - the events report: ranges, local periods, the comparison
 * with the previous period, and the table it prints.  See ft_report.h.
 */
#include "ft_report.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_report_more.h"
#include "ft_report_site.h"
#include "ft_store_report.h"
#include "ft_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ft_report_by_names[FT_BY_N] = {
	"hour",	  "day",  "week", "month",   "category",
	"source", "unit", "area", "facility"
};

const char *const ft_report_format_names[FT_FMT_N] = { "table", "csv", "ndjson",
						       "markdown", "html" };

static const char *const levels[] = { "district", "street", "community",
				      "grid" };

static int
find(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int
ft_report_by_find(const char *name)
{
	return find(ft_report_by_names, FT_BY_N, name);
}

int
ft_report_format_find(const char *name)
{
	return find(ft_report_format_names, FT_FMT_N, name);
}

int
ft_report_level_find(const char *name)
{
	return find(levels, 4, name);
}

/* ---- local days and periods ---- */

/* The civil date of day z (days since 1970-01-01). */
static void
civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* The instant local day z begins (its midnight, or the first instant
 * after it where a change skips midnight). */
static int64_t
day_start(int64_t z)
{
	char s[16];
	const char *err;
	int64_t y, t = 0;
	unsigned m, d;

	civil(z, &y, &m, &d);
	snprintf(s, sizeof(s), "%04d-%02u-%02u", (int)y, m, d);
	if (ft_time_parse(s, strlen(s), &t, &err))
		t = z * 86400 - ft_time_offset(z * 86400);
	return t;
}

/* The local day of instant t. */
static int64_t
day_of(int64_t t)
{
	int sec, wday;
	int64_t day;

	ft_time_local(t, &sec, &wday, &day);
	return day;
}

/* The start of the period of kind by that holds instant t. */
static int64_t
period_floor(enum ft_report_by by, int64_t t)
{
	int sec, wday;
	int64_t day, y;
	unsigned m, d;

	ft_time_local(t, &sec, &wday, &day);
	switch (by) {
	case FT_BY_HOUR:
		return t - sec % 3600;
	case FT_BY_DAY:
		return day_start(day);
	case FT_BY_WEEK:
		return day_start(day - (wday + 6) % 7);
	default:
		civil(day, &y, &m, &d);
		return day_start(ft_days_from_civil(y, m, 1));
	}
}

/* The start of the period after the one that starts at t. */
static int64_t
period_next(enum ft_report_by by, int64_t t)
{
	int64_t y;
	unsigned m, d;

	switch (by) {
	case FT_BY_HOUR:
		return t + 3600;
	case FT_BY_DAY:
		return day_start(day_of(t) + 1);
	case FT_BY_WEEK:
		return day_start(day_of(t) + 7);
	default:
		civil(day_of(t), &y, &m, &d);
		return day_start(m == 12 ? ft_days_from_civil(y + 1, 1, 1) :
					   ft_days_from_civil(y, m + 1, 1));
	}
}

/* The label of the period of kind by that starts at t, local. */
static void
period_label(enum ft_report_by by, int64_t t, char *out, size_t n)
{
	int sec, wday;
	int64_t day, y;
	unsigned m, d;

	ft_time_local(t, &sec, &wday, &day);
	civil(day, &y, &m, &d);
	if (by == FT_BY_HOUR)
		snprintf(out, n, "%04d-%02u-%02u %02d:%02d", (int)y, m, d,
			 sec / 3600, sec % 3600 / 60);
	else if (by == FT_BY_MONTH)
		snprintf(out, n, "%04d-%02u", (int)y, m);
	else
		snprintf(out, n, "%04d-%02u-%02u", (int)y, m, d);
}

void
ft_report_local(int64_t t, char *out, size_t n)
{
	period_label(FT_BY_HOUR, t, out, n);
}

int
ft_report_time(const char *arg, int64_t *from, int64_t *to, int *named,
	       const char **err)
{
	int64_t now = ft_time_now(), today, y;
	unsigned long n;
	unsigned m, d;
	char unit, rest;
	int sec, wday;

	*named = 0;
	if (sscanf(arg, "%lu%c%c", &n, &unit, &rest) == 2 &&
	    strchr("smhdw", unit) && n <= 100000000UL && *arg != '+') {
		*from = *to = now - (int64_t)n * (unit == 's' ? 1 :
						  unit == 'm' ? 60 :
						  unit == 'h' ? 3600 :
						  unit == 'd' ? 86400 :
								7 * 86400);
		return 0;
	}
	ft_time_local(now, &sec, &wday, &today);
	civil(today, &y, &m, &d);
	*named = 1;
	if (!strcmp(arg, "today")) {
		*from = day_start(today);
		*to = day_start(today + 1);
	} else if (!strcmp(arg, "yesterday")) {
		*from = day_start(today - 1);
		*to = day_start(today);
	} else if (!strcmp(arg, "this-week")) {
		*from = day_start(today - (wday + 6) % 7);
		*to = day_start(today - (wday + 6) % 7 + 7);
	} else if (!strcmp(arg, "last-week")) {
		*from = day_start(today - (wday + 6) % 7 - 7);
		*to = day_start(today - (wday + 6) % 7);
	} else if (!strcmp(arg, "this-month")) {
		*from = day_start(ft_days_from_civil(y, m, 1));
		*to = period_next(FT_BY_MONTH, *from);
	} else if (!strcmp(arg, "last-month")) {
		*to = day_start(ft_days_from_civil(y, m, 1));
		*from = period_floor(FT_BY_MONTH, *to - 1);
	} else {
		*named = 0;
		if (ft_time_parse(arg, strlen(arg), from, err))
			return -1;
		*to = *from;
	}
	return 0;
}

/* ---- the events report ---- */

/* A group and its counts. */
struct group {
	char *key; /* NULL: none */
	int64_t n, prev;
};

struct groups {
	struct group *g;
	size_t n, cap;
	int prev; /* adding the previous period's counts */
};

static int
add_group(void *ctx, const char *key, int64_t n)
{
	struct groups *gs = ctx;
	struct group *g;

	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? 2 * gs->cap : 64;
		gs->g = ft_xrealloc(gs->g, gs->cap * sizeof(struct group));
	}
	g = &gs->g[gs->n++];
	g->key = key ? ft_xstrdup(key) : NULL;
	g->n = gs->prev ? 0 : n;
	g->prev = gs->prev ? n : 0;
	return FT_OK;
}

/* By key: none first, then bytes. */
static int
key_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b ? 0 : a ? 1 : -1;
	return strcmp(a, b);
}

static int
by_key(const void *a, const void *b)
{
	return key_cmp(((const struct group *)a)->key,
		       ((const struct group *)b)->key);
}

/* The report's order: the largest first, then by key. */
static int
by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return key_cmp(x->key, y->key);
}

/*
 * Merges the groups of the previous period (added after those of this
 * one) into them: a key of both becomes one group.
 */
static void
merge_prev(struct groups *gs)
{
	size_t i, j, out;

	qsort(gs->g, gs->n, sizeof(struct group), by_key);
	for (i = out = 0; i < gs->n; i = j) {
		gs->g[out] = gs->g[i];
		for (j = i + 1; j < gs->n && !by_key(&gs->g[i], &gs->g[j]);
		     j++) {
			gs->g[out].n += gs->g[j].n;
			gs->g[out].prev += gs->g[j].prev;
			free(gs->g[j].key);
		}
		out++;
	}
	gs->n = out;
}

/* Sets the count cells of row r: events, and with compare the rest. */
static void
set_counts(struct ft_rtab *t, size_t r, int col, int64_t n, int64_t prev,
	   int compare)
{
	char a[32], b[32];
	int64_t ch = n - prev, tenths;

	snprintf(a, sizeof(a), "%lld", (long long)n);
	ft_rtab_set(t, r, col, a, a);
	if (!compare)
		return;
	snprintf(a, sizeof(a), "%lld", (long long)prev);
	ft_rtab_set(t, r, col + 1, a, a);
	snprintf(a, sizeof(a), "%+lld", (long long)ch);
	snprintf(b, sizeof(b), "%lld", (long long)ch);
	ft_rtab_set(t, r, col + 2, ch ? a : "0", b);
	if (!prev)
		return;
	/* Tenths of a percent, rounded half away from zero. */
	tenths = (ch * 1000 + (ch < 0 ? -prev / 2 : prev / 2)) / prev;
	snprintf(a, sizeof(a), "%s%lld.%lld%%",
		 tenths < 0 ? "-" :
		 tenths	    ? "+" :
			      "",
		 (long long)(tenths < 0 ? -tenths : tenths) / 10,
		 (long long)(tenths < 0 ? -tenths : tenths) % 10);
	snprintf(b, sizeof(b), "%s%lld.%lld", tenths < 0 ? "-" : "",
		 (long long)(tenths < 0 ? -tenths : tenths) / 10,
		 (long long)(tenths < 0 ? -tenths : tenths) % 10);
	ft_rtab_set(t, r, col + 3, a, b);
}

/* The events counted by period, every period of the range. */
static int
by_period(struct ft_store_report *s, const struct ft_store_report_filter *f,
	  const struct ft_report_opts *o, struct ft_rtab *t)
{
	int64_t start, next, n, prev = 0, sum = 0, psum = 0;
	char label[32], from[FT_TIME_LEN], until[FT_TIME_LEN];
	long periods = 0;
	size_t r;
	int st;

	start = period_floor(o->by, o->since);
	if (o->compare) {
		ft_time_format(period_floor(o->by, start - 1), from);
		ft_time_format(start, until);
		if ((st = ft_store_report_count(s, f, from, until, &prev)))
			return st;
	}
	for (; start < o->until; start = next) {
		if (++periods > 100000) {
			ft_error("more than 100000 periods: a wider --by, or "
				 "a shorter range");
			return FT_USAGE;
		}
		next = period_next(o->by, start);
		ft_time_format(start, from);
		ft_time_format(next, until);
		if ((st = ft_store_report_count(s, f, from, until, &n)))
			return st;
		period_label(o->by, start, label, sizeof(label));
		r = ft_rtab_row(t, 0);
		ft_rtab_set(t, r, 0, label, label);
		ft_rtab_set(t, r, 1, NULL, from);
		ft_rtab_set(t, r, 2, NULL, until);
		set_counts(t, r, 3, n, prev, o->compare);
		sum += n;
		psum += prev;
		prev = n;
	}
	r = ft_rtab_row(t, 1);
	ft_rtab_set(t, r, 0, "total", NULL);
	set_counts(t, r, 3, sum, psum, o->compare);
	return FT_OK;
}

/* The events counted by key over the range. */
static int
by_key_report(struct ft_store_report *s, const struct ft_store_report_filter *f,
	      const struct ft_report_opts *o, struct ft_rtab *t)
{
	static const enum ft_store_report_key keys[] = {
		FT_SRK_CATEGORY, FT_SRK_SOURCE, FT_SRK_UNIT, FT_SRK_AREA,
		FT_SRK_FACILITY
	};
	enum ft_store_report_key key = keys[o->by - FT_BY_CATEGORY];
	struct groups gs = { NULL, 0, 0, 0 };
	char from[FT_TIME_LEN], until[FT_TIME_LEN];
	int64_t sum = 0, psum = 0;
	struct ft_rank *rk;
	size_t i, r;
	int st;

	ft_time_format(o->since, from);
	ft_time_format(o->until, until);
	st = ft_store_report_groups_each(s, f, from, until, key, o->level,
					 add_group, &gs);
	if (!st && o->compare) {
		ft_time_format(o->since - (o->until - o->since), from);
		ft_time_format(o->since, until);
		gs.prev = 1;
		st = ft_store_report_groups_each(s, f, from, until, key,
						 o->level, add_group, &gs);
		if (!st) {
			merge_prev(&gs);
			qsort(gs.g, gs.n, sizeof(struct group), by_count);
		}
	}
	rk = o->min_group_set && !st && gs.n ?
		     ft_xmalloc(gs.n * sizeof(struct ft_rank)) :
		     NULL;
	for (i = 0; rk && i < gs.n; i++) {
		memset(&rk[i], 0, sizeof(rk[i]));
		rk[i].idx = i;
		rk[i].size = gs.g[i].n;
		rk[i].measure = (double)gs.g[i].n;
		rk[i].key = gs.g[i].key;
	}
	if (rk)
		ft_rank_order(rk, gs.n, o->min_group);
	for (i = 0; !st && i < gs.n; i++) {
		const struct group *g = &gs.g[rk ? rk[i].idx : i];

		r = ft_rtab_row(t, 0);
		ft_rtab_set(t, r, 0, g->key ? g->key : "(none)", g->key);
		set_counts(t, r, 1, g->n, g->prev, o->compare);
		if (rk)
			ft_rank_set(t, r, t->ncol - 2, t->ncol - 1, &rk[i]);
		sum += g->n;
		psum += g->prev;
	}
	if (!st) {
		r = ft_rtab_row(t, 1);
		ft_rtab_set(t, r, 0, "total", NULL);
		set_counts(t, r, 1, sum, psum, o->compare);
		if (o->min_group_set) {
			ft_rtab_set(t, r, t->ncol - 2, "", NULL);
			ft_rtab_set(t, r, t->ncol - 1, "", NULL);
		}
	}
	for (i = 0; i < gs.n; i++)
		free(gs.g[i].key);
	free(gs.g);
	free(rk);
	return st;
}

int
ft_report_unit_known(struct ft_store_report *s, const char *opt, const char *id)
{
	char kind[16];
	int found, st;

	if (!id)
		return FT_OK;
	if ((st = ft_store_report_unit_kind(s, id, kind, &found)))
		return st;
	if (!found) {
		ft_error("--%s: no unit %s in the database", opt, ft_q(id));
		return FT_NOINPUT;
	}
	return FT_OK;
}

const char *
ft_report_as_of(const struct ft_report_opts *o, char *buf)
{
	if (!o->as_of_set)
		return NULL;
	ft_time_format(o->as_of, buf);
	return buf;
}

int
ft_report_events(struct ft_db *db, const struct ft_report_opts *o)
{
	struct ft_store_report *s = ft_store_report_open(db);
	struct ft_store_report_filter f = { o->category, o->unit, o->area,
					    NULL };
	struct ft_rtab t;
	struct ft_buf out = FT_BUF_INIT, title = FT_BUF_INIT;
	struct ft_svg_map map;
	char a[32], b[32], as_of[FT_TIME_LEN];
	int st;

	ft_rtab_init(&t);
	ft_svg_map_init(&map);
	if (o->as_of_set) {
		ft_time_format(o->as_of, as_of);
		f.as_of = as_of;
	}
	if ((st = ft_report_unit_known(s, "unit", o->unit)) ||
	    (st = ft_report_unit_known(s, "area", o->area)))
		goto out;
	ft_rtab_col(&t,
		    o->by == FT_BY_AREA && o->level ? o->level :
						      ft_report_by_names[o->by],
		    0);
	if (FT_BY_PERIOD(o->by)) {
		ft_rtab_col(&t, "from", FT_COL_JSON);
		ft_rtab_col(&t, "until", FT_COL_JSON);
	}
	ft_rtab_col(&t, "events", FT_COL_NUM);
	if (o->compare) {
		ft_rtab_col(&t, "previous", FT_COL_NUM);
		ft_rtab_col(&t, "change", FT_COL_NUM);
		ft_rtab_col(&t, "change_pct", FT_COL_NUM);
	}
	/* --min-group: the groups by key ranked, the small ones marked. */
	if (o->min_group_set && !FT_BY_PERIOD(o->by)) {
		ft_rank_col_rank(&t);
		ft_rank_col_small(&t);
	}
	st = FT_BY_PERIOD(o->by) ? by_period(s, &f, o, &t) :
				   by_key_report(s, &f, o, &t);
	if (st || o->no_output)
		goto out;
	if (o->format == FT_FMT_HTML) {
		/* The page's title, its range, and a map when the rows
		 * are areas. */
		ft_buf_addf(&title, "Events by %s", t.head[0]);
		if (o->category)
			ft_buf_addf(&title, ", category %s", o->category);
		if (o->area)
			ft_buf_addf(&title, ", in %s", o->area);
		if (o->unit)
			ft_buf_addf(&title, ", unit %s", o->unit);
		ft_report_local(o->since, a, sizeof(a));
		ft_report_local(o->until, b, sizeof(b));
		ft_buf_addf(&title, "%cfrom %s to %s (%s)", '\0', a, b,
			    ft_time_zone());
		t.title = title.s;
		t.subtitle = title.s + strlen(title.s) + 1;
		if ((o->by == FT_BY_AREA || o->by == FT_BY_UNIT) &&
		    (st = ft_report_map(db, &t, o->level, o->area, &map)))
			goto out;
		t.map = &map;
		if (o->by == FT_BY_AREA || o->by == FT_BY_UNIT)
			t.names_db = db;
	}
	ft_rtab_print(&t, o->format, &out);
	if (fwrite(out.s, 1, out.len, stdout) != out.len)
		ft_stdout_failed(errno);
out:
	ft_buf_release(&out);
	ft_buf_release(&title);
	ft_svg_map_release(&map);
	ft_rtab_release(&t);
	ft_store_report_close(s);
	return st;
}
