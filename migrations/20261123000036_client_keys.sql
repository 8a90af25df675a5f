-- private_key_jwt client authentication (RFC 7523): the public keys a
-- client signs its assertions with, and the assertions already used.

-- The client's JWK Set (public keys only), as JSON.
ALTER TABLE clients ADD COLUMN jwks TEXT;

-- A client assertion's `jti`, by hash, until the assertion expires: each
-- is accepted once.
CREATE TABLE used_client_assertions (
    jti_hash   TEXT   PRIMARY KEY,
    client_id  TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX used_client_assertions_expires_idx ON used_client_assertions (expires_at);
