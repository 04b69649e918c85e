/*
 * ft_area.h - the district's units in memory: the unit tree, every version
 * of every area's boundary with a spatial index, and the registered
 * facilities.  ft-dispatch places events with it.
 *
 * Placing a point: the candidates come from a uniform grid over the
 * boundaries' extent (each cell lists the boundaries whose bounding box
 * meets it); a boundary counts only if it was in force at the event's time
 * (valid_from <= t < valid_until).  The point test is exact: coordinates are
 * taken to 1e-7 degree (about a centimetre) as integers, and the crossing
 * test decides with integer cross products.  A point on an edge between two
 * areas belongs to exactly one of them: the one to its east or, on an
 * east-west edge, the one to its north.  Rings of any polygon, holes and
 * MultiPolygons alike, are counted even-odd.
 *
 * When areas of several kinds contain the point, the finest wins: grid,
 * then community, street, district.
 */
#ifndef FT_AREA_H
#define FT_AREA_H

#include "ft_store.h"

#include <stddef.h>
#include <stdint.h>

#define FT_AREA_NEAR_MAX 8

struct ft_area;

/* Where a point fell. */
struct ft_area_hit {
	int unit;		/* the area, or -1 */
	int within[4];		/* every area containing it, finest first */
	size_t nwithin;
	int near[FT_AREA_NEAR_MAX];	/* other areas of the same kind... */
	double near_m[FT_AREA_NEAR_MAX];	/* ...and how far (metres) */
	size_t nnear;
	size_t tested;		/* boundaries given the exact test */
};

/* A registered facility; strings borrowed from the ft_area. */
struct ft_facility {
	const char *id;
	const char *area;	/* its stored area, or NULL */
	const char *owner;	/* its owner unit, or NULL */
	double lat, lon;
	int has_point;
};

/*
 * Loads units, boundaries and facilities from the store.  Returns an exit
 * status; a stored boundary that cannot be read is FT_DATAERR, after a
 * message.
 */
int ft_area_load(struct ft_area **ap, struct ft_store *s);
void ft_area_free(struct ft_area *a);

/* The unit with this id, as an index, or -1. */
int ft_area_find(const struct ft_area *a, const char *id, size_t n);
/* A unit's id (borrowed), its kind (index into ft_unit_kinds), parent. */
const char *ft_area_id(const struct ft_area *a, int u);
int ft_area_kind(const struct ft_area *a, int u);
int ft_area_parent(const struct ft_area *a, int u);
/* u itself or its nearest ancestor of that kind; -1 when none. */
int ft_area_up(const struct ft_area *a, int u, int kind);
/* The team whose parent is u (the first by id), or -1. */
int ft_area_team(const struct ft_area *a, int u);

/*
 * Places the point (lon, lat) at time t.  near_m > 0 also lists the other
 * areas of the same kind whose boundary lies within near_m metres.
 * Returns h->unit.
 */
int ft_area_locate(struct ft_area *a, double lon, double lat, int64_t t,
		   double near_m, struct ft_area_hit *h);

/* The facility with this id, or NULL. */
const struct ft_facility *ft_area_facility(const struct ft_area *a,
					   const char *id, size_t n);

/* Numbers loaded, for messages. */
size_t ft_area_nunits(const struct ft_area *a);
size_t ft_area_nboundaries(const struct ft_area *a);

#endif
