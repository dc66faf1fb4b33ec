-- Daily quotas: what each resident's account created per local (UTC+5) day, one row per account,
-- day and kind, charged in the transaction of the write it counts. Old days are dropped by upkeep.
-- The key starts with the day so that dropping them is a range of the primary key.
CREATE TABLE quota_usage (
    day     TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (day, user_id, kind)
);

-- Collecting media no report uses walks the media in upload order from a mark kept in `meta`,
-- so each pass reads a bounded slice however many files there are.
CREATE INDEX media_created ON media(created_at, id);
