-- Public reads (statistics, Open311) answered by the database instead of by parsing every report:
-- how long the answer took and whether it was on time live in columns, and reports are found by
-- registration time through an index.
ALTER TABLE reports ADD COLUMN answer_secs INTEGER;
ALTER TABLE reports ADD COLUMN answer_on_time INTEGER;
UPDATE reports SET
    answer_secs = CAST(ROUND((julianday(json_extract(view, '$.answer.at')) - julianday(registered_at)) * 86400) AS INTEGER),
    answer_on_time = CASE WHEN julianday(json_extract(view, '$.answer.at')) <= julianday(deadline) THEN 1 ELSE 0 END
WHERE json_extract(view, '$.answer.at') IS NOT NULL;
CREATE INDEX reports_registered ON reports(registered_at);
-- Everything the statistics read, so that they are computed from this index alone and never
-- from the (large) rows with their JSON views.
CREATE INDEX reports_stats ON reports(category, agency, status, registered_at, deadline, answer_on_time, answer_secs);
