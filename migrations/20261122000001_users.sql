-- Accounts. One row per person; the e-mail is unique case-insensitively
-- through its normalised form. Portable between SQLite and PostgreSQL;
-- flags are SMALLINT 0/1 because sqlx's Any driver cannot read SQLite BOOLEAN.
CREATE TABLE users (
    id               TEXT    PRIMARY KEY,
    email            TEXT    NOT NULL,
    email_normalized TEXT    NOT NULL,
    email_verified   SMALLINT NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    given_name       TEXT,
    family_name      TEXT,
    middle_name      TEXT,
    display_name     TEXT,
    locale           TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    CONSTRAINT users_email_normalized_key UNIQUE (email_normalized)
);
