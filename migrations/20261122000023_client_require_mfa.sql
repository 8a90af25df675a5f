-- A client may demand a second factor from everyone who signs in to it.
ALTER TABLE clients ADD COLUMN require_mfa SMALLINT NOT NULL DEFAULT 0 CHECK (require_mfa IN (0, 1));
