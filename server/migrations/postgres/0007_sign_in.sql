-- Sign-in that an attacker cannot turn against a resident.
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
-- Device ids are invented by whoever sends them: they no longer count for any limit.
DROP INDEX otp_requests_device;

-- Devices an account has signed in on, for the guess counter above.
CREATE TABLE known_devices (
    user_id   TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL,
    last_seen TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, device_id)
);

-- Codes sent per hour by the whole server: the ceiling on the SMS bill.
CREATE TABLE sms_budget (
    hour TEXT COLLATE "C" PRIMARY KEY,
    sent BIGINT NOT NULL
);

-- Refresh token families. A sign-in starts a family; each refresh adds a generation and retires
-- the one before (`replaced`). A retired generation used again means a copied token — the whole
-- family ends — unless it is the last one retired and its successor was never refreshed: then the
-- phone never got the answer, and the successor is ended instead (`revoked`).
ALTER TABLE sessions ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'live';
UPDATE sessions SET family = access_hash;
CREATE INDEX sessions_family ON sessions(family, generation);
CREATE INDEX sessions_user_device ON sessions(user_id, device_id);

-- Failed staff sign-ins count per login and client address: a flood from one address cannot
-- lock a known login for everyone.
ALTER TABLE login_failures ADD COLUMN addr TEXT NOT NULL DEFAULT '';
DROP INDEX login_failures_login;
CREATE INDEX login_failures_login_addr ON login_failures(login, addr, at);
CREATE INDEX login_failures_at ON login_failures(at);
