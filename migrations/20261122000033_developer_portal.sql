-- The developer portal: the API scopes an application defines, and the
-- clients deleted lately, whose tokens must stop working at once.

-- An application's own API scope (`tstapp_data.read`): clients of the
-- application may be allowed it, and access tokens carry it.
CREATE TABLE application_scopes (
    id             TEXT   PRIMARY KEY,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    name           TEXT   NOT NULL,
    description    TEXT,
    created_at     BIGINT NOT NULL,
    CONSTRAINT application_scopes_name_key UNIQUE (name)
);

CREATE INDEX application_scopes_application_idx ON application_scopes (application_id);

-- A deleted client: every access token it was issued up to shortly after
-- `revoked_at` is refused until `expires_at` (the longest token lifetime).
CREATE TABLE revoked_clients (
    client_id  TEXT   PRIMARY KEY,
    revoked_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX revoked_clients_expires_idx ON revoked_clients (expires_at);
