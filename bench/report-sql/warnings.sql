-- ft-report warnings (by level): the warnings raised in the range; major;
-- the time from raised_at to the answer (acked_at, else resolved_at when
-- resolved by someone), median and 90th percentile by the nearest rank,
-- in seconds; the shares answered within 5 and 30 minutes (a warning not
-- answered counts once its mark is before @now) and never answered, in
-- tenths of a percent as ft prints shares (rounded half up, but never
-- 100.0 unless all, never 0.0 unless none); escalated.
-- Parameters: @since, @until, @now (UTC).
WITH w AS (
  SELECT level AS k, major,
    CAST(strftime('%s', raised_at) AS INTEGER) AS raised,
    CAST(strftime('%s', coalesce(acked_at, CASE WHEN resolved_by IS NOT NULL
      THEN resolved_at END)) AS INTEGER) AS ans,
    escalation
  FROM warnings WHERE raised_at >= @since AND raised_at < @until),
o AS (
  SELECT k, ans - raised AS d,
    row_number() OVER (PARTITION BY k ORDER BY ans - raised) AS r,
    count(*) OVER (PARTITION BY k) AS n
  FROM w WHERE ans IS NOT NULL),
pc AS (
  SELECT k, max(CASE WHEN r = (n * 50 + 99) / 100 THEN d END) AS med,
    max(CASE WHEN r = (n * 90 + 99) / 100 THEN d END) AS p90
  FROM o GROUP BY k),
now(t) AS (SELECT CAST(strftime('%s', @now) AS INTEGER)),
g AS (
  SELECT k, count(*) AS warnings, sum(major != 0) AS major,
    sum(escalation > 0) AS escalated,
    sum(ans IS NOT NULL OR raised + 300 < now.t) AS n5,
    sum(ans IS NOT NULL AND ans <= raised + 300) AS in5,
    sum(ans IS NOT NULL OR raised + 1800 < now.t) AS n30,
    sum(ans IS NOT NULL AND ans <= raised + 1800) AS in30,
    sum(ans IS NULL) AS never
  FROM w, now GROUP BY k),
s AS (
  SELECT g.*, pc.med, pc.p90,
    (in5 * 2000 + n5) / (2 * n5) AS v5,
    (in30 * 2000 + n30) / (2 * n30) AS v30,
    (never * 2000 + warnings) / (2 * warnings) AS vn
  FROM g LEFT JOIN pc ON pc.k = g.k),
t AS (
  SELECT *,
    CASE WHEN v5 = 1000 AND in5 < n5 THEN 999
      WHEN v5 = 0 AND in5 > 0 THEN 1 ELSE v5 END AS f5,
    CASE WHEN v30 = 1000 AND in30 < n30 THEN 999
      WHEN v30 = 0 AND in30 > 0 THEN 1 ELSE v30 END AS f30,
    CASE WHEN vn = 1000 AND never < warnings THEN 999
      WHEN vn = 0 AND never > 0 THEN 1 ELSE vn END AS fn
  FROM s)
SELECT k AS level, warnings, major, med AS ack_med, p90 AS ack_p90,
  CASE WHEN n5 THEN printf('%d.%d', f5 / 10, f5 % 10) END AS ack_5m,
  CASE WHEN n30 THEN printf('%d.%d', f30 / 10, f30 % 10) END AS ack_30m,
  printf('%d.%d', fn / 10, fn % 10) AS unanswered, escalated
FROM t ORDER BY k;
