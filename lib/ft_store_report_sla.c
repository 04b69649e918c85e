/*
 * ft_store_report_sla.c - the statements of ft-report's sla and warnings
 * reports and the operations over them: see ft_store_report_sla.h.
 */
#include "ft_store_report_sla.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"

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

enum stmt {
	SLA,
	SLA_LEVEL,
	WARN,
	NSTMT
};

static const struct ft_stmt_def stmts[NSTMT] = {
	/* ?6: 0 category, 1 unit, 2 area. */
	[SLA] = { "SELECT CASE ?6 WHEN 0 THEN e.category WHEN 1 THEN e.unit"
		  " ELSE e.area END, " CASE_COLUMNS " FROM events e" HISTORY
		  " WHERE" CASES " GROUP BY e.seq ORDER BY 1 IS NOT NULL, 1",
		  "reading the cases" },
	/* ?7: the kind of unit: as in ft_store_report.c's BY_AREA_LEVEL. */
	[SLA_LEVEL] = { "WITH RECURSIVE up(start, id, kind, parent, n) AS"
			" (SELECT id, id, kind, parent, 0 FROM units UNION ALL"
			" SELECT up.start, u.id, u.kind, u.parent, up.n + 1 FROM up"
			" JOIN units u ON u.id = up.parent WHERE up.n < 64),"
			" lv(start, id) AS (SELECT start, id FROM (SELECT start, id,"
			" min(n) FROM up WHERE kind = ?7 GROUP BY start))"
			" SELECT lv.id, " CASE_COLUMNS
			" FROM events e LEFT JOIN lv ON lv.start = e.area" HISTORY
			" WHERE" CASES
			" GROUP BY e.seq ORDER BY 1 IS NOT NULL, 1",
			"reading the cases" },
	/*
	 * ?6: 0 level, 1 rule, 2 key; ?7: 1 for major ones only.  The
	 * filter on the events behind the warning, when there is one.
	 */
	[WARN] = { "SELECT CASE ?6 WHEN 0 THEN w.level WHEN 1 THEN w.rule"
		   " ELSE w.key END, w.level, w.major, " EPOCH("w.raised_at") ", " EPOCH(
			   "coalesce(w.acked_at, CASE WHEN w.resolved_by"
			   " IS NOT NULL THEN w.resolved_at END)") ", w.escalation FROM warnings w"
								   " WHERE w.raised_at >= ?1 AND w.raised_at < ?2"
								   " AND (?7 = 0 OR w.major = 1)"
								   " AND (?3 IS NULL AND ?4 IS NULL AND ?5 IS NULL OR EXISTS"
								   " (SELECT 1 FROM json_each(w.events) j JOIN events e"
								   " ON e.id = j.value WHERE (?3 IS NULL OR e.category = ?3)"
								   " AND (?4 IS NULL OR e.unit = ?4)"
								   " AND (?5 IS NULL OR e.area IN " BELOW
								   ")))"
								   " ORDER BY 1",
		   "reading the warnings" },
};

struct ft_store_report_sla {
	struct ft_db *db;
	struct ft_stmts t;
};

struct ft_store_report_sla *
ft_store_report_sla_open(struct ft_db *db)
{
	struct ft_store_report_sla *s = ft_xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->db = db;
	ft_stmts_init(&s->t, db, stmts, NSTMT);
	return s;
}

void
ft_store_report_sla_close(struct ft_store_report_sla *s)
{
	if (!s)
		return;
	ft_stmts_release(&s->t);
	free(s);
}

static void
bind(sqlite3_stmt *st, int i, const char *v)
{
	ft_sql_bind_text(st, i, v, v ? strlen(v) : 0);
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
	bind(st, 1, from);
	bind(st, 2, until);
	bind(st, 3, f->category);
	bind(st, 4, f->unit);
	bind(st, 5, f->area);
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
	enum stmt n = key == FT_SRK_AREA && level ? SLA_LEVEL : SLA;
	sqlite3_stmt *st = filtered(s, n, f, from, until);

	if (!st)
		return FT_SOFTWARE;
	if (n == SLA_LEVEL)
		bind(st, 7, level);
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
	sqlite3_stmt *st = filtered(s, WARN, f, from, until);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int(st, 6, (int)key);
	sqlite3_bind_int(st, 7, major != 0);
	return ft_stmts_walk(&s->t, WARN, warn_row, &w);
}
