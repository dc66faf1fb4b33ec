-- Qala server schema, SQLite. Times are RFC 3339 UTC text with microseconds (sortable as text);
-- ids are hyphenated UUID text; JSON snapshots are the wire types of qala-protocol.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE TABLE categories (
    code   TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    data   TEXT NOT NULL
);

CREATE TABLE holidays (
    day     TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    working INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('resident', 'operator', 'admin')),
    phone         TEXT UNIQUE,
    login         TEXT UNIQUE,
    password_hash TEXT,
    agency        TEXT REFERENCES agencies(code),
    display_name  TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- One live code per phone; a new request replaces it.
CREATE TABLE otp_codes (
    phone      TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0
);

-- Every code request, for rate limits that hold across server instances.
CREATE TABLE otp_requests (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    phone     TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX otp_requests_phone ON otp_requests(phone, at);
CREATE INDEX otp_requests_device ON otp_requests(device_id, at);

CREATE TABLE sessions (
    access_hash        TEXT PRIMARY KEY,
    refresh_hash       TEXT NOT NULL UNIQUE,
    user_id            TEXT NOT NULL REFERENCES users(id),
    device_id          TEXT NOT NULL,
    access_expires_at  TEXT NOT NULL,
    refresh_expires_at TEXT NOT NULL,
    created_at         TEXT NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    owner         TEXT NOT NULL REFERENCES users(id),
    reg_number    TEXT NOT NULL UNIQUE,
    category      TEXT NOT NULL,
    agency        TEXT NOT NULL,
    status        TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    view          TEXT NOT NULL
);
CREATE INDEX reports_agency_deadline ON reports(agency, deadline);
CREATE INDEX reports_owner ON reports(owner);

-- Which reports refer to which media (their own photos, and their answers' photo reports).
CREATE TABLE report_media (
    media_id  TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports(id),
    in_answer INTEGER NOT NULL,
    PRIMARY KEY (media_id, report_id, in_answer)
);

-- The idempotency ledger: an op id is applied at most once.
CREATE TABLE applied_ops (
    op_id   TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    at      TEXT NOT NULL
);

CREATE TABLE news (
    id        TEXT PRIMARY KEY,
    published INTEGER NOT NULL,
    data      TEXT NOT NULL
);

CREATE TABLE projects (
    id   TEXT PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE TABLE comments (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id),
    parent_id     TEXT,
    author_id     TEXT NOT NULL,
    hidden        INTEGER NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    data          TEXT NOT NULL
);
CREATE INDEX comments_project ON comments(project_id);

-- The change log. owner NULL = public; otherwise only that user pulls the row.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    owner     TEXT,
    payload   TEXT,
    at        TEXT NOT NULL
);
CREATE INDEX changes_entity ON changes(kind, entity_id, owner);

CREATE TABLE uploads (
    id         TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    length     INTEGER NOT NULL,
    "offset"   INTEGER NOT NULL,
    sha256     TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    owner_role   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    -- Bytes the client uploaded (before metadata was stripped), for tus HEAD after completion.
    upload_length INTEGER NOT NULL,
    created_at   TEXT NOT NULL
);
