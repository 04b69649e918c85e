/*
 * ft_store_report_more.h - the storage seam of ft-report's facilities,
 * collectors, services and vote reports: typed operations over their
 * statements (ft_store_report_more.c), in the manner of
 * ft_store_report.h, whose filter (struct ft_store_report_filter) they
 * take.  They only read.
 *
 * A PostgreSQL backend would provide, besides what ft_store_report.h
 * lists: window functions (row_number(), which it has), the difference of
 * two stored times in seconds (EXTRACT(EPOCH FROM ...) there), a member
 * of the JSON text of events.extra (->> there), and the rows in the
 * orders each operation states.
 */
#ifndef FT_STORE_REPORT_MORE_H
#define FT_STORE_REPORT_MORE_H

#include "ft_db.h"
#include "ft_store_report.h"

#include <stdint.h>

struct ft_store_rmore;

/* The store of these reports on db (open, owned by the caller). */
struct ft_store_rmore *ft_store_rmore_open(struct ft_db *db);
void ft_store_rmore_close(struct ft_store_rmore *s);

/* ---- facilities ---- */

/*
 * The registered kind, name and area of facility id, copied for the caller
 * to free (each NULL when not registered or not set).
 */
int ft_store_rmore_facility(struct ft_store_rmore *s, const char *id,
			    char **kind, char **name, char **area);

/*
 * The time line of the facilities (by the events f lets through that name
 * a facility and are not service requests, source "proxy"):
 * fn(ctx, facility, at, fix) for each fix (fix 1: a case at the facility
 * moved to resolved, at from from to before until) and each report (fix
 * 0: an event at it reported from from to before ahead), by facility (its
 * id as bytes), then time, a report before a fix of the same second.
 */
int ft_store_rmore_fac_times_each(
	struct ft_store_rmore *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, const char *ahead,
	int (*fn)(void *ctx, const char *facility, const char *at, int fix),
	void *ctx);

/* ---- collectors ---- */

/* The patrol reports of a collector, or of a firm. */
struct ft_srm_coll {
	int64_t collector; /* its pseudonym's number; 0: no reporter */
	const char *firm; /* borrowed; NULL: none */
	int64_t submitted, accepted, duplicates, rejected, resolved;
};

/*
 * The patrol reports (source "patrol") reported from from to before
 * until that f lets through, counted per collector and firm (by_firm 0)
 * or per firm (by_firm 1, collector 0): fn(ctx, row) for each, by
 * collector, then firm.  A collector is numbered by the order of its
 * reporter's first patrol report in the whole table (events.seq), so the
 * number of a reporter is the same in every range; the reporter itself is
 * never read out.
 */
int ft_store_rmore_collectors_each(
	struct ft_store_rmore *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, int by_firm,
	int (*fn)(void *ctx, const struct ft_srm_coll *row), void *ctx);

/* ---- services ---- */

/* A service request (borrowed text). */
struct ft_srm_req {
	const char *point, *service; /* NULL: none */
	int64_t secs; /* reported to first resolved; -1: not yet */
	int rating; /* 1 to 5; 0: none */
};

/*
 * The service requests (source "proxy") reported from from to before
 * until that f lets through: fn(ctx, row) for each, in no order (the
 * point's name: ft_store_rmore_facility()).
 */
int ft_store_rmore_requests_each(
	struct ft_store_rmore *s, const struct ft_store_report_filter *f,
	const char *from, const char *until,
	int (*fn)(void *ctx, const struct ft_srm_req *row), void *ctx);

/* ---- vote ---- */

/* A round and its stored count (borrowed text). */
struct ft_srm_round {
	const char *name, *budget, *rule;
	int64_t voters; /* registered */
	const char *closes_at; /* NULL: none */
	const char *first_counted_at; /* the first stored count's; NULL */
};

struct ft_srm_tally {
	int64_t tally, ballots;
	const char *rule, *counted_at, *digest, *result;
};

/* Round round: fn(ctx, row) once if it is stored; *found 1 or 0. */
int ft_store_rmore_round(struct ft_store_rmore *s, const char *round,
			 int (*fn)(void *ctx, const struct ft_srm_round *row),
			 void *ctx, int *found);

/*
 * The stored counts of round, the newest of each rule, in the order of
 * their first count (rule NULL), or the newest under rule alone:
 * fn(ctx, row) for each.
 */
int ft_store_rmore_tallies_each(
	struct ft_store_rmore *s, const char *round, const char *rule,
	int (*fn)(void *ctx, const struct ft_srm_tally *row), void *ctx);

/* The same as they stood at as_of (a stored time; NULL: now): only the
 * counts stored at or before it. */
int ft_store_rmore_tallies_at(struct ft_store_rmore *s, const char *round,
			      const char *rule, const char *as_of,
			      int (*fn)(void *ctx,
					const struct ft_srm_tally *row),
			      void *ctx);

/*
 * The projects of round that f lets through (category, unit, area: of the
 * project): fn(ctx, project) for each, in the round's order.
 */
int ft_store_rmore_projects_each(struct ft_store_rmore *s, const char *round,
				 const struct ft_store_report_filter *f,
				 int (*fn)(void *ctx, const char *project),
				 void *ctx);

/*
 * The ballots of round counted by channel (area 0) or by the area an
 * imported ballot names (area 1: its "neighborhood"; none for the
 * others): fn(ctx, key, n), by key as bytes, none first.
 */
int ft_store_rmore_ballots_each(
	struct ft_store_rmore *s, const char *round, int area,
	int (*fn)(void *ctx, const char *key, int64_t n), void *ctx);

#endif
