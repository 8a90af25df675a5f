//! Integration tests: the real application on port 0 with a fresh database,
//! driven over HTTP. Tests that touch storage run on SQLite and PostgreSQL
//! (`sqlite::…` and `postgres::…`), see `sanus_core::engine_tests!`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account;
mod api_contract;
mod assets;
mod cli;
mod client_assertion;
mod code_flow;
mod console;
mod developer_api;
mod dynamic_registration;
mod flow;
mod health;
mod helpers;
mod jwks;
mod locale;
mod management_api;
mod metrics;
mod mfa;
mod operator;
mod organization_claims;
mod organizations;
mod pairwise;
mod passkeys;
mod password_grant;
mod password_reset;
mod portal;
mod professions;
mod registration;
mod scale_out;
mod security;
mod shutdown;
mod tenant_context;
mod token;
mod tokens_flow;
mod ui;
