/*
 * ft_store_report_sla.c - the statements of ft-report's sla and warnings
 * reports and the operations over them: see ft_store_report_sla.h.
 */
#include "ft_store_report_sla.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"
#include "ft_store_report_sql.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The text time x as epoch seconds (NULL stays NULL). */
#define EPOCH(x) "CAST(strftime('%s', " x ") AS INTEGER)"

/* The area ?5 and the units below it, at most 64 steps down. */
#define BELOW \
	"(WITH RECURSIVE d(id, n) AS (SELECT ?5, 0 UNION SELECT u.id," \
	" d.n + 1 FROM units u JOIN d ON u.parent = d.id WHERE d.n < 64)" \
	" SELECT id FROM d)"

/*
 * The cases that count: ?1 from, ?2 until, ?3 category, ?4 unit, ?5 area
 * (NULL: any), on events aliased e: dispatched, no duplicate.
 */
#define CASES \
	" e.reported_at >= ?1 AND e.reported_at < ?2" \
	" AND e.dispatched_at IS NOT NULL AND e.duplicate_of IS NULL" \
	" AND (?3 IS NULL OR e.category = ?3)" \
	" AND (?4 IS NULL OR e.unit = ?4)" \
	" AND (?5 IS NULL OR e.area IN " BELOW ")"

/*
 * A case's columns after its key (see struct ft_store_sla_case), over
 * events e joined to their moves h in the history (HISTORY), grouped by
 * e.seq: one probe of the history's index a case, not one a column.
 */
#define CASE_COLUMNS \
	EPOCH("e.reported_at") \
	", " EPOCH("min(CASE WHEN h.to_status = 'accepted' THEN h.at END)") ", " EPOCH("max(CASE WHEN h.to_status = 'resolved' THEN h.at END)") ", " EPOCH( \
		"e.respond_by") ", " EPOCH("e.resolve_by") ", e.status, e.outcome, e.escalation," \
							   " coalesce(max(h.to_status = 'reopened'), 0), e.rating"

#define HISTORY \
	" LEFT JOIN history h ON h.kind = 'event' AND h.id = e.id" \
	" AND h.action = 'status'"
/* The same by ?7 (--as-of). */
#define HISTORY_AT HISTORY " AND h.at <= ?7"

/*
 * ?6: 0 category, 1 unit, 2 area; over E, the cases (aliased e), joined
 * to the history by H: SLA_HEAD E SLA_TAIL(H).
 */
#define SLA_HEAD \
	"SELECT CASE ?6 WHEN 0 THEN e.category WHEN 1 THEN e.unit" \
	" ELSE e.area END, " CASE_COLUMNS " FROM "
#define SLA_TAIL(H) H " WHERE" CASES " GROUP BY e.seq ORDER BY 1 IS NOT NULL, 1"

/* ?8: the kind of unit: as in ft_store_report.c's BY_AREA_LEVEL. */
#define SLA_LEVEL_HEAD \
	"WITH RECURSIVE up(start, id, kind, parent, n) AS" \
	" (SELECT id, id, kind, parent, 0 FROM units UNION ALL" \
	" SELECT up.start, u.id, u.kind, u.parent, up.n + 1 FROM up" \
	" JOIN units u ON u.id = up.parent WHERE up.n < 64)," \
	" lv(start, id) AS (SELECT start, id FROM (SELECT start, id," \
	" min(n) FROM up WHERE kind = ?8 GROUP BY start))" \
	" SELECT lv.id, " CASE_COLUMNS " FROM "
#define SLA_LEVEL_TAIL(H) " LEFT JOIN lv ON lv.start = e.area" SLA_TAIL(H)

/*
 * ?6: 0 level, 1 rule, 2 key; ?8: 1 for major ones only.  Over W, the
 * warnings (aliased w): WARN_HEAD W WARN_MID E WARN_TAIL(X), with E the
 * events behind the warning (aliased e), for the filter when there is
 * one (X: more of the join's condition; as of ?7, an event reported after
 * ?7 was not behind it yet).
 */
#define WARN_HEAD \
	"SELECT CASE ?6 WHEN 0 THEN w.level WHEN 1 THEN w.rule" \
	" ELSE w.key END, w.level, w.major, " EPOCH("w.raised_at") ", " EPOCH( \
		"coalesce(w.acked_at, CASE WHEN w.resolved_by" \
		" IS NOT NULL THEN w.resolved_at END)") ", w.escalation FROM "
#define WARN_MID \
	" WHERE w.raised_at >= ?1 AND w.raised_at < ?2" \
	" AND (?8 = 0 OR w.major = 1)" \
	" AND (?3 IS NULL AND ?4 IS NULL AND ?5 IS NULL OR EXISTS" \
	" (SELECT 1 FROM json_each(w.events) j JOIN "
#define WARN_TAIL(X) \
	" ON e.id = j.value" X " WHERE (?3 IS NULL OR e.category = ?3)" \
	" AND (?4 IS NULL OR e.unit = ?4)" \
	" AND (?5 IS NULL OR e.area IN " BELOW ")))" \
	" ORDER BY 1"

/* The rank of level L, blue 0 to red 3. */
#define LEVEL_RANK(L) \
	"CASE " L " WHEN 'blue' THEN 0 WHEN 'yellow' THEN 1 WHEN 'orange'" \
	" THEN 2 WHEN 'red' THEN 3 END"

/* The entries of warning x.warning by ?7 where C. */
#define WHIST(C) \
	" FROM history h WHERE h.kind = 'warning' AND h.id = x.warning" \
	" AND h.at <= ?7 AND " C

/*
 * The warnings as they were at ?7, from the history: those raised by
 * then, at the level of their newest raise, rise or self-resolution by
 * then; major then if major now at the same level, or, risen since, if a
 * warning of the same rule is major now at that level or a lower one
 * (the history does not keep the rule's major level); acknowledged at the
 * first ack by then; resolved by hand at the first resolve by then that
 * the engine did not log (those have a count); the escalation steps
 * fired by then.
 */
#define WARNINGS_AT \
	"(SELECT y.*, CASE WHEN y.level IS y.level_now THEN y.major_now" \
	" ELSE EXISTS (SELECT 1 FROM warnings z WHERE z.rule = y.rule AND" \
	" z.major = 1 AND " LEVEL_RANK( \
		"z.level") " <= " LEVEL_RANK("y.level") ") END AS major FROM (SELECT x.warning AS warning," \
							" x.rule AS rule, x.key AS key, x.raised_at AS raised_at," \
							" x.events AS events, x.level AS level_now, x.major AS" \
							" major_now, (SELECT json_extract(h.detail, '$.level')" WHIST("h.action IN ('raise', 'level', 'resolve') AND" \
														      " json_extract(h.detail, '$.level') IS NOT NULL") " ORDER BY h.seq DESC LIMIT 1) AS level, (SELECT min(h.at)" WHIST("h.action = 'ack'") ") AS acked_at, (SELECT min(h.at)" WHIST("h.action = 'resolve' AND json_extract(h.detail," \
																																				       " '$.count') IS NULL") ") AS resolved_at, CASE WHEN" \
																																							      " EXISTS (SELECT 1" WHIST("h.action = 'resolve' AND" \
																																											" json_extract(h.detail, '$.count')" \
																																											" IS NULL") ") THEN 1 END AS" \
																																												    " resolved_by, (SELECT count(*)" WHIST("h.action = 'escalate'") ") AS escalation FROM warnings x" \
																																																				    " WHERE EXISTS (SELECT 1" WHIST( \
																																																					    "h.action = 'raise'") ")) y) w"

enum stmt {
	SLA,
	SLA_LEVEL,
	WARN,
	/* As of ?7 (--as-of). */
	SLA_AT,
	SLA_LEVEL_AT,
	WARN_AT,
	NSTMT
};

static const struct ft_stmt_def stmts[NSTMT] = {
	[SLA] = { SLA_HEAD "events e" SLA_TAIL(HISTORY), "reading the cases" },
	[SLA_LEVEL] = { SLA_LEVEL_HEAD "events e" SLA_LEVEL_TAIL(HISTORY),
			"reading the cases" },
	[WARN] = { WARN_HEAD "warnings w" WARN_MID "events e" WARN_TAIL(""),
		   "reading the warnings" },
};

/* Those as of ?7, from SLA_AT on, too long to be one string. */
static const struct ft_sr_parts at_parts[NSTMT - SLA_AT] = {
	{ { SLA_HEAD FT_SR_EVENTS_AT_HEAD, FT_SR_CASES_X,
	    FT_SR_EVENTS_AT_TAIL SLA_TAIL(HISTORY_AT), NULL },
	  "reading the cases as they were" },
	{ { SLA_LEVEL_HEAD FT_SR_EVENTS_AT_HEAD, FT_SR_CASES_X,
	    FT_SR_EVENTS_AT_TAIL SLA_LEVEL_TAIL(HISTORY_AT), NULL },
	  "reading the cases as they were" },
	{ { WARN_HEAD, WARNINGS_AT, WARN_MID FT_SR_EVENTS_AT_HEAD,
	    FT_SR_EVENTS_AT_TAIL WARN_TAIL(" AND e.reported_at <= ?7"), NULL },
	  "reading the warnings as they were" },
};

struct ft_store_report_sla {
	struct ft_db *db;
	struct ft_stmts t;
	struct ft_stmt_def def[NSTMT];
	struct ft_buf sql[NSTMT - SLA_AT];
};

struct ft_store_report_sla *
ft_store_report_sla_open(struct ft_db *db)
{
	struct ft_store_report_sla *s = ft_xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->db = db;
	memcpy(s->def, stmts, sizeof(stmts));
	ft_sr_join(s->def, SLA_AT, s->sql, at_parts, NSTMT - SLA_AT);
	ft_stmts_init(&s->t, db, s->def, NSTMT);
	return s;
}

void
ft_store_report_sla_close(struct ft_store_report_sla *s)
{
	int i;

	if (!s)
		return;
	ft_stmts_release(&s->t);
	for (i = 0; i < NSTMT - SLA_AT; i++)
		ft_buf_release(&s->sql[i]);
	free(s);
}

/* Statement n prepared with the filter's parameters bound, or NULL. */
static sqlite3_stmt *
filtered(struct ft_store_report_sla *s, enum stmt n,
	 const struct ft_store_report_filter *f, const char *from,
	 const char *until)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, n);

	if (!st)
		return NULL;
	ft_sql_bind_str(st, 1, from);
	ft_sql_bind_str(st, 2, until);
	ft_sql_bind_str(st, 3, f->category);
	ft_sql_bind_str(st, 4, f->unit);
	ft_sql_bind_str(st, 5, f->area);
	if (f->as_of)
		ft_sql_bind_str(st, 7, f->as_of);
	return st;
}

/* Column i as epoch seconds, FT_SLA_NONE for NULL. */
static int64_t
epoch(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ?
		       FT_SLA_NONE :
		       sqlite3_column_int64(st, i);
}

struct sla_walk {
	int (*fn)(void *ctx, const struct ft_store_sla_case *c);
	int (*wfn)(void *ctx, const struct ft_store_warn_row *w);
	void *ctx;
};

static int
case_row(sqlite3_stmt *st, void *ctx)
{
	struct sla_walk *w = ctx;
	struct ft_store_sla_case c;

	c.key = ft_sql_col(st, 0);
	c.reported = epoch(st, 1);
	c.accepted = epoch(st, 2);
	c.resolved = epoch(st, 3);
	c.respond_by = epoch(st, 4);
	c.resolve_by = epoch(st, 5);
	c.status = ft_sql_col(st, 6);
	c.outcome = ft_sql_col(st, 7);
	c.escalation = sqlite3_column_int(st, 8);
	c.reopened = sqlite3_column_int(st, 9);
	c.rating = sqlite3_column_int(st, 10);
	if (!c.status)
		c.status = "";
	return w->fn(w->ctx, &c);
}

int
ft_store_report_sla_each(
	struct ft_store_report_sla *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, enum ft_store_report_key key,
	const char *level,
	int (*fn)(void *ctx, const struct ft_store_sla_case *c), void *ctx)
{
	struct sla_walk w = { fn, NULL, ctx };
	int lv = key == FT_SRK_AREA && level;
	enum stmt n = f->as_of ? (lv ? SLA_LEVEL_AT : SLA_AT) :
		      lv       ? SLA_LEVEL :
				 SLA;
	sqlite3_stmt *st = filtered(s, n, f, from, until);

	if (!st)
		return FT_SOFTWARE;
	if (lv)
		ft_sql_bind_str(st, 8, level);
	else
		sqlite3_bind_int(st, 6,
				 key == FT_SRK_CATEGORY ? 0 :
				 key == FT_SRK_UNIT	? 1 :
							  2);
	return ft_stmts_walk(&s->t, n, case_row, &w);
}

static int
warn_row(sqlite3_stmt *st, void *ctx)
{
	struct sla_walk *w = ctx;
	struct ft_store_warn_row r;

	r.key = ft_sql_col(st, 0);
	r.level = ft_sql_col(st, 1);
	r.major = sqlite3_column_int(st, 2);
	r.raised = epoch(st, 3);
	r.answered = epoch(st, 4);
	r.escalation = sqlite3_column_int(st, 5);
	if (!r.level)
		r.level = "";
	return w->wfn(w->ctx, &r);
}

int
ft_store_report_warn_each(
	struct ft_store_report_sla *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, int major,
	enum ft_store_warn_key key,
	int (*fn)(void *ctx, const struct ft_store_warn_row *w), void *ctx)
{
	struct sla_walk w = { NULL, fn, ctx };
	enum stmt n = f->as_of ? WARN_AT : WARN;
	sqlite3_stmt *st = filtered(s, n, f, from, until);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int(st, 6, (int)key);
	sqlite3_bind_int(st, 8, major != 0);
	return ft_stmts_walk(&s->t, n, warn_row, &w);
}
