/*
 * ft_store_warn.h - what ft-warn stores: the warnings, the records each
 * key's window holds between runs, and the clock (the latest time seen),
 * so that a run that stops and starts again neither floods nor forgets a
 * window.  The tables are in ft(7).
 *
 * A second backend (PostgreSQL, ft_store.h) provides the same operations
 * over the same tables: the partial unique index warnings_live (one live
 * warning per rule and key) becomes a partial unique index there too, and
 * warn_pages a table keyed by its number with its keys' states as JSON
 * (jsonb).
 */
#ifndef FT_STORE_WARN_H
#define FT_STORE_WARN_H

#include "ft_db.h"

#include <stddef.h>
#include <stdint.h>

struct ft_store_warn;

int ft_store_warn_open(struct ft_store_warn **sp, struct ft_db *db);
void ft_store_warn_close(struct ft_store_warn *s);

/* One warning, as stored.  Strings borrowed; NULL: SQL NULL. */
struct ft_store_warning {
	const char *warning, *rule, *type, *key, *level, *status;
	int major;
	int64_t count;
	const char *value; /* a number's text, or NULL */
	/* For ft_store_warn_put(): the number itself (NULL: value's text). */
	const double *num;
	const char *first_at, *last_at, *raised_at;
	const char *acked_at, *acked_by, *ack_note;
	const char *resolved_at, *resolved_by, *resolution;
	const char *events; /* JSON array */
	const char *state; /* JSON object: the engine's, for the next run */
	/*
	 * The steps of its rule's chain reached: read, never written by
	 * ft_store_warn_put() (ft_store_warn_escalate() moves it).
	 */
	int escalation;
	/*
	 * For ft_store_warn_put(): 1 when the caller knows w is stored (it
	 * read it, or stored it before): an update of its row first, then,
	 * if there is none, the same as 0 (a new warning).  The row is the
	 * same either way.
	 */
	int stored;
};

/* Stores w, new or changed (by its id).  Returns a status. */
int ft_store_warn_put(struct ft_store_warn *s,
		      const struct ft_store_warning *w);

/* The warning id, into *w (valid until the next call); *found 0: none. */
int ft_store_warn_get(struct ft_store_warn *s, const char *id,
		      struct ft_store_warning *w, int *found);

/* What ft_store_warn_each() picks; NULL or -1: any. */
struct ft_store_warn_filter {
	const char *status; /* "open", "acked", "resolved", or "live" */
	const char *rule, *key;
	int level; /* at or above this level (0 blue .. 3 red) */
	const char *since, *until; /* raised_at from, before */
	int major; /* 1: major only */
};

/*
 * Calls fn for each warning f picks, by raised_at then id; "live" ones
 * (open or acked) for the engine's start.  Stops at fn's first status.
 */
int ft_store_warn_each(struct ft_store_warn *s,
		       const struct ft_store_warn_filter *f,
		       int (*fn)(void *ctx, const struct ft_store_warning *w),
		       void *ctx);

/*
 * A page of the keys' states (JSON text, len bytes: an array of [rule,
 * key, state]; a key's state is the one of its newest page): stored, or,
 * when state is NULL, gone.
 */
int ft_store_warn_page_put(struct ft_store_warn *s, int64_t page,
			   const char *state, size_t len);
/* Calls fn for every stored page, newest (the highest number) first. */
int ft_store_warn_pages_each(struct ft_store_warn *s,
			     int (*fn)(void *ctx, int64_t page,
				       const char *state),
			     void *ctx);

/* The clock: the latest time ft-warn has seen; *found 0: never run. */
int ft_store_warn_clock(struct ft_store_warn *s, int64_t *at, int *found);
int ft_store_warn_clock_set(struct ft_store_warn *s, int64_t at);

/*
 * Moves warning id from step from of its chain to step to, if it is
 * open and still at from; *moved 0: it was not (another run moved it,
 * or it was acknowledged or resolved meanwhile).
 */
int ft_store_warn_escalate(struct ft_store_warn *s, const char *id, int from,
			   int to, int *moved);

/* A silence (table warn_silences).  Strings borrowed; NULL: SQL NULL. */
struct ft_store_silence {
	int64_t silence; /* its number: "s" and it names it */
	const char *rule, *key; /* NULL: any */
	const char *from_at, *until_at, *by, *note;
	const char *removed_at, *removed_by, *removed_note;
};

/* Stores the new silence x; its number into x->silence. */
int ft_store_warn_silence_add(struct ft_store_warn *s,
			      struct ft_store_silence *x);
/* Silence n, into *x (valid until the next call); *found 0: none. */
int ft_store_warn_silence_get(struct ft_store_warn *s, int64_t n,
			      struct ft_store_silence *x, int *found);
/* Marks silence n removed at, by, with a note (NULL: none). */
int ft_store_warn_silence_remove(struct ft_store_warn *s, int64_t n,
				 const char *at, const char *by,
				 const char *note);
/*
 * Calls fn for each silence, by number: all of them, or (all 0) those
 * not removed whose until_at is after since (NULL: every one not
 * removed).  Stops at fn's first status.
 */
int ft_store_warn_silences_each(
	struct ft_store_warn *s, int all, const char *since,
	int (*fn)(void *ctx, const struct ft_store_silence *x), void *ctx);

/* The page cache of the connection, in KiB. */
int ft_store_warn_cache(struct ft_store_warn *s, int kib);

/*
 * A step of a case in the history: its dispatch (the unit and deadlines
 * ft-dispatch gave it) or a change of its status (the unit an ft-update
 * record gave with it, if any).  Strings borrowed, NULL when absent.
 */
struct ft_store_case_step {
	int dispatch; /* 1: the dispatch; 0: a status change */
	const char *at, *status, *unit, *respond_by, *resolve_by;
};

/*
 * Calls fn for the dispatch and each status change of event id, in the
 * order they were logged.  Stops at fn's first status.
 */
int ft_store_warn_case_each(struct ft_store_warn *s, const char *id,
			    int (*fn)(void *ctx,
				      const struct ft_store_case_step *c),
			    void *ctx);

#endif
