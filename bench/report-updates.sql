-- bench/report-updates.sql: the moves ft-update applies in the ft-report
-- bench (bench/run.sh report), as NDJSON records for ft-update, made from
-- the dispatched cases themselves, deterministic by seq (k):
--   95% accepted 0-60 min after reported_at, 5% rejected after 10 min;
--   of the accepted, 70% resolved 0-24 h later (a third of those rated,
--   1-5), of the resolved 25% closed (fixed) an hour later, 2% reopened
--   two hours later and resolved again three hours later; 10% of the
--   accepted closed without a fix two hours later.
WITH c AS (SELECT seq AS k, id, CAST(strftime('%s', reported_at) AS INTEGER)
  AS t0 FROM events WHERE status = 'dispatched'),
m AS (
  SELECT k, 1 AS o, id, CASE WHEN k % 20 = 0 THEN 'rejected' ELSE 'accepted'
    END AS status, t0 + CASE WHEN k % 20 = 0 THEN 600 ELSE k * 37 % 3600 END
    AS t, NULL AS rating FROM c
  UNION ALL
  SELECT k, 2, id, 'resolved', t0 + k * 37 % 3600 + k * 101 % 86400,
    CASE WHEN k % 3 = 0 THEN 1 + k % 5 END FROM c
    WHERE k % 20 != 0 AND k % 10 < 7
  UNION ALL
  SELECT k, 3, id, 'closed', t0 + k * 37 % 3600 + k * 101 % 86400 + 3600,
    NULL FROM c WHERE k % 20 != 0 AND k % 10 < 7 AND k % 4 = 0
  UNION ALL
  SELECT k, 3, id, 'reopened', t0 + k * 37 % 3600 + k * 101 % 86400 + 7200,
    NULL FROM c WHERE k % 20 != 0 AND k % 10 < 7 AND k % 4 != 0
    AND k % 50 = 1
  UNION ALL
  SELECT k, 4, id, 'resolved', t0 + k * 37 % 3600 + k * 101 % 86400
    + 10800, NULL FROM c WHERE k % 20 != 0 AND k % 10 < 7 AND k % 4 != 0
    AND k % 50 = 1
  UNION ALL
  SELECT k, 2, id, 'closed', t0 + k * 37 % 3600 + 7200, NULL FROM c
    WHERE k % 20 != 0 AND k % 10 = 7)
SELECT CASE WHEN rating IS NULL THEN json_object('id', id, 'status',
  status, 'at', strftime('%Y-%m-%dT%H:%M:%SZ', t, 'unixepoch'), 'by',
  'bench') ELSE json_object('id', id, 'status', status, 'at',
  strftime('%Y-%m-%dT%H:%M:%SZ', t, 'unixepoch'), 'by', 'bench', 'rating',
  rating) END
FROM m ORDER BY k, o;
