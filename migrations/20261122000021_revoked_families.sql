-- Grants whose rows are gone (their account was deleted) but whose access
-- tokens may still be presented: kept until those tokens have expired, so
-- that every instance goes on refusing them.
CREATE TABLE revoked_families (
    family_id  TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
