-- Tenants: a root tenant is an organisation (parent_id NULL, root_id = id);
-- departments are child tenants of any depth. root_id makes "everything in
-- this organisation" one indexed lookup; parent_id walks the tree.
CREATE TABLE tenants (
    id          TEXT   PRIMARY KEY,
    parent_id   TEXT   REFERENCES tenants (id),
    root_id     TEXT   NOT NULL REFERENCES tenants (id),
    kind        TEXT   NOT NULL CHECK (kind IN ('organization', 'development')),
    name        TEXT   NOT NULL,
    archived_at BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX tenants_parent_id_idx ON tenants (parent_id);
CREATE INDEX tenants_root_id_idx ON tenants (root_id);
