-- Token signing keys. private_key is the PKCS#8 document sealed with the
-- key-encryption key (AES-256-GCM, base64); it is never stored in clear.
-- A key signs while retired_at is NULL, and stays in the JWKS until
-- unpublish_at, when everything it signed has expired.
CREATE TABLE signing_keys (
    kid          TEXT   PRIMARY KEY,
    alg          TEXT   NOT NULL CHECK (alg IN ('ES256', 'RS256', 'EdDSA')),
    public_jwk   TEXT   NOT NULL,
    private_key  TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT,
    unpublish_at BIGINT
);

CREATE INDEX signing_keys_published_idx ON signing_keys (unpublish_at);
