-- A registration that names an address with an account is answered as if
-- the account were new: a code page, a proof cookie, mails limited as a
-- real account's. Its code was never mailed and can never match; this is
-- what that page needs to behave like a real one (wrong tries counted,
-- resends limited and voiding the earlier page), so that it does not tell
-- whose address has an account. Nothing here names an account.
CREATE TABLE registration_decoys (
    id               TEXT   PRIMARY KEY,
    -- The first decoy of a registration: mails are limited per chain, as
    -- a real account's are.
    chain            TEXT   NOT NULL,
    -- SHA-256 of the proof cookie the registering browser was given.
    proof_hash       TEXT,
    code_expires_at  BIGINT NOT NULL,
    code_failures    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT
);

CREATE INDEX registration_decoys_chain_idx ON registration_decoys (chain, created_at);
