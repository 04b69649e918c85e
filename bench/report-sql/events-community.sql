-- ft-report events --by area --area-level community: the events of the
-- range by the community at or above their area (none: empty), the
-- largest first.  The units' tree is small: each unit's community is
-- found once, then the events are joined to it.
-- Parameters: @since, @until (UTC).
WITH RECURSIVE up(start, id, kind, parent, n) AS (
  SELECT id, id, kind, parent, 0 FROM units
  UNION ALL
  SELECT up.start, u.id, u.kind, u.parent, up.n + 1 FROM up
  JOIN units u ON u.id = up.parent WHERE up.n < 64),
lv(start, id) AS (
  SELECT start, id FROM (SELECT start, id, min(n) FROM up
  WHERE kind = 'community' GROUP BY start))
SELECT lv.id AS community, count(*) AS events FROM events e
LEFT JOIN lv ON lv.start = e.area
WHERE e.reported_at >= @since AND e.reported_at < @until
GROUP BY 1 ORDER BY 2 DESC, 1 IS NOT NULL, 1;
