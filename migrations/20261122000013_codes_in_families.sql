-- An authorization code starts its family, one to one: it now lives in the
-- family's row, so that issuing a code is one INSERT and redeeming it one
-- UPDATE … RETURNING. Codes live a minute: those in flight are dropped.
ALTER TABLE token_families ADD COLUMN code_hash TEXT;
ALTER TABLE token_families ADD COLUMN redirect_uri TEXT;
ALTER TABLE token_families ADD COLUMN code_challenge TEXT;
ALTER TABLE token_families ADD COLUMN nonce TEXT;
ALTER TABLE token_families ADD COLUMN code_expires_at BIGINT;
ALTER TABLE token_families ADD COLUMN code_consumed_at BIGINT;
CREATE UNIQUE INDEX token_families_code_hash ON token_families (code_hash);
DROP TABLE authorization_codes;
