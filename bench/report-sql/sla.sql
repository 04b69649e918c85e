-- ft-report sla (by unit): the cases reported in the range (dispatched,
-- no duplicate) by their unit now.  Each case's first acceptance, last
-- resolution and whether it was reopened come from one join with its
-- moves in the history.  Medians and 90th percentiles by the nearest rank,
-- in seconds from reported_at: to accept, over the cases accepted; to
-- resolve, over those resolved now (resolved, or closed fixed).  Shares in
-- tenths of a percent as ft prints them (rounded half up, never 100.0
-- unless all, never 0.0 unless none): a case done counts, in when done by
-- its mark; one not done counts as out when it is still open and its mark
-- is before @now, and not at all otherwise; accept_due and resolve_due
-- over the cases with that deadline.  overdue: open cases past
-- resolve_by, or not accepted and past respond_by.  rating: the mean in
-- hundredths, rounded half up.  Parameters: @since, @until, @now (UTC).
WITH c AS (
  SELECT e.unit AS k,
    CAST(strftime('%s', e.reported_at) AS INTEGER) AS rep,
    CAST(strftime('%s', min(CASE WHEN h.to_status = 'accepted' THEN h.at END))
      AS INTEGER) AS acc,
    CAST(strftime('%s', max(CASE WHEN h.to_status = 'resolved' THEN h.at END))
      AS INTEGER) AS res0,
    CAST(strftime('%s', e.respond_by) AS INTEGER) AS rby,
    CAST(strftime('%s', e.resolve_by) AS INTEGER) AS sby,
    e.status AS status, e.outcome AS outcome, e.escalation AS escalation,
    coalesce(max(h.to_status = 'reopened'), 0) AS reopened, e.rating AS rating
  FROM events e LEFT JOIN history h ON h.kind = 'event' AND h.id = e.id
    AND h.action = 'status'
  WHERE e.reported_at >= @since AND e.reported_at < @until
    AND e.dispatched_at IS NOT NULL AND e.duplicate_of IS NULL
  GROUP BY e.seq),
now(t) AS (SELECT CAST(strftime('%s', @now) AS INTEGER)),
x AS (
  SELECT c.*, now.t AS now,
    status IN ('dispatched', 'accepted', 'reopened') AS open,
    CASE WHEN status = 'resolved' OR (status = 'closed' AND outcome = 'fixed')
      THEN res0 END AS res
  FROM c, now),
pa AS (
  SELECT k, max(CASE WHEN r = (n * 50 + 99) / 100 THEN d END) AS med,
    max(CASE WHEN r = (n * 90 + 99) / 100 THEN d END) AS p90
  FROM (SELECT k, acc - rep AS d,
    row_number() OVER (PARTITION BY k ORDER BY acc - rep) AS r,
    count(*) OVER (PARTITION BY k) AS n FROM x WHERE acc IS NOT NULL)
  GROUP BY k),
pr AS (
  SELECT k, max(CASE WHEN r = (n * 50 + 99) / 100 THEN d END) AS med,
    max(CASE WHEN r = (n * 90 + 99) / 100 THEN d END) AS p90
  FROM (SELECT k, res - rep AS d,
    row_number() OVER (PARTITION BY k ORDER BY res - rep) AS r,
    count(*) OVER (PARTITION BY k) AS n FROM x WHERE res IS NOT NULL)
  GROUP BY k),
g AS (
  SELECT k, count(*) AS cases,
    sum(rby IS NOT NULL AND (acc IS NOT NULL OR (open AND rby < now)))
      AS nad,
    sum(rby IS NOT NULL AND acc IS NOT NULL AND acc <= rby) AS iad,
    sum(acc IS NOT NULL OR (open AND rep + 300 < now)) AS na5,
    sum(acc IS NOT NULL AND acc <= rep + 300) AS ia5,
    sum(acc IS NOT NULL OR (open AND rep + 1800 < now)) AS na30,
    sum(acc IS NOT NULL AND acc <= rep + 1800) AS ia30,
    sum(sby IS NOT NULL AND (res IS NOT NULL OR (open AND sby < now)))
      AS nrd,
    sum(sby IS NOT NULL AND res IS NOT NULL AND res <= sby) AS ird,
    sum(open AND ((sby IS NOT NULL AND sby < now) OR (acc IS NULL
      AND rby IS NOT NULL AND rby < now))) AS overdue,
    sum(escalation > 0) AS escalated, sum(reopened != 0) AS reopened,
    sum(outcome IS 'fixed') AS fixed, sum(outcome IS 'not fixed')
      AS not_fixed,
    count(CASE WHEN rating > 0 THEN 1 END) AS rated,
    sum(CASE WHEN rating > 0 THEN rating END)
      AS rsum,
    sum(rating >= 4) AS sat
  FROM x GROUP BY k),
-- share(IN, N): tenths of a percent, as ft rounds them.
v AS (
  SELECT g.*,
    (iad * 2000 + nad) / (2 * nad) AS vad, (ia5 * 2000 + na5) / (2 * na5)
      AS va5, (ia30 * 2000 + na30) / (2 * na30) AS va30,
    (ird * 2000 + nrd) / (2 * nrd) AS vrd,
    (sat * 2000 + rated) / (2 * rated) AS vs
  FROM g),
f AS (
  SELECT v.*,
    CASE WHEN vad = 1000 AND iad < nad THEN 999 WHEN vad = 0 AND iad > 0
      THEN 1 ELSE vad END AS fad,
    CASE WHEN va5 = 1000 AND ia5 < na5 THEN 999 WHEN va5 = 0 AND ia5 > 0
      THEN 1 ELSE va5 END AS fa5,
    CASE WHEN va30 = 1000 AND ia30 < na30 THEN 999 WHEN va30 = 0
      AND ia30 > 0 THEN 1 ELSE va30 END AS fa30,
    CASE WHEN vrd = 1000 AND ird < nrd THEN 999 WHEN vrd = 0 AND ird > 0
      THEN 1 ELSE vrd END AS frd,
    CASE WHEN vs = 1000 AND sat < rated THEN 999 WHEN vs = 0 AND sat > 0
      THEN 1 ELSE vs END AS fs,
    (rsum * 200 + rated) / (2 * rated) AS mean100
  FROM v)
SELECT f.k AS unit, cases, pa.med AS accept_med, pa.p90 AS accept_p90,
  CASE WHEN nad THEN printf('%d.%d', fad / 10, fad % 10) END AS accept_due,
  CASE WHEN na5 THEN printf('%d.%d', fa5 / 10, fa5 % 10) END AS accept_5m,
  CASE WHEN na30 THEN printf('%d.%d', fa30 / 10, fa30 % 10) END
    AS accept_30m,
  pr.med AS resolve_med, pr.p90 AS resolve_p90,
  CASE WHEN nrd THEN printf('%d.%d', frd / 10, frd % 10) END AS resolve_due,
  overdue, escalated, reopened, fixed, not_fixed, rated,
  CASE WHEN rated THEN printf('%d.%02d', mean100 / 100, mean100 % 100) END
    AS rating,
  CASE WHEN rated THEN printf('%d.%d', fs / 10, fs % 10) END AS satisfied
FROM f LEFT JOIN pa ON pa.k IS f.k LEFT JOIN pr ON pr.k IS f.k
ORDER BY f.k;
