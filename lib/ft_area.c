#include "ft_area.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_event.h"
#include "ft_exit.h"
#include "ft_geo.h"
#include "ft_json.h"
#include "ft_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 i128;

/* Kinds of area, finest last: the rank of ft_unit_kinds[k] for k < 4. */
static const int kind_rank[] = { 0, 1, 2, 3 };	/* district .. grid */
#define AREA_KINDS 4
#define FIX 1e7		/* degrees to integers: 1e-7 degree, ~1 cm */

struct unit {
	char *id;
	int kind, parent, team;
};

struct bnd {
	int unit, rank;
	int64_t from, until;
	struct ft_bbox bb;
	size_t ring0, nring;	/* into a->rings */
};

struct ring {
	size_t pt0, npt;	/* into a->pts (pairs) */
};

/* A string-keyed index: open addressing, values are array indices. */
struct smap {
	int *slot;		/* -1 empty */
	size_t cap;
};

struct ft_area {
	struct unit *u;
	size_t nu;
	struct smap umap;

	struct bnd *b;
	size_t nb;
	struct ring *rings;
	size_t nrings, caprings;
	int32_t *pts;		/* lon, lat pairs in 1e-7 degrees */
	size_t npts, cappts;

	/* The grid index: cell i lists cell_items[cell_off[i]..[i+1]). */
	double gx0, gy0, cw, ch;
	int gw, gh;
	size_t *cell_off;
	int *cell_items;
	unsigned *seen;		/* per boundary: the query that saw it */
	unsigned stamp;

	struct ft_facility *f;
	size_t nf;
	struct smap fmap;
	struct ft_buf fstr;	/* facility strings, NUL-separated */
};

static unsigned
hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
smap_build(struct smap *m, size_t n, const char *(*key)(void *, size_t),
	   void *ctx)
{
	size_t i, j;

	m->cap = 16;
	while (m->cap < n * 2)
		m->cap *= 2;
	m->slot = ft_xmalloc(m->cap * sizeof(int));
	for (i = 0; i < m->cap; i++)
		m->slot[i] = -1;
	for (i = 0; i < n; i++) {
		const char *k = key(ctx, i);

		j = hash(k, strlen(k)) & (m->cap - 1);
		while (m->slot[j] >= 0)
			j = (j + 1) & (m->cap - 1);
		m->slot[j] = (int)i;
	}
}

static int
smap_get(const struct smap *m, const char *s, size_t n,
	 const char *(*key)(void *, size_t), void *ctx)
{
	size_t j;

	if (!m->cap)
		return -1;
	j = hash(s, n) & (m->cap - 1);
	for (; m->slot[j] >= 0; j = (j + 1) & (m->cap - 1)) {
		const char *k = key(ctx, (size_t)m->slot[j]);

		if (strlen(k) == n && !memcmp(k, s, n))
			return m->slot[j];
	}
	return -1;
}

static const char *
unit_key(void *ctx, size_t i)
{
	return ((struct ft_area *)ctx)->u[i].id;
}

static const char *
fac_key(void *ctx, size_t i)
{
	return ((struct ft_area *)ctx)->f[i].id;
}

int
ft_area_find(const struct ft_area *a, const char *id, size_t n)
{
	return smap_get(&a->umap, id, n, unit_key, (void *)a);
}

const char *
ft_area_id(const struct ft_area *a, int u)
{
	return a->u[u].id;
}

int
ft_area_kind(const struct ft_area *a, int u)
{
	return a->u[u].kind;
}

int
ft_area_parent(const struct ft_area *a, int u)
{
	return a->u[u].parent;
}

int
ft_area_up(const struct ft_area *a, int u, int kind)
{
	size_t guard = 0;

	/* The guard stops a cycle in the stored tree (a -> b -> a). */
	for (; u >= 0 && guard <= a->nu; u = a->u[u].parent, guard++)
		if (a->u[u].kind == kind)
			return u;
	return -1;
}

int
ft_area_team(const struct ft_area *a, int u)
{
	return a->u[u].team;
}

size_t
ft_area_nunits(const struct ft_area *a)
{
	return a->nu;
}

size_t
ft_area_nboundaries(const struct ft_area *a)
{
	return a->nb;
}

const struct ft_facility *
ft_area_facility(const struct ft_area *a, const char *id, size_t n)
{
	int i = smap_get(&a->fmap, id, n, fac_key, (void *)a);

	return i < 0 ? NULL : &a->f[i];
}

/* ---- loading ---- */

static int
kind_index(const char *k)
{
	int i;

	for (i = 0; ft_unit_kinds[i]; i++)
		if (!strcmp(ft_unit_kinds[i], k))
			return i;
	return -1;
}

/* load_units(): what a walk over the units gathers. */
struct units_walk {
	struct ft_area *a;
	size_t cap;
	char **parent; /* each unit's parent's id, until resolved */
};

static int
unit_row(void *arg, const struct ft_unit_row *r)
{
	struct units_walk *w = arg;
	struct ft_area *a = w->a;

	if (a->nu == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		a->u = ft_xrealloc(a->u, w->cap * sizeof(*a->u));
		w->parent = ft_xrealloc(w->parent, w->cap * sizeof(*w->parent));
	}
	a->u[a->nu].id = ft_xstrdup(r->id);
	a->u[a->nu].kind = kind_index(r->kind);
	a->u[a->nu].team = -1;
	w->parent[a->nu] = r->parent ? ft_xstrdup(r->parent) : NULL;
	a->nu++;
	return FT_OK;
}

static int
load_units(struct ft_area *a, struct ft_store *s)
{
	struct units_walk w = { a, 0, NULL };
	size_t i;
	int st = ft_store_units_each(s, unit_row, &w);

	if (st) {
		for (i = 0; i < a->nu; i++)
			free(w.parent[i]);
		free(w.parent);
		return st;
	}
	smap_build(&a->umap, a->nu, unit_key, a);
	for (i = 0; i < a->nu; i++) {
		int p = w.parent[i] ? ft_area_find(a, w.parent[i],
						   strlen(w.parent[i])) :
				      -1;

		a->u[i].parent = p;
		/* Units come in id order: the first team of a parent wins. */
		if (p >= 0 && a->u[i].kind == 5 && a->u[p].team < 0)
			a->u[p].team = (int)i;
		free(w.parent[i]);
	}
	free(w.parent);
	return FT_OK;
}

struct collect {
	struct ft_area *a;
	int ring;
};

static void
add_point(void *arg, int ring, double lon, double lat)
{
	struct collect *c = arg;
	struct ft_area *a = c->a;

	if (ring != c->ring) {
		if (a->nrings == a->caprings) {
			a->caprings = a->caprings ? a->caprings * 2 : 1024;
			a->rings = ft_xrealloc(a->rings, a->caprings *
					       sizeof(*a->rings));
		}
		a->rings[a->nrings].pt0 = a->npts;
		a->rings[a->nrings].npt = 0;
		a->nrings++;
		c->ring = ring;
	}
	if (a->npts == a->cappts) {
		a->cappts = a->cappts ? a->cappts * 2 : 16384;
		a->pts = ft_xrealloc(a->pts, a->cappts * 2 * sizeof(*a->pts));
	}
	a->pts[2 * a->npts] = (int32_t)lrint(lon * FIX);
	a->pts[2 * a->npts + 1] = (int32_t)lrint(lat * FIX);
	a->npts++;
	a->rings[a->nrings - 1].npt++;
}

static int64_t
when(const char *s, int64_t dflt)
{
	const char *err;
	int64_t t;

	if (!s || ft_time_parse(s, strlen(s), &t, &err))
		return dflt;
	return t;
}

/* load_boundaries(): what a walk over the boundaries gathers. */
struct bounds_walk {
	struct ft_area *a;
	struct ft_store *s;
	size_t cap;
	struct ft_buf why;
};

static int
boundary_row(void *arg, const struct ft_boundary_row *r)
{
	struct bounds_walk *w = arg;
	struct ft_area *a = w->a;
	struct collect c = { a, 0 };
	struct bnd *b;
	const char *err;

	if (a->nb == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		a->b = ft_xrealloc(a->b, w->cap * sizeof(*a->b));
	}
	b = &a->b[a->nb];
	b->unit = ft_area_find(a, r->unit, strlen(r->unit));
	b->rank = kind_rank[a->u[b->unit].kind];
	b->from = when(r->valid_from, INT64_MIN);
	b->until = when(r->valid_until, INT64_MAX);
	b->ring0 = a->nrings;
	err = ft_geo_area_points(r->geojson, r->geolen, &b->bb, &w->why,
				 add_point, &c);
	if (err) {
		ft_error("%s: the stored boundary %lld of unit %s cannot be "
			 "read: %s",
			 ft_store_name(w->s), (long long)r->seq, r->unit, err);
		return FT_DATAERR;
	}
	b->nring = a->nrings - b->ring0;
	/* The box in the same 1e-7 degrees as the exact test, so that a
	 * point that rounds onto an edge is not dropped by the box. */
	b->bb.min_lon = lrint(b->bb.min_lon * FIX) / FIX;
	b->bb.min_lat = lrint(b->bb.min_lat * FIX) / FIX;
	b->bb.max_lon = lrint(b->bb.max_lon * FIX) / FIX;
	b->bb.max_lat = lrint(b->bb.max_lat * FIX) / FIX;
	a->nb++;
	return FT_OK;
}

static int
load_boundaries(struct ft_area *a, struct ft_store *s)
{
	struct bounds_walk w = { a, s, 0, FT_BUF_INIT };
	int st = ft_store_boundaries_each(s, boundary_row, &w);

	ft_buf_release(&w.why);
	return st;
}

static void
cell_range(const struct ft_area *a, double x0, double y0, double x1,
	   double y1, int r[4])
{
	double v[4];
	int i;

	v[0] = (x0 - a->gx0) / a->cw;
	v[1] = (y0 - a->gy0) / a->ch;
	v[2] = (x1 - a->gx0) / a->cw;
	v[3] = (y1 - a->gy0) / a->ch;
	for (i = 0; i < 4; i++) {
		int lim = (i % 2 ? a->gh : a->gw) - 1;

		r[i] = v[i] < 0 ? 0 : v[i] > lim ? lim : (int)v[i];
	}
}

static void
build_grid(struct ft_area *a)
{
	size_t i, ncell, *fill;
	double x1 = -INFINITY, y1 = -INFINITY;
	int r[4], x, y, side;

	a->gx0 = a->gy0 = INFINITY;
	for (i = 0; i < a->nb; i++) {
		struct ft_bbox *bb = &a->b[i].bb;

		a->gx0 = fmin(a->gx0, bb->min_lon);
		a->gy0 = fmin(a->gy0, bb->min_lat);
		x1 = fmax(x1, bb->max_lon);
		y1 = fmax(y1, bb->max_lat);
	}
	/* About two cells a boundary: each lists a handful of candidates. */
	side = (int)ceil(sqrt((double)a->nb * 2));
	if (side < 1)
		side = 1;
	if (side > 2048)
		side = 2048;
	a->gw = a->gh = side;
	a->cw = a->nb ? (x1 - a->gx0) / side : 1;
	a->ch = a->nb ? (y1 - a->gy0) / side : 1;
	if (!(a->cw > 0))
		a->cw = 1e-9;
	if (!(a->ch > 0))
		a->ch = 1e-9;
	ncell = (size_t)side * (size_t)side;
	a->cell_off = ft_xmalloc((ncell + 1) * sizeof(size_t));
	memset(a->cell_off, 0, (ncell + 1) * sizeof(size_t));
	for (i = 0; i < a->nb; i++) {
		struct ft_bbox *bb = &a->b[i].bb;

		cell_range(a, bb->min_lon, bb->min_lat, bb->max_lon,
			   bb->max_lat, r);
		for (y = r[1]; y <= r[3]; y++)
			for (x = r[0]; x <= r[2]; x++)
				a->cell_off[(size_t)y * side + x + 1]++;
	}
	for (i = 0; i < ncell; i++)
		a->cell_off[i + 1] += a->cell_off[i];
	a->cell_items = ft_xmalloc((a->cell_off[ncell] + 1) * sizeof(int));
	fill = ft_xmalloc(ncell * sizeof(size_t));
	memcpy(fill, a->cell_off, ncell * sizeof(size_t));
	for (i = 0; i < a->nb; i++) {
		struct ft_bbox *bb = &a->b[i].bb;

		cell_range(a, bb->min_lon, bb->min_lat, bb->max_lon,
			   bb->max_lat, r);
		for (y = r[1]; y <= r[3]; y++)
			for (x = r[0]; x <= r[2]; x++)
				a->cell_items[fill[(size_t)y * side + x]++] =
					(int)i;
	}
	free(fill);
	a->seen = ft_xmalloc((a->nb + 1) * sizeof(unsigned));
	memset(a->seen, 0, (a->nb + 1) * sizeof(unsigned));
}

/* load_facilities(): what a walk over the facilities gathers. */
struct facs_walk {
	struct ft_area *a;
	size_t cap;
	size_t *off; /* id, area, owner in a->fstr; SIZE_MAX: NULL */
};

static int
facility_row(void *arg, const struct ft_facility_row *r)
{
	struct facs_walk *w = arg;
	struct ft_area *a = w->a;
	const char *v[3] = { r->id, r->area, r->owner };
	struct ft_facility *f;
	int c;

	if (a->nf == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		a->f = ft_xrealloc(a->f, w->cap * sizeof(*a->f));
		w->off = ft_xrealloc(w->off, w->cap * 3 * sizeof(*w->off));
	}
	f = &a->f[a->nf];
	/* Strings go to one buffer; pointers are set once it stops moving. */
	for (c = 0; c < 3; c++) {
		w->off[a->nf * 3 + (size_t)c] = v[c] ? a->fstr.len : (size_t)-1;
		if (v[c])
			ft_buf_add(&a->fstr, v[c], strlen(v[c]) + 1);
	}
	f->has_point = r->has_point;
	f->lat = r->lat;
	f->lon = r->lon;
	a->nf++;
	return FT_OK;
}

static int
load_facilities(struct ft_area *a, struct ft_store *s)
{
	struct facs_walk w = { a, 0, NULL };
	size_t i;
	int st = ft_store_facilities_each(s, facility_row, &w);

	if (st) {
		free(w.off);
		return st;
	}
	for (i = 0; i < a->nf; i++) {
		size_t id = w.off[i * 3], area = w.off[i * 3 + 1],
		       owner = w.off[i * 3 + 2];

		a->f[i].id = a->fstr.s + id;
		a->f[i].area = area == (size_t)-1 ? NULL : a->fstr.s + area;
		a->f[i].owner = owner == (size_t)-1 ? NULL : a->fstr.s + owner;
	}
	free(w.off);
	smap_build(&a->fmap, a->nf, fac_key, a);
	return FT_OK;
}

int
ft_area_load(struct ft_area **ap, struct ft_store *s)
{
	struct ft_area *a = ft_xmalloc(sizeof(*a));
	int st;

	memset(a, 0, sizeof(*a));
	ft_buf_init(&a->fstr);
	*ap = a;
	if ((st = load_units(a, s)) || (st = load_boundaries(a, s)) ||
	    (st = load_facilities(a, s)))
		return st;
	build_grid(a);
	return FT_OK;
}

void
ft_area_free(struct ft_area *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nu; i++)
		free(a->u[i].id);
	free(a->u);
	free(a->umap.slot);
	free(a->b);
	free(a->rings);
	free(a->pts);
	free(a->cell_off);
	free(a->cell_items);
	free(a->seen);
	free(a->f);
	free(a->fmap.slot);
	ft_buf_release(&a->fstr);
	free(a);
}

/* ---- placing ---- */

/*
 * Even-odd crossing test on integer coordinates.  An edge counts when it
 * spans y half-open (lower end included) and passes strictly east of the
 * point; the cross product decides "east" exactly.  Hence a point on an
 * edge is inside the polygon to its east, or north of an east-west edge.
 */
static int
inside(const struct ft_area *a, const struct bnd *b, int32_t px, int32_t py)
{
	size_t r, i;
	int in = 0;

	for (r = b->ring0; r < b->ring0 + b->nring; r++) {
		const int32_t *p = a->pts + 2 * a->rings[r].pt0;
		size_t n = a->rings[r].npt;

		for (i = 0; i + 1 < n; i++) {
			int64_t x1 = p[2 * i], y1 = p[2 * i + 1];
			int64_t x2 = p[2 * i + 2], y2 = p[2 * i + 3];
			i128 cross;

			if ((y1 <= py) == (y2 <= py))
				continue;
			cross = (i128)(x2 - x1) * (py - y1) -
				(i128)(px - x1) * (y2 - y1);
			/* Upward edge: the point is west of it when the cross
			 * product is positive; downward, when negative. */
			if (y2 > y1 ? cross > 0 : cross < 0)
				in = !in;
		}
	}
	return in;
}

/* Metres from the point to the nearest edge of b. */
static double
edge_distance(const struct ft_area *a, const struct bnd *b, double lon,
	      double lat)
{
	double kx = 111320.0 * cos(lat * M_PI / 180), ky = 110574.0;
	double best = INFINITY;
	size_t r, i;

	for (r = b->ring0; r < b->ring0 + b->nring; r++) {
		const int32_t *p = a->pts + 2 * a->rings[r].pt0;
		size_t n = a->rings[r].npt;

		for (i = 0; i + 1 < n; i++) {
			double ax = (p[2 * i] / FIX - lon) * kx;
			double ay = (p[2 * i + 1] / FIX - lat) * ky;
			double bx = (p[2 * i + 2] / FIX - lon) * kx;
			double by = (p[2 * i + 3] / FIX - lat) * ky;
			double dx = bx - ax, dy = by - ay;
			double l2 = dx * dx + dy * dy, t = 0, ex, ey;

			if (l2 > 0) {
				t = -(ax * dx + ay * dy) / l2;
				t = t < 0 ? 0 : t > 1 ? 1 : t;
			}
			ex = ax + t * dx;
			ey = ay + t * dy;
			best = fmin(best, sqrt(ex * ex + ey * ey));
		}
	}
	return best;
}

static int
in_force(const struct bnd *b, int64_t t)
{
	return b->from <= t && t < b->until;
}

int
ft_area_locate(struct ft_area *a, double lon, double lat, int64_t t,
	       double near_m, struct ft_area_hit *h)
{
	int32_t px = (int32_t)lrint(lon * FIX), py = (int32_t)lrint(lat * FIX);
	int r[4], best = -1, x, y, k;
	size_t i, j;

	memset(h, 0, sizeof(*h));
	h->unit = -1;
	if (!a->nb)
		return -1;
	/* From here on the point is the one the exact test sees. */
	lon = px / FIX;
	lat = py / FIX;
	cell_range(a, lon, lat, lon, lat, r);
	if (lon >= a->gx0 && lat >= a->gy0) {
		size_t cell = (size_t)r[1] * a->gw + r[0];

		for (i = a->cell_off[cell]; i < a->cell_off[cell + 1]; i++) {
			const struct bnd *b = &a->b[a->cell_items[i]];

			if (!in_force(b, t) || lon < b->bb.min_lon ||
			    lon > b->bb.max_lon || lat < b->bb.min_lat ||
			    lat > b->bb.max_lat)
				continue;
			h->tested++;
			if (!inside(a, b, px, py))
				continue;
			/* Keep within[] finest first, one unit once. */
			for (j = 0; j < h->nwithin; j++)
				if (h->within[j] == b->unit)
					break;
			if (j == h->nwithin && h->nwithin < 4)
				h->within[h->nwithin++] = b->unit;
			if (best < 0 || b->rank > a->b[best].rank ||
			    (b->rank == a->b[best].rank && b->unit <
			     a->b[best].unit))
				best = a->cell_items[i];
		}
	}
	for (i = 1; i < h->nwithin; i++)
		for (j = i; j > 0 && kind_rank[a->u[h->within[j]].kind] >
				     kind_rank[a->u[h->within[j - 1]].kind];
		     j--) {
			k = h->within[j];
			h->within[j] = h->within[j - 1];
			h->within[j - 1] = k;
		}
	h->unit = best >= 0 ? a->b[best].unit : -1;
	if (near_m <= 0)
		return h->unit;
	{
		double dy = near_m / 110574.0;
		double dx = near_m / (111320.0 * fmax(cos(lat * M_PI / 180),
						      1e-6));
		int rank = best >= 0 ? a->b[best].rank : -1;

		if (++a->stamp == 0) {
			memset(a->seen, 0, (a->nb + 1) * sizeof(unsigned));
			a->stamp = 1;
		}
		cell_range(a, lon - dx, lat - dy, lon + dx, lat + dy, r);
		for (y = r[1]; y <= r[3]; y++)
			for (x = r[0]; x <= r[2]; x++) {
				size_t cell = (size_t)y * a->gw + x;

				for (i = a->cell_off[cell];
				     i < a->cell_off[cell + 1]; i++) {
					int bi = a->cell_items[i];
					const struct bnd *b = &a->b[bi];
					double d;

					if (a->seen[bi] == a->stamp)
						continue;
					a->seen[bi] = a->stamp;
					if (!in_force(b, t) ||
					    b->unit == h->unit ||
					    (rank >= 0 && b->rank != rank) ||
					    lon < b->bb.min_lon - dx ||
					    lon > b->bb.max_lon + dx ||
					    lat < b->bb.min_lat - dy ||
					    lat > b->bb.max_lat + dy)
						continue;
					d = edge_distance(a, b, lon, lat);
					if (d > near_m)
						continue;
					for (j = 0; j < h->nnear; j++)
						if (h->near[j] == b->unit)
							break;
					if (j < h->nnear) {
						h->near_m[j] = fmin(h->near_m[j],
								    d);
					} else if (h->nnear <
						   FT_AREA_NEAR_MAX) {
						h->near[h->nnear] = b->unit;
						h->near_m[h->nnear++] = d;
					}
				}
			}
	}
	return h->unit;
}
