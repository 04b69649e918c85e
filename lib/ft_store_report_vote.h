/*
 * ft_store_report_vote.h - the storage seam of what ft-report shows of a
 * vote round beside its counts: turnout by area and channel, and the
 * funded projects' progress (ft-vote progress).  Read by the vote report
 * (ft_report_vote.c) and the site's vote pages (ft_report_site.c).  Like
 * ft_store_report_more.h: every statement in one table, prepared once,
 * bound, read only.
 *
 * Nothing of a voter or a ballot is selected but counts: not the voter
 * hash, not the ballot tag, not a ballot's projects.  A second backend
 * (DESIGN.md section 7) provides the same operations; it needs the units'
 * parents walked upwards (a recursive query, at most 64 steps).
 */
#ifndef FT_STORE_REPORT_VOTE_H
#define FT_STORE_REPORT_VOTE_H

#include "ft_db.h"

#include <stdint.h>

struct ft_store_rvote;

/* The store on db (open, owned by the caller); close with _close(). */
struct ft_store_rvote *ft_store_rvote_open(struct ft_db *db);
void ft_store_rvote_close(struct ft_store_rvote *s);

/* An area's registered voters and ballots, of a channel or all. */
struct ft_srv_turnout {
	const char *area; /* a unit id, or NULL: voters kept without one */
	const char *name, *kind; /* the unit's, NULL when not stored */
	const char *channel; /* NULL: the ballots of every channel */
	int64_t voters; /* registered in the area or an area below it */
	int64_t ballots; /* cast by them (of the channel) */
};

/*
 * A round's turnout: for the unit of each voter and ballot and every unit
 * above it (through units.parent), then for the voters and ballots kept
 * without a unit (area NULL), a row of all channels followed by a row of
 * each channel.  Areas by kind (district, street, community, grid, other)
 * then id.  area: only that unit and the units below it (through
 * units.parent); level: only the units of that kind (NULL: any).
 * fn(ctx, row): row lives until fn returns.
 */
int ft_store_rvote_turnout_each(struct ft_store_rvote *s, const char *round,
				const char *area, const char *level,
				int (*fn)(void *ctx,
					  const struct ft_srv_turnout *row),
				void *ctx);

/* A step of a project's progress. */
struct ft_srv_progress {
	const char *project, *name;
	const char *at, *stage, *note; /* note: NULL for none */
	int percent; /* 0..100, -1: none */
};

/* A round's progress steps, by project (in their order), at, then step. */
int ft_store_rvote_progress_each(struct ft_store_rvote *s, const char *round,
				 int (*fn)(void *ctx,
					   const struct ft_srv_progress *row),
				 void *ctx);

/* The same, only the steps recorded at or before as_of (a stored time;
 * NULL: all). */
int ft_store_rvote_progress_at(
	struct ft_store_rvote *s, const char *round, const char *as_of,
	int (*fn)(void *ctx, const struct ft_srv_progress *row), void *ctx);

#endif
