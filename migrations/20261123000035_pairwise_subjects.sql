-- Pairwise subject identifiers (OpenID Connect Core §8.1): a client may
-- have people's `sub` differ per sector, so that apps of different sectors
-- cannot tell they see the same person.

ALTER TABLE clients ADD COLUMN subject_type TEXT NOT NULL DEFAULT 'public';
ALTER TABLE clients ADD COLUMN sector_identifier_uri TEXT;
-- The sector (a host) of a pairwise client, fixed when it is registered:
-- changing it would change every person's `sub`.
ALTER TABLE clients ADD COLUMN sector TEXT;

-- A person's subject in a sector (a host): random, made on first use, so
-- that it reveals nothing and maps back to the person for UserInfo,
-- introspection and logout.
CREATE TABLE pairwise_subjects (
    sector     TEXT   NOT NULL,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject    TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (sector, user_id),
    CONSTRAINT pairwise_subjects_subject_key UNIQUE (sector, subject)
);
