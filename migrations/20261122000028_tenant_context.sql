-- The active tenant of an authorization request: a client may ask for one
-- (always, or with `tenant_hint`); the person picks it during the
-- interaction, and the grant keeps it for its tokens (`tenant_id`).
ALTER TABLE clients ADD COLUMN tenant_context SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE interactions ADD COLUMN tenant_id TEXT;
ALTER TABLE token_families ADD COLUMN tenant_id TEXT;
