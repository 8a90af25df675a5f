-- The account's claims as they were when the code was issued (JSON), so
-- that redeeming the code needs no second read: issue and redeem are one
-- statement each.
ALTER TABLE token_families ADD COLUMN user_snapshot TEXT;
