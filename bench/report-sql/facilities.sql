-- ft-report facilities (--back-days 30): per facility (the events with a
-- facility, service requests apart) its reports in the range; its fixes,
-- the moves of its cases to 'resolved' in the range (each one); and the
-- fixes that came back: those whose next report at the facility (strictly
-- after the fix, up to 30 days after @until) came at most 30 days after
-- it; came_back_pct in tenths, rounded half up.  Parameters: @since,
-- @until (UTC).
WITH fx(facility, at) AS (
  SELECT e.facility, h.at FROM history h JOIN events e ON e.id = h.id
  WHERE h.kind = 'event' AND h.to_status = 'resolved'
    AND h.at >= @since AND h.at < @until
    AND e.facility IS NOT NULL AND e.source IS NOT 'proxy'),
rp(facility, at) AS (
  SELECT facility, reported_at FROM events
  WHERE reported_at >= @since
    AND reported_at < strftime('%Y-%m-%dT%H:%M:%SZ', @until, '+30 days')
    AND facility IS NOT NULL AND source IS NOT 'proxy'),
tl AS (
  SELECT facility, at, 1 AS fix FROM fx
  UNION ALL
  SELECT facility, at, 0 FROM rp),
nx AS (
  SELECT facility, at, fix,
    min(CASE WHEN fix = 0 THEN at END) OVER (PARTITION BY facility
      ORDER BY at, fix ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
      AS next_report
  FROM tl),
g AS (
  SELECT facility,
    sum(fix = 0 AND at < @until) AS reports,
    sum(fix) AS fixed,
    sum(fix = 1 AND next_report IS NOT NULL AND next_report > at
      AND strftime('%s', next_report) - strftime('%s', at) <= 30 * 86400)
      AS back
  FROM nx GROUP BY facility
  HAVING reports > 0 OR fixed > 0)
SELECT g.facility AS facility, f.kind AS kind, f.name AS name,
  f.area AS area, reports, fixed, back AS came_back,
  CASE WHEN fixed THEN printf('%d.%d', (back * 1000 + fixed / 2) / fixed / 10,
    (back * 1000 + fixed / 2) / fixed % 10) END AS came_back_pct
FROM g LEFT JOIN facilities f ON f.id = g.facility
ORDER BY reports DESC, g.facility;
