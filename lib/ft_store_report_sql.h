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

#endif
