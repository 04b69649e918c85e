-- ft-report events --by category: the events of the range by category,
-- the largest first, then by name.  Parameters: @since, @until (UTC).
SELECT category, count(*) AS events FROM events
WHERE reported_at >= @since AND reported_at < @until
GROUP BY 1 ORDER BY 2 DESC, 1 IS NOT NULL, 1;
