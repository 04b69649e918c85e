-- ft-report events --by category: the events of the range by category,
-- the largest first, then by name.  Parameters: @since, @until (UTC).
-- NOT INDEXED: over the bench's range (nearly every event) the table read
-- whole costs less than the index of reported_at with a lookup of the
-- table at each entry (5,000,000 events, three runs each: 3.6-4.0
-- against 4.8-5.4 CPU s).
SELECT category, count(*) AS events FROM events NOT INDEXED
WHERE reported_at >= @since AND reported_at < @until
GROUP BY 1 ORDER BY 2 DESC, 1 IS NOT NULL, 1;
