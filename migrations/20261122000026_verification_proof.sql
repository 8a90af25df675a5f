-- SHA-256 of a cookie of the browser that proved the password (at
-- registration or sign-in): only there may confirming the address sign the
-- person in, or confirm a never-confirmed account without its password.
ALTER TABLE email_verifications ADD COLUMN proof_hash TEXT;
