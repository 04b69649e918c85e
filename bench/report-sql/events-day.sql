-- ft-report events --by day --tz Asia/Shanghai: the events a local day,
-- every day of the range listed (0 when none).  Asia/Shanghai has no
-- daylight saving time, so a local day is the UTC time shifted 8 hours;
-- each day is counted on the index of reported_at (a range a day: no
-- function over every row).  Parameters: @since, @until (UTC, as
-- reported_at is stored).
WITH RECURSIVE d(day, lo) AS (
  SELECT date(@since, '+8 hours'),
    strftime('%Y-%m-%dT%H:%M:%SZ', date(@since, '+8 hours'), '-8 hours')
  UNION ALL
  SELECT date(day, '+1 day'),
    strftime('%Y-%m-%dT%H:%M:%SZ', day, '+1 day', '-8 hours') FROM d
  WHERE date(day, '+1 day') <= date(@until, '+8 hours', '-1 second'))
SELECT day, (SELECT count(*) FROM events
  WHERE reported_at >= max(lo, @since)
    AND reported_at < min(strftime('%Y-%m-%dT%H:%M:%SZ', day, '+1 day',
      '-8 hours'), @until)) AS events
FROM d ORDER BY day;
