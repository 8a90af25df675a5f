//! Which user claims each scope releases (OIDC Core §5.4), for the ID
//! token and the UserInfo response alike.

use sanus_core::users::User;
use serde_json::{Map, Value, json};

/// `sub` plus the claims of `profile` and `email` when granted.
pub fn user_claims(user: &User, scopes: &[String]) -> Map<String, Value> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id.as_str()));
    if has("profile") {
        let name = match (&user.given_name, &user.family_name) {
            (Some(given), Some(family)) => Some(format!("{given} {family}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        };
        if let Some(name) = name {
            claims.insert("name".into(), json!(name));
        }
        if let Some(given) = &user.given_name {
            claims.insert("given_name".into(), json!(given));
        }
        if let Some(family) = &user.family_name {
            claims.insert("family_name".into(), json!(family));
        }
        claims.insert("locale".into(), json!(user.locale));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email));
        claims.insert("email_verified".into(), json!(user.email_verified));
    }
    claims
}
