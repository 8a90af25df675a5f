-- Token families: everything issued from one authorization code (its
-- access tokens carry the family id; its refresh tokens belong to it).
-- Revoking the family ends all of it: on code replay, refresh-token reuse,
-- revocation, logout.
CREATE TABLE token_families (
    id          TEXT   PRIMARY KEY,
    client_id   TEXT   NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id     TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id  TEXT,
    scopes      TEXT   NOT NULL,
    auth_time   BIGINT NOT NULL,
    amr         TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE INDEX token_families_user_client_idx ON token_families (user_id, client_id);
CREATE INDEX token_families_session_idx ON token_families (session_id);

-- Authorization codes, by hash; single use, short-lived, bound to the
-- client, redirect URI and PKCE challenge.
CREATE TABLE authorization_codes (
    code_hash             TEXT   PRIMARY KEY,
    family_id             TEXT   NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    client_id             TEXT   NOT NULL,
    redirect_uri          TEXT   NOT NULL,
    code_challenge        TEXT,
    nonce                 TEXT,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    consumed_at           BIGINT
);

-- Refresh tokens, by hash. Rotated on every use: the old one gets
-- rotated_at; presenting a rotated one revokes its family.
CREATE TABLE refresh_tokens (
    token_hash  TEXT   PRIMARY KEY,
    family_id   TEXT   NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    rotated_at  BIGINT
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
