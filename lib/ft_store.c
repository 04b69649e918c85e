#include "ft_store.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statements, by name. */
enum stmt {
	EVENT_STATE,
	EVENT_STATUS,
	EVENT_RATING,
	UNIT_EXISTS,
	UNITS_ALL,
	BOUNDARIES_AREAS,
	FACILITIES_ALL,
	HISTORY_LAST_SEQ,
	DATA_VERSION,
	CASES_NEAR,
	CASE_AT_FACILITY,
	HISTORY_HAS,
	NSTMT
};

/* Every statement of the store, in one place. */
static const struct {
	const char *sql;
	const char *what; /* for a message: "reading an event" */
} stmts[NSTMT] = {
	[EVENT_STATE] = { "SELECT seq, status, reported_at, coalesce(status_at, "
			  "reported_at) FROM events WHERE id = ?1",
			  "reading an event" },
	/* The status it had is checked again: no other writer is between
	 * the read and this, but a wrong caller would be. */
	[EVENT_STATUS] = { "UPDATE events SET status = ?3, status_at = ?4, outcome = ?5, "
			   "unit = coalesce(?6, unit), dispatched_at = "
			   "coalesce(dispatched_at, ?7), chain = CASE WHEN ?6 IS NULL "
			   "THEN chain END WHERE seq = ?1 AND status = ?2",
			   "updating an event" },
	[EVENT_RATING] = { "UPDATE events SET rating = ?2, rating_comment = ?3, rated_at "
			   "= ?4 WHERE seq = ?1",
			   "storing a rating" },
	[UNIT_EXISTS] = { "SELECT 1 FROM units WHERE id = ?1",
			  "reading the units" },
	[UNITS_ALL] = {
		"SELECT id, kind, parent FROM units ORDER BY id",
		"reading the units" },
	[BOUNDARIES_AREAS] = {
		"SELECT b.unit, b.valid_from, b.valid_until, b.boundary, b.seq "
		"FROM boundaries b JOIN units u ON u.id = b.unit WHERE u.kind "
		"IN ('district', 'street', 'community', 'grid') ORDER BY "
		"b.unit, b.seq",
		"reading the boundaries" },
	[FACILITIES_ALL] = {
		"SELECT id, area, owner, lat, lon FROM facilities",
		"reading the facilities" },
	[DATA_VERSION] = {
		"PRAGMA data_version",
		"reading the data version" },
	/* Both read their partial index alone (EXPLAIN QUERY PLAN: a
	 * covering index for the first): its WHERE is theirs. */
	[CASES_NEAR] = {
		"SELECT seq, reported_at, lat, lon FROM events WHERE category "
		"= ?1 AND reported_at BETWEEN ?2 AND ?3 AND " FT_OPEN_SQL " AND "
		"duplicate_of IS NULL AND lat IS NOT NULL AND lon IS NOT NULL "
		"ORDER BY reported_at, seq",
		"finding duplicates" },
	[CASE_AT_FACILITY] = {
		"SELECT seq, reported_at, id, unit FROM events WHERE facility = "
		"?1 AND " FT_OPEN_SQL " AND duplicate_of IS NULL ORDER BY "
		"reported_at, seq LIMIT 1",
		"finding duplicates" },
	[HISTORY_LAST_SEQ] = { "SELECT coalesce(max(seq), 0) FROM history",
			       "reading the history" },
	[HISTORY_HAS] = { "SELECT 1 FROM history WHERE kind = 'event' AND id = ?1 AND "
			  "action = ?2 AND at = ?3 AND (?4 IS NULL OR to_status = ?4) "
			  "AND (?5 IS NULL OR detail = ?5) AND seq <= ?6 LIMIT 1",
			  "reading the history" },
};

struct ft_store {
	struct ft_db *db;
	sqlite3_stmt *st[NSTMT];
	struct ft_buf row[3];	/* the text of a row given out, kept */
};

int
ft_store_open(struct ft_store **sp, struct ft_db *db)
{
	struct ft_store *s = ft_xmalloc(sizeof(*s));
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 3; i++)
		ft_buf_init(&s->row[i]);
	s->db = db;
	*sp = s;
	return FT_OK;
}

void
ft_store_close(struct ft_store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < NSTMT; i++)
		sqlite3_finalize(s->st[i]);
	for (i = 0; i < 3; i++)
		ft_buf_release(&s->row[i]);
	free(s);
}

/* Statement n, prepared the first time, reset and cleared; NULL: failed. */
static sqlite3_stmt *
get(struct ft_store *s, enum stmt n)
{
	if (!s->st[n])
		s->st[n] = ft_db_prepare(s->db, stmts[n].sql);
	return s->st[n];
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v, size_t n)
{
	if (v)
		sqlite3_bind_text(st, i, v, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Steps statement n once: FT_OK with *row 1 on a row (the statement left
 * on it, for the caller to read and then reset), 0 when done (reset); or
 * a status after a message (reset).
 */
static int
step(struct ft_store *s, enum stmt n, int *row)
{
	sqlite3_stmt *st = s->st[n];
	int rc = sqlite3_step(st);

	*row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		return FT_OK;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? FT_OK : ft_db_fail(s->db, rc, stmts[n].what);
}

static void
done(struct ft_store *s, enum stmt n)
{
	sqlite3_reset(s->st[n]);
	sqlite3_clear_bindings(s->st[n]);
}

/* Runs statement n to its end, ignoring any row.  Returns a status. */
static int
run(struct ft_store *s, enum stmt n)
{
	int row, st = step(s, n, &row);

	if (row)
		done(s, n);
	return st;
}

/* Column i of the row as text into buf (size n): "" for NULL. */
static void
col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", t ? (const char *)t : "");
}

const char *
ft_store_name(const struct ft_store *s)
{
	return s->db->path;
}

/* Column i of the row as text copied into b, or NULL. */
static const char *
keep(struct ft_buf *b, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	if (!t)
		return NULL;
	ft_buf_reset(b);
	ft_buf_add(b, t, (size_t)sqlite3_column_bytes(st, i));
	return b->s;
}

/* Column i of the row as text, or NULL. */
static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * Walks statement n: each(s, st, ctx) reads a row and calls the caller's
 * function.  Returns the first status other than FT_OK.
 */
static int
walk(struct ft_store *s, enum stmt n, int (*each)(sqlite3_stmt *, void *),
     void *ctx)
{
	sqlite3_stmt *st = get(s, n);
	int row, rc;

	if (!st)
		return FT_SOFTWARE;
	while ((rc = step(s, n, &row)) == FT_OK && row)
		if ((rc = each(st, ctx)) != FT_OK) {
			done(s, n);
			return rc;
		}
	return rc;
}

struct walk_ctx {
	void (*fn)(void);	/* the caller's: cast back by its kind's row
				   reader (function pointers convert) */
	void *ctx;
};

static int
unit_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_unit_row *) =
		(int (*)(void *, const struct ft_unit_row *))w->fn;
	struct ft_unit_row r;

	r.id = col(st, 0);
	r.kind = col(st, 1);
	r.parent = col(st, 2);
	return fn(w->ctx, &r);
}

int
ft_store_units_each(struct ft_store *s,
		    int (*fn)(void *ctx, const struct ft_unit_row *r),
		    void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	return walk(s, UNITS_ALL, unit_row, &w);
}

static int
boundary_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_boundary_row *) =
		(int (*)(void *, const struct ft_boundary_row *))w->fn;
	struct ft_boundary_row r;

	r.unit = col(st, 0);
	r.valid_from = col(st, 1);
	r.valid_until = col(st, 2);
	r.geojson = col(st, 3);
	r.geolen = (size_t)sqlite3_column_bytes(st, 3);
	r.seq = sqlite3_column_int64(st, 4);
	return fn(w->ctx, &r);
}

int
ft_store_boundaries_each(struct ft_store *s,
			 int (*fn)(void *ctx, const struct ft_boundary_row *r),
			 void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	return walk(s, BOUNDARIES_AREAS, boundary_row, &w);
}

static int
facility_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_facility_row *) =
		(int (*)(void *, const struct ft_facility_row *))w->fn;
	struct ft_facility_row r;

	r.id = col(st, 0);
	r.area = col(st, 1);
	r.owner = col(st, 2);
	r.has_point = sqlite3_column_type(st, 3) != SQLITE_NULL &&
		      sqlite3_column_type(st, 4) != SQLITE_NULL;
	r.lat = sqlite3_column_double(st, 3);
	r.lon = sqlite3_column_double(st, 4);
	return fn(w->ctx, &r);
}

int
ft_store_facilities_each(struct ft_store *s,
			 int (*fn)(void *ctx, const struct ft_facility_row *r),
			 void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	return walk(s, FACILITIES_ALL, facility_row, &w);
}

int
ft_store_data_version(struct ft_store *s, int64_t *v)
{
	sqlite3_stmt *st = get(s, DATA_VERSION);
	int row, rc;

	*v = 0;
	if (!st)
		return FT_SOFTWARE;
	if ((rc = step(s, DATA_VERSION, &row)) || !row)
		return rc;
	*v = sqlite3_column_int64(st, 0);
	done(s, DATA_VERSION);
	return FT_OK;
}

static int
case_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_case_row *) =
		(int (*)(void *, const struct ft_case_row *))w->fn;
	struct ft_case_row r = { 0 };

	r.seq = sqlite3_column_int64(st, 0);
	r.reported_at = col(st, 1);
	r.lat = sqlite3_column_double(st, 2);
	r.lon = sqlite3_column_double(st, 3);
	return fn(w->ctx, &r);
}

int
ft_store_cases_near_each(struct ft_store *s, const char *cat,
			 size_t catlen, const char *t0, const char *t1,
			 int (*fn)(void *ctx, const struct ft_case_row *r),
			 void *ctx)
{
	sqlite3_stmt *st = get(s, CASES_NEAR);
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	bind_text(st, 1, cat, catlen);
	bind_text(st, 2, t0, strlen(t0));
	bind_text(st, 3, t1, strlen(t1));
	return walk(s, CASES_NEAR, case_row, &w);
}

int
ft_store_case_at_facility(struct ft_store *s, const char *fac,
			  size_t faclen, struct ft_case_row *r, int *found)
{
	sqlite3_stmt *st = get(s, CASE_AT_FACILITY);
	int rc;

	*found = 0;
	memset(r, 0, sizeof(*r));
	if (!st)
		return FT_SOFTWARE;
	bind_text(st, 1, fac, faclen);
	if ((rc = step(s, CASE_AT_FACILITY, found)) || !*found)
		return rc;
	/* Copied, so that the statement lets go of the database now. */
	r->seq = sqlite3_column_int64(st, 0);
	r->reported_at = keep(&s->row[0], st, 1);
	r->id = keep(&s->row[1], st, 2);
	r->idlen = (size_t)sqlite3_column_bytes(st, 2);
	r->unit = keep(&s->row[2], st, 3);
	done(s, CASE_AT_FACILITY);
	return FT_OK;
}

int
ft_store_event_state(struct ft_store *s, const char *id, size_t idlen,
		     struct ft_event_state *e, int *found)
{
	sqlite3_stmt *st = get(s, EVENT_STATE);
	int row, rc;

	*found = 0;
	if (!st)
		return FT_SOFTWARE;
	bind_text(st, 1, id, idlen);
	if ((rc = step(s, EVENT_STATE, &row)) || !row)
		return rc;
	e->seq = sqlite3_column_int64(st, 0);
	col_text(st, 1, e->status, sizeof(e->status));
	col_text(st, 2, e->reported_at, sizeof(e->reported_at));
	col_text(st, 3, e->last_at, sizeof(e->last_at));
	done(s, EVENT_STATE);
	*found = 1;
	return FT_OK;
}

int
ft_store_event_status(struct ft_store *s, const struct ft_status_change *c)
{
	sqlite3_stmt *st = get(s, EVENT_STATUS);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, c->seq);
	bind_text(st, 2, c->from, strlen(c->from));
	bind_text(st, 3, c->to, c->tolen);
	bind_text(st, 4, c->at, strlen(c->at));
	bind_text(st, 5, c->outcome, c->outcome ? strlen(c->outcome) : 0);
	bind_text(st, 6, c->unit, c->unitlen);
	/* The time it was first dispatched, if it is now. */
	if (!strcmp(c->to, "dispatched"))
		bind_text(st, 7, c->at, strlen(c->at));
	return run(s, EVENT_STATUS);
}

int
ft_store_event_rating(struct ft_store *s, int64_t seq, int rating,
		      const char *comment, size_t commentlen, const char *at)
{
	sqlite3_stmt *st = get(s, EVENT_RATING);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, rating);
	bind_text(st, 3, comment, commentlen);
	bind_text(st, 4, at, strlen(at));
	return run(s, EVENT_RATING);
}

int
ft_store_unit_exists(struct ft_store *s, const char *id, size_t idlen, int *yes)
{
	sqlite3_stmt *st = get(s, UNIT_EXISTS);
	int rc;

	*yes = 0;
	if (!st)
		return FT_SOFTWARE;
	bind_text(st, 1, id, idlen);
	if ((rc = step(s, UNIT_EXISTS, yes)) == FT_OK && *yes)
		done(s, UNIT_EXISTS);
	return rc;
}

int
ft_store_history_last_seq(struct ft_store *s, int64_t *seq)
{
	sqlite3_stmt *st = get(s, HISTORY_LAST_SEQ);
	int row, rc;

	*seq = 0;
	if (!st)
		return FT_SOFTWARE;
	if ((rc = step(s, HISTORY_LAST_SEQ, &row)) || !row)
		return rc;
	*seq = sqlite3_column_int64(st, 0);
	done(s, HISTORY_LAST_SEQ);
	return FT_OK;
}

int
ft_store_history_has(struct ft_store *s, const char *id, size_t idlen,
		     const char *action, const char *at, const char *to,
		     const char *detail, int64_t before, int *yes)
{
	sqlite3_stmt *st = get(s, HISTORY_HAS);
	int rc;

	*yes = 0;
	if (!st)
		return FT_SOFTWARE;
	bind_text(st, 1, id, idlen);
	bind_text(st, 2, action, strlen(action));
	bind_text(st, 3, at, strlen(at));
	bind_text(st, 4, to, to ? strlen(to) : 0);
	bind_text(st, 5, detail, detail ? strlen(detail) : 0);
	sqlite3_bind_int64(st, 6, before);
	if ((rc = step(s, HISTORY_HAS, yes)) == FT_OK && *yes)
		done(s, HISTORY_HAS);
	return rc;
}
