/*
 * ft_store.h - the storage seam: the toolkit's statements, behind typed
 * operations on its records.  A tool decides; the store keeps; neither
 * knows how the other works.
 *
 * Every statement is in one table in ft_store.c (sql[]), named by an
 * enum, prepared once a run when first used.  The operations take and
 * give plain C values (text with its length, int64 seconds, the
 * toolkit's exit statuses), never a statement or a row: a caller outside
 * ft_store and ft_db does not call sqlite3_*.  Transactions are ft_db's
 * (ft_db_begin_write, ft_db_commit, ft_db_rollback), around a batch of
 * operations.
 *
 * The store is a few modules by record kind, each with its statements in
 * one table (on ft_stmt.h, the SQLite side they share): this one (events
 * as ft-update and ft-dispatch see them, units, boundaries, facilities,
 * open cases, the history), ft_store_load.h (what ft-ingest stores, and
 * its runs) and ft_store_vote.h (rounds, projects, voters, ballots,
 * counts).  Outside them and ft_db nothing calls sqlite3_*.
 *
 * A second backend (PostgreSQL through libpq, DESIGN.md section 7) would
 * implement these operations and ft_db's over a connection, and would
 * have to provide what SQLite gives this one:
 *   - the schema of ft(7), its migrations by version, and exact text for
 *     amounts and times (TEXT "YYYY-MM-DDTHH:MM:SSZ" compares as time);
 *   - the history's append-only triggers (RAISE(ABORT) on UPDATE and
 *     DELETE: a BEFORE trigger raising an exception) and its hash chain,
 *     computed by ft_hist in C over the same canonical text, so the
 *     digests stay the same on any backend;
 *   - the areas' bounding boxes (SQLite's R*Tree: PostGIS, or a GiST
 *     index on a box column) and the partial indexes of open cases
 *     (FT_OPEN_SQL: PostgreSQL has partial indexes);
 *   - one writer at a time per district (BEGIN IMMEDIATE: LOCK TABLE or
 *     an advisory lock), and readers that see committed batches only;
 *   - the statuses: busy is FT_TEMPFAIL, a full disk FT_IOERR, a
 *     constraint broken FT_SOFTWARE (see ft_db_status()).
 */
#ifndef FT_STORE_H
#define FT_STORE_H

#include "ft_buf.h"
#include "ft_db.h"
#include "ft_time.h"

#include <stddef.h>
#include <stdint.h>

struct ft_json_doc;

struct ft_store;

/* Opens the store of db (open, owned by the caller).  Returns a status. */
int ft_store_open(struct ft_store **sp, struct ft_db *db);
void ft_store_close(struct ft_store *s);

/* ---- events: their lifecycle (ft-update) ---- */

/* An event as the lifecycle sees it. */
struct ft_event_state {
	int64_t seq;
	char status[16];
	char reported_at[FT_TIME_LEN];
	char last_at[FT_TIME_LEN]; /* its last change, else reported_at */
};

/*
 * Reads the event id (idlen bytes) into *e.  Returns FT_OK and sets
 * *found to 1 or 0, or a database status.
 */
int ft_store_event_state(struct ft_store *s, const char *id, size_t idlen,
			 struct ft_event_state *e, int *found);

/* A change of an event's status, as ft-update decided it. */
struct ft_status_change {
	int64_t seq;
	const char *from; /* the status it must still have */
	const char *to;
	size_t tolen;
	const char *at; /* the status's time */
	const char *outcome; /* closed: "fixed"...; else NULL */
	const char *unit; /* dispatched: the unit; else NULL */
	size_t unitlen;
};

/*
 * Stores c: the status, its time, the outcome; a dispatch sets the unit
 * and the time it was first dispatched, and ends any escalation chain.
 * Returns a status.
 */
int ft_store_event_status(struct ft_store *s, const struct ft_status_change *c);

/* Stores a resident's rating of event seq.  Returns a status. */
int ft_store_event_rating(struct ft_store *s, int64_t seq, int rating,
			  const char *comment, size_t commentlen,
			  const char *at);

/* The database's name, for messages. */
const char *ft_store_name(const struct ft_store *s);

/*
 * The operations named _each call fn(ctx, row) on each row, in the order
 * they say; the row's text lives until fn returns.  fn returns FT_OK to
 * go on, else a status that stops the walk and is returned.
 */

/* ---- units, their boundaries, facilities (ft-dispatch's map) ---- */

struct ft_unit_row {
	const char *id, *kind;
	const char *parent; /* NULL: none */
};

/* Every unit, in id order. */
int ft_store_units_each(struct ft_store *s,
			int (*fn)(void *ctx, const struct ft_unit_row *r),
			void *ctx);

struct ft_boundary_row {
	int64_t seq;
	const char *unit;
	const char *valid_from, *valid_until; /* NULL: open */
	const char *geojson;
	size_t geolen;
};

/*
 * The boundaries of the units that are areas (district, street,
 * community, grid), in the order of unit and seq.
 */
int ft_store_boundaries_each(struct ft_store *s,
			     int (*fn)(void *ctx,
				       const struct ft_boundary_row *r),
			     void *ctx);

struct ft_facility_row {
	const char *id;
	const char *area, *owner; /* NULL: none */
	int has_point;
	double lat, lon;
};

/* Every facility. */
int ft_store_facilities_each(struct ft_store *s,
			     int (*fn)(void *ctx,
				       const struct ft_facility_row *r),
			     void *ctx);

/* ---- events: dispatch and escalation (ft-dispatch) ---- */

/* A stored event as ft-dispatch reads it. */
struct ft_event_record {
	int64_t seq;
	char status[16];
	int dispatched; /* it was dispatched once */
	const char *reported_at;
	/*
	 * The event as ft-ingest printed it: its stored fields (none that
	 * is NULL) then its extra members, as a JSON object.  Lives until the
	 * next call of the operation that gave it.
	 */
	const char *record;
	size_t reclen;
	/*
	 * The same record read (ft_json_parse() of it would give the same),
	 * or NULL when the reader is to parse record, which may fail.
	 */
	const struct ft_json_doc *doc;
};

/* Reads event id (idlen bytes) into *r: *found 1 or 0.  Returns a status. */
int ft_store_event_record(struct ft_store *s, const char *id, size_t idlen,
			  struct ft_event_record *r, int *found);

/*
 * The events still new and never dispatched that come after (after_at,
 * after_seq) in the order of reported_at and seq, at most limit of them,
 * but those whose last history entry says the rules of digest could not
 * place them.
 */
int ft_store_pending_each(struct ft_store *s, const char *after_at,
			  int64_t after_seq, long limit, const char *digest,
			  int (*fn)(void *ctx, const struct ft_event_record *r),
			  void *ctx);

/*
 * The events reported from since to before until (stored times) that come
 * after (after_at, after_seq), in the order of reported_at and seq, at
 * most limit of them: ft-warn's back-test.
 */
int ft_store_events_each(struct ft_store *s, const char *since,
			 const char *until, const char *after_at,
			 int64_t after_seq, long limit,
			 int (*fn)(void *ctx, const struct ft_event_record *r),
			 void *ctx);

/* What ft-dispatch decided for an event (NULL: none). */
struct ft_dispatch_decision {
	int64_t seq;
	const char *area, *unit, *rule;
	int priority; /* 0: none */
	const char *respond_by, *resolve_by;
	const char *status; /* dispatched, or duplicate */
	const char *at;
	const char *chain; /* the escalation chain, JSON */
	size_t chainlen;
	const char *near; /* near_boundary, JSON */
	size_t nearlen;
	const char *duplicate_of;
};

/*
 * Stores decision c if the event was never dispatched: *stored 1, or 0
 * when another run dispatched it meanwhile.  Returns a status.
 */
int ft_store_event_dispatch(struct ft_store *s,
			    const struct ft_dispatch_decision *c, int *stored);

/*
 * The id and unit of event seq, appended to id and unit (nothing for a
 * NULL unit).  A seq that is not stored is a corrupt database.  Returns
 * a status.
 */
int ft_store_event_id_unit(struct ft_store *s, int64_t seq, struct ft_buf *id,
			   struct ft_buf *unit);

/* An open case past a deadline, with its escalation chain ("" for NULL). */
struct ft_overdue_row {
	int64_t seq;
	int escalation;
	const char *id, *unit, *status, *respond_by, *resolve_by, *chain;
	const char *record; /* as in struct ft_event_record */
	const char *area;
};

#define FT_STORE_OVERDUE_PAGE 500

/*
 * The open cases with steps of their chain left, past respond_by (not
 * accepted yet) or resolve_by at time now, after seq after_seq, in seq
 * order: at most FT_STORE_OVERDUE_PAGE of them.
 */
int ft_store_overdue_each(struct ft_store *s, const char *now,
			  int64_t after_seq,
			  int (*fn)(void *ctx, const struct ft_overdue_row *r),
			  void *ctx);

/*
 * Moves event seq from escalation step k to k + 1, to unit: *stored 1, or
 * 0 when another run did.  Returns a status.
 */
int ft_store_event_escalate(struct ft_store *s, int64_t seq, const char *unit,
			    size_t unitlen, int k, int *stored);

/* ---- open cases, for ft-dispatch's duplicate search ---- */

/*
 * A counter that moves when another connection commits: the cases read
 * before may have changed.  (SQLite's PRAGMA data_version; a backend
 * without one would give a new value each time, and the search would
 * read afresh.)  Returns a status.
 */
int ft_store_data_version(struct ft_store *s, int64_t *v);

struct ft_case_row {
	int64_t seq;
	const char *reported_at;
	double lat, lon; /* case_near */
	const char *id, *unit; /* case_at_facility */
	size_t idlen;
};

/*
 * The open cases (FT_OPEN_SQL) that are no duplicates, with a point, of
 * category cat (catlen bytes), reported from t0 to t1 (stored times),
 * in the order of reported_at and seq.
 */
int ft_store_cases_near_each(struct ft_store *s, const char *cat, size_t catlen,
			     const char *t0, const char *t1,
			     int (*fn)(void *ctx, const struct ft_case_row *r),
			     void *ctx);

/*
 * The first open case that is no duplicate at facility fac (faclen
 * bytes), into *r (its text lives until the next call): *found 1 or 0.
 * Returns a status.
 */
int ft_store_case_at_facility(struct ft_store *s, const char *fac,
			      size_t faclen, struct ft_case_row *r, int *found);

/* ---- units ---- */

/* Is unit id (idlen bytes) stored: *yes 1 or 0.  Returns a status. */
int ft_store_unit_exists(struct ft_store *s, const char *id, size_t idlen,
			 int *yes);

/* ---- history ---- */

/* One entry as stored (NULL: SQL NULL; ingest 0: none). */
struct ft_history_row {
	int64_t seq;
	const char *kind, *id;
	size_t idlen;
	const char *at, *tool, *by, *action, *from, *to;
	const char *detail;
	size_t detaillen;
	int64_t ingest;
	const char *hash;
	/*
	 * Read back (ft_store_history_each()): the entry as SQLite's
	 * json_array(kind, id, at, tool, by, action, from_status, to_status,
	 * detail, ingest) renders it, which its hash covers (a backend must
	 * render it byte for byte the same); and what an "ingest" entry of
	 * many events says of them (many 0: not one).
	 */
	const char *canon;
	size_t canonlen;
	int many;
	int64_t first_seq, last_seq, events;
	const char *ids;
};

/* The hash of the last entry into hex ("" when none).  Returns a status. */
int ft_store_history_last_hash(struct ft_store *s, char hex[65]);

/* Appends entry r (seq, canon and after are not read).  Returns a status. */
int ft_store_history_append(struct ft_store *s, const struct ft_history_row *r);

/* Every entry, in seq order (kind... hash are not given: canon is). */
int ft_store_history_each(struct ft_store *s,
			  int (*fn)(void *ctx, const struct ft_history_row *r),
			  void *ctx);

/* The ids of the events of seq first to last, in seq order. */
int ft_store_event_ids_each(struct ft_store *s, int64_t first, int64_t last,
			    int (*fn)(void *ctx, const char *id, size_t n),
			    void *ctx);

/*
 * The seq of the last history entry (0: none), into *seq.  Returns a
 * status.
 */
int ft_store_history_last_seq(struct ft_store *s, int64_t *seq);

/*
 * Had event id an entry of action at time at, up to entry seq before, to
 * status to (NULL: any) with detail (NULL: any): *yes 1 or 0.  Returns a
 * status.
 */
int ft_store_history_has(struct ft_store *s, const char *id, size_t idlen,
			 const char *action, const char *at, const char *to,
			 const char *detail, int64_t before, int *yes);

#endif
