-- OAuth clients of an application. Lists (redirect URIs, grant types,
-- scopes) are JSON arrays in TEXT; metadata a JSON object. Flags are
-- SMALLINT 0/1. Secrets live in client_secrets, as SHA-256 hashes only.
CREATE TABLE clients (
    id                        TEXT     PRIMARY KEY,
    application_id            TEXT     NOT NULL REFERENCES applications (id),
    kind                      TEXT     NOT NULL CHECK (kind IN ('spa', 'web', 'native', 'm2m')),
    name                      TEXT     NOT NULL,
    description               TEXT,
    logo_uri                  TEXT,
    client_uri                TEXT,
    policy_uri                TEXT,
    tos_uri                   TEXT,
    token_endpoint_auth_method TEXT    NOT NULL,
    redirect_uris             TEXT     NOT NULL,
    post_logout_redirect_uris TEXT     NOT NULL,
    grant_types               TEXT     NOT NULL,
    allowed_scopes            TEXT     NOT NULL,
    require_pkce              SMALLINT NOT NULL CHECK (require_pkce IN (0, 1)),
    first_party               SMALLINT NOT NULL CHECK (first_party IN (0, 1)),
    access_token_ttl          BIGINT   NOT NULL,
    refresh_token_ttl         BIGINT   NOT NULL,
    id_token_signed_response_alg TEXT  NOT NULL,
    service_account_user_id   TEXT     REFERENCES users (id),
    metadata                  TEXT     NOT NULL,
    created_at                BIGINT   NOT NULL,
    updated_at                BIGINT   NOT NULL
);

CREATE INDEX clients_application_id_idx ON clients (application_id);

-- A client may hold two secrets during a rotation's grace period.
CREATE TABLE client_secrets (
    id          TEXT   PRIMARY KEY,
    client_id   TEXT   NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    secret_hash TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT
);

CREATE INDEX client_secrets_client_id_idx ON client_secrets (client_id);

-- Browser origins allowed to call the token endpoint (CORS), one row each
-- so that a preflight finds them by index.
CREATE TABLE client_web_origins (
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    origin    TEXT NOT NULL,
    PRIMARY KEY (client_id, origin)
);

CREATE INDEX client_web_origins_origin_idx ON client_web_origins (origin);
