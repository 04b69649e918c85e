/*
 * ft_report_rank.c - what ft-report's facilities, collectors, services
 * and vote reports share: the ranking of groups, with those too small to
 * compare marked and not ranked, and the cells of counts and shares.
 * See ft_report_more.h.
 */
#include "ft_report_more.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_store_report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ft_report_part_names[FT_PART_N] = {
	"result", "summary", "channel", "area", "rules", "turnout", "progress"
};

static int
key_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b ? 0 : a ? 1 : -1;
	return strcmp(a, b);
}

static int
by_rank(const void *pa, const void *pb)
{
	const struct ft_rank *a = pa, *b = pb;
	int c;

	if (a->small != b->small)
		return a->small ? 1 : -1;
	if (!a->small && a->measure != b->measure)
		return a->measure > b->measure ? -1 : 1;
	if ((c = key_cmp(a->key, b->key)))
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void
ft_rank_order(struct ft_rank *r, size_t n, int64_t min_group)
{
	size_t i;

	for (i = 0; i < n; i++)
		r[i].small = r[i].size < min_group;
	qsort(r, n, sizeof(struct ft_rank), by_rank);
	for (i = 0; i < n; i++) {
		if (r[i].small)
			r[i].rank = 0;
		else if (i && r[i - 1].rank && r[i - 1].measure == r[i].measure)
			r[i].rank = r[i - 1].rank;
		else
			r[i].rank = (int64_t)i + 1;
	}
}

int
ft_rank_col_rank(struct ft_rtab *t)
{
	return ft_rtab_col(t, "rank", FT_COL_NUM);
}

int
ft_rank_col_small(struct ft_rtab *t)
{
	return ft_rtab_col(t, "small", FT_COL_BARE);
}

void
ft_rank_set(struct ft_rtab *t, size_t row, int rank_col, int small_col,
	    const struct ft_rank *r)
{
	if (r->rank)
		ft_rset_int(t, row, rank_col, r->rank);
	ft_rtab_set(t, row, small_col, r->rank ? "" : "small",
		    r->rank ? "false" : "true");
}

size_t
ft_rank_total(struct ft_rtab *t, int label)
{
	size_t r = ft_rtab_row(t, 1);
	int c;

	for (c = 0; c < t->ncol; c++)
		if (!c || !(t->flags[c] & FT_COL_NUM))
			ft_rtab_set(t, r, c, "", NULL);
	ft_rtab_set(t, r, label, "total", NULL);
	return r;
}

void
ft_rset_int(struct ft_rtab *t, size_t row, int col, int64_t v)
{
	char a[32];

	snprintf(a, sizeof(a), "%lld", (long long)v);
	ft_rtab_set(t, row, col, a, a);
}

void
ft_rset_pct(struct ft_rtab *t, size_t row, int col, int64_t num, int64_t den)
{
	char a[48], b[40];
	int64_t tenths;

	if (den <= 0)
		return;
	/* Tenths of a percent, rounded half up (num is not negative). */
	tenths = (num * 1000 + den / 2) / den;
	snprintf(b, sizeof(b), "%lld.%lld", (long long)(tenths / 10),
		 (long long)(tenths % 10));
	snprintf(a, sizeof(a), "%s%%", b);
	ft_rtab_set(t, row, col, a, b);
}

void
ft_rset_dec(struct ft_rtab *t, size_t row, int col, double v, int d)
{
	char a[48];
	long long scale = 1, x;
	int i;

	for (i = 0; i < d; i++)
		scale *= 10;
	x = llround(v * (double)scale);
	if (d)
		snprintf(a, sizeof(a), "%s%lld.%0*lld", x < 0 ? "-" : "",
			 llabs(x) / scale, d, llabs(x) % scale);
	else
		snprintf(a, sizeof(a), "%lld", x);
	ft_rtab_set(t, row, col, a, a);
}

char *
ft_report_dup(const char *s)
{
	return s ? ft_xstrdup(s) : NULL;
}

int
ft_report_scope(struct ft_db *db, const struct ft_report_opts *o,
		struct ft_report_scope *sc)
{
	int st;

	memset(sc, 0, sizeof(*sc));
	sc->f.category = o->category;
	sc->f.unit = o->unit;
	sc->f.area = o->area;
	sc->f.as_of = ft_report_as_of(o, sc->as_of);
	ft_time_format(o->since, sc->from);
	ft_time_format(o->until, sc->until);
	if ((st = ft_report_unit_known_db(db, "unit", o->unit)))
		return st;
	return ft_report_unit_known_db(db, "area", o->area);
}

int
ft_report_unit_known_db(struct ft_db *db, const char *opt, const char *id)
{
	struct ft_store_report *s;
	int st;

	if (!id)
		return FT_OK;
	s = ft_store_report_open(db);
	st = ft_report_unit_known(s, opt, id);
	ft_store_report_close(s);
	return st;
}

void
ft_report_put(const struct ft_rtab *t, const struct ft_report_opts *o)
{
	struct ft_buf out = FT_BUF_INIT;

	if (o->no_output)
		return;
	ft_rtab_print(t, o->format, &out);
	if (fwrite(out.s, 1, out.len, stdout) != out.len)
		ft_stdout_failed(errno);
	ft_buf_release(&out);
}
