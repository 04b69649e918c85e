/*
 * ft_store_report.h - the storage seam for ft-report: its statements,
 * behind typed operations that count stored events.  ft_report decides
 * what is counted over which periods and how it is printed; this module
 * reads; neither knows how the other works.
 *
 * Every statement of ft-report is in one table in ft_store_report.c
 * (stmts[]), named by an enum, prepared once a run when first used
 * (ft_stmt.h).  The operations take and give plain C values (NUL-ended
 * text, NULL for none; int64 counts; the toolkit's exit statuses): 
 * ft_report*.c call no sqlite3_*.  They only read: ft-report opens the
 * database read-only.
 *
 * A second backend (PostgreSQL through libpq, DESIGN.md section 7) would
 * implement these operations over its connection and would have to
 * provide what SQLite gives this one (ft_store.h says what the rest of the
 * toolkit needs):
 *   - times compared as the stored text "YYYY-MM-DDTHH:MM:SSZ" (a range
 *     is from <= reported_at < until), the index on reported_at;
 *   - the units' tree walked at most 64 steps, down from an area (the
 *     filter) and up to the nearest unit of a kind (grouping by area at a
 *     level): WITH RECURSIVE, which PostgreSQL has too; the nearest
 *     ancestor is SQLite's bare column beside min() (DISTINCT ON there);
 *   - groups in the order of their count, largest first, then of their
 *     key as bytes (COLLATE "C"), the group of no key (NULL) first among
 *     equal counts.
 */
#ifndef FT_STORE_REPORT_H
#define FT_STORE_REPORT_H

#include "ft_db.h"

#include <stdint.h>

struct ft_store_report;

/* The store of ft-report on db (open, owned by the caller). */
struct ft_store_report *ft_store_report_open(struct ft_db *db);
void ft_store_report_close(struct ft_store_report *s);

/*
 * Which events count (NULL: any): of category, of unit (the responsible
 * unit, as dispatched), in area (the event's area is area itself or a
 * unit below it, at most 64 steps down), as of as_of.
 */
struct ft_store_report_filter {
	const char *category, *unit, *area;
	/*
	 * NULL, or a stored time: the events as they stood then, rebuilt
	 * from the history (see ft_store_report_sql.h); the filters and
	 * the groups apply to them as they were.
	 */
	const char *as_of;
};

/* What events are grouped by. */
enum ft_store_report_key {
	FT_SRK_CATEGORY,
	FT_SRK_SOURCE,
	FT_SRK_UNIT,
	FT_SRK_AREA, /* the area as stored, or at a level: see below */
	FT_SRK_FACILITY,
	FT_SRK_N
};

/* The kind of unit id into kind (at most 15 bytes): *found 1 or 0. */
int ft_store_report_unit_kind(struct ft_store_report *s, const char *id,
			      char kind[16], int *found);

/*
 * The number of events reported from from to before until (stored times)
 * that f lets through, into *n.
 */
int ft_store_report_count(struct ft_store_report *s,
			  const struct ft_store_report_filter *f,
			  const char *from, const char *until, int64_t *n);

/*
 * The events reported from from to before until that f lets through,
 * counted by key: fn(ctx, key, n) for each group (key NULL: the events
 * without one), the largest first, then in the order of the key's bytes.
 * For FT_SRK_AREA, level (a unit kind: grid, community...) groups each
 * event by the nearest unit of that kind at or above its area (NULL key:
 * none); NULL level groups by the area as stored.
 */
int ft_store_report_groups_each(
	struct ft_store_report *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, enum ft_store_report_key key,
	const char *level, int (*fn)(void *ctx, const char *key, int64_t n),
	void *ctx);

#endif
