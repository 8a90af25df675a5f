-- The few organisations that require a second factor, found by index: the
-- authorization endpoint asks, with every session it reads, whether the
-- person belongs to one of them.
CREATE INDEX tenants_require_mfa_idx ON tenants (require_mfa) WHERE require_mfa = 1;
