-- Qala server schema, PostgreSQL (same tables and meaning as the SQLite schema). Times are RFC 3339 UTC text with microseconds (sortable as text);
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
    day     TEXT COLLATE "C" PRIMARY KEY,
    name    TEXT NOT NULL,
    working BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('resident', 'operator', 'admin')),
    phone         TEXT UNIQUE,
    login         TEXT UNIQUE,
    password_hash TEXT,
    agency        TEXT REFERENCES agencies(code),
    display_name  TEXT NOT NULL,
    created_at    TEXT COLLATE "C" NOT NULL
);

-- One live code per phone; a new request replaces it.
CREATE TABLE otp_codes (
    phone      TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0
);

-- Every code request, for rate limits that hold across server instances.
CREATE TABLE otp_requests (
    id        BIGSERIAL PRIMARY KEY,
    phone     TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX otp_requests_phone ON otp_requests(phone, at);
CREATE INDEX otp_requests_device ON otp_requests(device_id, at);

CREATE TABLE sessions (
    access_hash        TEXT PRIMARY KEY,
    refresh_hash       TEXT NOT NULL UNIQUE,
    user_id            TEXT NOT NULL REFERENCES users(id),
    device_id          TEXT NOT NULL,
    access_expires_at  TEXT COLLATE "C" NOT NULL,
    refresh_expires_at TEXT COLLATE "C" NOT NULL,
    created_at         TEXT COLLATE "C" NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    owner         TEXT NOT NULL REFERENCES users(id),
    reg_number    TEXT NOT NULL UNIQUE,
    category      TEXT NOT NULL,
    agency        TEXT NOT NULL,
    status        TEXT NOT NULL,
    deadline      TEXT COLLATE "C" NOT NULL,
    registered_at TEXT COLLATE "C" NOT NULL,
    view          TEXT NOT NULL
);
CREATE INDEX reports_agency_deadline ON reports(agency, deadline);
CREATE INDEX reports_owner ON reports(owner);

-- Which reports refer to which media (their own photos, and their answers' photo reports).
CREATE TABLE report_media (
    media_id  TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports(id),
    in_answer BIGINT NOT NULL,
    PRIMARY KEY (media_id, report_id, in_answer)
);

-- The idempotency ledger: an op id is applied at most once.
CREATE TABLE applied_ops (
    op_id   TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    at      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE news (
    id        TEXT PRIMARY KEY,
    published BIGINT NOT NULL,
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
    hidden        BIGINT NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    data          TEXT NOT NULL
);
CREATE INDEX comments_project ON comments(project_id);

-- The change log. owner NULL = public; otherwise only that user pulls the row.
CREATE TABLE changes (
    seq       BIGSERIAL PRIMARY KEY,
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    owner     TEXT,
    payload   TEXT,
    at        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX changes_entity ON changes(kind, entity_id, owner);

CREATE TABLE uploads (
    id         TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    length     BIGINT NOT NULL,
    "offset"   BIGINT NOT NULL,
    sha256     TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    owner_role   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    -- Bytes the client uploaded (before metadata was stripped), for tus HEAD after completion.
    upload_length BIGINT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL
);
