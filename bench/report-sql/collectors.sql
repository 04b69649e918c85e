-- ft-report collectors (per collector and firm): the patrol reports of
-- the range; a collector is "C" and the rank of its first patrol report
-- among all those stored (by seq); each report counted once, as a
-- duplicate, else accepted (accepted or resolved at some time, or closed
-- fixed), else rejected; resolved: resolved at some time or closed fixed,
-- duplicates apart; resolved_pct in tenths, rounded half up.  Each report's
-- moves are read in one join with the history, grouped by report.
-- Parameters: @since, @until (UTC).
WITH c(reporter, n) AS (
  SELECT reporter, row_number() OVER (ORDER BY min(seq)) FROM events
  WHERE source = 'patrol' AND reporter IS NOT NULL GROUP BY reporter),
p AS (
  SELECT e.reporter AS reporter, json_extract(e.extra, '$.firm') AS firm,
    (e.duplicate_of IS NOT NULL OR e.status = 'duplicate'
     OR e.outcome IS 'duplicate') AS dup,
    (e.outcome IS 'fixed' OR coalesce(max(h.to_status = 'resolved'), 0))
      AS res,
    coalesce(max(h.to_status = 'accepted'), 0) AS acc,
    coalesce(max(h.to_status = 'rejected'), 0) AS rej
  FROM events e LEFT JOIN history h ON h.kind = 'event' AND h.id = e.id
  WHERE e.reported_at >= @since AND e.reported_at < @until
    AND e.source = 'patrol'
  GROUP BY e.seq),
g AS (
  SELECT c.n AS n, p.firm AS firm, count(*) AS submitted,
    sum(NOT dup AND (acc OR res)) AS accepted, sum(dup) AS duplicates,
    sum(NOT dup AND NOT acc AND NOT res AND rej) AS rejected,
    sum(NOT dup AND res) AS resolved
  FROM p LEFT JOIN c ON c.reporter = p.reporter GROUP BY 1, 2)
SELECT 'C' || n AS collector, firm, submitted, accepted, duplicates,
  rejected, resolved,
  printf('%d.%d', (resolved * 1000 + submitted / 2) / submitted / 10,
    (resolved * 1000 + submitted / 2) / submitted % 10) AS resolved_pct
FROM g ORDER BY n, firm;
