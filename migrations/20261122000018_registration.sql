-- Self-service registration: when the account accepted the terms, and the
-- e-mail verifications (a short code and a link, both stored as SHA-256).
ALTER TABLE users ADD COLUMN terms_accepted_at BIGINT;

CREATE TABLE email_verifications (
    id               TEXT   PRIMARY KEY,
    user_id          TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address being proven: a later change of address voids it.
    email_normalized TEXT   NOT NULL,
    -- The authorization request to return to afterwards, if any.
    interaction_id   TEXT,
    code_hash        TEXT   NOT NULL,
    code_expires_at  BIGINT NOT NULL,
    code_failures    BIGINT NOT NULL DEFAULT 0,
    link_hash        TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT,
    CONSTRAINT email_verifications_link_key UNIQUE (link_hash)
);

CREATE INDEX email_verifications_user_idx ON email_verifications (user_id, created_at);
