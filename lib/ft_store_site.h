/*
 * ft_store_site.h - the storage seam of ft-report's pages: the areas'
 * boundaries for the maps of the HTML report, and what the public site
 * (ft_report_site.c) shows: the units, the cases of a range, the vote
 * rounds and their stored counts.  Like ft_store_report.h: every
 * statement in one table (stmts[] of ft_store_site.c), prepared once,
 * bound, read only; ft_report_*.c call no sqlite3_*.
 *
 * What is read is public by construction: no statement here selects an
 * event's reporter, title, text, address, rating comment, extra or raw,
 * nor anything of the voters and ballots but counts.  A second backend
 * (DESIGN.md section 7) provides the same operations; besides what
 * ft_store_report.h lists it needs: the first history entry of an event
 * to a status (min(at) over the history of (kind, id)), and the newest
 * count of each rule of a round (max(tally) by rule).
 */
#ifndef FT_STORE_SITE_H
#define FT_STORE_SITE_H

#include "ft_db.h"

#include <stddef.h>

struct ft_store_site;

/* The store of the pages on db (open, owned by the caller). */
struct ft_store_site *ft_store_site_open(struct ft_db *db);
void ft_store_site_close(struct ft_store_site *s);

/*
 * The areas with a boundary in force (valid_until NULL), in id order: of
 * kind (NULL: any area), at or below unit within (NULL: anywhere).
 * fn(ctx, id, name, kind, geo, len); the strings live until fn returns.
 */
int ft_store_site_shapes_each(struct ft_store_site *s, const char *kind,
			      const char *within,
			      int (*fn)(void *ctx, const char *id,
					const char *name, const char *kind,
					const char *geo, size_t len),
			      void *ctx);

/* Every unit: fn(ctx, id, name, kind, parent (NULL: none)), by id. */
int ft_store_site_units_each(struct ft_store_site *s,
			     int (*fn)(void *ctx, const char *id,
				       const char *name, const char *kind,
				       const char *parent),
			     void *ctx);

/* A case as the site shows it; NULL: none. */
struct ft_site_case {
	const char *id, *area, *category, *status, *outcome, *unit;
	const char *reported_at, *dispatched_at;
	const char *resolved_at; /* the first change to resolved */
	const char *resolve_by, *duplicate_of;
	const char *bucket; /* the last three characters of id, lower case */
	int rating; /* 1..5, 0: none */
};

/*
 * The events reported from from to before until (stored times): by
 * bucket (the last three characters of the id, lower case), then id,
 * when by_bucket, else in no order.  fn(ctx, c): c lives until fn returns.
 */
int ft_store_site_cases_each(struct ft_store_site *s, const char *from,
			     const char *until, int by_bucket,
			     int (*fn)(void *ctx, const struct ft_site_case *c),
			     void *ctx);

struct ft_site_round {
	const char *round, *name, *budget, *opens_at, *closes_at, *ballot;
	const char *rule; /* NULL: none */
	long long voters, ballots;
};

/* Every vote round, by opening time then id. */
int ft_store_site_rounds_each(struct ft_store_site *s,
			      int (*fn)(void *ctx,
					const struct ft_site_round *r),
			      void *ctx);

/* A round's ballots by channel: fn(ctx, channel, n), by channel. */
int ft_store_site_channels_each(struct ft_store_site *s, const char *round,
				int (*fn)(void *ctx, const char *channel,
					  long long n),
				void *ctx);

/*
 * The newest stored count of each rule of a round, oldest first:
 * fn(ctx, rule, counted_at, ballots, digest, result) (result: ft-vote
 * tally --totals's NDJSON lines).
 */
int ft_store_site_tallies_each(struct ft_store_site *s, const char *round,
			       int (*fn)(void *ctx, const char *rule,
					 const char *counted_at,
					 long long ballots, const char *digest,
					 const char *result),
			       void *ctx);

#endif
