-- Health-professional profiles, the evidence people upload for them, the
-- cases verifiers decide, and which profile fields each app may receive.

-- One per person who declared a profession. `fields` is a JSON object of
-- field id → value, every value checked by the catalogue's rules.
-- `state`: unverified | validated | pending | verified | rejected.
CREATE TABLE professional_profiles (
    user_id        TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    profession     TEXT   NOT NULL,
    fields         TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    -- The case behind `pending`, `verified` and `rejected`.
    case_id        TEXT,
    verified_at    BIGINT,
    verified_until BIGINT,
    updated_at     BIGINT NOT NULL
);

-- The hourly sweep finds verifications that ran out.
CREATE INDEX professional_profiles_verified_until_idx ON professional_profiles (verified_until);

-- Files proving a profile (PDF, PNG, JPEG; at most 10 MB each). Kept in
-- the database so that every instance serves them; base64 so that one
-- column type fits both engines.
CREATE TABLE profile_evidence (
    id             TEXT   PRIMARY KEY,
    user_id        TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name      TEXT   NOT NULL,
    media_type     TEXT   NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT   NOT NULL,
    content_base64 TEXT   NOT NULL,
    uploaded_at    BIGINT NOT NULL
);

CREATE INDEX profile_evidence_user_idx ON profile_evidence (user_id, uploaded_at);

-- A submission for manual verification: what was submitted (a snapshot of
-- the profile), and how it ended. `state`: pending | verified | rejected |
-- withdrawn (the person changed the profile while it waited).
CREATE TABLE verification_cases (
    id           TEXT   PRIMARY KEY,
    user_id      TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    profession   TEXT   NOT NULL,
    fields       TEXT   NOT NULL,
    state        TEXT   NOT NULL,
    submitted_at BIGINT NOT NULL,
    decided_at   BIGINT,
    reason       TEXT
);

CREATE INDEX verification_cases_queue_idx ON verification_cases (state, submitted_at);
CREATE INDEX verification_cases_user_idx ON verification_cases (user_id, submitted_at);

-- Each verifier's decision on a case (with four-eyes approval, two
-- approvals by different verifiers). The verifier's id stays when their
-- account goes, like the audit log.
CREATE TABLE verification_decisions (
    case_id     TEXT   NOT NULL REFERENCES verification_cases (id) ON DELETE CASCADE,
    verifier_id TEXT   NOT NULL,
    decision    TEXT   NOT NULL,
    reason      TEXT,
    decided_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, verifier_id)
);

-- What the person decided, per profile field, for this client: a JSON
-- object of field id → shared (true) or withheld (false). A field not in
-- it was never offered, so the consent screen asks again.
ALTER TABLE consents ADD COLUMN profile_fields TEXT;
