/*
 * ft_store_report_sql.h - the SQL text the statements of ft-report share
 * (ft_store_report.c, ft_store_report_more.c): which events count.  Only
 * those modules include it: the seam is ft_store_report*.h.
 */
#ifndef FT_STORE_REPORT_SQL_H
#define FT_STORE_REPORT_SQL_H

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

#define FT_SR_EVENTS_AT \
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
			    " ev.area END AS area FROM events ev WHERE EXISTS (SELECT 1 FROM" \
			    " history h WHERE h.kind = 'event' AND h.id = ev.id AND h.action =" \
			    " 'ingest' AND h.at <= ?7) OR EXISTS (SELECT 1 FROM history h WHERE" \
			    " h.kind = 'event' AND h.id = '' AND h.action = 'ingest' AND" \
			    " h.at <= ?7 AND ev.seq BETWEEN json_extract(h.detail, '$.first_seq')" \
			    " AND json_extract(h.detail, '$.last_seq'))) e"

#endif
