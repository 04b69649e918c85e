#include "ft_store_load.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_ingest.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns of each kind, in the order of its values (ft_store_load.h). */
#define EV_COLS \
	"id, source, category, title, text, lat, lon, address, facility, " \
	"reporter, severity, reported_at, status, area"
#define UN_COLS "id, name, kind, parent, boundary, valid_from"
#define UN_BBOX "min_lon, min_lat, max_lon, max_lat"
#define FA_COLS "id, kind, name, lat, lon, area, owner"
#define TAIL "extra, raw, raw_path, ingest, line"

/* Each kind's statements, in this order; then the runs'. */
enum op {
	INSERT,
	INSERT_DRY,
	FIND,
	FIND_DRY,
	UPDATE,
	DRY_TABLE,
	DRY_INDEX,
	NOPS
};

enum stmt {
	EV_FIRST = 0,
	UN_FIRST = NOPS,
	FA_FIRST = 2 * NOPS,
	RD_FIRST = 3 * NOPS,
	RUN_BEGIN = 4 * NOPS,
	RUN_UPDATE,
	RUNNING,
	RUN_FAIL,
	ORPHANS,
	EV_NONE,
	EV_INSERT_BULK,
	EV_FIND_SEQ,
	EV_UPDATE_SEQ,
	NSTMT
};

#define INSERT_SQL(table, cols, params) \
	"INSERT INTO " table "(" cols ", " TAIL ") VALUES (" params \
	") ON CONFLICT(id) DO NOTHING"
/*
 * A bulk load's, while the table has no index on id (ft_load_bulk()): no
 * conflict target, which would need one; any unique index that another
 * tool built meanwhile still holds.
 */
#define INSERT_BULK_SQL(table, cols, params) \
	"INSERT INTO " table "(" cols ", " TAIL ") VALUES (" params \
	") ON CONFLICT DO NOTHING"
#define FIND_SQL(table, cols) \
	"SELECT " cols ", extra FROM main." table " WHERE id = ?1"
/* What this dry run has "stored" comes first. */
#define FIND_DRY_SQL(table, cols) \
	"SELECT " cols ", extra FROM temp." table " WHERE id = ?1 UNION " \
	"ALL " FIND_SQL(table, cols) " LIMIT 1"
#define DRY_TABLE_SQL(table) \
	"CREATE TEMP TABLE " table " AS SELECT * FROM main." table " WHERE 0"
#define DRY_INDEX_SQL(table) \
	"CREATE UNIQUE INDEX temp.dry_" table "_id ON " table "(id)"

#define EV_PARAMS \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, " \
	"?16, ?17, ?18, ?19"
#define UN_PARAMS \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15"
#define FA_PARAMS "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12"

/* status is ft-update's; area ft-dispatch's once the event left new */
#define EV_UPDATE_SQL \
	"UPDATE events SET source = ?2, category = ?3, title = ?4, text = " \
	"?5, lat = ?6, lon = ?7, address = ?8, facility = ?9, reporter = " \
	"?10, severity = ?11, reported_at = ?12, area = CASE WHEN status = " \
	"'new' THEN ?14 ELSE area END, extra = ?15, raw = ?16, raw_path = " \
	"?17, ingest = ?18, line = ?19 WHERE "

/* Readings: the key is the row; no id, no extra, no raw. */
#define RD_INSERT_SQL(table) \
	"INSERT INTO " table "(sensor, metric, at, value, ingest) VALUES " \
	"(?1, ?2, ?3, ?4, ?5) ON CONFLICT(sensor, metric, at) DO NOTHING"
#define RD_KEY "sensor = ?1 AND metric = ?2 AND at = ?3"
#define RD_FIND_SQL "SELECT value FROM main.readings WHERE " RD_KEY

/* Every statement of loading, in one place. */
static const struct ft_stmt_def stmts[NSTMT] = {
	[EV_FIRST + INSERT] = { INSERT_SQL("events", EV_COLS, EV_PARAMS),
				"storing a record" },
	[EV_FIRST +
		INSERT_DRY] = { INSERT_SQL("temp.events", EV_COLS, EV_PARAMS),
				"storing a record" },
	[EV_FIRST + FIND] = { FIND_SQL("events", EV_COLS), "reading" },
	[EV_FIRST + FIND_DRY] = { FIND_DRY_SQL("events", EV_COLS), "reading" },
	/* status is ft-update's; area ft-dispatch's once the event left new */
	[EV_FIRST + UPDATE] = { EV_UPDATE_SQL "id = ?1", "updating a record" },
	[EV_FIRST + DRY_TABLE] = { DRY_TABLE_SQL("events"),
				   "preparing the dry run" },
	[EV_FIRST + DRY_INDEX] = { DRY_INDEX_SQL("events"),
				   "preparing the dry run" },
	[UN_FIRST + INSERT] = { INSERT_SQL("units", UN_COLS ", " UN_BBOX,
					   UN_PARAMS),
				"storing a record" },
	[UN_FIRST + INSERT_DRY] = { INSERT_SQL("temp.units",
					       UN_COLS ", " UN_BBOX, UN_PARAMS),
				    "storing a record" },
	[UN_FIRST + FIND] = { FIND_SQL("units", UN_COLS), "reading" },
	[UN_FIRST + FIND_DRY] = { FIND_DRY_SQL("units", UN_COLS), "reading" },
	[UN_FIRST +
		UPDATE] = { "UPDATE units SET name = ?2, kind = ?3, parent = ?4, boundary "
			    "= ?5, valid_from = ?6, min_lon = ?7, min_lat = ?8, max_lon = "
			    "?9, max_lat = ?10, extra = ?11, raw = ?12, raw_path = ?13, "
			    "ingest = ?14, line = ?15 WHERE id = ?1",
			    "updating a record" },
	[UN_FIRST + DRY_TABLE] = { DRY_TABLE_SQL("units"),
				   "preparing the dry run" },
	[UN_FIRST + DRY_INDEX] = { DRY_INDEX_SQL("units"),
				   "preparing the dry run" },
	[FA_FIRST + INSERT] = { INSERT_SQL("facilities", FA_COLS, FA_PARAMS),
				"storing a record" },
	[FA_FIRST + INSERT_DRY] = { INSERT_SQL("temp.facilities", FA_COLS,
					       FA_PARAMS),
				    "storing a record" },
	[FA_FIRST + FIND] = { FIND_SQL("facilities", FA_COLS), "reading" },
	[FA_FIRST +
		FIND_DRY] = { FIND_DRY_SQL("facilities", FA_COLS), "reading" },
	[FA_FIRST +
		UPDATE] = { "UPDATE facilities SET kind = ?2, name = ?3, lat = ?4, lon = "
			    "?5, area = ?6, owner = ?7, extra = ?8, raw = ?9, raw_path = "
			    "?10, ingest = ?11, line = ?12 WHERE id = ?1",
			    "updating a record" },
	[FA_FIRST + DRY_TABLE] = { DRY_TABLE_SQL("facilities"),
				   "preparing the dry run" },
	[FA_FIRST + DRY_INDEX] = { DRY_INDEX_SQL("facilities"),
				   "preparing the dry run" },
	[RD_FIRST + INSERT] = { RD_INSERT_SQL("readings"), "storing a record" },
	[RD_FIRST + INSERT_DRY] = { RD_INSERT_SQL("temp.readings"),
				    "storing a record" },
	[RD_FIRST + FIND] = { RD_FIND_SQL, "reading" },
	[RD_FIRST +
		FIND_DRY] = { "SELECT value FROM temp.readings WHERE " RD_KEY
			      " UNION ALL " RD_FIND_SQL " LIMIT 1",
			      "reading" },
	[RD_FIRST + UPDATE] = { "UPDATE readings SET value = ?4, ingest = ?5 "
				"WHERE " RD_KEY,
				"updating a record" },
	[RD_FIRST + DRY_TABLE] = { DRY_TABLE_SQL("readings"),
				   "preparing the dry run" },
	[RD_FIRST + DRY_INDEX] = { "CREATE UNIQUE INDEX temp.dry_readings_key "
				   "ON readings(sensor, metric, at)",
				   "preparing the dry run" },
	[RUN_BEGIN] = { "INSERT INTO ingests(kind, file, format, map, "
			"started_at, status, version) VALUES (?1, ?2, ?3, ?4, "
			"?5, 'running', ?6)",
			"recording the run" },
	[RUN_UPDATE] = { "UPDATE ingests SET records = ?2, inserted = ?3, "
			 "updated = ?4, unchanged = ?5, rejected = ?6, "
			 "finished_at = ?7, status = "
			 "coalesce(?8, status) WHERE ingest = ?1",
			 "recording the run" },
	[RUNNING] = { "SELECT ingest, file, started_at FROM ingests WHERE "
		      "status = 'running' ORDER BY ingest",
		      "reading the runs" },
	[RUN_FAIL] = { "UPDATE ingests SET status = 'failed', finished_at = "
		       "?2 WHERE ingest = ?1 AND status = 'running'",
		       "closing an interrupted run" },
	[ORPHANS] = { "SELECT count(*), min(u.id), min(u.parent) FROM units u "
		      "WHERE u.parent IS NOT NULL AND NOT EXISTS (SELECT 1 "
		      "FROM units p WHERE p.id = u.parent)",
		      "reading the units" },
	[EV_NONE] = { "SELECT NOT EXISTS (SELECT 1 FROM events)",
		      "reading the events" },
	[EV_INSERT_BULK] = { INSERT_BULK_SQL("events", EV_COLS, EV_PARAMS),
			     "storing a record" },
	[EV_FIND_SEQ] = { "SELECT " EV_COLS ", extra FROM main.events WHERE "
			  "seq = ?1",
			  "reading" },
	[EV_UPDATE_SEQ] = { EV_UPDATE_SQL "seq = ?20", "updating a record" },
};

/* The columns a kind's find gives before extra. */
static const size_t ncols[] = { 14, 6, 7, 4 };
/*
 * Its values: the columns, a unit's bounding box, extra, raw, raw_path
 * (readings: their four columns, stored by ft_load_reading()).
 */
static const size_t nvalues[] = { 14 + 3, 6 + 4 + 3, 7 + 3, 4 };

struct ft_load {
	struct ft_db *db;
	struct ft_stmts t;
	int first; /* the kind's first statement */
	int dry;
	int bulk; /* events: by seq, no index on id (ft_load_bulk()) */
	struct ft_value row[16]; /* the last record found */
	struct ft_buf rowtext;
	sqlite3_stmt *group; /* ft_load_readings()'s, made at its first use */
	sqlite3_stmt *probe; /* ft_load_readings_held()'s, likewise */
};

size_t
ft_load_nvalues(int kind)
{
	return nvalues[kind];
}

int
ft_load_open(struct ft_load **lp, struct ft_db *db, int kind, int dry_run)
{
	struct ft_load *l = ft_xmalloc(sizeof(*l));
	int st;

	memset(l, 0, sizeof(*l));
	*lp = l;
	l->db = db;
	l->first = kind * NOPS;
	l->dry = dry_run;
	ft_buf_init(&l->rowtext);
	ft_stmts_init(&l->t, db, stmts, NSTMT);
	if (!dry_run)
		return FT_OK;
	if (!ft_stmts_get(&l->t, l->first + DRY_TABLE) ||
	    (st = ft_stmts_run(&l->t, l->first + DRY_TABLE)))
		return FT_SOFTWARE;
	if (!ft_stmts_get(&l->t, l->first + DRY_INDEX) ||
	    (st = ft_stmts_run(&l->t, l->first + DRY_INDEX)))
		return FT_SOFTWARE;
	return FT_OK;
}

int
ft_load_no_events(struct ft_load *l, int *none)
{
	int row, st;

	*none = 0;
	if (!ft_stmts_get(&l->t, EV_NONE))
		return FT_SOFTWARE;
	if ((st = ft_stmts_step(&l->t, EV_NONE, &row)) || !row)
		return st;
	*none = sqlite3_column_int(ft_stmts_get(&l->t, EV_NONE), 0);
	ft_stmts_done(&l->t, EV_NONE);
	return FT_OK;
}

void
ft_load_close(struct ft_load *l)
{
	if (!l)
		return;
	ft_stmts_release(&l->t);
	sqlite3_finalize(l->group);
	sqlite3_finalize(l->probe);
	ft_buf_release(&l->rowtext);
	free(l);
}

static void
bind_value(sqlite3_stmt *st, int i, const struct ft_value *v)
{
	switch (v->t) {
	case FT_VTEXT:
		sqlite3_bind_text(st, i, v->s, (int)v->len, SQLITE_STATIC);
		break;
	case FT_VINT:
		sqlite3_bind_int64(st, i, v->i);
		break;
	case FT_VREAL:
		sqlite3_bind_double(st, i, v->d);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

/* Binds a record's values, then ingest and line, to statement n. */
static sqlite3_stmt *
bind_record(struct ft_load *l, int n, const struct ft_value *v, int64_t ingest,
	    long line)
{
	sqlite3_stmt *st = ft_stmts_get(&l->t, n);
	size_t i, nv = nvalues[l->first / NOPS];

	if (!st)
		return NULL;
	for (i = 0; i < nv; i++)
		bind_value(st, (int)i + 1, &v[i]);
	sqlite3_bind_int64(st, (int)nv + 1, ingest);
	sqlite3_bind_int64(st, (int)nv + 2, line);
	return st;
}

int
ft_load_insert(struct ft_load *l, const struct ft_value *v, int64_t ingest,
	       long line, int *inserted, int64_t *seq)
{
	int n = l->bulk ? EV_INSERT_BULK :
			  l->first + (l->dry ? INSERT_DRY : INSERT),
	    st;

	*inserted = 0;
	if (!bind_record(l, n, v, ingest, line))
		return FT_SOFTWARE;
	if ((st = ft_stmts_run(&l->t, n)))
		return st;
	*inserted = sqlite3_changes(l->db->h) == 1;
	*seq = *inserted ? sqlite3_last_insert_rowid(l->db->h) : 0;
	return FT_OK;
}

int
ft_load_update(struct ft_load *l, const struct ft_value *v, int64_t ingest,
	       long line)
{
	int n = l->first + UPDATE;

	if (!bind_record(l, n, v, ingest, line))
		return FT_SOFTWARE;
	return ft_stmts_run(&l->t, n);
}

/* The row statement n found, if any, into l->row (ft_load_find()). */
static int
found_row(struct ft_load *l, int n, const struct ft_value **row, int *found)
{
	size_t i, nc = ncols[l->first / NOPS] + 1, off[16] = { 0 };
	sqlite3_stmt *s = ft_stmts_get(&l->t, n);
	int r, st;

	if ((st = ft_stmts_step(&l->t, n, &r)) || !r)
		return st;
	/* The text first, then the pointers: the buffer may move. */
	ft_buf_reset(&l->rowtext);
	for (i = 0; i < nc; i++) {
		struct ft_value *v = &l->row[i];
		const char *t = ft_sql_col(s, (int)i);

		memset(v, 0, sizeof(*v));
		switch (sqlite3_column_type(s, (int)i)) {
		case SQLITE_NULL:
			v->t = FT_VNULL;
			continue;
		case SQLITE_INTEGER:
			v->t = FT_VINT;
			v->i = sqlite3_column_int64(s, (int)i);
			break;
		case SQLITE_FLOAT:
			v->t = FT_VREAL;
			v->d = sqlite3_column_double(s, (int)i);
			break;
		default:
			v->t = FT_VTEXT;
		}
		v->len = (size_t)sqlite3_column_bytes(s, (int)i);
		off[i] = l->rowtext.len;
		ft_buf_add(&l->rowtext, t ? t : "", v->len);
		ft_buf_addc(&l->rowtext, '\0');
	}
	for (i = 0; i < nc; i++)
		if (l->row[i].t != FT_VNULL)
			l->row[i].s = l->rowtext.s + off[i];
	ft_stmts_done(&l->t, n);
	*row = l->row;
	*found = 1;
	return FT_OK;
}

int
ft_load_find(struct ft_load *l, const char *id, size_t idlen,
	     const struct ft_value **row, int *found)
{
	int n = l->first + (l->dry ? FIND_DRY : FIND);
	sqlite3_stmt *s = ft_stmts_get(&l->t, n);

	*found = 0;
	if (!s)
		return FT_SOFTWARE;
	ft_sql_bind_text(s, 1, id, idlen);
	return found_row(l, n, row, found);
}

void
ft_load_bulk(struct ft_load *l, int on)
{
	l->bulk = on && l->first == EV_FIRST && !l->dry;
}

int
ft_load_find_seq(struct ft_load *l, int64_t seq, const struct ft_value **row,
		 int *found)
{
	sqlite3_stmt *s = ft_stmts_get(&l->t, EV_FIND_SEQ);

	*found = 0;
	if (!s)
		return FT_SOFTWARE;
	sqlite3_bind_int64(s, 1, seq);
	return found_row(l, EV_FIND_SEQ, row, found);
}

int
ft_load_update_seq(struct ft_load *l, int64_t seq, const struct ft_value *v,
		   int64_t ingest, long line)
{
	sqlite3_stmt *s = bind_record(l, EV_UPDATE_SEQ, v, ingest, line);

	if (!s)
		return FT_SOFTWARE;
	sqlite3_bind_int64(s, 20, seq);
	return ft_stmts_run(&l->t, EV_UPDATE_SEQ);
}

/* ---- readings ---- */

/* Binds a reading's key (?1, ?2, ?3) to statement n. */
static sqlite3_stmt *
bind_reading(struct ft_load *l, int n, const struct ft_reading *r)
{
	sqlite3_stmt *st = ft_stmts_get(&l->t, n);

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, r->sensor, (int)r->sensorlen, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->metric ? r->metric : "", (int)r->metriclen,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->at);
	return st;
}

int
ft_load_reading(struct ft_load *l, const struct ft_reading *r, int64_t ingest,
		int *inserted)
{
	int n = RD_FIRST + (l->dry ? INSERT_DRY : INSERT), st;
	sqlite3_stmt *s = bind_reading(l, n, r);

	*inserted = 0;
	if (!s)
		return FT_SOFTWARE;
	sqlite3_bind_double(s, 4, r->value);
	sqlite3_bind_int64(s, 5, ingest);
	if ((st = ft_stmts_run(&l->t, n)))
		return st;
	*inserted = sqlite3_changes(l->db->h) == 1;
	return FT_OK;
}

/*
 * The statement of ft_load_readings(): FT_LOAD_GROUP rows, ingest ?1.
 * OR IGNORE, although the caller knows every key to be new: a statement
 * of many rows that may abort makes SQLite copy each page it changes
 * into a statement journal first, to undo its rows alone (with the
 * default ABORT, a third of the time of a load of readings, BENCHMARKS.md
 * 2026-12-06 19:30); one that cannot abort needs none.
 */
static sqlite3_stmt *
group_stmt(struct ft_load *l)
{
	struct ft_buf sql = FT_BUF_INIT;
	int i, rc;

	if (l->group)
		return l->group;
	ft_buf_adds(&sql, "INSERT OR IGNORE INTO readings(sensor, metric, at, "
			  "value, ingest) VALUES ");
	for (i = 0; i < FT_LOAD_GROUP; i++)
		ft_buf_addf(&sql, "%s(?%d, ?%d, ?%d, ?%d, ?1)", i ? ", " : "",
			    4 * i + 2, 4 * i + 3, 4 * i + 4, 4 * i + 5);
	rc = sqlite3_prepare_v3(l->db->h, sql.s, (int)sql.len,
				SQLITE_PREPARE_PERSISTENT, &l->group, NULL);
	ft_buf_release(&sql);
	if (rc != SQLITE_OK) {
		ft_db_fail(l->db, rc, "storing a record");
		l->group = NULL;
	}
	return l->group;
}

/* The statement of ft_load_readings_held(): FT_LOAD_PROBE ranges. */
static sqlite3_stmt *
probe_stmt(struct ft_load *l)
{
	struct ft_buf sql = FT_BUF_INIT;
	int i, rc;

	if (l->probe)
		return l->probe;
	ft_buf_adds(&sql, "SELECT ");
	for (i = 0; i < FT_LOAD_PROBE; i++)
		ft_buf_addf(&sql,
			    "%sEXISTS (SELECT 1 FROM readings WHERE sensor = "
			    "?%d AND metric = ?%d AND at BETWEEN ?%d AND ?%d)",
			    i ? ", " : "", 4 * i + 1, 4 * i + 2, 4 * i + 3,
			    4 * i + 4);
	rc = sqlite3_prepare_v3(l->db->h, sql.s, (int)sql.len,
				SQLITE_PREPARE_PERSISTENT, &l->probe, NULL);
	ft_buf_release(&sql);
	if (rc != SQLITE_OK) {
		ft_db_fail(l->db, rc, "reading the readings stored");
		l->probe = NULL;
	}
	return l->probe;
}

int
ft_load_readings_held(struct ft_load *l, const struct ft_reading *const *first,
		      const int64_t *last, size_t n, unsigned char *held)
{
	sqlite3_stmt *s;
	size_t i;
	int rc;

	if (l->dry || !n) {
		/* A dry run's table is not the database's: ask row by row. */
		memset(held, 1, n);
		return FT_OK;
	}
	if (!(s = probe_stmt(l)))
		return FT_SOFTWARE;
	for (i = 0; i < FT_LOAD_PROBE; i++) {
		/* The slots past n ask again for the last range. */
		size_t j = i < n ? i : n - 1;
		const struct ft_reading *r = first[j];
		int p = 4 * (int)i;

		sqlite3_bind_text(s, p + 1, r->sensor, (int)r->sensorlen,
				  SQLITE_STATIC);
		sqlite3_bind_text(s, p + 2, r->metric ? r->metric : "",
				  (int)r->metriclen, SQLITE_STATIC);
		sqlite3_bind_int64(s, p + 3, r->at);
		sqlite3_bind_int64(s, p + 4, last[j]);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		for (i = 0; i < n; i++)
			held[i] = sqlite3_column_int(s, (int)i) != 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return ft_db_fail(l->db, rc, "reading the readings stored");
	return FT_OK;
}

int
ft_load_readings(struct ft_load *l, const struct ft_reading *const *r,
		 int64_t ingest)
{
	sqlite3_stmt *s;
	int i, rc;

	if (!(s = group_stmt(l)))
		return FT_SOFTWARE;
	sqlite3_bind_int64(s, 1, ingest);
	for (i = 0; i < FT_LOAD_GROUP; i++) {
		sqlite3_bind_text(s, 4 * i + 2, r[i]->sensor,
				  (int)r[i]->sensorlen, SQLITE_STATIC);
		sqlite3_bind_text(s, 4 * i + 3,
				  r[i]->metric ? r[i]->metric : "",
				  (int)r[i]->metriclen, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4 * i + 4, r[i]->at);
		sqlite3_bind_double(s, 4 * i + 5, r[i]->value);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ft_db_fail(l->db, rc, "storing a record");
	/* A row ignored would be a reading lost: the caller was wrong. */
	if (sqlite3_changes(l->db->h) != FT_LOAD_GROUP) {
		ft_error("internal error: %d of %d new readings stored",
			 sqlite3_changes(l->db->h), FT_LOAD_GROUP);
		return FT_SOFTWARE;
	}
	return FT_OK;
}

int
ft_load_reading_find(struct ft_load *l, const struct ft_reading *r,
		     double *value, int *found)
{
	int n = RD_FIRST + (l->dry ? FIND_DRY : FIND), row, st;
	sqlite3_stmt *s = bind_reading(l, n, r);

	*found = 0;
	if (!s)
		return FT_SOFTWARE;
	if ((st = ft_stmts_step(&l->t, n, &row)) || !row)
		return st;
	*value = sqlite3_column_double(s, 0);
	*found = 1;
	ft_stmts_done(&l->t, n);
	return FT_OK;
}

int
ft_load_reading_update(struct ft_load *l, const struct ft_reading *r,
		       int64_t ingest)
{
	sqlite3_stmt *s = bind_reading(l, RD_FIRST + UPDATE, r);

	if (!s)
		return FT_SOFTWARE;
	sqlite3_bind_double(s, 4, r->value);
	sqlite3_bind_int64(s, 5, ingest);
	return ft_stmts_run(&l->t, RD_FIRST + UPDATE);
}

/* ---- runs ---- */

int
ft_load_run_begin(struct ft_load *l, const char *kind, const char *file,
		  const char *format, const char *map, const char *at,
		  const char *version, int64_t *ingest)
{
	sqlite3_stmt *s = ft_stmts_get(&l->t, RUN_BEGIN);
	int st;

	if (!s)
		return FT_SOFTWARE;
	ft_sql_bind_text(s, 1, kind, strlen(kind));
	ft_sql_bind_text(s, 2, file, strlen(file));
	ft_sql_bind_text(s, 3, format, strlen(format));
	ft_sql_bind_text(s, 4, map, map ? strlen(map) : 0);
	ft_sql_bind_text(s, 5, at, strlen(at));
	ft_sql_bind_text(s, 6, version, strlen(version));
	if ((st = ft_stmts_run(&l->t, RUN_BEGIN)))
		return st;
	*ingest = sqlite3_last_insert_rowid(l->db->h);
	return FT_OK;
}

int
ft_load_run_update(struct ft_load *l, const struct ft_load_run *r)
{
	sqlite3_stmt *s = ft_stmts_get(&l->t, RUN_UPDATE);
	const char *at = r->finished_at, *status = r->status;

	if (!s)
		return FT_SOFTWARE;
	sqlite3_bind_int64(s, 1, r->ingest);
	sqlite3_bind_int64(s, 2, r->records);
	sqlite3_bind_int64(s, 3, r->inserted);
	sqlite3_bind_int64(s, 4, r->updated);
	sqlite3_bind_int64(s, 5, r->unchanged);
	sqlite3_bind_int64(s, 6, r->rejected);
	ft_sql_bind_text(s, 7, at, at ? strlen(at) : 0);
	ft_sql_bind_text(s, 8, status, status ? strlen(status) : 0);
	return ft_stmts_run(&l->t, RUN_UPDATE);
}

struct running_ctx {
	int (*fn)(void *, int64_t, const char *, const char *);
	void *ctx;
};

static int
running_row(sqlite3_stmt *s, void *arg)
{
	struct running_ctx *c = arg;

	return c->fn(c->ctx, sqlite3_column_int64(s, 0), ft_sql_col(s, 1),
		     ft_sql_col(s, 2));
}

int
ft_load_running_each(struct ft_load *l,
		     int (*fn)(void *ctx, int64_t ingest, const char *file,
			       const char *started),
		     void *ctx)
{
	struct running_ctx c = { fn, ctx };

	return ft_stmts_walk(&l->t, RUNNING, running_row, &c);
}

int
ft_load_run_fail(struct ft_load *l, int64_t ingest, const char *at)
{
	sqlite3_stmt *s = ft_stmts_get(&l->t, RUN_FAIL);

	if (!s)
		return FT_SOFTWARE;
	sqlite3_bind_int64(s, 1, ingest);
	ft_sql_bind_text(s, 2, at, strlen(at));
	return ft_stmts_run(&l->t, RUN_FAIL);
}

int
ft_load_orphans(struct ft_load *l, int *n, struct ft_buf *id,
		struct ft_buf *parent)
{
	sqlite3_stmt *s = ft_stmts_get(&l->t, ORPHANS);
	const char *t;
	int r, st;

	*n = 0;
	if (!s)
		return FT_SOFTWARE;
	if ((st = ft_stmts_step(&l->t, ORPHANS, &r)) || !r)
		return st;
	*n = sqlite3_column_int(s, 0);
	if ((t = ft_sql_col(s, 1)))
		ft_buf_adds(id, t);
	if ((t = ft_sql_col(s, 2)))
		ft_buf_adds(parent, t);
	ft_stmts_done(&l->t, ORPHANS);
	return FT_OK;
}
