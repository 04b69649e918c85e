/*
 * ft_report_fac.c - the facilities report: the facilities (QR-coded)
 * most reported in a range, and how often they came back after a fix: a
 * new report at the facility within --back-days of a case at it being
 * resolved.  See ft_report_more.h and ft-report(1).
 */
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_report_more.h"
#include "ft_store_report_more.h"
#include "ft_time.h"

#include <stdlib.h>
#include <string.h>

struct fac {
	char *id, *kind, *name, *area;
	int64_t reports, fixed, back;
	int seen; /* a fix in the range */
};

struct facs {
	struct fac *f;
	size_t n, cap;
	/* The time line's walk: the facility, the fixes waiting for a
	 * report, as the last instant a report brings them back. */
	struct fac *cur;
	int64_t *wait;
	size_t nwait, capwait;
	int64_t back_secs;
	const char *until; /* the range's end, as stored times are */
};

/*
 * One row of the time line (rows come by facility, then time): a new
 * facility starts an entry, its reports before until and its fixes are
 * counted, and each report decides the fixes waiting before it.
 */
static int
on_time(void *ctx, const char *facility, const char *at, int fix)
{
	struct facs *fs = ctx;
	const char *err;
	int64_t t;
	size_t i;

	if (!fs->cur || strcmp(fs->cur->id, facility)) {
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? 2 * fs->cap : 64;
			fs->f = ft_xrealloc(fs->f,
					    fs->cap * sizeof(struct fac));
		}
		fs->cur = &fs->f[fs->n++];
		memset(fs->cur, 0, sizeof(*fs->cur));
		fs->cur->id = ft_xstrdup(facility);
		fs->nwait = 0;
	}
	/* The range's reports; those after it only bring fixes back. */
	if (!fix && strcmp(at, fs->until) < 0)
		fs->cur->reports++;
	if (fix)
		fs->cur->seen = 1;
	if (ft_time_parse(at, strlen(at), &t, &err))
		return FT_OK;
	if (fix) {
		fs->cur->fixed++;
		if (fs->nwait == fs->capwait) {
			fs->capwait = fs->capwait ? 2 * fs->capwait : 16;
			fs->wait = ft_xrealloc(fs->wait,
					       fs->capwait * sizeof(int64_t));
		}
		fs->wait[fs->nwait++] = t + fs->back_secs;
		return FT_OK;
	}
	/* The first report after each fix waiting decides it. */
	for (i = 0; i < fs->nwait; i++)
		if (t <= fs->wait[i])
			fs->cur->back++;
	fs->nwait = 0;
	return FT_OK;
}

/*
 * Keeps the facilities reported or fixed in the range (not those with
 * reports after it alone), and reads what is registered of each.
 */
static int
keep(struct ft_store_rmore *s, struct facs *fs)
{
	size_t i, k = 0;
	int st;

	for (i = 0; i < fs->n; i++) {
		if (!fs->f[i].reports && !fs->f[i].seen) {
			free(fs->f[i].id);
			continue;
		}
		fs->f[k++] = fs->f[i];
	}
	fs->n = k;
	for (i = 0; i < fs->n; i++)
		if ((st = ft_store_rmore_facility(s, fs->f[i].id,
						  &fs->f[i].kind,
						  &fs->f[i].name,
						  &fs->f[i].area)))
			return st;
	return FT_OK;
}

enum {
	C_RANK,
	C_FAC,
	C_KIND,
	C_NAME,
	C_AREA,
	C_REPORTS,
	C_FIXED,
	C_BACK,
	C_BACK_PCT,
	C_SMALL
};

static void
columns(struct ft_rtab *t)
{
	ft_rank_col_rank(t);
	ft_rtab_col(t, "facility", 0);
	ft_rtab_col(t, "kind", 0);
	ft_rtab_col(t, "name", 0);
	ft_rtab_col(t, "area", 0);
	ft_rtab_col(t, "reports", FT_COL_NUM);
	ft_rtab_col(t, "fixed", FT_COL_NUM);
	ft_rtab_col(t, "came_back", FT_COL_NUM);
	ft_rtab_col(t, "came_back_pct", FT_COL_NUM);
	ft_rank_col_small(t);
}

static void
set_counts(struct ft_rtab *t, size_t r, int64_t reports, int64_t fixed,
	   int64_t back)
{
	ft_rset_int(t, r, C_REPORTS, reports);
	ft_rset_int(t, r, C_FIXED, fixed);
	ft_rset_int(t, r, C_BACK, back);
	ft_rset_pct(t, r, C_BACK_PCT, back, fixed);
}

static void
fill(struct ft_rtab *t, struct facs *fs, int64_t min_group)
{
	struct ft_rank *rk = ft_xmalloc((fs->n + 1) * sizeof(struct ft_rank));
	int64_t reports = 0, fixed = 0, back = 0;
	const struct fac *f;
	size_t i, r;

	for (i = 0; i < fs->n; i++) {
		rk[i].idx = i;
		rk[i].size = fs->f[i].reports;
		rk[i].measure = (double)fs->f[i].reports;
		rk[i].key = fs->f[i].id;
	}
	ft_rank_order(rk, fs->n, min_group);
	for (i = 0; i < fs->n; i++) {
		f = &fs->f[rk[i].idx];
		r = ft_rtab_row(t, 0);
		ft_rank_set(t, r, C_RANK, C_SMALL, &rk[i]);
		ft_rtab_set(t, r, C_FAC, f->id, f->id);
		ft_rtab_set(t, r, C_KIND, f->kind, f->kind);
		ft_rtab_set(t, r, C_NAME, f->name, f->name);
		ft_rtab_set(t, r, C_AREA, f->area, f->area);
		set_counts(t, r, f->reports, f->fixed, f->back);
		reports += f->reports;
		fixed += f->fixed;
		back += f->back;
	}
	r = ft_rank_total(t, C_FAC);
	set_counts(t, r, reports, fixed, back);
	free(rk);
}

int
ft_report_facilities(struct ft_db *db, const struct ft_report_more *m)
{
	struct ft_report_scope sc;
	struct ft_store_rmore *s = NULL;
	struct facs fs;
	struct ft_rtab t;
	char ahead[FT_TIME_LEN];
	size_t i;
	int st;

	memset(&fs, 0, sizeof(fs));
	fs.back_secs = m->back_days * 86400;
	ft_rtab_init(&t);
	if ((st = ft_report_scope(db, m->o, &sc)))
		goto out;
	s = ft_store_rmore_open(db);
	ft_time_format(m->o->until + fs.back_secs, ahead);
	fs.until = sc.until;
	if ((st = ft_store_rmore_fac_times_each(s, &sc.f, sc.from, sc.until,
						ahead, on_time, &fs)) ||
	    (st = keep(s, &fs)))
		goto out;
	columns(&t);
	fill(&t, &fs, m->min_group);
	ft_report_put(&t, m->o);
out:
	for (i = 0; i < fs.n; i++) {
		free(fs.f[i].id);
		free(fs.f[i].kind);
		free(fs.f[i].name);
		free(fs.f[i].area);
	}
	free(fs.f);
	free(fs.wait);
	ft_rtab_release(&t);
	ft_store_rmore_close(s);
	return st;
}
