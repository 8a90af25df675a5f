//! Scopes (RFC 6749 §3.3): a space-delimited set; order does not matter,
//! duplicates mean nothing. The OpenID Connect scopes need a user and are
//! refused where there is none (client credentials).

use sanus_core::clients::scope_token_is_valid;

use super::error::OAuthError;

/// Scopes that describe a user: only the authorization code flow grants
/// them. One list with the scopes any client may be allowed.
pub const USER_SCOPES: [&str; 12] = sanus_core::applications::manage::PERSON_SCOPES;

/// A parsed scope parameter, in first-seen order, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    pub fn parse(value: &str) -> Result<Self, OAuthError> {
        let mut scopes: Vec<String> = Vec::new();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            if !scope_token_is_valid(token) {
                return Err(OAuthError::invalid_scope("The scope parameter is malformed."));
            }
            if !scopes.iter().any(|s| s == token) {
                scopes.push(token.to_string());
            }
        }
        Ok(Self(scopes))
    }

    pub fn from_vec(scopes: Vec<String>) -> Self {
        Self(scopes)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `scope` string of responses and tokens.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }

    pub fn as_vec(&self) -> &[String] {
        &self.0
    }

    /// The audiences the scopes name: the short key before the first `_` of
    /// each application scope (`tstapp_data.read` → `tstapp`).
    pub fn audiences(&self) -> Vec<String> {
        let mut audiences: Vec<String> = Vec::new();
        // The scopes of people (`tenant_ids`, `permissions_app` …) name no application.
        for scope in self.0.iter().filter(|scope| !USER_SCOPES.contains(&scope.as_str())) {
            if let Some((prefix, rest)) = scope.split_once('_')
                && !rest.is_empty()
                && sanus_core::applications::ShortKey::parse(prefix).is_ok()
                && !audiences.iter().any(|a| a == prefix)
            {
                audiences.push(prefix.to_string());
            }
        }
        audiences
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_people_scopes_hold_every_scope_with_claims_of_people() {
        let claimed = super::super::tenant_claims::SCOPES.iter().chain(&super::super::profession_claims::SCOPES);
        for scope in claimed.chain(&["openid", "profile", "email", "offline_access", "offline"]) {
            assert!(USER_SCOPES.contains(scope), "{scope}");
        }
    }

    #[test]
    fn parsing_dedupes_and_refuses_malformed_tokens() {
        let scopes = Scopes::parse("openid  tstapp_data.read openid").unwrap();
        assert_eq!(scopes.joined(), "openid tstapp_data.read");
        assert!(Scopes::parse("a \"b\"").is_err());
        assert!(Scopes::parse("").unwrap().is_empty());
    }

    #[test]
    fn audiences_come_from_application_prefixes() {
        let scopes =
            Scopes::parse("openid tenant_ids permissions_app tstapp_data.read tstapp_admin other_x 1bad_x").unwrap();
        assert_eq!(scopes.audiences(), ["tstapp", "other"]);
    }
}
