-- Password sign-in: an argon2id PHC string; NULL for accounts without a password.
ALTER TABLE users ADD COLUMN password_hash TEXT;
