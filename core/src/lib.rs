//! Sanus core: the domain types and rules of the identity provider and their
//! storage. Free of Leptos and HTTP, so that the UI's server functions, the
//! management API and the protocol handlers all ask the same functions.

pub mod account;
pub mod admin;
pub mod applications;
pub mod audit;
pub mod clients;
pub mod clock;
pub mod consents;
pub mod email_verification;
pub mod export;
pub mod html;
pub mod import;
pub mod interactions;
pub mod keys;
pub mod mail;
pub mod mfa;
pub mod organizations;
pub mod pairwise;
pub mod passkeys;
pub mod password;
pub mod password_policy;
pub mod password_resets;
pub mod pkce;
pub mod platform_roles;
pub mod professions;
pub mod random;
pub mod registration;
pub mod retention;
pub mod sessions;
pub mod store;
pub mod tenants;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod validation;

pub use clock::{Clock, SystemClock, UnixTime};
pub use store::{Engine, Store, StoreError};
