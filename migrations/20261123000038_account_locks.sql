-- Accounts an operator locked: no sign-in of any kind while a row exists.
-- Locking also ends the account's sessions and grants (in code, in the same
-- transaction); unlocking deletes the row.
CREATE TABLE account_locks (
    user_id   TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    locked_at BIGINT NOT NULL,
    -- The operator who locked it; NULL once that account is gone.
    locked_by TEXT   REFERENCES users (id) ON DELETE SET NULL,
    reason    TEXT   NOT NULL
);

-- The audit log read by the operator console's filters.
CREATE INDEX audit_events_kind_idx ON audit_events (kind, at);
CREATE INDEX audit_events_client_idx ON audit_events (client_id, at);
