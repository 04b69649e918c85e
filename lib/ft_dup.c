#include "ft_dup.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_json.h"
#include "ft_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * A category's span reaches this far past the event that reads it, and
 * what lies this far behind the events is forgotten: the window plus an
 * hour, times AHEAD.
 */
#define AHEAD 4
/* Facilities remembered before the memory of them starts afresh. */
#define FACILITIES_MAX 65536

struct key {
	char *s;
	size_t len;
	unsigned h;
};

/*
 * An open case of a category, with its point.  id and unit (one block
 * from who()) are known for the cases this run dispatched; NULL for those
 * read from the database, which are looked up when they are the answer.
 */
struct cand {
	int64_t at, seq;
	double lat, lon;
	char *id, *unit;
};

/* A category's candidates reported in [lo, hi], sorted by (at, seq). */
struct cat {
	struct key k;
	int loaded;
	int64_t lo, hi;
	struct cand *v;
	size_t n, cap;
};

/* The earliest candidate at a facility, as cand; seq 0 for none. */
struct fac {
	struct key k;
	int64_t at, seq;
	char *id, *unit;
};

/* Entries by key, open addressing; each entry starts with its key. */
struct table {
	struct key **slot;
	size_t cap, n;
};

struct ft_dup {
	struct ft_store *s;
	double m;
	int64_t win;
	int fac;
	int64_t ver;
	int have_ver;
	struct table cats, facs;
	struct cand *tmp;
	size_t ntmp, tmpcap;
};

/* ---- the tables ---- */

static void
table_grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16, i, j;
	/* sizeof(*s), a pointer to a struct, is meant: s is an array of them.
	 * NOLINTNEXTLINE(bugprone-sizeof-expression) */
	struct key **s = ft_xmalloc(cap * sizeof(*s));

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): as above */
	memset(s, 0, cap * sizeof(*s));
	for (i = 0; i < t->cap; i++) {
		if (!t->slot[i])
			continue;
		j = t->slot[i]->h & (cap - 1);
		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = s;
	t->cap = cap;
}

/* The entry of key s; when there is none, a new zeroed one of size sz, or
 * NULL when sz is 0. */
static void *
table_get(struct table *t, const char *s, size_t len, size_t sz)
{
	unsigned h = ft_json_key_hash(s, len);
	struct key *k;
	size_t j;

	if (2 * (t->n + 1) > t->cap)
		table_grow(t);
	j = h & (t->cap - 1);
	for (; (k = t->slot[j]); j = (j + 1) & (t->cap - 1))
		if (k->h == h && k->len == len && !memcmp(k->s, s, len))
			return k;
	if (!sz)
		return NULL;
	k = ft_xmalloc(sz);
	memset(k, 0, sz);
	k->s = ft_xstrndup(s, len);
	k->len = len;
	k->h = h;
	t->slot[j] = k;
	t->n++;
	return k;
}

/* Empties t; each entry is handed to release, if given, before it goes. */
static void
table_clear(struct table *t, void (*release)(struct key *))
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		if (!t->slot[i])
			continue;
		if (release)
			release(t->slot[i]);
		free(t->slot[i]->s);
		free(t->slot[i]);
		t->slot[i] = NULL;
	}
	t->n = 0;
}

/* id and unit (NULL for none) in one block: *idp gets it, *unitp its unit. */
static void
who(const char *id, size_t idlen, const char *unit, char **idp,
    char **unitp)
{
	size_t ul = unit ? strlen(unit) : 0;
	char *b = ft_xmalloc(idlen + ul + 2);

	memcpy(b, id, idlen);
	b[idlen] = '\0';
	*idp = b;
	*unitp = NULL;
	if (unit) {
		memcpy(b + idlen + 1, unit, ul + 1);
		*unitp = b + idlen + 1;
	}
}

static void
reserve(struct cand **v, size_t *cap, size_t n)
{
	if (n <= *cap)
		return;
	*cap = *cap ? *cap : 64;
	while (*cap < n)
		*cap *= 2;
	*v = ft_xrealloc(*v, *cap * sizeof(**v));
}

/* Drops the candidates [from, to) of c, keeping the order of the rest. */
static void
cat_drop(struct cat *c, size_t from, size_t to)
{
	size_t i;

	if (from == to)
		return;
	for (i = from; i < to; i++)
		free(c->v[i].id);
	memmove(c->v + from, c->v + to, (c->n - to) * sizeof(*c->v));
	c->n -= to - from;
}

/* Puts the n candidates v into c at i, moving the rest on. */
static void
cat_put(struct cat *c, size_t i, const struct cand *v, size_t n)
{
	if (!n)
		return;
	reserve(&c->v, &c->cap, c->n + n);
	memmove(c->v + i + n, c->v + i, (c->n - i) * sizeof(*c->v));
	memcpy(c->v + i, v, n * sizeof(*c->v));
	c->n += n;
}

static void
cat_release(struct key *k)
{
	struct cat *c = (struct cat *)k;

	cat_drop(c, 0, c->n);
	free(c->v);
}

static void
fac_release(struct key *k)
{
	free(((struct fac *)k)->id);
}

/* ---- set-up ---- */

int
ft_dup_new(struct ft_dup **dp, struct ft_store *s, double metres, int minutes,
	   int facility)
{
	struct ft_dup *d = ft_xmalloc(sizeof(*d));

	memset(d, 0, sizeof(*d));
	*dp = d;
	d->s = s;
	d->m = metres;
	d->win = (int64_t)minutes * 60;
	d->fac = facility;
	return FT_OK;
}

void
ft_dup_free(struct ft_dup *d)
{
	if (!d)
		return;
	table_clear(&d->cats, cat_release);
	table_clear(&d->facs, fac_release);
	free(d->cats.slot);
	free(d->facs.slot);
	free(d->tmp);
	free(d);
}

int
ft_dup_sync(struct ft_dup *d)
{
	int64_t v;
	size_t i;
	int st;

	if ((st = ft_store_data_version(d->s, &v)))
		return st;
	if (d->have_ver && v == d->ver)
		return FT_OK;
	/* Another connection committed: what it changed is not known. */
	d->ver = v;
	d->have_ver = 1;
	for (i = 0; i < d->cats.cap; i++) {
		struct cat *c = (struct cat *)d->cats.slot[i];

		if (c) {
			cat_drop(c, 0, c->n);
			c->loaded = 0;
		}
	}
	table_clear(&d->facs, fac_release);
	return FT_OK;
}

/* ---- a category's span ---- */

static int
cand_before(const struct cand *a, int64_t at, int64_t seq)
{
	return a->at < at || (a->at == at && a->seq < seq);
}

/* The first candidate of c not before (at, seq). */
static size_t
lower(const struct cat *c, int64_t at, int64_t seq)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cand_before(&c->v[mid], at, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* read_span(): one candidate more, into d->tmp. */
static int
span_row(void *arg, const struct ft_case_row *r)
{
	struct ft_dup *d = arg;
	const char *err;
	struct cand x;

	if (!r->reported_at ||
	    ft_time_parse(r->reported_at, strlen(r->reported_at), &x.at, &err))
		return FT_OK; /* not ft's: no time to compare */
	x.seq = r->seq;
	x.lat = r->lat;
	x.lon = r->lon;
	x.id = x.unit = NULL;
	reserve(&d->tmp, &d->tmpcap, d->ntmp + 1);
	d->tmp[d->ntmp++] = x;
	return FT_OK;
}

/* The candidates of c reported in [a, b], into d->tmp in order. */
static int
read_span(struct ft_dup *d, const struct cat *c, int64_t a, int64_t b)
{
	char t0[FT_TIME_LEN], t1[FT_TIME_LEN];

	d->ntmp = 0;
	ft_time_format(a, t0);
	ft_time_format(b, t1);
	return ft_store_cases_near_each(d->s, c->k.s, c->k.len, t0, t1,
					span_row, d);
}

/*
 * Makes c's span hold [t - window, t]: extended on the side that lacks
 * it, by at most the window and what is read ahead, or read afresh when
 * it lies apart.  Then forgets what lies far behind t, or far ahead.
 */
static int
cover(struct ft_dup *d, struct cat *c, int64_t t)
{
	int64_t a = t - d->win, ahead = AHEAD * (d->win + 3600);
	int st;

	if (c->loaded && (t < c->lo || a > c->hi)) {
		cat_drop(c, 0, c->n);
		c->loaded = 0;
	}
	if (!c->loaded) {
		if ((st = read_span(d, c, a, t + ahead)))
			return st;
		cat_put(c, 0, d->tmp, d->ntmp);
		c->lo = a;
		c->hi = t + ahead;
		c->loaded = 1;
		return FT_OK;
	}
	if (a < c->lo) {
		if ((st = read_span(d, c, a, c->lo - 1)))
			return st;
		cat_put(c, 0, d->tmp, d->ntmp);
		c->lo = a;
	}
	if (t > c->hi) {
		if ((st = read_span(d, c, c->hi + 1, t + ahead)))
			return st;
		cat_put(c, c->n, d->tmp, d->ntmp);
		c->hi = t + ahead;
	}
	if (a - c->lo > ahead) {
		cat_drop(c, 0, lower(c, a, INT64_MIN));
		c->lo = a;
	}
	if (c->hi - t > 2 * ahead) {
		cat_drop(c, lower(c, t + ahead + 1, INT64_MIN), c->n);
		c->hi = t + ahead;
	}
	return FT_OK;
}

/* ---- the search ---- */

/* The metres between two points (flat earth, fine at these distances). */
static double
metres(double lat1, double lon1, double lat2, double lon2)
{
	double kx = 111320.0 * cos((lat1 + lat2) / 2 * M_PI / 180);
	double dx = (lon2 - lon1) * kx, dy = (lat2 - lat1) * 110574.0;

	return sqrt(dx * dx + dy * dy);
}

/* The earliest open case at e's facility, as ft_dup_find().  A status. */
static int
find_facility(struct ft_dup *d, const struct ft_dup_event *e, int *found,
	      int64_t *seq, const char **id, const char **unit)
{
	struct fac *f = table_get(&d->facs, e->facility, e->faclen, 0);
	struct ft_case_row r;
	int st, there;

	if (!f) {
		if (d->facs.n >= FACILITIES_MAX)
			table_clear(&d->facs, fac_release);
		f = table_get(&d->facs, e->facility, e->faclen, sizeof(*f));
		if ((st = ft_store_case_at_facility(d->s, e->facility,
						    e->faclen, &r, &there)))
			return st;
		if (there) {
			const char *err;

			f->seq = r.seq;
			if (!r.reported_at ||
			    ft_time_parse(r.reported_at, strlen(r.reported_at),
					  &f->at, &err))
				f->at = INT64_MIN;
			who(r.id, r.idlen, r.unit, &f->id, &f->unit);
		}
	}
	if (!f->seq || f->seq == e->seq)
		return FT_OK;
	*found = 1;
	*seq = f->seq;
	*id = f->id;
	*unit = f->unit;
	return FT_OK;
}

/* The earliest open case near e, as ft_dup_find().  A status. */
static int
find_nearby(struct ft_dup *d, const struct ft_dup_event *e, int *found,
	    int64_t *seq, const char **id, const char **unit)
{
	struct cat *c = table_get(&d->cats, e->category, e->catlen,
				  sizeof(*c));
	double dy = d->m / 110574.0;
	double dx = d->m / (111320.0 * fmax(cos(e->lat * M_PI / 180), 1e-6));
	size_t i;
	int st;

	if ((st = cover(d, c, e->at)))
		return st;
	for (i = lower(c, e->at - d->win, INT64_MIN);
	     i < c->n && c->v[i].at <= e->at; i++) {
		const struct cand *x = &c->v[i];

		if (x->seq == e->seq || x->lat < e->lat - dy ||
		    x->lat > e->lat + dy || x->lon < e->lon - dx ||
		    x->lon > e->lon + dx ||
		    metres(e->lat, e->lon, x->lat, x->lon) > d->m)
			continue;
		*found = 1;
		*seq = x->seq;
		*id = x->id;
		*unit = x->unit;
		return FT_OK;
	}
	return FT_OK;
}

int
ft_dup_find(struct ft_dup *d, const struct ft_dup_event *e, int *found,
	    int64_t *seq, const char **id, const char **unit, const char **how)
{
	int st;

	*found = 0;
	if (d->fac && e->faclen &&
	    ((st = find_facility(d, e, found, seq, id, unit)) || *found)) {
		*how = "facility";
		return st;
	}
	if (d->m > 0 && e->has_point && e->catlen &&
	    ((st = find_nearby(d, e, found, seq, id, unit)) || *found)) {
		*how = "nearby";
		return st;
	}
	return FT_OK;
}

void
ft_dup_add(struct ft_dup *d, const struct ft_dup_event *e)
{
	if (d->fac && e->faclen) {
		struct fac *f = table_get(&d->facs, e->facility, e->faclen, 0);

		/* Not remembered: the database answers when asked. */
		if (f && (!f->seq || e->at < f->at ||
			  (e->at == f->at && e->seq < f->seq))) {
			free(f->id);
			f->seq = e->seq;
			f->at = e->at;
			who(e->id, e->idlen, e->unit, &f->id, &f->unit);
		}
	}
	if (d->m > 0 && e->has_point && e->catlen) {
		struct cat *c = table_get(&d->cats, e->category, e->catlen, 0);
		size_t i;

		if (!c || !c->loaded || e->at < c->lo || e->at > c->hi)
			return;
		i = lower(c, e->at, e->seq);
		reserve(&c->v, &c->cap, c->n + 1);
		memmove(c->v + i + 1, c->v + i, (c->n - i) * sizeof(*c->v));
		c->v[i].at = e->at;
		c->v[i].seq = e->seq;
		c->v[i].lat = e->lat;
		c->v[i].lon = e->lon;
		who(e->id, e->idlen, e->unit, &c->v[i].id, &c->v[i].unit);
		c->n++;
	}
}
