-- Residents flag comments; a comment flagged by enough residents is hidden until a moderator
-- reviews it (restores it, or confirms the hiding with a reason).
CREATE TABLE comment_flags (
    comment_id TEXT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    reason     TEXT,
    at         TEXT NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

-- 1 once a moderator has decided; a reviewed comment is not hidden again by flags.
ALTER TABLE comments ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;
