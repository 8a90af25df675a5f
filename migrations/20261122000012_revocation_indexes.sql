-- Each instance keeps the revocations of tokens that may still be live in
-- memory and reads them again every second: families revoked within the
-- longest access-token lifetime, and revoked jtis that have not expired.
CREATE INDEX token_families_revoked_at ON token_families (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);
