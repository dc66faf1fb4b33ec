-- Failed staff logins, for a rate limit that holds across server instances.
CREATE TABLE login_failures (
    id    BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL,
    at    TEXT COLLATE "C" NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
