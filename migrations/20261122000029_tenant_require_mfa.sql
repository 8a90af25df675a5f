-- An organisation may require a second factor of its members: signing in
-- to an app then needs one (set on the organisation, it covers everyone in
-- it and in its departments).
ALTER TABLE tenants ADD COLUMN require_mfa SMALLINT NOT NULL DEFAULT 0;
