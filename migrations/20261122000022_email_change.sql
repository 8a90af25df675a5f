-- A verification may prove a new address the account wants to move to:
-- confirming it changes the account's address (if nobody took it meanwhile).
ALTER TABLE email_verifications ADD COLUMN new_email TEXT;
