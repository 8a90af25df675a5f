-- Single sign-on sessions. The browser holds a random token; only its
-- SHA-256 is stored. `id` is the public session id (`sid` in ID tokens).
-- amr: JSON array of the methods used (RFC 8176).
CREATE TABLE sessions (
    id          TEXT   PRIMARY KEY,
    token_hash  TEXT   NOT NULL,
    user_id     TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_time   BIGINT NOT NULL,
    amr         TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ended_at    BIGINT,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
