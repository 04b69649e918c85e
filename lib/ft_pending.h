/*
 * ft_pending.h - ft-dispatch --pending's reader ahead: a thread with a
 * connection of its own reads the next page of pending events (the query
 * of ft_store_pending_each(), its records copied out) while the run
 * decides and writes the page before it.  Two cores, one page ahead.
 *
 * It is right only as long as nothing but the run itself writes the
 * database: the run's writes change only the events of the pages it has
 * taken (and their own history), never those of a later page, which
 * starts strictly after the last event of the page before; another
 * writer's commit might change any of them.  So the caller notes PRAGMA
 * data_version (ft_store_data_version()) in the transaction it starts the
 * reader in, reads it again in each later one, and stops the reader and
 * reads the page itself, as before, when it changed, or when a page comes
 * back failed (nothing was printed: the caller's own read of it says what
 * is wrong, as it always did).
 */
#ifndef FT_PENDING_H
#define FT_PENDING_H

#include "ft_buf.h"
#include "ft_db.h"
#include "ft_json.h"

#include <stdint.h>

/* One pending event of a page, as ft_store_pending_each() gave it. */
struct ft_pending_event {
	int64_t seq;
	int parsed; /* 1: doc is the record read; 0: text, to parse */
	struct ft_json_doc doc; /* the caller may swap it with its own */
	struct ft_buf text;
};

struct ft_pending_page {
	struct ft_pending_event *ev;
	long n; /* events in ev */
	size_t cap;
	int failed; /* the read failed: the caller reads the page itself */
	/* The key of its last event (the next page comes after it). */
	struct ft_buf last_at;
	int64_t last_seq;
};

struct ft_pending;

/*
 * Starts reading the pages of at most limit events pending for the rules
 * of digest, the first after (after_at, after_seq), from the file of db
 * (see ft_db_open_reader()).  NULL when it cannot: the caller reads them
 * itself.  Prints nothing.
 */
struct ft_pending *ft_pending_start(const struct ft_db *db,
				    const char *after_at, int64_t after_seq,
				    long limit, const char *digest);
/*
 * The next page, the caller's until ft_pending_done().  A page that is
 * not full (or failed) is the last: call no more.
 */
struct ft_pending_page *ft_pending_next(struct ft_pending *p);
/* Gives the page last taken back, to be read into again. */
void ft_pending_done(struct ft_pending *p);
/* Stops the reader, joins it, frees everything.  NULL is fine. */
void ft_pending_stop(struct ft_pending *p);

#endif
