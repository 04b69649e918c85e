-- ft-report events --by day --tz Asia/Shanghai: the events a local day,
-- every day of the range listed (0 when none).  Asia/Shanghai has no
-- daylight saving time, so a local day is the UTC time shifted 8 hours.
-- Parameters: @since, @until (UTC, as reported_at is stored).
WITH RECURSIVE d(day) AS (
  SELECT date(@since, '+8 hours')
  UNION ALL
  SELECT date(day, '+1 day') FROM d
  WHERE date(day, '+1 day') <= date(@until, '+8 hours', '-1 second')),
c(day, n) AS (
  SELECT date(reported_at, '+8 hours'), count(*) FROM events
  WHERE reported_at >= @since AND reported_at < @until GROUP BY 1)
SELECT d.day AS day, coalesce(c.n, 0) AS events
FROM d LEFT JOIN c ON c.day = d.day ORDER BY d.day;
