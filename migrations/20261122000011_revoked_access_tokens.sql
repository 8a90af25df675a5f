-- Access tokens revoked before they expire (RFC 7009), by their jti, for
-- tokens outside a family (client credentials). Rows can go once expired.
CREATE TABLE revoked_access_tokens (
    jti        TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
