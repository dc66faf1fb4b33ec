-- The phone's store. Times are RFC 3339 UTC text; JSON columns hold qala-protocol types.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A report being put together; it becomes a report (and an outbox op) on submit.
CREATE TABLE drafts (
    id          TEXT PRIMARY KEY,
    category    TEXT,
    description TEXT NOT NULL DEFAULT '',
    location    TEXT,
    address     TEXT,
    -- Why the last thing done to the draft failed (e.g. an unreadable photo), for the UI.
    error       TEXT,
    created_at  TEXT NOT NULL
);

-- Prepared media files (never the originals), first of drafts, then of submitted reports.
CREATE TABLE media (
    id            TEXT PRIMARY KEY,
    draft_id      TEXT,
    report_id     TEXT,
    kind          TEXT NOT NULL,
    path          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    upload_url    TEXT,
    upload_offset INTEGER NOT NULL DEFAULT 0,
    uploaded      INTEGER NOT NULL DEFAULT 0,
    -- Why this file cannot be uploaded (damaged on disk, refused by the server); it is then skipped.
    error         TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX media_pending ON media(uploaded, kind, created_at);

-- Ops waiting to be pushed. A rejected op stays, with the server's reason, until the user acts.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id         TEXT NOT NULL UNIQUE,
    entity_kind   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    body          TEXT NOT NULL,
    rejected_code TEXT,
    rejected_reason TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX outbox_entity ON outbox(entity_kind, entity_id);

-- Everything the phone shows: its own objects and pulled ones. `data` is what the UI shows;
-- `server` is the last state pulled, kept aside while local ops for the object are unsent.
CREATE TABLE entities (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    data    TEXT NOT NULL,
    server  TEXT,
    PRIMARY KEY (kind, id)
);
