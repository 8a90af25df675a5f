-- What the account console shows of a session: a short description of the
-- device ("Firefox on Windows"), never the raw User-Agent.
ALTER TABLE sessions ADD COLUMN device TEXT;
