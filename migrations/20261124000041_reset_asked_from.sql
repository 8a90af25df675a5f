-- The network a reset link was asked for from (the throttle key of its
-- reset-request count; NULL when no such request was counted: an operator's
-- forced reset, a registration with a taken address). Once the link is
-- used, that network gets the request back: people behind one NAT do not
-- wait for each other's resets, and whoever asks for other people's links,
-- which they never receive, gets nothing back.
ALTER TABLE password_resets ADD COLUMN asked_from TEXT;
