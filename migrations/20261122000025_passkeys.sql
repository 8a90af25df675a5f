-- Passkeys (WebAuthn credentials): several per account, named, removable.
-- credential: webauthn-rs' Passkey as JSON (public key, counter; no secret).
CREATE TABLE passkeys (
    id           TEXT   PRIMARY KEY,
    user_id      TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    credential   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- A WebAuthn ceremony between its two requests: the browser holds a random
-- token (a cookie), the table its SHA-256 and the server's state. Five
-- minutes, single use.
CREATE TABLE webauthn_ceremonies (
    token_hash     TEXT   PRIMARY KEY,
    kind           TEXT   NOT NULL CHECK (kind IN ('register', 'sign_in')),
    user_id        TEXT   REFERENCES users (id) ON DELETE CASCADE,
    state          TEXT   NOT NULL,
    interaction_id TEXT,
    return_to      TEXT,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
