#include "ft_db.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_sha256.h"
#include "ft_time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The triggers that make the history append-only. */
#define HISTORY_GUARDS							\
	"CREATE TRIGGER history_no_update BEFORE UPDATE ON history"	\
	" BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"	\
	"CREATE TRIGGER history_no_delete BEFORE DELETE ON history"	\
	" BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"

/*
 * The migrations: step i brings a database from user_version i to i+1.
 * Never edit a step that has shipped; add one.  ft(7) documents the result.
 */
static const char *const migrations[FT_SCHEMA_VERSION] = {
	/* 0 -> 1: ingest history, events, units, facilities. */
	"CREATE TABLE ingests ("
	"  ingest INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  file TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  map TEXT,"
	"  started_at TEXT NOT NULL,"
	"  finished_at TEXT,"
	"  records INTEGER NOT NULL DEFAULT 0,"
	"  inserted INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  unchanged INTEGER NOT NULL DEFAULT 0,"
	"  rejected INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'running'"
	"    CHECK (status IN ('running', 'done', 'failed')),"
	"  version TEXT NOT NULL"
	");"
	"CREATE TABLE units ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('district', 'street',"
	"    'community', 'grid', 'department', 'team')),"
	"  parent TEXT,"
	"  boundary TEXT,"
	"  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,"
	"  extra TEXT,"
	"  raw TEXT NOT NULL,"
	"  ingest INTEGER REFERENCES ingests(ingest),"
	"  line INTEGER"
	");"
	"CREATE INDEX units_parent ON units(parent);"
	"CREATE TABLE facilities ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  name TEXT,"
	"  lat REAL, lon REAL,"
	"  area TEXT,"
	"  owner TEXT,"
	"  extra TEXT,"
	"  raw TEXT NOT NULL,"
	"  ingest INTEGER REFERENCES ingests(ingest),"
	"  line INTEGER"
	");"
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  source TEXT,"
	"  category TEXT NOT NULL,"
	"  title TEXT,"
	"  text TEXT,"
	"  lat REAL, lon REAL,"
	"  address TEXT,"
	"  facility TEXT,"
	"  reporter TEXT,"
	"  severity INTEGER CHECK (severity BETWEEN 1 AND 4),"
	"  reported_at TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'new',"
	"  area TEXT, unit TEXT, rule TEXT, priority INTEGER,"
	"  respond_by TEXT, resolve_by TEXT, duplicate_of TEXT,"
	"  extra TEXT,"
	"  raw TEXT NOT NULL,"
	"  ingest INTEGER REFERENCES ingests(ingest),"
	"  line INTEGER"
	");"
	"CREATE INDEX events_reported_at ON events(reported_at);",

	/* 1 -> 2: the append-only history of every change of every record. */
	"CREATE TABLE history ("
	"  seq INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL DEFAULT 'event'"
	"    CHECK (kind IN ('event', 'unit', 'facility')),"
	"  id TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  tool TEXT NOT NULL,"
	"  by TEXT,"
	"  action TEXT NOT NULL,"
	"  from_status TEXT,"
	"  to_status TEXT,"
	"  detail TEXT,"
	"  ingest INTEGER REFERENCES ingests(ingest)"
	");"
	"CREATE INDEX history_id ON history(kind, id);" HISTORY_GUARDS,

	/*
	 * 2 -> 3: dispatch and the lifecycle.  The history is chained (each
	 * entry's hash covers the one before; chain_history() fills the
	 * entries already there).  A unit's boundary gets a validity period:
	 * the triggers keep every version of it in boundaries, so that an old
	 * report is placed by the boundary in force when it was made.
	 */
	/* The history is rebuilt: its CHECK of kind IN (...) made SQLite
	 * build a temporary b-tree on every insert.  DROP TABLE takes its
	 * index and triggers; no DELETE trigger fires. */
	"CREATE TABLE history_v3 ("
	"  seq INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL DEFAULT 'event'"
	"    CHECK (kind = 'event' OR kind = 'unit' OR kind = 'facility'),"
	"  id TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  tool TEXT NOT NULL,"
	"  by TEXT,"
	"  action TEXT NOT NULL,"
	"  from_status TEXT,"
	"  to_status TEXT,"
	"  detail TEXT,"
	"  ingest INTEGER REFERENCES ingests(ingest),"
	"  hash TEXT"
	");"
	"INSERT INTO history_v3(seq, kind, id, at, tool, by, action,"
	"  from_status, to_status, detail, ingest) SELECT seq, kind, id, at,"
	"  tool, by, action, from_status, to_status, detail, ingest"
	"  FROM history ORDER BY seq;"
	"DROP TABLE history;"
	"ALTER TABLE history_v3 RENAME TO history;"
	"CREATE INDEX history_id ON history(kind, id);" HISTORY_GUARDS
	"ALTER TABLE units ADD COLUMN valid_from TEXT;"
	"ALTER TABLE events ADD COLUMN dispatched_at TEXT;"
	"ALTER TABLE events ADD COLUMN status_at TEXT;"
	"ALTER TABLE events ADD COLUMN outcome TEXT;"
	"ALTER TABLE events ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN chain TEXT;"
	"ALTER TABLE events ADD COLUMN near_boundary TEXT;"
	"ALTER TABLE events ADD COLUMN rating INTEGER"
	"  CHECK (rating BETWEEN 1 AND 5);"
	"ALTER TABLE events ADD COLUMN rating_comment TEXT;"
	"ALTER TABLE events ADD COLUMN rated_at TEXT;"
	"CREATE INDEX events_category ON events(category, reported_at, lat, lon);"
	"CREATE INDEX events_facility ON events(facility, reported_at)"
	"  WHERE facility IS NOT NULL;"
	"CREATE INDEX events_open ON events(status, dispatched_at)"
	"  WHERE status = 'dispatched' OR status = 'accepted'"
	"  OR status = 'reopened';"
	"CREATE INDEX events_pending ON events(reported_at)"
	"  WHERE dispatched_at IS NULL AND status = 'new';"
	"CREATE TABLE boundaries ("
	"  seq INTEGER PRIMARY KEY,"
	"  unit TEXT NOT NULL,"
	"  valid_from TEXT,"
	"  valid_until TEXT,"
	"  boundary TEXT NOT NULL,"
	"  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL"
	");"
	"CREATE INDEX boundaries_unit ON boundaries(unit);"
	"INSERT INTO boundaries(unit, valid_from, boundary, min_lon, min_lat,"
	"  max_lon, max_lat) SELECT id, NULL, boundary, min_lon, min_lat,"
	"  max_lon, max_lat FROM units WHERE boundary IS NOT NULL;"
	"CREATE TRIGGER units_boundary_new AFTER INSERT ON units"
	" WHEN NEW.boundary IS NOT NULL BEGIN"
	"  INSERT INTO boundaries(unit, valid_from, boundary, min_lon,"
	"   min_lat, max_lon, max_lat) VALUES (NEW.id, NEW.valid_from,"
	"   NEW.boundary, NEW.min_lon, NEW.min_lat, NEW.max_lon, NEW.max_lat);"
	" END;"
	"CREATE TRIGGER units_boundary_change AFTER UPDATE OF boundary ON units"
	" WHEN NEW.boundary IS NOT OLD.boundary BEGIN"
	"  UPDATE boundaries SET valid_until = max(coalesce(valid_from, ''),"
	"   coalesce(NEW.valid_from, ft_now()))"
	"   WHERE unit = NEW.id AND valid_until IS NULL;"
	"  INSERT INTO boundaries(unit, valid_from, boundary, min_lon,"
	"   min_lat, max_lon, max_lat) SELECT NEW.id,"
	"   coalesce(NEW.valid_from, ft_now()), NEW.boundary, NEW.min_lon,"
	"   NEW.min_lat, NEW.max_lon, NEW.max_lat"
	"   WHERE NEW.boundary IS NOT NULL;"
	" END;",

	/*
	 * 3 -> 4: participatory budgeting (ft-vote).  Amounts are exact
	 * decimal text, never REAL.  voters and ballots hold keyed hashes of
	 * a voter's id under two different derivations of the round's key,
	 * which the database does not hold: neither table can be joined to
	 * the other, or to a person, from the file alone.
	 */
	"CREATE TABLE rounds ("
	"  round TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  budget TEXT NOT NULL,"
	"  scope TEXT,"
	"  opens_at TEXT,"
	"  closes_at TEXT,"
	"  ballot TEXT NOT NULL CHECK (ballot = 'approval' OR"
	"    ballot = 'choose-1' OR ballot = 'cumulative' OR"
	"    ballot = 'ordinal'),"
	"  min_length INTEGER,"
	"  max_length INTEGER,"
	"  max_cost TEXT,"
	"  min_points INTEGER,"
	"  max_points INTEGER,"
	"  rule TEXT,"
	"  threshold TEXT,"
	"  tiebreak TEXT NOT NULL DEFAULT 'votes,cost,id',"
	"  key_check TEXT,"
	"  meta TEXT NOT NULL DEFAULT '{}',"
	"  source TEXT,"
	"  created_at TEXT NOT NULL"
	");"
	"CREATE TABLE projects ("
	"  round TEXT NOT NULL REFERENCES rounds(round),"
	"  project TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT,"
	"  cost TEXT NOT NULL,"
	"  category TEXT,"
	"  unit TEXT,"
	"  selected INTEGER,"
	"  extra TEXT,"
	"  PRIMARY KEY (round, project)"
	");"
	"CREATE TABLE voters ("
	"  round TEXT NOT NULL REFERENCES rounds(round),"
	"  voter TEXT NOT NULL,"
	"  PRIMARY KEY (round, voter)"
	") WITHOUT ROWID;"
	"CREATE TABLE ballots ("
	"  ballot INTEGER PRIMARY KEY,"
	"  round TEXT NOT NULL REFERENCES rounds(round),"
	"  tag TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  projects TEXT NOT NULL,"
	"  points TEXT,"
	"  extra TEXT,"
	"  replaced INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (round, tag)"
	");"
	"CREATE INDEX ballots_round ON ballots(round);"
	"CREATE TABLE tallies ("
	"  tally INTEGER PRIMARY KEY,"
	"  round TEXT NOT NULL REFERENCES rounds(round),"
	"  rule TEXT NOT NULL,"
	"  counted_at TEXT NOT NULL,"
	"  ballots INTEGER NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  result TEXT NOT NULL"
	");"
	"CREATE INDEX tallies_round ON tallies(round);",

	/*
	 * 4 -> 5: what a load writes, cut to what is read back.  The
	 * duplicate searches of ft-dispatch look among open cases that are
	 * not duplicates themselves, so their indexes hold only those: a new
	 * event is not in them, and loading no longer scatters writes over
	 * two indexes in facility and category order.  (The WHERE clauses are
	 * FT_OPEN_SQL of ft_db.h, word for word, so that its queries can
	 * use them.)  ft-ingest logs the events a transaction creates as one
	 * history entry with their seqs and a digest of their ids; the view
	 * event_history gives every event its own line again.
	 */
	"DROP INDEX events_category;"
	"DROP INDEX events_facility;"
	"CREATE INDEX events_category ON events(category, reported_at, lat, lon)"
	"  WHERE CASE status WHEN 'dispatched' THEN 1 WHEN 'accepted' THEN 1"
	"  WHEN 'reopened' THEN 1 ELSE 0 END AND duplicate_of IS NULL;"
	"CREATE INDEX events_facility ON events(facility, reported_at)"
	"  WHERE facility IS NOT NULL AND CASE status WHEN 'dispatched' THEN 1"
	"  WHEN 'accepted' THEN 1 WHEN 'reopened' THEN 1 ELSE 0 END"
	"  AND duplicate_of IS NULL;"
	"CREATE VIEW event_history AS"
	"  SELECT seq AS entry, id, at, tool, by, action, from_status,"
	"   to_status, detail, ingest, hash FROM history"
	"   WHERE kind = 'event' AND id <> ''"
	"  UNION ALL"
	"  SELECT h.seq, e.id, h.at, h.tool, h.by, h.action, h.from_status,"
	"   h.to_status, NULL, h.ingest, h.hash FROM history h JOIN events e"
	"   ON e.seq BETWEEN json_extract(h.detail, '$.first_seq')"
	"   AND json_extract(h.detail, '$.last_seq')"
	"   WHERE h.kind = 'event' AND h.id = '' AND h.action = 'ingest';",

	/*
	 * 5 -> 6: ft-dispatch --escalate, run from cron every few minutes,
	 * read every event ever stored to find the open cases with an
	 * escalation chain; events_open (status, dispatched_at), which no
	 * query used, becomes the index of those cases alone.  Its WHERE is
	 * FT_OPEN_SQL, word for word, so that the query can use it.
	 */
	"DROP INDEX events_open;"
	"CREATE INDEX events_open ON events(seq)"
	"  WHERE CASE status WHEN 'dispatched' THEN 1 WHEN 'accepted' THEN 1"
	"  WHEN 'reopened' THEN 1 ELSE 0 END AND chain IS NOT NULL;",

	/*
	 * 6 -> 7: a record that a split map took out of a wrapped document
	 * keeps as raw the value it came from; raw_path is where that value
	 * was in the source record (its jq path, as JSON text), so that the
	 * record can be found in the file again.  NULL when raw is the
	 * source record whole.
	 */
	"ALTER TABLE events ADD COLUMN raw_path TEXT;"
	"ALTER TABLE units ADD COLUMN raw_path TEXT;"
	"ALTER TABLE facilities ADD COLUMN raw_path TEXT;",

	/*
	 * 7 -> 8: ft-warn.  The warnings, one live (open or acked) per rule
	 * and key; the records each key's window holds and the clock, so
	 * that the next run goes on where this one stopped.  The history
	 * takes warnings as a kind of record: it is rebuilt (its CHECK
	 * names the kinds), every entry and hash copied as it is, so the
	 * chain still verifies.  The view that reads it goes and comes back
	 * around the rebuild, as SQLite will not rename a table a view reads.
	 */
	"CREATE TABLE warnings ("
	"  warning TEXT PRIMARY KEY,"
	"  rule TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  level TEXT NOT NULL CHECK (level = 'blue' OR level = 'yellow'"
	"   OR level = 'orange' OR level = 'red'),"
	"  major INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL CHECK (status = 'open' OR status = 'acked'"
	"   OR status = 'resolved'),"
	"  count INTEGER NOT NULL,"
	"  value REAL,"
	"  first_at TEXT NOT NULL,"
	"  last_at TEXT NOT NULL,"
	"  raised_at TEXT NOT NULL,"
	"  acked_at TEXT, acked_by TEXT, ack_note TEXT,"
	"  resolved_at TEXT, resolved_by TEXT, resolution TEXT,"
	"  events TEXT NOT NULL DEFAULT '[]',"
	"  state TEXT"
	");"
	"CREATE UNIQUE INDEX warnings_live ON warnings(rule, key)"
	"  WHERE status <> 'resolved';"
	"CREATE INDEX warnings_raised ON warnings(raised_at);"
	"CREATE TABLE warn_windows ("
	"  rule TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  PRIMARY KEY (rule, key)"
	") WITHOUT ROWID;"
	"CREATE TABLE warn_clock ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  at INTEGER NOT NULL"
	");"
	"DROP VIEW event_history;"
	"CREATE TABLE history_v8 ("
	"  seq INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL DEFAULT 'event'"
	"    CHECK (kind = 'event' OR kind = 'unit' OR kind = 'facility'"
	"    OR kind = 'warning'),"
	"  id TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  tool TEXT NOT NULL,"
	"  by TEXT,"
	"  action TEXT NOT NULL,"
	"  from_status TEXT,"
	"  to_status TEXT,"
	"  detail TEXT,"
	"  ingest INTEGER REFERENCES ingests(ingest),"
	"  hash TEXT"
	");"
	"INSERT INTO history_v8(seq, kind, id, at, tool, by, action,"
	"  from_status, to_status, detail, ingest, hash) SELECT seq, kind, id,"
	"  at, tool, by, action, from_status, to_status, detail, ingest, hash"
	"  FROM history ORDER BY seq;"
	"DROP TABLE history;"
	"ALTER TABLE history_v8 RENAME TO history;"
	"CREATE INDEX history_id ON history(kind, id);" HISTORY_GUARDS
	"CREATE VIEW event_history AS"
	"  SELECT seq AS entry, id, at, tool, by, action, from_status,"
	"   to_status, detail, ingest, hash FROM history"
	"   WHERE kind = 'event' AND id <> ''"
	"  UNION ALL"
	"  SELECT h.seq, e.id, h.at, h.tool, h.by, h.action, h.from_status,"
	"   h.to_status, NULL, h.ingest, h.hash FROM history h JOIN events e"
	"   ON e.seq BETWEEN json_extract(h.detail, '$.first_seq')"
	"   AND json_extract(h.detail, '$.last_seq')"
	"   WHERE h.kind = 'event' AND h.id = '' AND h.action = 'ingest';",

	/*
	 * 8 -> 9: sensor readings (ft-ingest --kind readings), for
	 * ft-warn's value, spike and flatline rules.  Many and narrow: the
	 * time is epoch seconds (an INTEGER, not the TEXT of the other
	 * tables), the key is the row, and there is no raw copy.
	 */
	"CREATE TABLE readings (sensor TEXT NOT NULL, metric TEXT NOT NULL "
	"DEFAULT '', at INTEGER NOT NULL, value REAL NOT NULL, ingest "
	"INTEGER, PRIMARY KEY (sensor, metric, at)) WITHOUT ROWID;",

	/*
	 * 9 -> 10: ft-warn's escalation chains and silences.  A warning
	 * keeps the number of steps of its rule's chain it has reached
	 * (ft-warn escalate fires each once).  A silence mutes a rule, a
	 * key, or a key of a rule from from_at to until_at; it is never
	 * deleted: its removal (ft-warn unsilence) is a time and a name.
	 * Both go into the history as kind 'warning', which schema 8
	 * admits: the history is not rebuilt.
	 */
	"ALTER TABLE warnings ADD COLUMN escalation INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE TABLE warn_silences ("
	"  silence INTEGER PRIMARY KEY,"
	"  rule TEXT,"
	"  key TEXT,"
	"  from_at TEXT NOT NULL,"
	"  until_at TEXT NOT NULL,"
	"  by TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  removed_at TEXT, removed_by TEXT, removed_note TEXT,"
	"  CHECK (rule IS NOT NULL OR key IS NOT NULL),"
	"  CHECK (until_at > from_at)"
	");",

	/*
	 * 10 -> 11: ft-vote's turnout by area and its projects' progress.
	 * A voter keeps the unit it was registered in (rounds with a scope
	 * only), and a ballot the unit of its voter, copied when it is
	 * cast: a unit is a place, not a person, and the two hashes still
	 * have nothing in common.  Older rows keep NULL.  project_progress
	 * holds the dated steps of the funded projects (ft-vote progress);
	 * rows are only added.
	 */
	"ALTER TABLE voters ADD COLUMN unit TEXT;"
	"ALTER TABLE ballots ADD COLUMN unit TEXT;"
	"CREATE TABLE project_progress ("
	"  step INTEGER PRIMARY KEY,"
	"  round TEXT NOT NULL,"
	"  project TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  stage TEXT NOT NULL,"
	"  percent INTEGER CHECK (percent BETWEEN 0 AND 100),"
	"  note TEXT,"
	"  recorded_at TEXT NOT NULL,"
	"  FOREIGN KEY (round, project) REFERENCES projects(round, project)"
	");"
	"CREATE INDEX project_progress_round ON project_progress(round,"
	"  project, at);",

	/*
	 * 11 -> 12: ft-warn's keys' states in pages.  A row for each rule
	 * and key cost a statement each time a key was written and each time
	 * it was forgotten, which was most of ft-warn's time; a page holds
	 * the states of up to 32 keys, [rule, key, state] each,
	 * and a batch writes the pages it changed.  The rows become pages
	 * of 32 in their order; warn_windows stays as a view of the pages,
	 * with an insert that makes a page of one (what a state that is no
	 * JSON was is kept as a JSON string, refused when read, as before).
	 */
	"CREATE TABLE warn_pages ("
	"  page INTEGER PRIMARY KEY,"
	"  state TEXT NOT NULL"
	");"
	"INSERT INTO warn_pages(page, state) SELECT p, '[' ||"
	"  group_concat(json_array(rule, key, CASE WHEN json_valid(state)"
	"  THEN json(state) ELSE state END), ',') || ']'"
	"  FROM (SELECT rule, key, state, (row_number() OVER (ORDER BY rule,"
	"  key) - 1) / 32 + 1 AS p FROM warn_windows) GROUP BY p ORDER BY p;"
	"DROP TABLE warn_windows;"
	"CREATE VIEW warn_windows(rule, key, state) AS SELECT"
	"  json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'),"
	"  json_extract(e.value, '$[2]') FROM warn_pages, json_each(warn_pages.state) e;"
	"CREATE TRIGGER warn_windows_insert INSTEAD OF INSERT ON warn_windows"
	" BEGIN INSERT INTO warn_pages(state) VALUES (json_array(json_array("
	"  NEW.rule, NEW.key, CASE WHEN json_valid(NEW.state) THEN"
	"  json(NEW.state) ELSE NEW.state END))); END;",

	/*
	 * 12 -> 13: a batch writes the keys' states it changed into new
	 * pages and leaves the older pages as they are, instead of writing
	 * again each page a key of which changed or left (nearly all of
	 * them, each batch): a key's state is the one of the page of the
	 * highest number that has it, and the view shows that one.  The
	 * pages stay as they were (a key in one page only).  A row inserted
	 * into the view still becomes a page of one: the key's state.
	 */
	"DROP VIEW warn_windows;"
	"CREATE VIEW warn_windows(rule, key, state) AS SELECT rule, key, state"
	"  FROM (SELECT json_extract(e.value, '$[0]') AS rule,"
	"  json_extract(e.value, '$[1]') AS key,"
	"  json_extract(e.value, '$[2]') AS state, row_number() OVER"
	"  (PARTITION BY json_extract(e.value, '$[0]'),"
	"  json_extract(e.value, '$[1]') ORDER BY warn_pages.page DESC, e.key)"
	"  AS newest FROM warn_pages, json_each(warn_pages.state) e)"
	"  WHERE newest = 1;"
	"CREATE TRIGGER warn_windows_insert INSTEAD OF INSERT ON warn_windows"
	" BEGIN INSERT INTO warn_pages(state) VALUES (json_array(json_array("
	"  NEW.rule, NEW.key, CASE WHEN json_valid(NEW.state) THEN"
	"  json(NEW.state) ELSE NEW.state END))); END;"
};

int
ft_db_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return FT_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return FT_TEMPFAIL;
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return FT_IOERR;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return FT_NOINPUT;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return FT_DATAERR;
	default:
		return FT_SOFTWARE;
	}
}

int
ft_db_fail(struct ft_db *db, int rc, const char *what)
{
	int st = ft_db_status(rc);

	if (db->quiet) /* see ft_db_open_reader() */
		return st == FT_OK ? FT_SOFTWARE : st;
	if (st == FT_TEMPFAIL)
		ft_error("%s: %s: database busy beyond the timeout; try again "
			 "later", db->path, what);
	else
		ft_error("%s: %s: %s", db->path, what,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
	return st == FT_OK ? FT_SOFTWARE : st;
}

static int
exec(struct ft_db *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int st = ft_db_status(rc);

		if (st == FT_TEMPFAIL)
			ft_error("%s: %s: database busy beyond the timeout; "
				 "try again later", db->path, what);
		else
			ft_error("%s: %s: %s", db->path, what,
				 msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return st == FT_OK ? FT_SOFTWARE : st;
	}
	return FT_OK;
}

static int
pragma_int(struct ft_db *db, const char *sql, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);

	*v = 0;
	if (rc != SQLITE_OK)
		return ft_db_fail(db, rc, "reading the schema version");
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ft_db_fail(db, rc, "reading the schema version");
	return FT_OK;
}

/* Creates the file with mode 0600 before SQLite does (it would use 0644). */
static int
create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EEXIST ? 0 : -1;
}

/*
 * ft_chain(prev, entry): the hash of a history entry, hex SHA-256 of the
 * previous entry's hash (or nothing, for the first) followed by the entry's
 * own text, json_array(kind, id, at, tool, by, action, from_status,
 * to_status, detail, ingest).  ft(7) gives the formula for outside checks.
 */
static void
sql_chain(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct ft_sha256 c;
	unsigned char md[32];
	char hex[65];
	const unsigned char *p;

	(void)argc;
	ft_sha256_init(&c);
	if ((p = sqlite3_value_text(argv[0])))
		ft_sha256_add(&c, p, (size_t)sqlite3_value_bytes(argv[0]));
	if ((p = sqlite3_value_text(argv[1])))
		ft_sha256_add(&c, p, (size_t)sqlite3_value_bytes(argv[1]));
	ft_sha256_done(&c, md);
	ft_hex(hex, md, sizeof(md));
	sqlite3_result_text(cx, hex, 64, SQLITE_TRANSIENT);
}

/* ft_now(): the tool's current time (--now, FT_NOW), for the triggers. */
static void
sql_now(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	char t[FT_TIME_LEN];

	(void)argc;
	(void)argv;
	ft_time_format(ft_time_now(), t);
	sqlite3_result_text(cx, t, -1, SQLITE_TRANSIENT);
}

/* Chains the history entries a version-2 database already holds. */
static int
chain_history(struct ft_db *db)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	char *prev = NULL;
	int rc, st;

	if ((st = exec(db, "DROP TRIGGER history_no_update",
		       "updating the schema")))
		return st;
	rc = sqlite3_prepare_v2(db->h, "SELECT seq, json_array(kind, id, at, "
				"tool, by, action, from_status, to_status, "
				"detail, ingest) FROM history ORDER BY seq",
				-1, &sel, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db->h, "UPDATE history SET hash = "
					"ft_chain(?2, ?3) WHERE seq = ?1 "
					"RETURNING hash", -1, &upd, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
		sqlite3_bind_text(upd, 2, prev, -1, SQLITE_STATIC);
		sqlite3_bind_value(upd, 3, sqlite3_column_value(sel, 1));
		if ((rc = sqlite3_step(upd)) != SQLITE_ROW)
			break;
		free(prev);
		prev = ft_xstrdup((const char *)sqlite3_column_text(upd, 0));
		sqlite3_reset(upd);
		rc = SQLITE_OK;
	}
	free(prev);
	st = rc == SQLITE_DONE ? FT_OK
			       : ft_db_fail(db, rc, "chaining the history");
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (st)
		return st;
	return exec(db, "CREATE TRIGGER history_no_update BEFORE UPDATE ON "
		    "history BEGIN SELECT RAISE(ABORT, 'history is "
		    "append-only'); END", "updating the schema");
}

/*
 * The two indexes of events on reported_at (schema steps 1 and 3), which a
 * first bulk load out of time order drops and builds after its rows
 * (ft_db_time_indexes_drop(), ft_db_indexes_build()).
 */
#define TIME_INDEXES_SQL \
	"CREATE INDEX IF NOT EXISTS events_reported_at ON events(reported_at);" \
	"CREATE INDEX IF NOT EXISTS events_pending ON events(reported_at)" \
	"  WHERE dispatched_at IS NULL AND status = 'new';"

int
ft_db_time_indexes_drop(struct ft_db *db)
{
	return exec(db,
		    "DROP INDEX IF EXISTS events_reported_at;"
		    "DROP INDEX IF EXISTS events_pending;",
		    "deferring the time indexes");
}

/*
 * The unique index of events on id apart from the table: the table made by
 * schema step 0 holds it as its UNIQUE constraint (sqlite_autoindex_events_1),
 * which cannot be dropped; ft_db_id_index_drop() makes the empty table again
 * without it, and this index keeps the ids unique from then on.
 */
#define ID_INDEX_SQL "CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events(id)"
#define ID_UNIQUE "  id TEXT NOT NULL UNIQUE,"
#define ID_PLAIN "  id TEXT NOT NULL,"

/*
 * The schema's SQL text of the events table's indexes and triggers but its
 * constraint's (NULL), each ending in ";", appended to b.  Returns a status.
 */
static int
events_objects(struct ft_db *db, struct ft_buf *b)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
		db->h,
		"SELECT sql FROM sqlite_schema WHERE "
		"tbl_name = 'events' AND type IN ('index', "
		"'trigger') AND sql IS NOT NULL ORDER BY rowid",
		-1, &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ft_buf_adds(b, (const char *)sqlite3_column_text(st, 0));
		ft_buf_adds(b, ";");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? FT_OK :
				   ft_db_fail(db, rc, "reading the schema");
}

int
ft_db_id_index_drop(struct ft_db *db, int *dropped)
{
	struct ft_buf sql = FT_BUF_INIT, table = FT_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *t, *at;
	int rc, n, status;

	*dropped = 0;
	if ((status = pragma_int(
		     db,
		     "SELECT count(*) FROM sqlite_schema WHERE name = "
		     "'sqlite_autoindex_events_1'",
		     &n)))
		return status;
	if (!n) {
		*dropped = 1;
		return exec(db, "DROP INDEX IF EXISTS events_id",
			    "deferring the index of ids");
	}
	rc = sqlite3_prepare_v2(db->h,
				"SELECT sql FROM sqlite_schema WHERE type = "
				"'table' AND name = 'events'",
				-1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(st, 0)))
		ft_buf_adds(&table, t);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		ft_buf_release(&table);
		return ft_db_fail(db, rc, "reading the schema");
	}
	/* The table as step 0 made it and ALTER TABLE grew it, or left alone. */
	at = table.s ? strstr(table.s, ID_UNIQUE) : NULL;
	if (!at || strstr(at + 1, ID_UNIQUE)) {
		ft_buf_release(&table);
		return FT_OK;
	}
	ft_buf_adds(&sql, "DROP TABLE events;");
	ft_buf_add(&sql, table.s, (size_t)(at - table.s));
	ft_buf_adds(&sql, ID_PLAIN);
	ft_buf_adds(&sql, at + strlen(ID_UNIQUE));
	ft_buf_adds(&sql, ";");
	ft_buf_release(&table);
	/* Its other indexes and triggers again, as they were. */
	if (!(status = events_objects(db, &sql)))
		status = exec(db, sql.s, "deferring the index of ids");
	ft_buf_release(&sql);
	*dropped = !status;
	return status;
}

int
ft_db_indexes_build(struct ft_db *db)
{
	int st, n, id;

	if ((st = pragma_int(db,
			     "SELECT count(*) FROM sqlite_schema WHERE "
			     "type = 'index' AND name IN "
			     "('events_reported_at', 'events_pending')",
			     &n)) ||
	    (st = pragma_int(db,
			     "SELECT count(*) FROM sqlite_schema WHERE "
			     "type = 'index' AND name IN "
			     "('sqlite_autoindex_events_1', 'events_id')",
			     &id)))
		return st;
	if (!id && (st = exec(db, ID_INDEX_SQL, "building an index")))
		return st;
	if (n == 2)
		return FT_OK;
	return exec(db, TIME_INDEXES_SQL, "building an index");
}

int
ft_db_index_mode(struct ft_db *db, int on)
{
	/*
	 * SQLite's sort holds up to the cache's size in memory before it
	 * writes a run to a temporary file: the cache is made smaller for
	 * it, and its pages freed are what the sort takes.
	 */
	return exec(db,
		    on ? "PRAGMA temp_store = FILE;"
			 "PRAGMA cache_size = -2000" :
			 "PRAGMA temp_store = MEMORY;"
			 "PRAGMA cache_size = -8000",
		    "setting up");
}

static int
migrate(struct ft_db *db)
{
	int v, app, st, ntables;
	char sql[64];

	if ((st = pragma_int(db, "PRAGMA user_version", &v)) ||
	    (st = pragma_int(db, "PRAGMA application_id", &app)) ||
	    (st = pragma_int(db, "SELECT count(*) FROM sqlite_schema "
				 "WHERE type = 'table'", &ntables)))
		return st;
	if (app != FT_APPLICATION_ID && (app != 0 || ntables > 0)) {
		ft_error("%s: not an ft database (it has tables of another "
			 "program)", db->path);
		return FT_CONFIG;
	}
	if (v > FT_SCHEMA_VERSION) {
		ft_error("%s: database schema version %d is newer than this "
			 "ft understands (%d); use a newer ft", db->path, v,
			 FT_SCHEMA_VERSION);
		return FT_CONFIG;
	}
	for (; v < FT_SCHEMA_VERSION; v++) {
		if ((st = exec(db, migrations[v], "updating the schema")))
			return st;
		if (v == 2 && (st = chain_history(db)))
			return st;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((st = exec(db, sql, "updating the schema")))
			return st;
	}
	if (app != FT_APPLICATION_ID) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
			 FT_APPLICATION_ID);
		if ((st = exec(db, sql, "updating the schema")))
			return st;
	}
	/* A bulk load that was killed before it built them (see above). */
	if (!db->dry && (st = ft_db_indexes_build(db)))
		return st;
	return FT_OK;
}

/* Set by main(), from FT_BUSY_TIMEOUT.  Threads: written once by the
 * main thread before any other thread starts, read-only after. */
static int busy_ms = 60000;

void
ft_db_set_busy_timeout(int ms)
{
	busy_ms = ms;
}

static int
busy_timeout_ms(void)
{
	return busy_ms;
}

/*
 * PRAGMA journal_mode = WAL, waiting like the busy timeout.  Two tools
 * that create a new file at once: the change of journal mode needs a lock
 * that SQLite does not wait for with the busy handler, and the second tool
 * got "busy" at once (6 times in 200 pairs, measured).
 */
static int
set_wal(struct ft_db *db)
{
	struct timespec nap = { 0, 5 * 1000 * 1000 };
	long waited = 0, limit = busy_timeout_ms();
	int rc;

	for (;;) {
		rc = sqlite3_exec(db->h, "PRAGMA journal_mode = WAL", NULL, NULL,
				  NULL);
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= limit)
			break;
		nanosleep(&nap, NULL);
		waited += 5;
	}
	if (rc != SQLITE_OK)
		return ft_db_fail(db, rc, "setting WAL mode");
	return FT_OK;
}

/* Does the connection fail to read the file for want of write access? */
static int
read_refused(sqlite3 *h, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* "file:PATH?immutable=1", PATH %-escaped where a URI needs it. */
static char *
immutable_uri(const char *path)
{
	struct ft_buf b = FT_BUF_INIT;
	const char *p;

	ft_buf_adds(&b, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			ft_buf_addf(&b, "%%%02X", (unsigned char)*p);
		else
			ft_buf_addc(&b, *p);
	}
	ft_buf_adds(&b, "?immutable=1");
	return b.s;
}

/*
 * Opens an existing file for a run that does not write it (flags has
 * FT_DB_READONLY or FT_DB_DRYRUN); see ft_db.h.  A dry run that can
 * write keeps the file itself, as before: its writes are rolled back.
 * Otherwise the file is opened read-only (as immutable if the -shm cannot
 * be made and there is no -wal: see https://www.sqlite.org/wal.html,
 * "read-only databases"), and copied into a private temporary database
 * when the run may write (a dry run, a read-only run without
 * FT_DB_NO_COPY) or the schema is older.
 */
static int
open_reading(struct ft_db *db, const char *path, int flags)
{
	struct stat sb;
	sqlite3 *cp;
	sqlite3_backup *bk;
	char *wal, *uri;
	int rc, v = 0;

	if (!(flags & FT_DB_READONLY)) {
		rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
				     SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
				     NULL);
		if (rc == SQLITE_OK) {
			sqlite3_busy_timeout(db->h, busy_timeout_ms());
			rc = read_refused(db->h, &v);
		}
		if (rc == SQLITE_OK && !sqlite3_db_readonly(db->h, "main"))
			return SQLITE_OK;
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_CANTOPEN &&
		    (rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_PERM)
			return rc;
		sqlite3_close_v2(db->h);
		db->h = NULL;
	}
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READONLY |
			     SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db->h, busy_timeout_ms());
		rc = read_refused(db->h, &v);
	}
	wal = ft_xmalloc(strlen(path) + 5);
	sprintf(wal, "%s-wal", path);
	/* No -shm can be made (CANTOPEN, or READONLY_CANTINIT). */
	if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)
	    && stat(wal, &sb) != 0 && errno == ENOENT) {
		sqlite3_close_v2(db->h);
		uri = immutable_uri(path);
		rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY |
				     SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW |
				     SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
		if (rc == SQLITE_OK)
			rc = read_refused(db->h, &v);
	}
	free(wal);
	if (rc != SQLITE_OK ||
	    ((!db->dry || (flags & FT_DB_NO_COPY)) && v >= FT_SCHEMA_VERSION))
		return rc;
	/* "" is a temporary file of SQLite's own, gone at the close. */
	if ((rc = sqlite3_open_v2("", &cp, SQLITE_OPEN_READWRITE |
				  SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				  NULL)) != SQLITE_OK) {
		sqlite3_close(cp);
		return rc;
	}
	if (!(bk = sqlite3_backup_init(cp, "main", db->h, "main"))) {
		rc = sqlite3_errcode(cp);
		sqlite3_close(cp);
		return rc == SQLITE_OK ? SQLITE_ERROR : rc;
	}
	sqlite3_backup_step(bk, -1);
	rc = sqlite3_backup_finish(bk);
	if (rc != SQLITE_OK) {
		sqlite3_close(cp);
		return rc;
	}
	sqlite3_close_v2(db->h);
	db->h = cp;
	db->dry = 1;
	return SQLITE_OK;
}

int
ft_db_open(struct ft_db *db, const char *path, int flags)
{
	struct stat sb;
	int rc, st, v;

	/* Threads: the main thread's; ft_db_open() is called before any
	 * thread of the toolkit starts. */
	static int configured;

	/* Each connection is used by one thread at a time (ft-ingest hands it
	 * from the reader to its writer thread): no mutexes, no statistics. */
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = 1;
	}
	memset(db, 0, sizeof(*db));
	db->path = ft_xstrdup(path);
	db->dry = !!(flags & (FT_DB_DRYRUN | FT_DB_READONLY));
	if ((flags & (FT_DB_EXISTING | FT_DB_READONLY)) &&
	    stat(path, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			ft_error("%s: no such database", path);
		else
			ft_error("%s: cannot open the database: %s", path,
				 strerror(errno));
		ft_db_close(db);
		return FT_NOINPUT;
	}
	if (db->dry && stat(path, &sb) != 0) {
		rc = sqlite3_open_v2(":memory:", &db->h, SQLITE_OPEN_READWRITE
				     | SQLITE_OPEN_NOMUTEX, NULL);
	} else if (db->dry) {
		rc = open_reading(db, path, flags);
	} else {
		if (!db->dry && !(flags & FT_DB_EXISTING) &&
		    create_private(path) != 0) {
			ft_error("%s: cannot create the database: %s", path,
				 strerror(errno));
			ft_db_close(db);
			return FT_CANTCREAT;
		}
		rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
				     SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
				     NULL);
	}
	if (rc != SQLITE_OK) {
		st = ft_db_fail(db, rc, "cannot open the database");
		ft_db_close(db);
		return st == FT_SOFTWARE ? FT_NOINPUT : st;
	}
	sqlite3_extended_result_codes(db->h, 0);
	sqlite3_create_function(db->h, "ft_chain", 2, SQLITE_UTF8 |
				SQLITE_DETERMINISTIC, NULL, sql_chain, NULL,
				NULL);
	sqlite3_create_function(db->h, "ft_now", 0, SQLITE_UTF8, NULL,
				sql_now, NULL, NULL);
	sqlite3_busy_timeout(db->h, busy_timeout_ms());
	/* Reading the version fails here if the file is not a database. */
	if ((st = pragma_int(db, "PRAGMA user_version", &v)))
		goto fail;
	/*
	 * A new file gets 16 KiB pages: a bulk load writes every page twice
	 * (WAL, then checkpoint), and a quarter of the pages means a quarter
	 * of the system calls; measured, a fifth off ft-ingest's time.
	 */
	if (v == 0 && (st = exec(db, "PRAGMA page_size = 16384",
				 "setting the page size")))
		goto fail;
	/*
	 * The WAL is cut back to FT_DB_WAL_LIMIT_SQL whenever a checkpoint lets
	 * it start over: without a limit it keeps the largest size it ever
	 * had (3 GB seen under four writers and readers).
	 */
	if ((!db->dry && (st = set_wal(db))) ||
	    (!db->dry && (st = exec(db, "PRAGMA journal_size_limit = "
				    FT_DB_WAL_LIMIT_SQL, "setting up"))) ||
	    (st = exec(db, "PRAGMA foreign_keys = ON;"
			   "PRAGMA synchronous = NORMAL;"
			   "PRAGMA cache_size = -8000;"
			   "PRAGMA temp_store = MEMORY", "setting up")))
		goto fail;
	/* Migrate in a write transaction, re-reading the version inside it so
	 * that two tools opening a new file at once do not both migrate. */
	if ((st = ft_db_begin(db))) {
		ft_db_close(db);
		return st;
	}
	if ((st = migrate(db))) {
		ft_db_close(db);
		return st;
	}
	if ((st = ft_db_commit(db)))
		goto fail;
	return FT_OK;
fail:
	ft_db_close(db);
	return st;
}

static int
open_second(struct ft_db *reader, const struct ft_db *db, int quiet)
{
	int rc;

	memset(reader, 0, sizeof(*reader));
	if (db->dry || !db->h)
		return -1;
	reader->path = ft_xstrdup(db->path);
	reader->dry = 1;
	reader->quiet = quiet;
	rc = sqlite3_open_v2(db->path, &reader->h,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(reader->h, 0);
		/* Busy, a quiet one gives up soon: its caller then does the
		 * work. */
		sqlite3_busy_timeout(reader->h,
				     quiet ? 100 : busy_timeout_ms());
		rc = sqlite3_exec(reader->h, "PRAGMA cache_size = -8000", NULL,
				  NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		ft_db_close(reader);
		return -1;
	}
	return 0;
}

int
ft_db_open_reader(struct ft_db *reader, const struct ft_db *db)
{
	return open_second(reader, db, 1);
}

int
ft_db_open_second(struct ft_db *reader, const struct ft_db *db)
{
	return open_second(reader, db, 0);
}

void
ft_db_close(struct ft_db *db)
{
	if (db->h) {
		if (db->in_tx)
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		/*
		 * A run that wrote copies the WAL into the database and
		 * empties it, unless a reader still needs it: then it gives
		 * up after a short wait (the busy timeout is for writers, a
		 * minute) and the next run or the limit bounds it.
		 */
		if (!db->dry && sqlite3_total_changes64(db->h) > 0) {
			sqlite3_busy_timeout(db->h, FT_DB_CKPT_WAIT_MS);
			sqlite3_wal_checkpoint_v2(db->h, NULL,
						  SQLITE_CHECKPOINT_TRUNCATE,
						  NULL, NULL);
		}
		sqlite3_close_v2(db->h);
		db->h = NULL;
	}
	db->in_tx = 0;
	free(db->path);
	db->path = NULL;
}

int
ft_db_begin(struct ft_db *db)
{
	int st;

	if (db->in_tx)
		return FT_OK;
	/* A dry run writes only TEMP tables: it takes no write lock. */
	st = exec(db, db->dry ? "BEGIN" : "BEGIN IMMEDIATE",
		  "starting a transaction");
	if (st == FT_OK) {
		db->in_tx = 1;
		db->txn++;
	}
	return st;
}

int
ft_db_begin_write(struct ft_db *db)
{
	int st;

	if (db->in_tx)
		return FT_OK;
	st = exec(db, "BEGIN IMMEDIATE", "starting a transaction");
	if (st == FT_OK) {
		db->in_tx = 1;
		db->txn++;
	}
	return st;
}

int
ft_db_commit(struct ft_db *db)
{
	int st;

	if (!db->in_tx)
		return FT_OK;
	st = exec(db, "COMMIT", "committing");
	if (st == FT_OK)
		db->in_tx = 0;
	return st;
}

void
ft_db_rollback(struct ft_db *db)
{
	if (!db->in_tx)
		return;
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

sqlite3_stmt *
ft_db_prepare(struct ft_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    &st, NULL);

	if (rc != SQLITE_OK) {
		ft_db_fail(db, rc, "preparing a statement");
		return NULL;
	}
	return st;
}

/*
 * The checkpointer thread.  Threads: of *ck it reads h, its own
 * connection, which no other thread uses from pthread_create() to
 * pthread_join(), and stop under mu; it never touches ck->db, whose
 * connection is the run's (SQLite's own locks on the file order the two
 * connections' writes and checkpoints).
 */
static void *
checkpointer(void *arg)
{
	struct ft_db_ckpt *ck = arg;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int done = 0, log, ckpt;

	while (!done) {
		nanosleep(&nap, NULL);
		pthread_mutex_lock(&ck->mu);
		done = ck->stop;
		pthread_mutex_unlock(&ck->mu);
		sqlite3_wal_checkpoint_v2(ck->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
					  &log, &ckpt);
	}
	return NULL;
}

/*
 * -DFT_NO_CHECKPOINTER builds the toolkit without the thread: the run's
 * own automatic checkpoints (SQLite's default, 1000 pages) do the work, as
 * in a dry run.  For bench/run.sh, to measure what the thread is worth.
 */
void
ft_db_ckpt_start(struct ft_db_ckpt *ck, struct ft_db *db)
{
	ck->h = NULL;
	ck->db = db;
#ifdef FT_NO_CHECKPOINTER
	return;
#endif
	if (db->dry)
		return;
	if (sqlite3_open_v2(db->path, &ck->h, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(ck->h, 100);
	/* Until it has read the file, a connection does not know it is in
	 * WAL mode, and its checkpoints do nothing. */
	if (sqlite3_exec(ck->h, "PRAGMA schema_version", NULL, NULL,
			 NULL) != SQLITE_OK)
		goto fail;
	ck->stop = 0;
	pthread_mutex_init(&ck->mu, NULL);
	if (pthread_create(&ck->tid, NULL, checkpointer, ck)) {
		pthread_mutex_destroy(&ck->mu);
		goto fail;
	}
	sqlite3_wal_autocheckpoint(db->h, 4000);
	return;
fail:
	sqlite3_close(ck->h);
	ck->h = NULL;
}

void
ft_db_ckpt_stop(struct ft_db_ckpt *ck)
{
	if (!ck->h)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->stop = 1;
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->tid, NULL);
	pthread_mutex_destroy(&ck->mu);
	sqlite3_close(ck->h);
	ck->h = NULL;
	sqlite3_wal_autocheckpoint(ck->db->h, 1000);
}
