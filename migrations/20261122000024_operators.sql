-- Operators: accounts that may see what runs the service (the development
-- outbox for now; the operator console grows from here). Granted and
-- revoked only on the command line (`sanus admin grant EMAIL`).
CREATE TABLE operators (
    user_id    TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_at BIGINT NOT NULL
);
