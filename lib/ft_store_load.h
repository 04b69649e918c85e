/*
 * ft_store_load.h - the storage seam for ft-ingest: the records of one
 * kind (events, units, facilities, readings) stored a batch at a time,
 * and the runs kept in the ingests table.  Part of the store: ft_store.h says
 * what a second backend would have to provide; these statements are in
 * one table in ft_store_load.c, fixed text, one set by kind.
 *
 * Readings have their own calls (below): a narrow row with no id.
 *
 * A record is given as an array of values, in this order: the kind's
 * columns as ft(7) lists them (events: id, source, category, title,
 * text, lat, lon, address, facility, reporter, severity, reported_at,
 * status, area; units: id, name, kind, parent, boundary, valid_from, then
 * the boundary's min_lon, min_lat, max_lon, max_lat; facilities: id,
 * kind, name, lat, lon, area, owner), then extra, raw and raw_path.
 *
 * A dry run stores into private copies of the kind's table (SQLite: TEMP
 * tables; a backend: a transaction rolled back, or temporary tables), so
 * that it can say what would be new, unchanged or a conflict exactly;
 * it records no run.
 */
#ifndef FT_STORE_LOAD_H
#define FT_STORE_LOAD_H

#include "ft_buf.h"
#include "ft_db.h"

#include <stddef.h>
#include <stdint.h>

/* A value of a column. */
enum ft_value_type {
	FT_VNULL,
	FT_VTEXT,
	FT_VINT,
	FT_VREAL
};

struct ft_value {
	enum ft_value_type t;
	const char *s; /* FT_VTEXT: the text; read back: any value's text */
	size_t len;
	int64_t i; /* FT_VINT */
	double d; /* FT_VREAL */
};

/* The values of a record of kind: its columns, then extra, raw, raw_path. */
size_t ft_load_nvalues(int kind);

struct ft_load;

/*
 * Opens the loading of records of kind (FT_KIND_*, ft_ingest.h) into db;
 * a dry run makes its private tables now.  Returns a status.
 */
int ft_load_open(struct ft_load **lp, struct ft_db *db, int kind, int dry_run);
void ft_load_close(struct ft_load *l);

/* *none 1 when the table events holds no row.  Returns a status. */
int ft_load_no_events(struct ft_load *l, int *none);

/*
 * Stores a new record (v: ft_load_nvalues() values), read by run ingest
 * from line: *inserted 1 and its seq in *seq, or 0 when its id is stored
 * already (nothing is changed then).  Returns a status.
 */
int ft_load_insert(struct ft_load *l, const struct ft_value *v, int64_t ingest,
		   long line, int *inserted, int64_t *seq);

/*
 * The stored record id (idlen bytes; a dry run: what it stored first):
 * *found 1 or 0, and *row its columns, then extra (ncols + 1 values; a
 * number's text as SQLite renders it), which live until the next call.
 * Returns a status.
 */
int ft_load_find(struct ft_load *l, const char *id, size_t idlen,
		 const struct ft_value **row, int *found);

/*
 * Replaces the stored record v[0] with v (not its status; an event's
 * area only while it is new: ft-dispatch's decision once it is not).
 * Returns a status.
 */
int ft_load_update(struct ft_load *l, const struct ft_value *v, int64_t ingest,
		   long line);

/*
 * Events, a first bulk load while the table has no index on id
 * (ft_db_id_index_drop()): on 1, ft_load_insert() stores a record without
 * a conflict target, which needs that index (the load finds a repeated id
 * itself, and reads and replaces the stored one by seq, below); on 0, as
 * before.  Other kinds and a dry run: no change.
 */
void ft_load_bulk(struct ft_load *l, int on);

/* The stored event of seq, as ft_load_find() gives it. */
int ft_load_find_seq(struct ft_load *l, int64_t seq,
		     const struct ft_value **row, int *found);

/* ft_load_update() of the stored event of seq.  Returns a status. */
int ft_load_update_seq(struct ft_load *l, int64_t seq, const struct ft_value *v,
		       int64_t ingest, long line);

/* ---- readings ---- */

/*
 * A sensor reading (FT_KIND_READINGS): its key is sensor, metric (NULL
 * or "" when it has none) and at (epoch seconds, UTC); value is finite.
 * The texts are borrowed.
 */
struct ft_reading {
	const char *sensor, *metric;
	size_t sensorlen, metriclen;
	int64_t at;
	double value;
};

/*
 * Stores reading r, read by run ingest: *inserted 1, or 0 when its key
 * is stored already (nothing is changed then).  Returns a status.
 */
int ft_load_reading(struct ft_load *l, const struct ft_reading *r,
		    int64_t ingest, int *inserted);

/*
 * Of n <= FT_LOAD_PROBE ranges of readings, each of one series from
 * first[i] (its sensor, metric and time) to the time last[i]: held[i] 1
 * when a reading of the range is stored, else 0 (a dry run: always 1).
 * One statement for many ranges, each a look-up in the table's key.
 * Returns a status.
 */
#define FT_LOAD_PROBE 16
int ft_load_readings_held(struct ft_load *l,
			  const struct ft_reading *const *first,
			  const int64_t *last, size_t n, unsigned char *held);

/*
 * Stores the FT_LOAD_GROUP readings r[0], r[1], ..., read by run ingest,
 * none of whose keys is stored (the caller knows it from
 * ft_load_readings_held(), and has no key twice): one statement for many
 * rows spares SQLite's work of a statement each (BENCHMARKS.md,
 * 2026-12-06).  Not in a dry run.  Returns a status (FT_SOFTWARE if a key
 * was stored after all: nothing is lost silently).
 */
#define FT_LOAD_GROUP 32
int ft_load_readings(struct ft_load *l, const struct ft_reading *const *r,
		     int64_t ingest);

/*
 * The value stored under r's key (a dry run: what it stored first):
 * *found 1 and *value, or *found 0.  Returns a status.
 */
int ft_load_reading_find(struct ft_load *l, const struct ft_reading *r,
			 double *value, int *found);

/* Replaces the value stored under r's key with r's.  Returns a status. */
int ft_load_reading_update(struct ft_load *l, const struct ft_reading *r,
			   int64_t ingest);

/* ---- runs ---- */

/* What a run of one file did, as the ingests table keeps it. */
struct ft_load_run {
	int64_t ingest;
	long records, inserted, updated, unchanged, rejected;
	const char *finished_at, *status; /* NULL: unchanged */
};

/*
 * Records a run beginning at time at, status "running": *ingest its id.
 * map is NULL without a map.  Returns a status.
 */
int ft_load_run_begin(struct ft_load *l, const char *kind, const char *file,
		      const char *format, const char *map, const char *at,
		      const char *version, int64_t *ingest);

/* Stores r's counts (and its end, if given).  Returns a status. */
int ft_load_run_update(struct ft_load *l, const struct ft_load_run *r);

/*
 * Calls fn on each run still "running", in ingest order (file and
 * started NULL when not stored).  fn returns FT_OK to go on.
 */
int ft_load_running_each(struct ft_load *l,
			 int (*fn)(void *ctx, int64_t ingest, const char *file,
				   const char *started),
			 void *ctx);

/* Marks run ingest failed at time at, if it is still running. */
int ft_load_run_fail(struct ft_load *l, int64_t ingest, const char *at);

/*
 * The units naming a parent that is not stored: *n of them, the least id
 * and the least such parent appended to id and parent.  Returns a status.
 */
int ft_load_orphans(struct ft_load *l, int *n, struct ft_buf *id,
		    struct ft_buf *parent);

#endif
