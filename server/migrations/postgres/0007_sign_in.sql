-- Sign-in that an attacker cannot turn against a resident, what the public sees, and a
-- resident's rights over their data.
--
-- One live code per phone, usable from any device, and sent again (not replaced) when asked for
-- again: a flood of requests only delivers the resident's own code to the resident. The code is
-- derived from the server secret and `nonce`, so it can be sent again without being stored.
-- Wrong guesses are counted apart for devices this phone's account has signed in on before
-- (`known_attempts`): whoever burns the code from invented devices does not burn it for them.
DROP TABLE otp_codes;
CREATE TABLE otp_codes (
    phone          TEXT PRIMARY KEY,
    nonce          TEXT NOT NULL,
    code_hash      TEXT NOT NULL,
    issued_at      TEXT COLLATE "C" NOT NULL,
    expires_at     TEXT COLLATE "C" NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    known_attempts BIGINT NOT NULL DEFAULT 0
);
-- Device ids are invented by whoever sends them: they no longer count for any limit (the column
-- stays, empty). What counts is whether the device was one the account signed in on before.
DROP INDEX otp_requests_device;
ALTER TABLE otp_requests ADD COLUMN known INTEGER NOT NULL DEFAULT 0;

-- Devices an account has signed in on, for the guess counter above.
CREATE TABLE known_devices (
    user_id   TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL,
    last_seen TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, device_id)
);
INSERT INTO known_devices (user_id, device_id, last_seen)
    SELECT s.user_id, s.device_id, MAX(s.created_at) FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE u.role = 'resident' GROUP BY s.user_id, s.device_id;

-- Codes sent per hour by the whole server to devices new to the phone's account: the ceiling on
-- the SMS bill that a flood can reach.
CREATE TABLE sms_budget (
    hour TEXT COLLATE "C" PRIMARY KEY,
    sent BIGINT NOT NULL
);

-- Refresh token families. A sign-in starts a family; each refresh adds a generation and retires
-- the one before (`replaced`, at `replaced_at`). A retired generation used again means a copied
-- token — the whole family ends — unless it is the last one retired, within the hour, and its
-- successor never refreshed: then the phone never got the answer, and the successor is ended
-- instead (`revoked`).
ALTER TABLE sessions ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'live';
ALTER TABLE sessions ADD COLUMN replaced_at TEXT COLLATE "C";
UPDATE sessions SET family = access_hash;
CREATE INDEX sessions_family ON sessions(family, generation);
CREATE INDEX sessions_user_device ON sessions(user_id, device_id);

-- Failed staff sign-ins count per login and client address: a flood from one address cannot
-- lock a known login for everyone.
ALTER TABLE login_failures ADD COLUMN addr TEXT NOT NULL DEFAULT '';
DROP INDEX login_failures_login;
CREATE INDEX login_failures_login_addr ON login_failures(login, addr, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- Whether a report has a public copy (`Report::is_published`): not when withdrawn, nor when
-- rejected as private property (someone's home or yard, a matter between residents). Every
-- public read (Open311, the online feed) filters on it.
ALTER TABLE reports ADD COLUMN published INTEGER NOT NULL DEFAULT 1;
-- Those still on phones leave them with the next hourly sweep.
CREATE INDEX reports_unpublished ON reports(id) WHERE in_scope = 1 AND published = 0;
UPDATE reports SET published = 0 WHERE status = 'withdrawn'
    OR (view::jsonb -> 'rejection' ->> 'reason') = 'private_property';

-- A resident's rights: exporting, anonymising and erasing read everything of one account by
-- its id, each through an index.
CREATE INDEX comments_author ON comments(author_id);
CREATE INDEX comment_flags_user ON comment_flags(user_id);
CREATE INDEX media_owner ON media(owner);

-- Retention: the files a resident uploaded for a report are kept for a while after it settled,
-- then unlinked and deleted; `personal_cleared` marks the reports done, so each pass reads only
-- those still to do.
ALTER TABLE reports ADD COLUMN personal_cleared INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_personal ON reports(settled_at) WHERE personal_cleared = 0 AND settled_at IS NOT NULL;
CREATE INDEX report_media_report ON report_media(report_id);
CREATE INDEX sessions_expiry ON sessions(refresh_expires_at);
CREATE INDEX known_devices_seen ON known_devices(last_seen);
