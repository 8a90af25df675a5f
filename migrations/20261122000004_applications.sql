-- Applications: owned by a (development) tenant, named by a short key that
-- prefixes every permission, role and scope they define.
CREATE TABLE applications (
    id          TEXT   PRIMARY KEY,
    tenant_id   TEXT   NOT NULL REFERENCES tenants (id),
    short_key   TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    description TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT applications_short_key_key UNIQUE (short_key)
);

CREATE INDEX applications_tenant_id_idx ON applications (tenant_id);
