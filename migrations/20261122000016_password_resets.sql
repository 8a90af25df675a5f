-- Password reset links: the token's SHA-256, single use, 30 minutes.
CREATE TABLE password_resets (
    token_hash TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE INDEX password_resets_user_idx ON password_resets (user_id);
