-- Failed sign-ins, counted per account and per client address (both keys
-- are SHA-256 hashes): past a few failures each one doubles the wait before
-- the next attempt, up to a cap. A success deletes the row.
CREATE TABLE sign_in_throttle (
    key             TEXT   PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until   BIGINT NOT NULL
);

-- Security-relevant events, append-only: what happened, to whom, from
-- where, in which request. Never secrets.
CREATE TABLE audit_events (
    id          TEXT   PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    user_id     TEXT,
    client_id   TEXT,
    address     TEXT,
    request_id  TEXT,
    detail      TEXT   NOT NULL
);

CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, at);
