-- Platform roles: what an account may do across the whole service, beyond
-- its own account. operator: runs Sanus (the /admin pages); verifier:
-- decides health-professional verifications. Granted and revoked only on
-- the command line (`sanus admin grant EMAIL ROLE`).
CREATE TABLE platform_roles (
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT   NOT NULL CHECK (role IN ('operator', 'verifier')),
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, role)
);
