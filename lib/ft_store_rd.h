/*
 * ft_store_rd.h - the stored readings of a period in time order, for
 * ft-warn's back-test.  The table readings is keyed by (sensor, metric,
 * at) and has no index on at (a second index would slow ft-ingest
 * --kind readings): each series is read in the order of its key, a chunk
 * at a time, and the series are merged by time.  At the same time, the
 * series come in the order of sensor, then metric.
 */
#ifndef FT_STORE_RD_H
#define FT_STORE_RD_H

#include "ft_db.h"

#include <stdint.h>

struct ft_store_rd;

/* One reading.  Strings borrowed until ft_store_rd_close(). */
struct ft_reading {
	const char *sensor, *metric; /* metric: "" when none was given */
	int64_t at; /* epoch seconds */
	double value;
};

/* The readings with since <= at < until, every series merged. */
int ft_store_rd_open(struct ft_store_rd **mp, struct ft_db *db, int64_t since,
		     int64_t until);
void ft_store_rd_close(struct ft_store_rd *m);

/* The time of the next reading into *at: *any 1, or 0 when none is left. */
int ft_store_rd_peek(struct ft_store_rd *m, int *any, int64_t *at);

/* The next reading into *r, and moves past it: *any as for peek. */
int ft_store_rd_next(struct ft_store_rd *m, struct ft_reading *r, int *any);

#endif
