-- What a verifier reviewed: the documents of a case, as they were when it
-- was submitted. The copy of name and digest stays when the person later
-- removes the file, so the record still says what was looked at.
CREATE TABLE case_evidence (
    case_id     TEXT   NOT NULL REFERENCES verification_cases (id) ON DELETE CASCADE,
    evidence_id TEXT   NOT NULL,
    file_name   TEXT   NOT NULL,
    sha256      TEXT   NOT NULL,
    PRIMARY KEY (case_id, evidence_id)
);

CREATE INDEX case_evidence_evidence_idx ON case_evidence (evidence_id);
