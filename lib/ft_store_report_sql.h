/*
 * ft_store_report_sql.h - the SQL text the statements of ft-report share
 * (ft_store_report.c, ft_store_report_more.c): which events count.  Only
 * those modules include it: the seam is ft_store_report*.h.
 */
#ifndef FT_STORE_REPORT_SQL_H
#define FT_STORE_REPORT_SQL_H

#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdint.h>

/* ?3 category, ?4 unit, ?5 area (NULL: any), on events aliased e. */
#define FT_SR_WHERE \
	" (?3 IS NULL OR e.category = ?3)" \
	" AND (?4 IS NULL OR e.unit = ?4)" \
	" AND (?5 IS NULL OR e.area IN (WITH RECURSIVE d(id, n) AS" \
	" (SELECT ?5, 0 UNION SELECT u.id, d.n + 1 FROM units u JOIN d ON" \
	" u.parent = d.id WHERE d.n < 64) SELECT id FROM d))"

/* The events that count: ?1 from, ?2 until, and FT_SR_WHERE. */
#define FT_SR_FILTER \
	" e.reported_at >= ?1 AND e.reported_at < ?2 AND" FT_SR_WHERE

/*
 * --as-of ?7: the events as they stood then, rebuilt from the history, to
 * read in place of "events e": those stored by ?7 (their own ingest entry,
 * or the shared entry of their transaction, by seq), with the source
 * fields an upsert changed as they were then (the newest change by ?7,
 * else the old value of the first after it), the unit of the newest
 * dispatch, duplicate link, escalation or dispatch by ft-update by ?7, and
 * the area of the newest dispatch or duplicate link by ?7 (before its
 * dispatch, an event has the area its source gave: the raw record's
 * "area").
 */
#define FT_SR_UPS(F) \
	" h.kind = 'event' AND h.id = ev.id AND h.action = 'upsert' AND" \
	" json_extract(h.detail, '$." F "') IS NOT NULL"

/*
 * Field F of ev at ?7: the "to" of the newest upsert of it by ?7, else the
 * "from" of the first after, else the stored value (each as JSON text,
 * so that a null value is told from no upsert, then read back).
 */
#define FT_SR_FIELD_AT(F) \
	" json_extract(coalesce((SELECT json_quote(json_extract(h.detail," \
	" CASE WHEN h.at <= ?7 THEN '$." F ".to' ELSE '$." F ".from' END))" \
	" FROM history h WHERE" FT_SR_UPS( \
		F) " ORDER BY h.at <= ?7 DESC," \
		   " CASE WHEN h.at <= ?7 THEN -h.seq ELSE h.seq END LIMIT 1)," \
		   " json_quote(ev." F ")), '$') AS " F

#define FT_SR_PLACED \
	" h.kind = 'event' AND h.id = ev.id AND h.action IN ('dispatch'," \
	" 'duplicate')"

#define FT_SR_EVENTS_AT FT_SR_EVENTS_AT_HEAD FT_SR_EVENTS_AT_TAIL

/*
 * Its two halves, to put more columns of ev (", expr AS name") between:
 * a statement longer than the 4095 characters C17 lets a string be is
 * joined at run time from its parts (ft_sr_join()).
 */
#define FT_SR_EVENTS_AT_HEAD \
	"(SELECT ev.seq AS seq, ev.id AS id," FT_SR_FIELD_AT("reported_at") "," FT_SR_FIELD_AT("category") "," FT_SR_FIELD_AT("source") "," FT_SR_FIELD_AT( \
		"facility") ", (SELECT CASE h.action WHEN" \
			    " 'escalate' THEN json_extract(h.detail, '$.to_unit') ELSE" \
			    " json_extract(h.detail, '$.unit') END FROM history h WHERE" \
			    " h.kind = 'event' AND h.id = ev.id AND h.at <= ?7 AND (h.action IN" \
			    " ('dispatch', 'duplicate', 'escalate') OR (h.action = 'status' AND" \
			    " json_extract(h.detail, '$.unit') IS NOT NULL)) ORDER BY h.seq DESC" \
			    " LIMIT 1) AS unit, CASE WHEN EXISTS (SELECT 1 FROM history h WHERE" FT_SR_PLACED \
			    " AND h.at <= ?7) THEN (SELECT json_extract(h.detail," \
			    " '$.area') FROM history h WHERE" FT_SR_PLACED \
			    " AND h.at <= ?7" \
			    " ORDER BY h.seq DESC LIMIT 1) WHEN EXISTS (SELECT 1 FROM history h" \
			    " WHERE" FT_SR_PLACED \
			    ") THEN json_extract(ev.raw, '$.area') ELSE" \
			    " ev.area END AS area"
#define FT_SR_EVENTS_AT_TAIL \
	" FROM events ev WHERE EXISTS (SELECT 1 FROM" \
	" history h WHERE h.kind = 'event' AND h.id = ev.id AND h.action =" \
	" 'ingest' AND h.at <= ?7) OR EXISTS (SELECT 1 FROM history h WHERE" \
	" h.kind = 'event' AND h.id = '' AND h.action = 'ingest' AND" \
	" h.at <= ?7 AND ev.seq BETWEEN json_extract(h.detail, '$.first_seq')" \
	" AND json_extract(h.detail, '$.last_seq'))) e"

/* A history entry of event ev by ?7 where C. */
#define FT_SR_HAT(C) \
	"(SELECT 1 FROM history h WHERE h.kind = 'event' AND h.id = ev.id" \
	" AND h.at <= ?7 AND " C ")"

/* What ev's newest entry by ?7 where C has as V (NULL: none). */
#define FT_SR_LAST_AT(V, C) \
	"(SELECT " V " FROM history h WHERE h.kind = 'event' AND" \
	" h.id = ev.id AND h.at <= ?7 AND " C " ORDER BY h.seq DESC LIMIT 1)"

/*
 * The cases' columns as they were at ?7, beside FT_SR_EVENTS_AT's:
 * dispatched_at (set when a dispatch, duplicate link or dispatch by
 * ft-update is in the history by ?7; its value is the stored one),
 * duplicate_of (when linked by ?7), the state of the newest entry with
 * one by ?7 ('new' before), the outcome of the newest status move by ?7
 * when it closed the case, the escalation steps by ?7, the newest rating
 * by ?7; the deadlines, set by the dispatch and never changed after, as
 * stored.
 */
#define FT_SR_CASES_X \
	", CASE WHEN EXISTS " FT_SR_HAT( \
		"(h.action IN ('dispatch', 'duplicate') OR" \
		" (h.action = 'status' AND h.to_status = 'dispatched'))") " THEN coalesce(ev.dispatched_at, ev.reported_at) END AS" \
									  " dispatched_at, CASE WHEN EXISTS " FT_SR_HAT( \
										  "h.action = 'duplicate'") " THEN ev.duplicate_of END" \
													    " AS duplicate_of, coalesce(" FT_SR_LAST_AT("h.to_status", "h.to_status IS NOT NULL") ", 'new') AS status, " FT_SR_LAST_AT( \
														    "CASE WHEN h.to_status = 'closed' THEN" \
														    " json_extract(h.detail, '$.outcome') END", \
														    "h.action = 'status'") " AS outcome, (SELECT count(*) FROM history h WHERE" \
																	   " h.kind = 'event' AND h.id = ev.id AND h.at <= ?7 AND" \
																	   " h.action = 'escalate') AS escalation, " FT_SR_LAST_AT( \
																		   "json_extract(h.detail, '$.rating')", \
																		   "h.action = 'rate'") " AS rating, ev.respond_by AS respond_by, ev.resolve_by AS" \
																					" resolve_by, ev.reporter AS reporter, ev.extra AS extra"

/*
 * Whether the events from ?1 to before ?2 are so many that the table read
 * whole, in its own order, costs less than the same rows read through the
 * index of reported_at, a lookup of the table at each entry.  Measured at
 * 5,000,000 events (the bench's base): 0.39 CPU us a row read whole, 0.62
 * a row in range through the index, so the table is read whole when at
 * least two thirds of the rows are in range.  The range's share of the
 * stored times says no to most ranges at the cost of two probes of the
 * index (FT_SR_WIDE_BOUNDS: those times and the number of rows; events
 * are never deleted, so seq counts them); past half of them, the rows
 * outside the range are counted on the index, up to ?3 (a third of all
 * rows) each side (FT_SR_WIDE_OUTSIDE).
 */
#define FT_SR_WIDE_BOUNDS \
	"SELECT julianday(max(?1, lo)), julianday(min(?2, hi)), julianday(lo)," \
	" julianday(hi), n FROM (SELECT (SELECT min(reported_at) FROM events)" \
	" AS lo, (SELECT max(reported_at) FROM events) AS hi, (SELECT max(seq)" \
	" FROM events) - (SELECT min(seq) FROM events) + 1 AS n)"
#define FT_SR_WIDE_OUTSIDE \
	"SELECT (SELECT count(*) FROM (SELECT 1 FROM events WHERE" \
	" reported_at < ?1 LIMIT ?3)) + (SELECT count(*) FROM (SELECT 1 FROM" \
	" events WHERE reported_at >= ?2 LIMIT ?3))"

/*
 * Statement i of t (FT_SR_WIDE_BOUNDS or _OUTSIDE) run with from, until
 * and lim: its row's nv columns into v (-1 for NULL or no row).
 */
static inline int
ft_sr_wide_row(struct ft_stmts *t, int i, const char *from, const char *until,
	       int64_t lim, double *v, int nv)
{
	sqlite3_stmt *st = ft_stmts_get(t, i);
	int k, rc, row = 0;

	for (k = 0; k < nv; k++)
		v[k] = -1;
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, from);
	ft_sql_bind_str(st, 2, until);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, lim);
	if ((rc = ft_stmts_step(t, i, &row)) || !row)
		return rc;
	for (k = 0; k < nv; k++)
		if (sqlite3_column_type(st, k) != SQLITE_NULL)
			v[k] = sqlite3_column_double(st, k);
	ft_stmts_done(t, i);
	return FT_OK;
}

/*
 * *wide 1 when the events from from to before until are better read with
 * the table whole (see FT_SR_WIDE_BOUNDS), with statements bounds and
 * outside of t; 0 otherwise (no events, or no range).
 */
static inline int
ft_sr_wide(struct ft_stmts *t, int bounds, int outside, const char *from,
	   const char *until, int *wide)
{
	double b[5], out;
	int rc =
		FT_OK; /* set where it is read: for -O1's -Wmaybe-uninitialized */

	*wide = 0;
	if (!from || !until ||
	    (rc = ft_sr_wide_row(t, bounds, from, until, 0, b, 5)))
		return !from || !until ? FT_OK : rc;
	/* b: the range within the stored times, those times, the rows. */
	if (b[2] < 0 || b[4] < 3 || b[1] < b[0])
		return FT_OK;
	if (b[3] > b[2] && 2 * (b[1] - b[0]) < b[3] - b[2])
		return FT_OK;
	if ((rc = ft_sr_wide_row(t, outside, from, until, (int64_t)b[4] / 3 + 1,
				 &out, 1)))
		return rc;
	*wide = 3 * out < b[4];
	return FT_OK;
}

/* The parts of a statement, joined at run time, and what it does. */
struct ft_sr_parts {
	const char *p[8]; /* up to the first NULL */
	const char *what;
};

/*
 * Into def[first..first+n) and bufs[0..n), the statements of parts: each
 * joined into its buf (release them with ft_buf_release()).
 */
static inline void
ft_sr_join(struct ft_stmt_def *def, int first, struct ft_buf *bufs,
	   const struct ft_sr_parts *parts, int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		ft_buf_init(&bufs[i]);
		for (k = 0; k < 8 && parts[i].p[k]; k++)
			ft_buf_adds(&bufs[i], parts[i].p[k]);
		def[first + i].sql = bufs[i].s;
		def[first + i].what = parts[i].what;
	}
}

#endif
