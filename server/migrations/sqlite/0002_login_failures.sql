-- Failed staff logins, for a rate limit that holds across server instances.
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
