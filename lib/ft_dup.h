/*
 * ft_dup.h - the open cases a new event may repeat, kept in memory for
 * ft-dispatch's duplicate search.
 *
 * A case is a candidate while it is open (dispatched, accepted or
 * reopened) and not a duplicate itself.  The database stays the truth:
 * for each category the memory holds the candidates with a point that
 * were reported within one span of time [lo, hi], read from the database
 * (through the partial index events_category) and kept up to date with
 * the cases this run dispatches; for each facility, the earliest
 * candidate at it.  A span grows on either side as the events ask for it,
 * and forgets what lies far behind the events, so memory stays flat when
 * they come in time order.
 *
 * Only another connection can make the memory wrong, by committing:
 * ft_dup_sync(), called at the start of every write transaction, forgets
 * everything when one did (PRAGMA data_version).  Under the write lock
 * the answer is then the one the database itself would give, at a
 * fraction of a query's cost.
 */
#ifndef FT_DUP_H
#define FT_DUP_H

#include "ft_store.h"

#include <stddef.h>
#include <stdint.h>

struct ft_dup;

/* An event, or a case just dispatched.  Strings are borrowed. */
struct ft_dup_event {
	int64_t seq;
	const char *id;		/* for ft_dup_add() */
	size_t idlen;
	const char *unit;	/* for ft_dup_add(); NULL for none */
	int64_t at;		/* reported_at, seconds since the epoch */
	const char *category, *facility;	/* "" or NULL: none */
	size_t catlen, faclen;
	int has_point;
	double lat, lon;
};

/*
 * metres and minutes: the nearby rule (metres 0: off); facility: whether
 * the same facility makes a duplicate.  Returns a status.
 */
int ft_dup_new(struct ft_dup **dp, struct ft_store *s, double metres,
	       int minutes, int facility);
void ft_dup_free(struct ft_dup *dup);

/* At the start of a write transaction.  Returns a status. */
int ft_dup_sync(struct ft_dup *dup);

/*
 * The open case e repeats: the earliest open case at its facility, else
 * the earliest of its category reported within the minutes before it
 * and the metres around it (by reported_at, then seq).  *found is 1
 * with *seq and *how ("facility" or "nearby"), or 0 when there is none.
 * *id and *unit are the case's, valid until the next call, or *id is NULL
 * when the database holds them.  Returns a status.
 */
int ft_dup_find(struct ft_dup *dup, const struct ft_dup_event *e, int *found,
		int64_t *seq, const char **id, const char **unit,
		const char **how);

/* e has just been dispatched: an open case, a candidate from now on. */
void ft_dup_add(struct ft_dup *dup, const struct ft_dup_event *e);

#endif
