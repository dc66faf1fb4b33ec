-- Scoped sync. Every change row belongs to one bucket, and a phone pulls only the buckets of its
-- scope, each from its own position: `city` (catalogue, news, projects, comments), `u:<user id>`
-- (that resident's own reports) and `d:<district>` (the public copies of the reports filed under a
-- district; `d:` for a city without districts). Pulling a bucket is a range of (bucket, seq); the
-- partial index serves a phone's first pull of a bucket, which skips deletions.
ALTER TABLE changes ADD COLUMN bucket TEXT NOT NULL DEFAULT 'city';
UPDATE changes SET bucket = 'u:' || owner WHERE owner IS NOT NULL;
-- Public copies are moved to their district's bucket when the server files the reports (at start).
UPDATE changes SET bucket = 'd:' WHERE kind = 'public_report';
DROP INDEX changes_entity;
CREATE INDEX changes_entity ON changes(kind, entity_id, bucket, seq);
CREATE INDEX changes_bucket ON changes(bucket, seq);
CREATE INDEX changes_bucket_live ON changes(bucket, seq) WHERE payload IS NOT NULL;

-- A report's district (NULL until the server files it), when it reached a final status (NULL while
-- open), and whether its public copy is in the public scope: a report settled longer ago than the
-- public window leaves the phones (a deletion in its bucket) and is then fetched online on demand.
ALTER TABLE reports ADD COLUMN district TEXT;
ALTER TABLE reports ADD COLUMN settled_at TEXT;
ALTER TABLE reports ADD COLUMN in_scope INTEGER NOT NULL DEFAULT 1;
UPDATE reports SET in_scope = 0 WHERE status = 'withdrawn';
CREATE INDEX reports_unfiled ON reports(id) WHERE district IS NULL;
CREATE INDEX reports_leaving ON reports(settled_at) WHERE in_scope = 1 AND settled_at IS NOT NULL;
CREATE INDEX reports_district_registered ON reports(district, registered_at);
