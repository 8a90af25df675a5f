-- The account's name as it was when a profile was submitted for
-- verification: what the verifier compares with the documents. A rename
-- while the case waits then shows on the case page, instead of the
-- documents being checked against a name given later. JSON
-- (`{"given_name": …, "family_name": …}`); NULL for cases submitted before
-- it was recorded.
ALTER TABLE verification_cases ADD COLUMN submitted_name TEXT;
