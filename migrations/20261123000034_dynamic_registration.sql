-- Dynamic client registration (RFC 7591) and its management (RFC 7592).

-- An initial access token: whoever holds it may register up to `max_uses`
-- clients of one application until `expires_at`. Only its SHA-256 is kept.
CREATE TABLE initial_access_tokens (
    id             TEXT    PRIMARY KEY,
    application_id TEXT    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    token_hash     TEXT    NOT NULL,
    description    TEXT,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    max_uses       INTEGER NOT NULL,
    uses           INTEGER NOT NULL DEFAULT 0,
    revoked_at     BIGINT,
    CONSTRAINT initial_access_tokens_hash_key UNIQUE (token_hash)
);

CREATE INDEX initial_access_tokens_application_idx ON initial_access_tokens (application_id);

-- The registration access token of a dynamically registered client: it
-- reads, replaces and deletes that one registration. Only its SHA-256 is
-- kept; it goes with the client.
CREATE TABLE registration_access_tokens (
    client_id  TEXT   PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    token_hash TEXT   NOT NULL,
    issued_at  BIGINT NOT NULL,
    -- The initial access token that registered it, for the audit.
    initial_token_id TEXT,
    CONSTRAINT registration_access_tokens_hash_key UNIQUE (token_hash)
);
