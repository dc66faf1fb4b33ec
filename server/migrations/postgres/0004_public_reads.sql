-- Public reads (statistics, Open311) answered by the database instead of by parsing every report:
-- how long the answer took and whether it was on time live in columns, and reports are found by
-- registration time through an index.
ALTER TABLE reports ADD COLUMN answer_secs BIGINT;
ALTER TABLE reports ADD COLUMN answer_on_time INTEGER;
UPDATE reports SET
    answer_secs = ROUND(EXTRACT(EPOCH FROM ((view::jsonb #>> '{answer,at}')::timestamptz - registered_at::timestamptz)))::BIGINT,
    answer_on_time = CASE WHEN (view::jsonb #>> '{answer,at}')::timestamptz <= deadline::timestamptz THEN 1 ELSE 0 END
WHERE view::jsonb #>> '{answer,at}' IS NOT NULL;
CREATE INDEX reports_registered ON reports(registered_at);
-- Everything the statistics read, so that they are computed from this index alone and never
-- from the (large) rows with their JSON views.
CREATE INDEX reports_stats ON reports(category, agency, status, registered_at, deadline, answer_on_time, answer_secs);
