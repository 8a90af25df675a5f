-- Organisations: who belongs to which tenant with which roles, the roles
-- and permissions applications define, invitations, and licenses.

-- A person in a tenant. Their roles (member_roles) apply to this tenant and
-- to every department below it.
CREATE TABLE memberships (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE INDEX memberships_user_id_idx ON memberships (user_id);

-- What an application's API lets one do (`tstapp_data.read`). Never
-- assigned directly: roles bundle them.
CREATE TABLE application_permissions (
    id             TEXT   PRIMARY KEY,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    name           TEXT   NOT NULL,
    description    TEXT,
    created_at     BIGINT NOT NULL,
    CONSTRAINT application_permissions_name_key UNIQUE (name)
);

CREATE INDEX application_permissions_application_idx ON application_permissions (application_id);

-- A bundle of an application's permissions (`tstapp_admin`), assigned to
-- members per tenant.
CREATE TABLE application_roles (
    id             TEXT   PRIMARY KEY,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    name           TEXT   NOT NULL,
    description    TEXT,
    created_at     BIGINT NOT NULL,
    CONSTRAINT application_roles_name_key UNIQUE (name)
);

CREATE INDEX application_roles_application_idx ON application_roles (application_id);

CREATE TABLE application_role_permissions (
    role_id       TEXT NOT NULL REFERENCES application_roles (id) ON DELETE CASCADE,
    permission_id TEXT NOT NULL REFERENCES application_permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
);

-- A member's roles in a tenant: a core role (`admin`, `contributor`,
-- `reader`, `external`; application_role_id NULL) or an application's role
-- (role = its name, application_role_id set, gone with the role).
CREATE TABLE member_roles (
    tenant_id           TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    role                TEXT NOT NULL,
    application_role_id TEXT REFERENCES application_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, user_id, role),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX member_roles_user_idx ON member_roles (user_id);
CREATE INDEX member_roles_tenant_role_idx ON member_roles (tenant_id, role);

-- The tenant a person works in unless an app asks otherwise.
ALTER TABLE users ADD COLUMN default_tenant_id TEXT REFERENCES tenants (id) ON DELETE SET NULL;

-- An e-mail address invited into a tenant with roles (a JSON array of role
-- names). The mailed link's token is stored only as its SHA-256; resending
-- replaces it. Pending: not accepted, not revoked, not expired.
CREATE TABLE invitations (
    id               TEXT   PRIMARY KEY,
    tenant_id        TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email            TEXT   NOT NULL,
    email_normalized TEXT   NOT NULL,
    roles            TEXT   NOT NULL,
    token_hash       TEXT   NOT NULL,
    invited_by       TEXT   REFERENCES users (id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    accepted_at      BIGINT,
    accepted_by      TEXT   REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       BIGINT,
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
);

CREATE INDEX invitations_tenant_idx ON invitations (tenant_id, created_at);

-- An application licensed to a tenant, and the members holding its seats.
CREATE TABLE licenses (
    id             TEXT   PRIMARY KEY,
    tenant_id      TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    plan           TEXT   NOT NULL,
    seats          BIGINT NOT NULL CHECK (seats >= 0),
    valid_from     BIGINT NOT NULL,
    valid_until    BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE INDEX licenses_tenant_idx ON licenses (tenant_id);
CREATE INDEX licenses_application_idx ON licenses (application_id);

CREATE TABLE license_seats (
    license_id  TEXT   NOT NULL REFERENCES licenses (id) ON DELETE CASCADE,
    user_id     TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (license_id, user_id)
);

CREATE INDEX license_seats_user_idx ON license_seats (user_id);

-- The tenant an audited event concerns, so that a tenant's Admins can see
-- their tenant's events.
ALTER TABLE audit_events ADD COLUMN tenant_id TEXT;
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, at);
