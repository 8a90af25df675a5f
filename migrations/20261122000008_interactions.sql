-- A pending authorization request while the user signs in or consents.
-- request: the checked authorization request as JSON. browser_hash binds
-- it to the browser that started it (hash of a cookie value).
CREATE TABLE interactions (
    id           TEXT   PRIMARY KEY,
    client_id    TEXT   NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    browser_hash TEXT   NOT NULL,
    request      TEXT   NOT NULL,
    session_id   TEXT   REFERENCES sessions (id) ON DELETE SET NULL,
    login_error  TEXT,
    consented_at BIGINT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    consumed_at  BIGINT
);
