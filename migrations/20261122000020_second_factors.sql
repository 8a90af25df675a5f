-- Second factors. A TOTP secret must be read back to check codes, so it is
-- sealed under the key-encryption key (like private signing keys), with the
-- account id as associated data; unconfirmed until a first correct code.
-- last_used_step: the newest 30-second step a code was accepted for, so
-- that no code works twice.
CREATE TABLE totp_credentials (
    user_id        TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed  TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    confirmed_at   BIGINT,
    last_used_step BIGINT NOT NULL DEFAULT 0
);

-- Recovery codes: ten at a time, single use, only their SHA-256 stored.
CREATE TABLE recovery_codes (
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right and that waits for its second
-- factor: the browser holds a random token (a cookie), the table its
-- SHA-256. Ten minutes; five wrong codes end it.
CREATE TABLE pending_second_factors (
    token_hash     TEXT   PRIMARY KEY,
    user_id        TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interaction_id TEXT,
    return_to      TEXT,
    failures       BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
