/*
 * ft_report_site.c - the public static site and the maps of the HTML
 * report: see ft_report_site.h.
 *
 * Layout of the site (every page self-contained, links relative):
 *   index.html           the whole district: figures, map, areas, votes
 *   area/ID.html         one page for each area (district .. grid)
 *   vote/ROUND.html      one page for each vote round, its counts
 *   case/index.html      how to find a case: the list of case pages
 *   case/XYZ.html        the cases whose number ends in XYZ
 * File names are the ids with every byte but a-z, 0-9 and '-' written as
 * _XX (hexadecimal), so that any id makes one safe name.
 */
#define _GNU_SOURCE /* renameat2(), nftw() */
#include "ft_report_site.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"
#include "ft_report_html.h"
#include "ft_store_report_vote.h"
#include "ft_store_site.h"
#include "ft_time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the map of the HTML report ---- */

struct key_set {
	const char **k;
	size_t n;
	size_t hits[4]; /* by area kind: district, street, community, grid */
};

static const char *const area_kinds[4] = { "district", "street", "community",
					   "grid" };

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
kind_index(const char *kind)
{
	int i;

	for (i = 0; i < 4; i++)
		if (kind && !strcmp(kind, area_kinds[i]))
			return i;
	return -1;
}

static int
count_hit(void *ctx, const char *id, const char *name, const char *kind,
	  const char *geo, size_t len)
{
	struct key_set *ks = ctx;
	int k = kind_index(kind);

	(void)name, (void)geo, (void)len;
	if (k >= 0 && bsearch(&id, ks->k, ks->n, sizeof(char *), cmp_str))
		ks->hits[k]++;
	return FT_OK;
}

static int
add_shape(void *ctx, const char *id, const char *name, const char *kind,
	  const char *geo, size_t len)
{
	(void)kind;
	ft_svg_map_add(ctx, id, name, geo, len);
	return FT_OK;
}

int
ft_report_map(struct ft_db *db, const struct ft_rtab *t, const char *level,
	      const char *within, struct ft_svg_map *m)
{
	struct ft_store_site *s = ft_store_site_open(db);
	struct key_set ks = { NULL, 0, { 0, 0, 0, 0 } };
	size_t r, best = 0;
	int st, k, kind = -1;

	ks.k = ft_xmalloc((t->nrow + 1) * sizeof(char *));
	for (r = 0; r < t->nrow; r++)
		if (!t->foot[r] && t->cells[r * (size_t)t->ncol].raw)
			ks.k[ks.n++] = t->cells[r * (size_t)t->ncol].raw;
	qsort(ks.k, ks.n, sizeof(char *), cmp_str);
	st = ft_store_site_shapes_each(s, level, within, count_hit, &ks);
	for (k = 0; k < 4; k++)
		if (ks.hits[k] > best)
			best = ks.hits[k], kind = k;
	if (!st && kind >= 0)
		st = ft_store_site_shapes_each(s, area_kinds[kind], within,
					       add_shape, m);
	free(ks.k);
	ft_store_site_close(s);
	return st;
}

/* ---- the names of the report's units ---- */

struct names_walk {
	const struct ft_rtab *t;
	size_t *row; /* the rows with an id, by id */
	size_t n;
	char **name;
};

static const struct ft_rtab *names_t; /* for qsort's comparison */

static const char *
row_id(const struct ft_rtab *t, size_t r)
{
	return t->cells[r * (size_t)t->ncol].raw;
}

static int
cmp_row(const void *a, const void *b)
{
	return strcmp(row_id(names_t, *(const size_t *)a),
		      row_id(names_t, *(const size_t *)b));
}

static int
on_unit_name(void *ctx, const char *id, const char *name, const char *kind,
	     const char *parent)
{
	struct names_walk *w = ctx;
	size_t lo = 0, hi = w->n, mid;
	int c;

	(void)kind, (void)parent;
	if (!name || !*name)
		return FT_OK;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(id, row_id(w->t, w->row[mid]));
		if (!c) {
			w->name[w->row[mid]] = ft_xstrdup(name);
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return FT_OK;
}

char **
ft_report_unit_names(struct ft_db *db, const struct ft_rtab *t)
{
	struct ft_store_site *s;
	struct names_walk w = { t, NULL, 0, NULL };
	size_t r;
	int st;

	if (!t->nrow || !t->ncol)
		return NULL;
	w.row = ft_xmalloc(t->nrow * sizeof(size_t));
	w.name = ft_xmalloc(t->nrow * sizeof(char *));
	for (r = 0; r < t->nrow; r++) {
		w.name[r] = NULL;
		if (!t->foot[r] && row_id(t, r))
			w.row[w.n++] = r;
	}
	names_t = t;
	qsort(w.row, w.n, sizeof(size_t), cmp_row);
	s = ft_store_site_open(db);
	st = ft_store_site_units_each(s, on_unit_name, &w);
	ft_store_site_close(s);
	free(w.row);
	if (st) {
		for (r = 0; r < t->nrow; r++)
			free(w.name[r]);
		free(w.name);
		return NULL;
	}
	return w.name;
}

/* ---- the site's model: units, their figures, their shapes ---- */

struct cat {
	char *name;
	long long n, done;
};

struct unit {
	char *id, *name, *kind, *parent_id;
	char *geo; /* its boundary in force (GeoJSON), or NULL */
	size_t geolen;
	int parent, area; /* parent index or -1; 1 for an area kind */
	long long seen; /* the last case counted in it (its number) */
	int nchild;
	long long reported, dup, done, notfixed, open, overdue;
	long long deadline, in_time; /* done with a deadline; within it */
	long long nrating, sumrating, satisfied;
	int64_t *dur; /* seconds from report to resolution, done cases */
	size_t ndur, capdur;
	struct cat *cat;
	size_t ncat;
	long long *day; /* per local day of the range, or NULL */
};

struct site {
	const struct ft_site_opts *o;
	struct ft_store_site *s;
	struct ft_store_rvote *rv; /* the vote pages' turnout, progress */
	struct unit *u; /* by id; u[nu] is the whole district */
	size_t nu, cap;
	char *tmp; /* the new site being written */
	int64_t day0; /* local day of since */
	size_t ndays; /* 0: no series (too long a range) */
	char range[80];
	/* the case pages */
	FILE *cf;
	char bucket[64];
	struct ft_buf page, buckets;
	size_t nbuckets, nareas;
	long long ncase; /* cases counted so far */
};

/* Appends the file name of id: see the comment at the top. */
static void
fname(struct ft_buf *out, const char *id)
{
	const unsigned char *p = (const unsigned char *)id;

	for (; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-')
			ft_buf_addc(out, (char)*p);
		else
			ft_buf_addf(out, "_%02X", *p);
}

static int
add_unit(void *ctx, const char *id, const char *name, const char *kind,
	 const char *parent)
{
	struct site *w = ctx;
	struct unit *u;

	if (w->nu + 1 >= w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->u = ft_xrealloc(w->u, w->cap * sizeof(struct unit));
	}
	u = &w->u[w->nu++];
	memset(u, 0, sizeof(*u));
	u->id = ft_xstrdup(id);
	u->name = ft_xstrdup(name ? name : id);
	u->kind = ft_xstrdup(kind ? kind : "");
	u->parent_id = parent ? ft_xstrdup(parent) : NULL;
	u->area = kind_index(kind) >= 0;
	u->parent = -1;
	return FT_OK;
}

/* The unit of this id, or -1 (units are in id order, as strcmp). */
static int
find_unit(const struct site *w, const char *id)
{
	size_t lo = 0, hi = w->nu, mid;
	int c;

	if (!id)
		return -1;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(w->u[mid].id, id);
		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
keep_shape(void *ctx, const char *id, const char *name, const char *kind,
	   const char *geo, size_t len)
{
	struct site *w = ctx;
	int i = find_unit(w, id);

	(void)name, (void)kind;
	if (i >= 0 && !w->u[i].geo) {
		w->u[i].geo = ft_xstrndup(geo, len);
		w->u[i].geolen = len;
	}
	return FT_OK;
}

static int64_t
when(const char *s)
{
	const char *err;
	int64_t t;

	if (!s || ft_time_parse(s, strlen(s), &t, &err))
		return INT64_MIN;
	return t;
}

static void
count_cat(struct unit *u, const char *name, int done)
{
	size_t i;

	for (i = 0; i < u->ncat; i++)
		if (!strcmp(u->cat[i].name, name))
			break;
	if (i == u->ncat) {
		u->cat = ft_xrealloc(u->cat,
				     (u->ncat + 1) * sizeof(struct cat));
		u->cat[i].name = ft_xstrdup(name);
		u->cat[i].n = u->cat[i].done = 0;
		u->ncat++;
	}
	u->cat[i].n++;
	u->cat[i].done += done;
}

/* Adds case c to the figures of unit u. */
static void
count_case(struct site *w, struct unit *u, const struct ft_site_case *c,
	   int64_t reported)
{
	int done = c->resolved_at && c->status &&
		   (!strcmp(c->status, "resolved") ||
		    !strcmp(c->status, "closed")) &&
		   !(c->outcome && !strcmp(c->outcome, "not fixed"));
	int sec, wday;
	int64_t day, d;

	u->reported++;
	if (c->status && !strcmp(c->status, "duplicate")) {
		u->dup++;
		return;
	}
	count_cat(u, c->category ? c->category : "(none)", done);
	if (done) {
		u->done++;
		d = when(c->resolved_at) - reported;
		if (u->ndur == u->capdur) {
			u->capdur = u->capdur ? 2 * u->capdur : 16;
			u->dur = ft_xrealloc(u->dur,
					     u->capdur * sizeof(int64_t));
		}
		u->dur[u->ndur++] = d < 0 ? 0 : d;
		if (c->resolve_by) {
			u->deadline++;
			u->in_time += strcmp(c->resolved_at, c->resolve_by) <=
				      0;
		}
	} else if (c->outcome && !strcmp(c->outcome, "not fixed")) {
		u->notfixed++;
	} else if (c->status && strcmp(c->status, "closed") &&
		   strcmp(c->status, "resolved")) {
		u->open++;
		if (c->resolve_by && when(c->resolve_by) < ft_time_now())
			u->overdue++;
	}
	if (c->rating > 0) {
		u->nrating++;
		u->sumrating += c->rating;
		u->satisfied += c->rating >= 4;
	}
	if (w->ndays) {
		ft_time_local(reported, &sec, &wday, &day);
		if (day >= w->day0 && (size_t)(day - w->day0) < w->ndays) {
			if (!u->day)
				u->day = calloc(w->ndays, sizeof(long long));
			if (u->day)
				u->day[day - w->day0]++;
		}
	}
}

static int
each_case(void *ctx, const struct ft_site_case *c)
{
	struct site *w = ctx;
	int64_t reported = when(c->reported_at);
	int i = find_unit(w, c->area), steps;

	count_case(w, &w->u[w->nu], c, reported);
	/* Up the tree, each area once: a parent cycle in the units ends
	 * the walk where it comes round. */
	w->ncase++;
	for (steps = 0; i >= 0 && steps < 64 && w->u[i].seen != w->ncase;
	     steps++, i = w->u[i].parent) {
		w->u[i].seen = w->ncase;
		if (w->u[i].area)
			count_case(w, &w->u[i], c, reported);
	}
	return FT_OK;
}

/* ---- writing files ---- */

/* Writes b to the site's file rel: 73 or 74 after a message. */
static int
put_file(struct site *w, const char *rel, const struct ft_buf *b)
{
	struct ft_buf path = FT_BUF_INIT;
	FILE *f;
	int st = FT_OK;

	ft_buf_addf(&path, "%s/%s", w->tmp, rel);
	if (!(f = fopen(path.s, "w"))) {
		ft_error("%s: %s", path.s, strerror(errno));
		st = FT_CANTCREAT;
	} else if (fwrite(b->s, 1, b->len, f) != b->len || fclose(f)) {
		ft_error("%s: %s", path.s, strerror(errno));
		st = FT_IOERR;
	}
	ft_buf_release(&path);
	return st;
}

/* ---- the pages of areas ---- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A duration of s seconds, for people: minutes, hours or days. */
static void
duration(struct ft_buf *out, int64_t s)
{
	if (s < 3600)
		ft_buf_addf(out, "%lld min", (long long)(s + 30) / 60);
	else if (s < 48 * 3600)
		ft_buf_addf(out, "%.1f h", (double)s / 3600);
	else
		ft_buf_addf(out, "%.1f d", (double)s / 86400);
}

/* The p-th percentile (nearest rank) of the sorted durations of u. */
static int64_t
pct(const struct unit *u, int p)
{
	size_t k = (u->ndur * (size_t)p + 99) / 100;

	return u->dur[k ? k - 1 : 0];
}

static void kpi(struct ft_buf *out, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
kpi(struct ft_buf *out, const char *what, const char *fmt, ...)
{
	char v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	ft_buf_adds(out, "<div><b>");
	ft_html_text(out, v);
	ft_buf_adds(out, "</b>");
	ft_buf_adds(out, what);
	ft_buf_adds(out, "</div>\n");
}

/* A share as a percent with one decimal, or "-" for none of none. */
static void
share(char *out, size_t n, long long part, long long whole)
{
	if (!whole)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.1f%%",
			 100.0 * (double)part / (double)whole);
}

/* The key figures of u. */
static void
figures(struct ft_buf *out, struct unit *u)
{
	struct ft_buf d = FT_BUF_INIT;
	char a[32];

	if (u->ndur)
		qsort(u->dur, u->ndur, sizeof(int64_t), cmp_i64);
	ft_buf_adds(out, "<div class=\"kpi\">\n");
	kpi(out, "reported", "%lld", u->reported);
	kpi(out, "repeats of a case already open", "%lld", u->dup);
	kpi(out, "resolved", "%lld", u->done);
	kpi(out, "closed without a fix", "%lld", u->notfixed);
	kpi(out, "still open", "%lld", u->open);
	kpi(out, "open past the deadline", "%lld", u->overdue);
	if (u->ndur) {
		duration(&d, pct(u, 50));
		kpi(out, "median time to resolve", "%s", d.s);
		ft_buf_reset(&d);
		duration(&d, pct(u, 90));
		kpi(out, "90% resolved within", "%s", d.s);
	}
	share(a, sizeof(a), u->in_time, u->deadline);
	kpi(out, "resolved within the deadline", "%s", a);
	if (u->nrating) {
		kpi(out, "ratings", "%lld", u->nrating);
		kpi(out, "mean rating (1-5)", "%.2f",
		    (double)u->sumrating / (double)u->nrating);
		share(a, sizeof(a), u->satisfied, u->nrating);
		kpi(out, "satisfied (4 or 5)", "%s", a);
	} else {
		kpi(out, "ratings", "none");
	}
	ft_buf_adds(out, "</div>\n");
	ft_buf_release(&d);
}

static int
cat_cmp(const void *a, const void *b)
{
	const struct cat *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The categories of u as bars and a table. */
static void
categories(struct ft_buf *out, struct unit *u)
{
	struct ft_svg_item *it;
	size_t i;

	if (!u->ncat)
		return;
	qsort(u->cat, u->ncat, sizeof(struct cat), cat_cmp);
	it = ft_xmalloc(u->ncat * sizeof(struct ft_svg_item));
	for (i = 0; i < u->ncat; i++) {
		it[i].label = u->cat[i].name;
		it[i].id = NULL;
		it[i].value = (double)u->cat[i].n;
		it[i].href = NULL;
	}
	ft_buf_adds(out, "<h2>What was reported</h2>\n<figure>\n");
	ft_svg_bars(out, "reported, by category", it, u->ncat);
	ft_buf_adds(out, "</figure>\n<table>\n<thead><tr><th>category</th>"
			 "<th class=\"n\">reported</th><th class=\"n\">"
			 "resolved</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < u->ncat; i++) {
		ft_buf_adds(out, "<tr><td>");
		ft_html_text(out, u->cat[i].name);
		ft_buf_addf(out,
			    "</td><td class=\"n\">%lld</td><td class=\"n\">"
			    "%lld</td></tr>\n",
			    u->cat[i].n, u->cat[i].done);
	}
	ft_buf_adds(out, "</tbody>\n</table>\n");
	free(it);
}

/* The events of u by local day, as a line. */
static void
days(struct site *w, struct ft_buf *out, const struct unit *u)
{
	struct ft_svg_item *it;
	char(*lab)[12];
	size_t i;
	int64_t y;

	if (!w->ndays)
		return;
	it = ft_xmalloc(w->ndays * sizeof(struct ft_svg_item));
	lab = ft_xmalloc(w->ndays * sizeof(*lab));
	for (i = 0; i < w->ndays; i++) {
		char l[32];

		/* Noon of the day is in it, whatever the zone's changes. */
		y = (w->day0 + (int64_t)i) * 86400 + 43200;
		ft_report_local(y - ft_time_offset(y), l, sizeof(l));
		memcpy(lab[i], l, 10);
		lab[i][10] = '\0';
		it[i].label = lab[i];
		it[i].id = NULL;
		it[i].value = u->day ? (double)u->day[i] : 0;
		it[i].href = NULL;
	}
	ft_buf_adds(out, "<h2>Reports a day</h2>\n<figure>\n");
	ft_svg_line(out, "reported, by day", it, w->ndays);
	ft_buf_adds(out, "</figure>\n");
	free(lab);
	free(it);
}

/* The children of unit p (nu: the top areas) that are areas. */
static int
child_of(const struct site *w, size_t i, size_t p)
{
	const struct unit *u = &w->u[i];

	if (!u->area)
		return 0;
	if (p == w->nu)
		return u->parent < 0 || !w->u[u->parent].area;
	return u->parent == (int)p;
}

/* The map and table of the children of p, linked from a page at depth
 * (0: the index, 1: a page in area/). */
static void
children(struct site *w, struct ft_buf *out, size_t p, int depth)
{
	struct ft_svg_map m;
	struct ft_buf href = FT_BUF_INIT;
	const char *up = depth ? "" : "area/";
	size_t i;
	long k;
	int n = 0;

	ft_svg_map_init(&m);
	for (i = 0; i < w->nu; i++) {
		if (!child_of(w, i, p))
			continue;
		n++;
		if (!w->u[i].geo)
			continue;
		k = ft_svg_map_add(&m, w->u[i].id, w->u[i].name, w->u[i].geo,
				   w->u[i].geolen);
		if (k < 0)
			continue;
		ft_buf_reset(&href);
		ft_buf_adds(&href, up);
		fname(&href, w->u[i].id);
		ft_buf_adds(&href, ".html");
		m.shape[k].href = ft_xstrdup(href.s);
		m.shape[k].value = (double)w->u[i].reported;
		m.shape[k].has_value = 1;
	}
	if (!n) {
		ft_svg_map_release(&m);
		ft_buf_release(&href);
		return;
	}
	ft_buf_adds(out, "<h2>Areas</h2>\n");
	if (m.n) {
		ft_buf_adds(out, "<figure>\n");
		ft_svg_map_draw(out, &m, "map of the areas", "reported");
		ft_buf_adds(out, "</figure>\n");
	}
	ft_buf_adds(out, "<table>\n<thead><tr><th>area</th>"
			 "<th class=\"n\">reported</th><th class=\"n\">"
			 "resolved</th><th class=\"n\">median time</th>"
			 "<th class=\"n\">within deadline</th>"
			 "<th class=\"n\">mean rating</th></tr></thead>\n"
			 "<tbody>\n");
	for (i = 0; i < w->nu; i++) {
		struct unit *c = &w->u[i];
		char a[32];

		if (!child_of(w, i, p))
			continue;
		if (c->ndur)
			qsort(c->dur, c->ndur, sizeof(int64_t), cmp_i64);
		ft_buf_addf(out, "<tr><td><a href=\"%s", up);
		fname(out, c->id);
		ft_buf_adds(out, ".html\">");
		ft_html_text(out, c->name);
		ft_buf_addf(out,
			    "</a></td><td class=\"n\">%lld</td>"
			    "<td class=\"n\">%lld</td><td class=\"n\">",
			    c->reported, c->done);
		if (c->ndur)
			duration(out, pct(c, 50));
		else
			ft_buf_addc(out, '-');
		share(a, sizeof(a), c->in_time, c->deadline);
		ft_buf_addf(out, "</td><td class=\"n\">%s</td><td class=\"n\">",
			    a);
		if (c->nrating)
			ft_buf_addf(out, "%.2f",
				    (double)c->sumrating / (double)c->nrating);
		else
			ft_buf_addc(out, '-');
		ft_buf_adds(out, "</td></tr>\n");
	}
	ft_buf_adds(out, "</tbody>\n</table>\n");
	ft_svg_map_release(&m);
	ft_buf_release(&href);
}

/* The links from an area page up to the index. */
static void
crumbs(struct site *w, struct ft_buf *out, int i)
{
	int chain[64], n = 0;

	for (i = w->u[i].parent; i >= 0 && n < 64; i = w->u[i].parent)
		if (w->u[i].area)
			chain[n++] = i;
	ft_buf_adds(out, "<nav><a href=\"../index.html\">Home</a>");
	while (n--) {
		ft_buf_adds(out, " &rsaquo; <a href=\"");
		fname(out, w->u[chain[n]].id);
		ft_buf_adds(out, ".html\">");
		ft_html_text(out, w->u[chain[n]].name);
		ft_buf_adds(out, "</a>");
	}
	ft_buf_adds(out, "</nav>\n");
}

static void
foot(struct site *w, struct ft_buf *f, int depth)
{
	ft_buf_reset(f);
	ft_buf_addf(f,
		    "Cases reported %s. No personal data: reporters, voters "
		    "and the words of reports are never published. "
		    "<a href=\"%scase/index.html\">Find your case</a>",
		    w->range, depth ? "../" : "");
}

static int
area_page(struct site *w, size_t i)
{
	struct unit *u = &w->u[i];
	struct ft_buf p = FT_BUF_INIT, f = FT_BUF_INIT, rel = FT_BUF_INIT;
	int st;

	ft_html_open(&p, u->name);
	crumbs(w, &p, (int)i);
	ft_buf_adds(&p, "<h1>");
	ft_html_text(&p, u->name);
	ft_buf_adds(&p, "</h1>\n<p class=\"sub\">");
	ft_html_text(&p, u->kind);
	ft_buf_adds(&p, " &middot; ");
	ft_html_text(&p, u->id);
	ft_buf_addf(&p, " &middot; reported %s</p>\n", w->range);
	figures(&p, u);
	children(w, &p, i, 1);
	categories(&p, u);
	days(w, &p, u);
	foot(w, &f, 1);
	ft_html_close(&p, f.s);
	ft_buf_adds(&rel, "area/");
	fname(&rel, u->id);
	ft_buf_adds(&rel, ".html");
	st = put_file(w, rel.s, &p);
	ft_buf_release(&p);
	ft_buf_release(&f);
	ft_buf_release(&rel);
	return st;
}

/* A stored time, local, or "-". */
static void
local(struct ft_buf *out, const char *s)
{
	char l[32];
	int64_t t = when(s);

	if (t == INT64_MIN) {
		ft_buf_addc(out, '-');
		return;
	}
	ft_report_local(t, l, sizeof(l));
	ft_buf_adds(out, l);
}

/* ---- votes ---- */

/* A round's page being written, and the counts it shows. */
struct vpage {
	struct ft_buf *out;
	char *rule[8], *result[8]; /* the newest count of each rule */
	size_t n;
};

/* One stored count: its projects' table and its totals. */
static int
tally(void *ctx, const char *rule, const char *counted_at, long long ballots,
      const char *digest, const char *result)
{
	struct vpage *vp = ctx;
	struct ft_buf *out = vp->out, v = FT_BUF_INIT;
	struct ft_json_doc d;
	const struct ft_json_member *m;
	const char *line = result ? result : "", *nl, *err;
	static const char *const cols[] = { "rank",  "name",  "cost",
					    "votes", "score", NULL };
	size_t errpos;
	int c;

	if (vp->n < 8) {
		vp->rule[vp->n] = ft_xstrdup(rule ? rule : "");
		vp->result[vp->n++] = ft_xstrdup(line);
	}
	ft_json_doc_init(&d);
	ft_buf_adds(out, "<h2>Result counted under ");
	ft_html_text(out, rule ? rule : "");
	ft_buf_addf(out, "</h2>\n<p class=\"small\">%lld ballots counted at ",
		    ballots);
	local(out, counted_at);
	ft_buf_adds(out, "; the ballots' digest ");
	ft_html_text(out, digest ? digest : "");
	ft_buf_adds(out, " (ft-vote recount checks it)</p>\n<table>\n<thead>"
			 "<tr><th class=\"n\">rank</th><th>project</th>"
			 "<th class=\"n\">cost</th><th class=\"n\">votes</th>"
			 "<th class=\"n\">score</th><th>selected</th>"
			 "<th>why</th></tr></thead>\n<tbody>\n");
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (ft_json_parse(&d, line,
				  nl ? (size_t)(nl - line) : strlen(line), &err,
				  &errpos) ||
		    d.type != '{')
			continue;
		if (ft_json_get(&d, "totals")) {
			ft_buf_adds(out, "</tbody>\n<tfoot><tr><td></td><td>");
			if (ft_json_member_text(&d, "spent", &v) > 0) {
				ft_buf_adds(out, "spent ");
				ft_html_text(out, v.s);
			}
			if (ft_json_member_text(&d, "left", &v) > 0) {
				ft_buf_adds(out, ", left ");
				ft_html_text(out, v.s);
			}
			ft_buf_adds(out, "</td><td colspan=\"5\"></td></tr>"
					 "</tfoot>\n<tbody>\n");
			continue;
		}
		ft_buf_adds(out, "<tr>");
		for (c = 0; cols[c]; c++) {
			ft_buf_adds(out, c == 1 ? "<td>" : "<td class=\"n\">");
			/* A project without a name: its id. */
			if (ft_json_member_text(&d, cols[c], &v) > 0 ||
			    (c == 1 &&
			     ft_json_member_text(&d, "project", &v) > 0))
				ft_html_text(out, v.s);
			ft_buf_adds(out, "</td>");
		}
		m = ft_json_get(&d, "selected");
		ft_buf_addf(out, "<td>%s</td><td>",
			    m && m->vallen == 4 &&
					    !memcmp(d.text.s + m->val, "true",
						    4) ?
				    "<b>selected</b>" :
				    "no");
		if (ft_json_member_text(&d, "reason", &v) > 0)
			ft_html_text(out, v.s);
		ft_buf_adds(out, "</td></tr>\n");
	}
	ft_buf_adds(out, "</tbody>\n</table>\n");
	ft_json_doc_release(&d);
	ft_buf_release(&v);
	return FT_OK;
}

/* A project's line of a stored count. */
struct pline {
	char *project, *name, *cost, *votes;
	int selected;
};

/* The project lines of result (ft-vote tally --totals's lines) into
 * *pl[0..*n): the caller frees them with plines_free(). */
static void
plines(const char *result, struct pline **pl, size_t *n)
{
	struct ft_json_doc d;
	struct ft_buf v = FT_BUF_INIT;
	const struct ft_json_member *m;
	const char *line = result, *nl, *err;
	size_t errpos, cap = 0;
	struct pline *p;

	*pl = NULL;
	*n = 0;
	ft_json_doc_init(&d);
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (ft_json_parse(&d, line,
				  nl ? (size_t)(nl - line) : strlen(line), &err,
				  &errpos) ||
		    d.type != '{' || ft_json_get(&d, "totals") ||
		    ft_json_member_text(&d, "project", &v) <= 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*pl = ft_xrealloc(*pl, cap * sizeof(struct pline));
		}
		p = &(*pl)[(*n)++];
		p->project = ft_xstrdup(v.s);
		p->name = ft_json_member_text(&d, "name", &v) > 0 ?
				  ft_xstrdup(v.s) :
				  ft_xstrdup(p->project);
		p->cost = ft_json_member_text(&d, "cost", &v) > 0 ?
				  ft_xstrdup(v.s) :
				  ft_xstrdup("");
		p->votes = ft_json_member_text(&d, "votes", &v) > 0 ?
				   ft_xstrdup(v.s) :
				   ft_xstrdup("");
		m = ft_json_get(&d, "selected");
		p->selected = m && m->vallen == 4 &&
			      !memcmp(d.text.s + m->val, "true", 4);
	}
	ft_json_doc_release(&d);
	ft_buf_release(&v);
}

static void
plines_free(struct pline *pl, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(pl[i].project);
		free(pl[i].name);
		free(pl[i].cost);
		free(pl[i].votes);
	}
	free(pl);
}

/* The rules a round was counted under, side by side: a project a row, in
 * the first count's order, and whether each rule selects it. */
static void
rules_compared(struct vpage *vp)
{
	struct ft_buf *out = vp->out;
	struct pline *pl[8] = { NULL };
	size_t n[8] = { 0 }, i, j, k;
	int sel, first, differs;

	for (k = 0; k < vp->n; k++)
		plines(vp->result[k], &pl[k], &n[k]);
	ft_buf_adds(out, "<h2>The rules compared</h2>\n<table>\n<thead><tr>"
			 "<th>project</th><th class=\"n\">cost</th>"
			 "<th class=\"n\">votes</th>");
	for (k = 0; k < vp->n; k++) {
		ft_buf_adds(out, "<th>");
		ft_html_text(out, vp->rule[k]);
		ft_buf_adds(out, "</th>");
	}
	ft_buf_adds(out, "<th>differs</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n[0]; i++) {
		ft_buf_adds(out, "<tr><td>");
		ft_html_text(out, pl[0][i].name);
		ft_buf_adds(out, "</td><td class=\"n\">");
		ft_html_text(out, pl[0][i].cost);
		ft_buf_adds(out, "</td><td class=\"n\">");
		ft_html_text(out, pl[0][i].votes);
		ft_buf_adds(out, "</td>");
		first = pl[0][i].selected;
		differs = 0;
		for (k = 0; k < vp->n; k++) {
			for (j = 0, sel = 0; j < n[k]; j++)
				if (!strcmp(pl[k][j].project, pl[0][i].project))
					sel = pl[k][j].selected;
			differs |= sel != first;
			ft_buf_adds(out, sel ? "<td><b>selected</b></td>" :
					       "<td>no</td>");
		}
		ft_buf_addf(out, "<td>%s</td></tr>\n", differs ? "yes" : "");
	}
	ft_buf_adds(out, "</tbody>\n</table>\n");
	for (k = 0; k < vp->n; k++)
		plines_free(pl[k], n[k]);
}

struct tw {
	struct site *w;
	struct ft_buf *out;
	struct ft_buf chans; /* the channels of the current area's row */
	int open; /* a row is open */
	int small;
};

/* Ends the open row of turnout: its channels, its mark. */
static void
turnout_end(struct tw *t)
{
	if (!t->open)
		return;
	ft_buf_adds(t->out, "<td>");
	if (t->chans.len)
		ft_buf_add(t->out, t->chans.s, t->chans.len);
	ft_buf_addf(t->out, "</td><td>%s</td></tr>\n",
		    t->small ? "small group" : "");
	ft_buf_reset(&t->chans);
	t->open = 0;
}

static int
turnout_row(void *ctx, const struct ft_srv_turnout *r)
{
	struct tw *t = ctx;
	struct ft_buf *out = t->out;
	char a[32];
	int i;

	share(a, sizeof(a), r->ballots, r->voters);
	if (r->channel) {
		if (t->chans.len)
			ft_buf_adds(&t->chans, ", ");
		ft_html_text(&t->chans, r->channel);
		ft_buf_addf(&t->chans, " %s", a);
		return FT_OK;
	}
	turnout_end(t);
	t->open = 1;
	t->small = r->voters < t->w->o->min_group;
	ft_buf_adds(out, "<tr><td>");
	i = find_unit(t->w, r->area);
	if (i >= 0 && t->w->u[i].area) {
		ft_buf_adds(out, "<a href=\"../area/");
		fname(out, r->area);
		ft_buf_adds(out, ".html\">");
		ft_html_text(out, t->w->u[i].name);
		ft_buf_adds(out, "</a>");
	} else {
		ft_html_text(out, r->area ? (r->name ? r->name : r->area) :
					    "(no area kept)");
	}
	ft_buf_adds(out, "</td><td>");
	ft_html_text(out, r->kind ? r->kind : "");
	ft_buf_addf(out,
		    "</td><td class=\"n\">%lld</td><td class=\"n\">%lld"
		    "</td><td class=\"n\">%s</td>",
		    (long long)r->voters, (long long)r->ballots, a);
	return FT_OK;
}

/* Turnout by area (every level) and channel. */
static int
turnout(struct site *w, struct ft_buf *out, const char *round)
{
	struct tw t = { w, out, FT_BUF_INIT, 0, 0 };
	size_t mark = out->len;
	int st;

	ft_buf_adds(out, "<h2>Turnout by area</h2>\n<table>\n<thead><tr>"
			 "<th>area</th><th>level</th>"
			 "<th class=\"n\">eligible voters</th>"
			 "<th class=\"n\">ballots</th>"
			 "<th class=\"n\">turnout</th><th>by channel</th>"
			 "<th></th></tr></thead>\n<tbody>\n");
	st = ft_store_rvote_turnout_each(w->rv, round, NULL, NULL, turnout_row,
					 &t);
	if (!t.open && !st) {
		out->len = mark; /* no voter: no table */
		out->s[mark] = '\0';
	} else {
		turnout_end(&t);
		ft_buf_addf(out,
			    "</tbody>\n</table>\n<p class=\"small\">A small "
			    "group has fewer than %lld eligible voters: too "
			    "few to compare.</p>\n",
			    (long long)w->o->min_group);
	}
	ft_buf_release(&t.chans);
	return st;
}

struct pw {
	struct site *w;
	struct ft_buf *out;
	const struct pline *p; /* the funded project written */
	int n; /* its steps so far */
	struct ft_buf steps, latest;
};

static int
progress_step(void *ctx, const struct ft_srv_progress *r)
{
	struct pw *x = ctx;
	struct ft_buf *b = &x->steps;

	if (strcmp(r->project, x->p->project))
		return FT_OK;
	x->n++;
	ft_buf_reset(&x->latest);
	ft_buf_adds(b, "<li>");
	local(b, r->at);
	ft_buf_adds(b, ": ");
	ft_html_text(b, r->stage);
	ft_html_text(&x->latest, r->stage);
	if (r->percent >= 0) {
		ft_buf_addf(b, " (%d%%)", r->percent);
		ft_buf_addf(&x->latest, " (%d%%)", r->percent);
	}
	ft_buf_adds(&x->latest, ", ");
	local(&x->latest, r->at);
	if (r->note) {
		ft_buf_adds(b, " &middot; ");
		ft_html_text(b, r->note);
	}
	ft_buf_adds(b, "</li>\n");
	return FT_OK;
}

/* The funded projects of the count the round is published by, each with
 * its latest step of progress and its dated steps. */
static int
progress(struct site *w, struct vpage *vp, const char *round, const char *rule)
{
	struct pw x = { w, vp->out, NULL, 0, FT_BUF_INIT, FT_BUF_INIT };
	struct ft_buf *out = vp->out;
	struct pline *pl;
	size_t n, i, c = 0;
	int st = FT_OK, any = 0;

	for (i = 0; rule && i < vp->n; i++)
		if (!strcmp(vp->rule[i], rule))
			c = i;
	plines(vp->result[c], &pl, &n);
	for (i = 0; !st && i < n; i++) {
		if (!pl[i].selected)
			continue;
		if (!any++)
			ft_buf_adds(out,
				    "<h2>Progress of the funded projects</h2>"
				    "\n<table>\n<thead><tr><th>project</th>"
				    "<th>latest</th><th>steps</th></tr>"
				    "</thead>\n<tbody>\n");
		x.p = &pl[i];
		x.n = 0;
		ft_buf_reset(&x.steps);
		ft_buf_reset(&x.latest);
		st = ft_store_rvote_progress_each(w->rv, round, progress_step,
						  &x);
		ft_buf_adds(out, "<tr><td>");
		ft_html_text(out, pl[i].name);
		ft_buf_adds(out, "</td><td>");
		if (x.n)
			ft_buf_add(out, x.latest.s, x.latest.len);
		else
			ft_buf_adds(out, "not started");
		ft_buf_adds(out, "</td><td>");
		if (x.n) {
			ft_buf_adds(out, "<ul>\n");
			ft_buf_add(out, x.steps.s, x.steps.len);
			ft_buf_adds(out, "</ul>");
		}
		ft_buf_adds(out, "</td></tr>\n");
	}
	if (any)
		ft_buf_adds(out, "</tbody>\n</table>\n");
	plines_free(pl, n);
	ft_buf_release(&x.steps);
	ft_buf_release(&x.latest);
	return st;
}

struct chan {
	struct ft_svg_item it[32];
	char *name[32];
	size_t n;
};

static int
channel(void *ctx, const char *name, long long n)
{
	struct chan *c = ctx;

	if (c->n == 32)
		return FT_OK;
	c->name[c->n] = ft_xstrdup(name ? name : "");
	c->it[c->n].label = c->name[c->n];
	c->it[c->n].id = NULL;
	c->it[c->n].value = (double)n;
	c->it[c->n].href = NULL;
	c->n++;
	return FT_OK;
}

struct rounds {
	struct site *w;
	struct ft_buf list; /* the index's list of rounds */
	int st;
};

static int
round_page(void *ctx, const struct ft_site_round *r)
{
	struct rounds *rs = ctx;
	struct site *w = rs->w;
	struct ft_buf p = FT_BUF_INIT, f = FT_BUF_INIT, rel = FT_BUF_INIT;
	struct vpage vp = { &p, { NULL }, { NULL }, 0 };
	struct chan ch;
	char a[32];
	size_t i;
	int st;

	ch.n = 0;
	ft_html_open(&p, r->name);
	ft_buf_adds(&p, "<nav><a href=\"../index.html\">Home</a></nav>\n<h1>");
	ft_html_text(&p, r->name);
	ft_buf_adds(&p, "</h1>\n<p class=\"sub\">");
	ft_html_text(&p, r->round);
	ft_buf_adds(&p, " &middot; budget ");
	ft_html_text(&p, r->budget);
	ft_buf_adds(&p, " &middot; ");
	ft_html_text(&p, r->ballot);
	ft_buf_adds(&p, " ballots");
	if (r->opens_at && r->closes_at) {
		ft_buf_adds(&p, " &middot; open from ");
		local(&p, r->opens_at);
		ft_buf_adds(&p, " to ");
		local(&p, r->closes_at);
	}
	ft_buf_adds(&p, "</p>\n<div class=\"kpi\">\n");
	kpi(&p, "eligible voters", "%lld", r->voters);
	kpi(&p, "ballots", "%lld", r->ballots);
	share(a, sizeof(a), r->ballots, r->voters);
	kpi(&p, "turnout", "%s", a);
	ft_buf_adds(&p, "</div>\n");
	st = ft_store_site_channels_each(w->s, r->round, channel, &ch);
	if (!st && ch.n) {
		ft_buf_adds(&p, "<h2>Ballots by channel</h2>\n<figure>\n");
		ft_svg_bars(&p, "ballots, by channel", ch.it, ch.n);
		ft_buf_adds(&p, "</figure>\n");
	}
	for (i = 0; i < ch.n; i++)
		free(ch.name[i]);
	if (!st)
		st = turnout(w, &p, r->round);
	if (!st)
		st = ft_store_site_tallies_each(w->s, r->round, tally, &vp);
	if (!st && vp.n > 1)
		rules_compared(&vp);
	if (!st && vp.n)
		st = progress(w, &vp, r->round, r->rule);
	for (i = 0; i < vp.n; i++) {
		free(vp.rule[i]);
		free(vp.result[i]);
	}
	foot(w, &f, 1);
	ft_html_close(&p, f.s);
	ft_buf_adds(&rel, "vote/");
	fname(&rel, r->round);
	ft_buf_adds(&rel, ".html");
	if (!st)
		st = put_file(w, rel.s, &p);
	ft_buf_adds(&rs->list, "<li><a href=\"");
	ft_buf_adds(&rs->list, rel.s);
	ft_buf_adds(&rs->list, "\">");
	ft_html_text(&rs->list, r->name);
	ft_buf_addf(&rs->list, "</a> (%lld ballots)</li>\n", r->ballots);
	ft_buf_release(&p);
	ft_buf_release(&f);
	ft_buf_release(&rel);
	return st;
}

/* ---- the cases, a page for each ending of their numbers ---- */

static int
bucket_close(struct site *w)
{
	struct ft_buf rel = FT_BUF_INIT;
	int st;

	if (!w->bucket[0] && !w->page.len)
		return FT_OK;
	ft_buf_adds(&w->page, "</tbody>\n</table>\n");
	ft_html_close(&w->page,
		      "Only the case number, what it is about, where and how "
		      "far it has come are published");
	ft_buf_adds(&rel, "case/");
	fname(&rel, w->bucket);
	ft_buf_adds(&rel, ".html");
	st = put_file(w, rel.s, &w->page);
	ft_buf_reset(&w->page);
	ft_buf_release(&rel);
	return st;
}

static void
bucket_open(struct site *w, const char *b)
{
	snprintf(w->bucket, sizeof(w->bucket), "%s", b);
	ft_html_open(&w->page, "Cases ending in ...");
	ft_buf_adds(&w->page, "<nav><a href=\"../index.html\">Home</a> "
			      "&rsaquo; <a href=\"index.html\">Find your "
			      "case</a></nav>\n<h1>Cases whose number ends "
			      "in &ldquo;");
	ft_html_text(&w->page, b);
	ft_buf_adds(&w->page, "&rdquo;</h1>\n<p class=\"sub\">Look for your "
			      "number in the first column (your browser's "
			      "Find, Ctrl+F, helps).</p>\n<table>\n<thead><tr>"
			      "<th>case</th><th>reported</th><th>category</th>"
			      "<th>area</th><th>handled by</th><th>status</th>"
			      "<th>resolved</th></tr></thead>\n<tbody>\n");
	ft_buf_adds(&w->buckets, "<a href=\"");
	fname(&w->buckets, b);
	ft_buf_adds(&w->buckets, ".html\">");
	ft_html_text(&w->buckets, b);
	ft_buf_adds(&w->buckets, "</a>\n");
	w->nbuckets++;
}

static int
each_bucket_case(void *ctx, const struct ft_site_case *c)
{
	struct site *w = ctx;
	const char *b = c->bucket ? c->bucket : "";
	struct ft_buf *p = &w->page;
	int a = find_unit(w, c->area), u = find_unit(w, c->unit), st;

	if (!w->nbuckets || strcmp(b, w->bucket)) {
		if ((st = bucket_close(w)))
			return st;
		bucket_open(w, b);
	}
	ft_buf_adds(p, "<tr><td>");
	ft_html_text(p, c->id);
	ft_buf_adds(p, "</td><td>");
	local(p, c->reported_at);
	ft_buf_adds(p, "</td><td>");
	ft_html_text(p, c->category ? c->category : "-");
	ft_buf_adds(p, "</td><td>");
	if (a >= 0 && w->u[a].area) {
		ft_buf_adds(p, "<a href=\"../area/");
		fname(p, w->u[a].id);
		ft_buf_adds(p, ".html\">");
		ft_html_text(p, w->u[a].name);
		ft_buf_adds(p, "</a>");
	} else {
		ft_buf_addc(p, '-');
	}
	ft_buf_adds(p, "</td><td>");
	ft_html_text(p, u >= 0 ? w->u[u].name : "-");
	ft_buf_adds(p, "</td><td>");
	ft_html_text(p, c->status ? c->status : "-");
	if (c->outcome) {
		ft_buf_adds(p, " (");
		ft_html_text(p, c->outcome);
		ft_buf_addc(p, ')');
	}
	if (c->duplicate_of) {
		ft_buf_adds(p, ": the same as case ");
		ft_html_text(p, c->duplicate_of);
	}
	ft_buf_adds(p, "</td><td>");
	local(p, c->resolved_at);
	if (c->resolved_at && c->resolve_by)
		ft_buf_adds(p, strcmp(c->resolved_at, c->resolve_by) <= 0 ?
				       ", in time" :
				       ", late");
	ft_buf_adds(p, "</td></tr>\n");
	return FT_OK;
}

static int
case_pages(struct site *w)
{
	struct ft_buf p = FT_BUF_INIT;
	char from[FT_TIME_LEN], until[FT_TIME_LEN];
	int st;

	ft_time_format(w->o->since, from);
	ft_time_format(w->o->until, until);
	st = ft_store_site_cases_each(w->s, from, until, 1, each_bucket_case,
				      w);
	if (!st)
		st = bucket_close(w);
	if (st)
		return st;
	ft_html_open(&p, "Find your case");
	ft_buf_adds(&p, "<nav><a href=\"../index.html\">Home</a></nav>\n"
			"<h1>Find your case</h1>\n<p>Every case has a page "
			"named by the last three characters of its number: "
			"for case <b>HL20261201-00123</b>, open <b>123</b>. "
			"It lists the cases that end the same way, with where "
			"each stands.</p>\n");
	ft_buf_addf(&p, "<p class=\"sub\">%zu pages, for the cases reported ",
		    w->nbuckets);
	ft_buf_adds(&p, w->range);
	ft_buf_adds(&p, ".</p>\n<p class=\"buckets\">\n");
	ft_buf_add(&p, w->buckets.s, w->buckets.len);
	ft_buf_adds(&p, "</p>\n");
	ft_html_close(&p, NULL);
	st = put_file(w, "case/index.html", &p);
	ft_buf_release(&p);
	return st;
}

/* ---- the index ---- */

static int
index_page(struct site *w, const struct ft_buf *votes)
{
	struct ft_buf p = FT_BUF_INIT, f = FT_BUF_INIT;
	struct unit *all = &w->u[w->nu];
	size_t top = w->nu, i, only = 0;
	int n, st, depth;

	/* A district alone on top: its streets are what a resident
	 * looks for first (an area alone all the way down stays; at most
	 * 64 levels, as the units' tree is walked everywhere). */
	for (depth = 0; depth < 64; depth++) {
		for (i = 0, n = 0; i < w->nu; i++)
			if (child_of(w, i, top))
				n++, only = i;
		if (n != 1)
			break;
		for (i = 0, n = 0; i < w->nu; i++)
			n += child_of(w, i, only);
		if (!n)
			break;
		top = only;
	}
	ft_html_open(&p, "What was reported and done");
	ft_buf_adds(&p, "<h1>What was reported and what was done</h1>\n"
			"<p class=\"sub\">Reported ");
	ft_buf_adds(&p, w->range);
	ft_buf_adds(&p, " &middot; <a href=\"case/index.html\">Find your "
			"case by its number</a></p>\n");
	figures(&p, all);
	children(w, &p, top, 0);
	categories(&p, all);
	days(w, &p, all);
	ft_buf_adds(&p, "<h2>Residents' votes</h2>\n");
	if (votes->len)
		ft_buf_addf(&p, "<ul>\n%s</ul>\n", votes->s);
	else
		ft_buf_adds(&p, "<p>No vote yet.</p>\n");
	foot(w, &f, 0);
	ft_html_close(&p, f.s);
	st = put_file(w, "index.html", &p);
	ft_buf_release(&p);
	ft_buf_release(&f);
	return st;
}

/* ---- putting the new site in place ---- */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A run holds an exclusive flock(2) on its DIR.new-XXXXXX from just after
 * making it to its end (the lock is the inode's: it goes along when the
 * directory is swapped in); the kernel lets go of it when the run dies.
 * A directory a run writes is younger than this the moment before it is
 * locked, so one that is older and not locked is a dead run's.
 */
#define STALE_AGE 60

/* name is base's DIR.new-XXXXXX (of mkdtemp), or that with .old. */
static int
is_tmp_name(const char *name, const char *base, size_t n)
{
	size_t i;

	if (strncmp(name, base, n) || strncmp(name + n, ".new-", 5))
		return 0;
	name += n + 5;
	for (i = 0; i < 6; i++)
		if (!isalnum((unsigned char)name[i]))
			return 0;
	return !name[6] || !strcmp(name + 6, ".old");
}

/*
 * Removes the DIR.new-XXXXXX (and .old) beside dir[0..n) left by runs that
 * died: those at least STALE_AGE seconds old that no run holds locked
 * (locked here while they are removed, so that two sweeps do not meet).
 */
static void
sweep_stale(const char *dir, size_t n)
{
	struct ft_buf parent = FT_BUF_INIT, path = FT_BUF_INIT;
	const char *base = dir;
	size_t i, nb = n;
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int fd;

	for (i = n; i > 0; i--)
		if (dir[i - 1] == '/') {
			base = dir + i;
			nb = n - i;
			break;
		}
	if (base == dir)
		ft_buf_adds(&parent, ".");
	else
		ft_buf_add(&parent, dir, (size_t)(base - dir));
	if (!nb || !(d = opendir(parent.s))) {
		ft_buf_release(&parent);
		return;
	}
	while ((e = readdir(d))) {
		if (!is_tmp_name(e->d_name, base, nb))
			continue;
		path.len = 0;
		ft_buf_add(&path, dir, (size_t)(base - dir));
		ft_buf_adds(&path, e->d_name);
		fd = open(path.s,
			  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstat(fd, &sb) && sb.st_mtime <= time(NULL) - STALE_AGE &&
		    !flock(fd, LOCK_EX | LOCK_NB))
			rm_tree(path.s);
		close(fd);
	}
	closedir(d);
	ft_buf_release(&path);
	ft_buf_release(&parent);
}

/*
 * The new site tmp in dir's place: a rename when dir does not exist, else
 * an exchange of the two (atomic: a reader sees the old site or the new
 * one), and the old one removed.
 */
static int
swap_in(const char *tmp, const char *dir)
{
	struct stat sb;

	if (lstat(dir, &sb)) {
		if (errno == ENOENT && !rename(tmp, dir))
			return FT_OK;
		return ft_error("%s: %s", dir, strerror(errno)), FT_CANTCREAT;
	}
	if (!S_ISDIR(sb.st_mode))
		return ft_error("%s: not a directory", dir), FT_CANTCREAT;
#ifdef RENAME_EXCHANGE
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE)) {
		rm_tree(tmp);
		return FT_OK;
	}
	if (errno != EINVAL && errno != ENOSYS)
		return ft_error("%s: %s", dir, strerror(errno)), FT_CANTCREAT;
#endif
	{
		/* No exchange here: the old site aside, then the new one
		 * in (a reader may miss the site for that moment). */
		struct ft_buf old = FT_BUF_INIT;

		ft_buf_addf(&old, "%s.old", tmp);
		if (rename(dir, old.s) || rename(tmp, dir)) {
			ft_error("%s: %s", dir, strerror(errno));
			ft_buf_release(&old);
			return FT_CANTCREAT;
		}
		rm_tree(old.s);
		ft_buf_release(&old);
	}
	return FT_OK;
}

static void
site_release(struct site *w)
{
	size_t i, j;

	for (i = 0; i <= w->nu && w->u; i++) {
		free(w->u[i].id);
		free(w->u[i].name);
		free(w->u[i].kind);
		free(w->u[i].parent_id);
		free(w->u[i].geo);
		free(w->u[i].dur);
		free(w->u[i].day);
		for (j = 0; j < w->u[i].ncat; j++)
			free(w->u[i].cat[j].name);
		free(w->u[i].cat);
	}
	free(w->u);
	ft_buf_release(&w->page);
	ft_buf_release(&w->buckets);
	ft_store_site_close(w->s);
	ft_store_rvote_close(w->rv);
}

/* The figures: units, shapes, every case of the range counted. */
static int
load(struct site *w)
{
	char from[FT_TIME_LEN], until[FT_TIME_LEN], a[32], b[32];
	size_t i;
	int sec, wday, st;
	int64_t d1;

	if ((st = ft_store_site_units_each(w->s, add_unit, w)))
		return st;
	if (w->nu + 1 >= w->cap)
		w->u = ft_xrealloc(w->u, (w->nu + 1) * sizeof(struct unit));
	memset(&w->u[w->nu], 0, sizeof(struct unit));
	w->u[w->nu].id = ft_xstrdup("");
	w->u[w->nu].name = ft_xstrdup("all");
	w->u[w->nu].kind = ft_xstrdup("");
	w->u[w->nu].parent = -1;
	for (i = 0; i < w->nu; i++)
		w->u[i].parent = find_unit(w, w->u[i].parent_id);
	for (i = 0; i < w->nu; i++)
		if (w->u[i].parent >= 0)
			w->u[w->u[i].parent].nchild++;
	if ((st = ft_store_site_shapes_each(w->s, NULL, NULL, keep_shape, w)))
		return st;
	ft_time_local(w->o->since, &sec, &wday, &w->day0);
	ft_time_local(w->o->until - 1, &sec, &wday, &d1);
	w->ndays = d1 - w->day0 < 400 ? (size_t)(d1 - w->day0 + 1) : 0;
	ft_report_local(w->o->since, a, sizeof(a));
	ft_report_local(w->o->until, b, sizeof(b));
	snprintf(w->range, sizeof(w->range), "from %s to %s", a, b);
	ft_time_format(w->o->since, from);
	ft_time_format(w->o->until, until);
	return ft_store_site_cases_each(w->s, from, until, 0, each_case, w);
}

/* Writes every page into w->tmp. */
static int
pages(struct site *w)
{
	struct rounds rs = { w, FT_BUF_INIT, FT_OK };
	static const char *const sub[] = { "area", "vote", "case" };
	struct ft_buf d = FT_BUF_INIT;
	size_t i;
	int st = FT_OK;

	for (i = 0; i < 3 && !st; i++) {
		ft_buf_reset(&d);
		ft_buf_addf(&d, "%s/%s", w->tmp, sub[i]);
		if (mkdir(d.s, 0755)) {
			ft_error("%s: %s", d.s, strerror(errno));
			st = FT_CANTCREAT;
		}
	}
	ft_buf_release(&d);
	for (i = 0; !st && i < w->nu; i++)
		if (w->u[i].area)
			st = area_page(w, i), w->nareas++;
	if (!st)
		st = ft_store_site_rounds_each(w->s, round_page, &rs);
	if (!st)
		st = case_pages(w);
	if (!st)
		st = index_page(w, &rs.list);
	ft_buf_release(&rs.list);
	return st;
}

int
ft_report_site(struct ft_db *db, const struct ft_site_opts *o)
{
	struct site w;
	struct ft_buf tmp = FT_BUF_INIT;
	size_t n;
	int st, lock = -1;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.s = ft_store_site_open(db);
	w.rv = ft_store_rvote_open(db);
	/* Beside dir, so that the rename stays on one file system. */
	n = strlen(o->dir);
	while (n > 1 && o->dir[n - 1] == '/')
		n--;
	ft_buf_add(&tmp, o->dir, n);
	ft_buf_adds(&tmp, ".new-XXXXXX");
	if (!mkdtemp(tmp.s)) {
		ft_error("%s: %s", tmp.s, strerror(errno));
		st = FT_CANTCREAT;
		goto out;
	}
	/* Ours while we live; then those of the runs that died. */
	if ((lock = open(tmp.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    flock(lock, LOCK_EX)) {
		ft_error("%s: %s", tmp.s, strerror(errno));
		rm_tree(tmp.s);
		st = FT_CANTCREAT;
		goto out;
	}
	sweep_stale(o->dir, n);
	chmod(tmp.s, 0755);
	w.tmp = tmp.s;
	st = load(&w);
	if (!st)
		st = pages(&w);
	if (!st && !o->no_output) {
		char *dir = ft_xstrndup(o->dir, n);

		st = swap_in(tmp.s, dir);
		free(dir);
	}
	if (st || o->no_output)
		rm_tree(tmp.s);
	else if (!o->quiet)
		fprintf(stderr,
			"ft-report: site %.*s: %zu areas, %lld cases on %zu "
			"case pages\n",
			(int)n, o->dir, w.nareas, w.u[w.nu].reported,
			w.nbuckets);
out:
	if (lock >= 0)
		close(lock);
	site_release(&w);
	ft_buf_release(&tmp);
	return st;
}
