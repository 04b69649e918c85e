-- ft-report services: the service requests (source 'proxy') of the range
-- per proxy point (the event's facility) and service (its category):
-- requests; completed, those resolved at some time, with the median and
-- 90th percentile (nearest rank: the value at rank ceil(p/100 * n)) of
-- the time from reported_at to the first resolution, in hours with one
-- decimal; ratings, their mean (two decimals) and the share rated 4 or 5
-- (tenths of a percent, rounded half up).  Parameters: @since, @until.
-- Each request's first resolution by a subquery on the history's index
-- (worked out for those resolved only), the events table read whole (NOT
-- INDEXED: nearly every event is in the bench's range).  At 5,000,000
-- events no slower than the join of the history grouped by request
-- (GROUP BY e.seq) it replaces: see BENCHMARKS.md.
WITH r AS (
  SELECT e.facility AS point, e.category AS service, e.rating AS rating,
    (SELECT CASE WHEN min(h.at) IS NOT NULL THEN strftime('%s', min(h.at))
      - strftime('%s', e.reported_at) END FROM history h
      WHERE h.kind = 'event' AND h.id = e.id AND h.to_status = 'resolved')
      AS secs
  FROM events e NOT INDEXED
  WHERE e.reported_at >= @since AND e.reported_at < @until
    AND e.source = 'proxy'),
o AS (
  SELECT point, service, secs,
    row_number() OVER (PARTITION BY point, service ORDER BY secs) AS k,
    count(*) OVER (PARTITION BY point, service) AS n
  FROM r WHERE secs IS NOT NULL),
pc AS (
  SELECT point, service, n,
    max(CASE WHEN k = (n * 50 + 99) / 100 THEN secs END) AS med,
    max(CASE WHEN k = (n * 90 + 99) / 100 THEN secs END) AS p90
  FROM o GROUP BY 1, 2),
g AS (
  SELECT point, service, count(*) AS requests, count(rating) AS ratings,
    sum(rating) AS rsum, sum(rating >= 4) AS sat
  FROM r GROUP BY 1, 2),
f AS (
  SELECT g.*, coalesce(pc.n, 0) AS done,
    CAST(round(pc.med / 3600.0 * 10) AS INTEGER) AS med10,
    CAST(round(pc.p90 / 3600.0 * 10) AS INTEGER) AS p9010,
    CAST(round(CAST(rsum AS REAL) / ratings * 100) AS INTEGER) AS mean100
  FROM g LEFT JOIN pc ON pc.point IS g.point AND pc.service IS g.service)
SELECT f.point AS point, x.name AS name, f.service AS service, requests,
  done AS completed,
  CASE WHEN done THEN printf('%d.%d', med10 / 10, med10 % 10) END
    AS median_hours,
  CASE WHEN done THEN printf('%d.%d', p9010 / 10, p9010 % 10) END
    AS p90_hours,
  ratings,
  CASE WHEN ratings THEN printf('%d.%02d', mean100 / 100, mean100 % 100)
    END AS rating_mean,
  CASE WHEN ratings THEN printf('%d.%d',
    (sat * 1000 + ratings / 2) / ratings / 10,
    (sat * 1000 + ratings / 2) / ratings % 10) END AS satisfied_pct
FROM f LEFT JOIN facilities x ON x.id = f.point
ORDER BY f.point, f.service;
