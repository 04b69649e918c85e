#include "ft_store.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The canonical record of a stored event, as ft-ingest prints it. */
#define RECORD_SQL \
	"json_patch(json_patch('{}', json_object('id', id, 'source', " \
	"source, 'category', category, 'title', title, 'text', text, " \
	"'lat', lat, 'lon', lon, 'address', address, 'facility', " \
	"facility, 'reporter', reporter, 'severity', severity, " \
	"'reported_at', reported_at, 'status', status, 'area', area)), " \
	"coalesce(extra, '{}'))"

/*
 * The columns of a stored event in the order of its record, then extra:
 * record() makes the record from them, as ft-ingest printed it.
 */
static const char *const stored_names[] = {
	"id",	    "source",	   "category", "title",	   "text",
	"lat",	    "lon",	   "address",  "facility", "reporter",
	"severity", "reported_at", "status",   "area"
};
#define STORED_COLUMNS \
	"id, source, category, title, text, lat, lon, address, facility, " \
	"reporter, severity, reported_at, status, area, extra"
#define STORED_N 14
#define STORED_REPORTED_AT 11 /* its place among them */

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
	HISTORY_LAST_HASH,
	HISTORY_APPEND,
	HISTORY_ALL,
	EVENT_IDS,
	DATA_VERSION,
	EVENT_RECORD,
	EVENTS_BETWEEN,
	PENDING,
	EVENT_DISPATCH,
	EVENT_ID_UNIT,
	OVERDUE,
	EVENT_ESCALATE,
	CASES_NEAR,
	CASE_AT_FACILITY,
	HISTORY_HAS,
	NSTMT
};

/* Every statement of the store, in one place. */
static const struct ft_stmt_def stmts[NSTMT] = {
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
	[UNITS_ALL] = { "SELECT id, kind, parent FROM units ORDER BY id",
			"reading the units" },
	[BOUNDARIES_AREAS] = { "SELECT b.unit, b.valid_from, b.valid_until, b.boundary, b.seq "
			       "FROM boundaries b JOIN units u ON u.id = b.unit WHERE u.kind "
			       "IN ('district', 'street', 'community', 'grid') ORDER BY "
			       "b.unit, b.seq",
			       "reading the boundaries" },
	[FACILITIES_ALL] = { "SELECT id, area, owner, lat, lon FROM facilities",
			     "reading the facilities" },
	[EVENT_RECORD] = { "SELECT seq, status, dispatched_at, " STORED_COLUMNS
			   " FROM "
			   "events WHERE id = ?1",
			   "reading an event" },
	/* ?1 from, ?2 before (reported_at), after (?3, ?4), at most ?5. */
	[EVENTS_BETWEEN] = { "SELECT seq, status, dispatched_at, " STORED_COLUMNS
			     " FROM events WHERE reported_at >= ?1 AND"
			     " reported_at < ?2 AND (reported_at, seq) > (?3, ?4)"
			     " ORDER BY reported_at, seq LIMIT ?5",
			     "reading the events of a period" },
	[PENDING] = { "SELECT seq, status, dispatched_at, " STORED_COLUMNS
		      " FROM "
		      "events WHERE status = 'new' AND dispatched_at IS NULL AND "
		      "(reported_at, seq) > (?1, ?2) AND (SELECT CASE h.action WHEN "
		      "'unplaced' THEN json_extract(h.detail, '$.rules') END FROM "
		      "history h WHERE h.kind = 'event' AND h.id = events.id ORDER BY "
		      "h.seq DESC LIMIT 1) IS NOT ?4 ORDER BY reported_at, seq LIMIT "
		      "?3",
		      "reading pending events" },
	[EVENT_DISPATCH] = { "UPDATE events SET area = ?2, unit = ?3, rule = ?4, priority = "
			     "?5, respond_by = ?6, resolve_by = ?7, status = ?8, "
			     "dispatched_at = ?9, status_at = ?9, chain = ?10, "
			     "near_boundary = ?11, duplicate_of = ?12 WHERE seq = ?1 AND "
			     "dispatched_at IS NULL",
			     "storing a dispatch" },
	[EVENT_ID_UNIT] = { "SELECT id, unit FROM events WHERE seq = ?1",
			    "finding duplicates" },
	[OVERDUE] = { "SELECT seq, id, unit, status, respond_by, resolve_by, "
		      "escalation, chain, " RECORD_SQL
		      ", area FROM events WHERE " FT_OPEN_SQL
		      " AND chain IS NOT NULL AND seq > ?2 AND escalation "
		      "< json_array_length(chain) AND ((status <> 'accepted' AND "
		      "respond_by <= ?1) OR resolve_by <= ?1) ORDER BY seq LIMIT ?3",
		      "finding overdue cases" },
	[EVENT_ESCALATE] = { "UPDATE events SET unit = ?2, escalation = ?3 WHERE seq = ?1 "
			     "AND escalation = ?4",
			     "escalating" },
	[DATA_VERSION] = { "PRAGMA data_version", "reading the data version" },
	/* Both read their partial index alone (EXPLAIN QUERY PLAN: a
	 * covering index for the first): its WHERE is theirs. */
	[CASES_NEAR] = { "SELECT seq, reported_at, lat, lon FROM events WHERE category "
			 "= ?1 AND reported_at BETWEEN ?2 AND ?3 AND " FT_OPEN_SQL
			 " AND "
			 "duplicate_of IS NULL AND lat IS NOT NULL AND lon IS NOT NULL "
			 "ORDER BY reported_at, seq",
			 "finding duplicates" },
	[CASE_AT_FACILITY] = { "SELECT seq, reported_at, id, unit FROM events WHERE facility = "
			       "?1 AND " FT_OPEN_SQL
			       " AND duplicate_of IS NULL ORDER BY "
			       "reported_at, seq LIMIT 1",
			       "finding duplicates" },
	[HISTORY_LAST_HASH] = { "SELECT hash FROM history ORDER BY seq DESC LIMIT 1",
				"reading the history" },
	[HISTORY_APPEND] = { "INSERT INTO history(kind, id, at, tool, by, action, "
			     "from_status, to_status, detail, ingest, hash) VALUES (?1, ?2, "
			     "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			     "logging a change" },
	/* Columns 3-7: what an ingest entry of many events says of them. */
	[HISTORY_ALL] = { "SELECT seq, hash, json_array(kind, id, at, tool, by, action, "
			  "from_status, to_status, detail, ingest), CASE WHEN kind = "
			  "'event' AND id = '' AND action = 'ingest' AND "
			  "json_valid(detail) THEN 1 END, json_extract(detail, "
			  "'$.first_seq'), json_extract(detail, '$.last_seq'), "
			  "json_extract(detail, '$.events'), json_extract(detail, "
			  "'$.ids') FROM history ORDER BY seq",
			  "reading the history" },
	[EVENT_IDS] = { "SELECT id FROM events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
			"reading the events" },
	[HISTORY_LAST_SEQ] = { "SELECT coalesce(max(seq), 0) FROM history",
			       "reading the history" },
	[HISTORY_HAS] = { "SELECT 1 FROM history WHERE kind = 'event' AND id = ?1 AND "
			  "action = ?2 AND at = ?3 AND (?4 IS NULL OR to_status = ?4) "
			  "AND (?5 IS NULL OR detail = ?5) AND seq <= ?6 LIMIT 1",
			  "reading the history" },
};

struct ft_store {
	struct ft_db *db;
	struct ft_stmts t;
	struct ft_buf row[3]; /* the text of a row given out, kept */
	struct ft_buf rec; /* the record of an event given out */
	struct ft_json_doc recdoc, extra; /* the same, read; its extra */
};

int
ft_store_open(struct ft_store **sp, struct ft_db *db)
{
	struct ft_store *s = ft_xmalloc(sizeof(*s));
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 3; i++)
		ft_buf_init(&s->row[i]);
	ft_buf_init(&s->rec);
	ft_json_doc_init(&s->recdoc);
	ft_json_doc_init(&s->extra);
	s->db = db;
	ft_stmts_init(&s->t, db, stmts, NSTMT);
	*sp = s;
	return FT_OK;
}

void
ft_store_close(struct ft_store *s)
{
	int i;

	if (!s)
		return;
	ft_stmts_release(&s->t);
	for (i = 0; i < 3; i++)
		ft_buf_release(&s->row[i]);
	ft_buf_release(&s->rec);
	ft_json_doc_release(&s->recdoc);
	ft_json_doc_release(&s->extra);
	free(s);
}

static sqlite3_stmt *
get(struct ft_store *s, enum stmt n)
{
	return ft_stmts_get(&s->t, n);
}

static int
step(struct ft_store *s, enum stmt n, int *row)
{
	return ft_stmts_step(&s->t, n, row);
}

static void
done(struct ft_store *s, enum stmt n)
{
	ft_stmts_done(&s->t, n);
}

static int
run(struct ft_store *s, enum stmt n)
{
	return ft_stmts_run(&s->t, n);
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

static int
walk(struct ft_store *s, enum stmt n, int (*each)(sqlite3_stmt *, void *),
     void *ctx)
{
	return ft_stmts_walk(&s->t, n, each, ctx);
}

/*
 * ROW_WALK(name, T) makes the typed walk of rows of type T: struct
 * name_walk holds the caller's function and context, and name_row(), the
 * reader walk() calls, fills a T with name_fill() and gives it to that
 * function.  A second backend reads its rows its own way and keeps the
 * same callbacks.
 */
#define ROW_WALK(name, T) \
	struct name##_walk { \
		int (*fn)(void *, const T *); \
		void *ctx; \
	}; \
	static int name##_row(sqlite3_stmt *st, void *arg) \
	{ \
		struct name##_walk *w = arg; \
		T r; \
		name##_fill(st, &r); \
		return w->fn(w->ctx, &r); \
	}

static void
unit_fill(sqlite3_stmt *st, struct ft_unit_row *r)
{
	r->id = ft_sql_col(st, 0);
	r->kind = ft_sql_col(st, 1);
	r->parent = ft_sql_col(st, 2);
}

ROW_WALK(unit, struct ft_unit_row)

int
ft_store_units_each(struct ft_store *s,
		    int (*fn)(void *ctx, const struct ft_unit_row *r),
		    void *ctx)
{
	struct unit_walk w = { fn, ctx };

	return walk(s, UNITS_ALL, unit_row, &w);
}

static void
boundary_fill(sqlite3_stmt *st, struct ft_boundary_row *r)
{
	r->unit = ft_sql_col(st, 0);
	r->valid_from = ft_sql_col(st, 1);
	r->valid_until = ft_sql_col(st, 2);
	r->geojson = ft_sql_col(st, 3);
	r->geolen = (size_t)sqlite3_column_bytes(st, 3);
	r->seq = sqlite3_column_int64(st, 4);
}

ROW_WALK(boundary, struct ft_boundary_row)

int
ft_store_boundaries_each(struct ft_store *s,
			 int (*fn)(void *ctx, const struct ft_boundary_row *r),
			 void *ctx)
{
	struct boundary_walk w = { fn, ctx };

	return walk(s, BOUNDARIES_AREAS, boundary_row, &w);
}

static void
facility_fill(sqlite3_stmt *st, struct ft_facility_row *r)
{
	r->id = ft_sql_col(st, 0);
	r->area = ft_sql_col(st, 1);
	r->owner = ft_sql_col(st, 2);
	r->has_point = sqlite3_column_type(st, 3) != SQLITE_NULL &&
		       sqlite3_column_type(st, 4) != SQLITE_NULL;
	r->lat = sqlite3_column_double(st, 3);
	r->lon = sqlite3_column_double(st, 4);
}

ROW_WALK(facility, struct ft_facility_row)

int
ft_store_facilities_each(struct ft_store *s,
			 int (*fn)(void *ctx, const struct ft_facility_row *r),
			 void *ctx)
{
	struct facility_walk w = { fn, ctx };

	return walk(s, FACILITIES_ALL, facility_row, &w);
}

/* A stored column's value as JSON into b: what record() writes. */
static void
column_json(struct ft_buf *b, sqlite3_stmt *st, int c, int t)
{
	if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
		ft_json_number(b, sqlite3_column_double(st, c));
	else
		ft_json_escape_lossy(b,
				     (const char *)sqlite3_column_text(st, c),
				     (size_t)sqlite3_column_bytes(st, c));
}

/*
 * The record of a stored event from its columns (first: the column of
 * its id), into b: what RECORD_SQL makes, without the two json_patch()
 * calls that took a quarter of --pending's time.
 */
static void
record(struct ft_buf *b, sqlite3_stmt *st, int first)
{
	const char *x;
	int i, n = 0, c, t;

	ft_buf_reset(b);
	ft_buf_addc(b, '{');
	for (i = 0; i < STORED_N; i++) {
		c = first + i;
		t = sqlite3_column_type(st, c);
		if (t == SQLITE_NULL)
			continue;
		/* Keys by hand: ft_buf_addf() cost more than the rest. */
		if (n++)
			ft_buf_addc(b, ',');
		ft_buf_addc(b, '"');
		ft_buf_adds(b, stored_names[i]);
		ft_buf_adds(b, "\":");
		column_json(b, st, c, t);
	}
	/* extra is an object of the other members: its inside follows. */
	x = (const char *)sqlite3_column_text(st, first + STORED_N);
	if (x && sqlite3_column_bytes(st, first + STORED_N) > 2) {
		if (n)
			ft_buf_addc(b, ',');
		ft_buf_add(b, x + 1,
			   (size_t)sqlite3_column_bytes(st, first + STORED_N) -
				   2);
	}
	ft_buf_addc(b, '}');
}

/*
 * The record of a stored event as record() makes it, already read: into
 * s->recdoc, member by member, with its extra members from their own
 * parse.  Returns 0, or -1 when extra does not read as an object whose
 * keys are new and plain: the caller then makes the text and lets the
 * reader parse it (and refuse it, as it always did).
 */
static int
record_doc(struct ft_store *s, sqlite3_stmt *st, int first)
{
	struct ft_json_doc *d = &s->recdoc;
	const char *x, *err;
	size_t pos;
	int i, t, n;

	ft_json_doc_object(d);
	for (i = 0; i < STORED_N; i++)
		if ((t = sqlite3_column_type(st, first + i)) != SQLITE_NULL)
			column_json(ft_json_doc_key(d, stored_names[i]), st,
				    first + i, t);
	x = (const char *)sqlite3_column_text(st, first + STORED_N);
	n = sqlite3_column_bytes(st, first + STORED_N);
	if (x && n > 2) {
		if (ft_json_parse(&s->extra, x, (size_t)n, &err, &pos) ||
		    s->extra.type != '{' || !s->extra.n ||
		    ft_json_doc_merge(d, &s->extra))
			return -1;
	}
	ft_json_doc_close(d);
	return 0;
}

/*
 * The row of EVENT_RECORD or PENDING into *r, its record in s->recdoc
 * (r->doc), or as text in s->rec when record_doc() cannot read it.
 */
static void
event_record(struct ft_store *s, sqlite3_stmt *st, struct ft_event_record *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->status, sizeof(r->status));
	r->dispatched = sqlite3_column_type(st, 2) != SQLITE_NULL;
	r->reported_at = ft_sql_col(st, 3 + STORED_REPORTED_AT);
	if (record_doc(s, st, 3) == 0) {
		r->doc = &s->recdoc;
		r->record = s->recdoc.text.s;
		r->reclen = s->recdoc.text.len;
		return;
	}
	record(&s->rec, st, 3);
	r->doc = NULL;
	r->record = s->rec.s;
	r->reclen = s->rec.len;
}

int
ft_store_event_record(struct ft_store *s, const char *id, size_t idlen,
		      struct ft_event_record *r, int *found)
{
	sqlite3_stmt *st = get(s, EVENT_RECORD);
	int rc;

	*found = 0;
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_text(st, 1, id, idlen);
	if ((rc = step(s, EVENT_RECORD, found)) || !*found)
		return rc;
	event_record(s, st, r);
	r->reported_at = NULL; /* not kept past the reset */
	done(s, EVENT_RECORD);
	return FT_OK;
}

struct pending_walk {
	struct ft_store *s;
	int (*fn)(void *, const struct ft_event_record *);
	void *ctx;
};

static int
pending_row(sqlite3_stmt *st, void *arg)
{
	struct pending_walk *w = arg;
	struct ft_event_record r;

	event_record(w->s, st, &r);
	return w->fn(w->ctx, &r);
}

int
ft_store_pending_each(struct ft_store *s, const char *after_at,
		      int64_t after_seq, long limit, const char *digest,
		      int (*fn)(void *ctx, const struct ft_event_record *r),
		      void *ctx)
{
	sqlite3_stmt *st = get(s, PENDING);
	struct pending_walk w = { s, fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_text(st, 1, after_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	ft_sql_bind_text(st, 4, digest, strlen(digest));
	return walk(s, PENDING, pending_row, &w);
}

int
ft_store_events_each(struct ft_store *s, const char *since, const char *until,
		     const char *after_at, int64_t after_seq, long limit,
		     int (*fn)(void *ctx, const struct ft_event_record *r),
		     void *ctx)
{
	sqlite3_stmt *st = get(s, EVENTS_BETWEEN);
	struct pending_walk w = { s, fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, until, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, after_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, after_seq);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)limit);
	return walk(s, EVENTS_BETWEEN, pending_row, &w);
}

int
ft_store_event_dispatch(struct ft_store *s,
			const struct ft_dispatch_decision *c, int *stored)
{
	sqlite3_stmt *st = get(s, EVENT_DISPATCH);
	int rc;

	*stored = 0;
	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, c->seq);
	ft_sql_bind_text(st, 2, c->area, c->area ? strlen(c->area) : 0);
	ft_sql_bind_text(st, 3, c->unit, c->unit ? strlen(c->unit) : 0);
	ft_sql_bind_text(st, 4, c->rule, c->rule ? strlen(c->rule) : 0);
	if (c->priority)
		sqlite3_bind_int(st, 5, c->priority);
	ft_sql_bind_text(st, 6, c->respond_by,
			 c->respond_by ? strlen(c->respond_by) : 0);
	ft_sql_bind_text(st, 7, c->resolve_by,
			 c->resolve_by ? strlen(c->resolve_by) : 0);
	ft_sql_bind_text(st, 8, c->status, strlen(c->status));
	ft_sql_bind_text(st, 9, c->at, strlen(c->at));
	ft_sql_bind_text(st, 10, c->chainlen ? c->chain : NULL, c->chainlen);
	ft_sql_bind_text(st, 11, c->nearlen ? c->near : NULL, c->nearlen);
	ft_sql_bind_text(st, 12, c->duplicate_of,
			 c->duplicate_of ? strlen(c->duplicate_of) : 0);
	if ((rc = run(s, EVENT_DISPATCH)))
		return rc;
	*stored = sqlite3_changes(s->db->h) == 1;
	return FT_OK;
}

int
ft_store_event_id_unit(struct ft_store *s, int64_t seq, struct ft_buf *id,
		       struct ft_buf *unit)
{
	sqlite3_stmt *st = get(s, EVENT_ID_UNIT);
	int row, rc;

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, seq);
	if ((rc = step(s, EVENT_ID_UNIT, &row)))
		return rc;
	if (!row)
		return ft_db_fail(s->db, SQLITE_CORRUPT,
				  stmts[EVENT_ID_UNIT].what);
	ft_buf_adds(id, ft_sql_col(st, 0));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		ft_buf_adds(unit, ft_sql_col(st, 1));
	done(s, EVENT_ID_UNIT);
	return FT_OK;
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

static void
overdue_fill(sqlite3_stmt *st, struct ft_overdue_row *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	r->id = or_empty(ft_sql_col(st, 1));
	r->unit = or_empty(ft_sql_col(st, 2));
	r->status = or_empty(ft_sql_col(st, 3));
	r->respond_by = or_empty(ft_sql_col(st, 4));
	r->resolve_by = or_empty(ft_sql_col(st, 5));
	r->escalation = sqlite3_column_int(st, 6);
	r->chain = or_empty(ft_sql_col(st, 7));
	r->record = or_empty(ft_sql_col(st, 8));
	r->area = or_empty(ft_sql_col(st, 9));
}

ROW_WALK(overdue, struct ft_overdue_row)

int
ft_store_overdue_each(struct ft_store *s, const char *now, int64_t after_seq,
		      int (*fn)(void *ctx, const struct ft_overdue_row *r),
		      void *ctx)
{
	sqlite3_stmt *st = get(s, OVERDUE);
	struct overdue_walk w = { fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_text(st, 1, now, strlen(now));
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int(st, 3, FT_STORE_OVERDUE_PAGE);
	return walk(s, OVERDUE, overdue_row, &w);
}

int
ft_store_event_escalate(struct ft_store *s, int64_t seq, const char *unit,
			size_t unitlen, int k, int *stored)
{
	sqlite3_stmt *st = get(s, EVENT_ESCALATE);
	int rc;

	*stored = 0;
	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, seq);
	ft_sql_bind_text(st, 2, unit, unitlen);
	sqlite3_bind_int(st, 3, k + 1);
	sqlite3_bind_int(st, 4, k);
	if ((rc = run(s, EVENT_ESCALATE)))
		return rc;
	*stored = sqlite3_changes(s->db->h) == 1;
	return FT_OK;
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

static void
case_fill(sqlite3_stmt *st, struct ft_case_row *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, 0);
	r->reported_at = ft_sql_col(st, 1);
	r->lat = sqlite3_column_double(st, 2);
	r->lon = sqlite3_column_double(st, 3);
}

ROW_WALK(case, struct ft_case_row)

int
ft_store_cases_near_each(struct ft_store *s, const char *cat, size_t catlen,
			 const char *t0, const char *t1,
			 int (*fn)(void *ctx, const struct ft_case_row *r),
			 void *ctx)
{
	sqlite3_stmt *st = get(s, CASES_NEAR);
	struct case_walk w = { fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_text(st, 1, cat, catlen);
	ft_sql_bind_text(st, 2, t0, strlen(t0));
	ft_sql_bind_text(st, 3, t1, strlen(t1));
	return walk(s, CASES_NEAR, case_row, &w);
}

int
ft_store_case_at_facility(struct ft_store *s, const char *fac, size_t faclen,
			  struct ft_case_row *r, int *found)
{
	sqlite3_stmt *st = get(s, CASE_AT_FACILITY);
	int rc;

	*found = 0;
	memset(r, 0, sizeof(*r));
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_text(st, 1, fac, faclen);
	if ((rc = step(s, CASE_AT_FACILITY, found)) || !*found)
		return rc;
	/* Copied, so that the statement lets go of the database now. */
	r->seq = sqlite3_column_int64(st, 0);
	r->reported_at = ft_sql_keep(&s->row[0], st, 1);
	r->id = ft_sql_keep(&s->row[1], st, 2);
	r->idlen = (size_t)sqlite3_column_bytes(st, 2);
	r->unit = ft_sql_keep(&s->row[2], st, 3);
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
	ft_sql_bind_text(st, 1, id, idlen);
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
	ft_sql_bind_text(st, 2, c->from, strlen(c->from));
	ft_sql_bind_text(st, 3, c->to, c->tolen);
	ft_sql_bind_text(st, 4, c->at, strlen(c->at));
	ft_sql_bind_text(st, 5, c->outcome,
			 c->outcome ? strlen(c->outcome) : 0);
	ft_sql_bind_text(st, 6, c->unit, c->unitlen);
	/* The time it was first dispatched, if it is now. */
	if (!strcmp(c->to, "dispatched"))
		ft_sql_bind_text(st, 7, c->at, strlen(c->at));
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
	ft_sql_bind_text(st, 3, comment, commentlen);
	ft_sql_bind_text(st, 4, at, strlen(at));
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
	ft_sql_bind_text(st, 1, id, idlen);
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
ft_store_history_last_hash(struct ft_store *s, char hex[65])
{
	sqlite3_stmt *st = get(s, HISTORY_LAST_HASH);
	int row, rc;

	hex[0] = '\0';
	if (!st)
		return FT_SOFTWARE;
	if ((rc = step(s, HISTORY_LAST_HASH, &row)) || !row)
		return rc;
	col_text(st, 0, hex, 65);
	done(s, HISTORY_LAST_HASH);
	return FT_OK;
}

int
ft_store_history_append(struct ft_store *s, const struct ft_history_row *r)
{
	sqlite3_stmt *st = get(s, HISTORY_APPEND);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_text(st, 1, r->kind, strlen(r->kind));
	ft_sql_bind_text(st, 2, r->id, r->idlen);
	ft_sql_bind_text(st, 3, r->at, strlen(r->at));
	ft_sql_bind_text(st, 4, r->tool, strlen(r->tool));
	ft_sql_bind_text(st, 5, r->by, strlen(r->by));
	ft_sql_bind_text(st, 6, r->action, strlen(r->action));
	ft_sql_bind_text(st, 7, r->from, r->from ? strlen(r->from) : 0);
	ft_sql_bind_text(st, 8, r->to, r->to ? strlen(r->to) : 0);
	ft_sql_bind_text(st, 9, r->detail, r->detaillen);
	if (r->ingest)
		sqlite3_bind_int64(st, 10, r->ingest);
	ft_sql_bind_text(st, 11, r->hash, strlen(r->hash));
	return run(s, HISTORY_APPEND);
}

static void
history_fill(sqlite3_stmt *st, struct ft_history_row *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, 0);
	r->hash = ft_sql_col(st, 1);
	r->canon = ft_sql_col(st, 2);
	r->canonlen = (size_t)sqlite3_column_bytes(st, 2);
	r->many = sqlite3_column_type(st, 3) != SQLITE_NULL;
	r->first_seq = sqlite3_column_int64(st, 4);
	r->last_seq = sqlite3_column_int64(st, 5);
	r->events = sqlite3_column_int64(st, 6);
	r->ids = ft_sql_col(st, 7);
}

ROW_WALK(history, struct ft_history_row)

int
ft_store_history_each(struct ft_store *s,
		      int (*fn)(void *ctx, const struct ft_history_row *r),
		      void *ctx)
{
	struct history_walk w = { fn, ctx };

	return walk(s, HISTORY_ALL, history_row, &w);
}

struct id_walk {
	int (*fn)(void *, const char *, size_t);
	void *ctx;
};

static int
id_row(sqlite3_stmt *st, void *arg)
{
	struct id_walk *w = arg;

	return w->fn(w->ctx, ft_sql_col(st, 0),
		     (size_t)sqlite3_column_bytes(st, 0));
}

int
ft_store_event_ids_each(struct ft_store *s, int64_t first, int64_t last,
			int (*fn)(void *ctx, const char *id, size_t n),
			void *ctx)
{
	sqlite3_stmt *st = get(s, EVENT_IDS);
	struct id_walk w = { fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	return walk(s, EVENT_IDS, id_row, &w);
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
	ft_sql_bind_text(st, 1, id, idlen);
	ft_sql_bind_text(st, 2, action, strlen(action));
	ft_sql_bind_text(st, 3, at, strlen(at));
	ft_sql_bind_text(st, 4, to, to ? strlen(to) : 0);
	ft_sql_bind_text(st, 5, detail, detail ? strlen(detail) : 0);
	sqlite3_bind_int64(st, 6, before);
	if ((rc = step(s, HISTORY_HAS, yes)) == FT_OK && *yes)
		done(s, HISTORY_HAS);
	return rc;
}
