//! Form parameters of protocol requests (RFC 6749 §3.2): URL-encoded, each
//! at most once, empty values treated as absent (RFC 6749 §3.1).

use std::collections::HashMap;

use axum::http::{HeaderMap, header};

use super::error::OAuthError;

#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn from_form(headers: &HeaderMap, body: &[u8]) -> Result<Self, OAuthError> {
        let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        });
        if !form {
            return Err(OAuthError::invalid_request("Send the parameters as application/x-www-form-urlencoded."));
        }
        Self::from_pairs(url::form_urlencoded::parse(body))
    }

    pub fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> Result<Self, OAuthError> {
        let mut map = HashMap::new();
        for (name, value) in pairs {
            if value.is_empty() {
                continue;
            }
            if map.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!("The parameter {name} appears more than once.")));
            }
        }
        Ok(Self(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::invalid_request(format!("The parameter {name} is missing.")))
    }

    /// The parameters as a query string (in name order), without `leave_out`.
    pub fn to_query(&self, leave_out: &[&str]) -> String {
        let mut names: Vec<&String> = self.0.keys().filter(|name| !leave_out.contains(&name.as_str())).collect();
        names.sort();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for name in names {
            query.append_pair(name, &self.0[name]);
        }
        query.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused_and_empty_ones_ignored() {
        let parse = |body: &str| Params::from_pairs(url::form_urlencoded::parse(body.as_bytes()));
        assert!(parse("scope=a&scope=b").is_err());
        let params = parse("grant_type=client_credentials&scope=&x=%20y").unwrap();
        assert_eq!(params.get("grant_type"), Some("client_credentials"));
        assert_eq!(params.get("scope"), None);
        assert_eq!(params.get("x"), Some(" y"));
    }

    #[test]
    fn parameters_go_back_into_a_query_in_name_order() {
        let params = Params::from_pairs(url::form_urlencoded::parse(b"state=a%26b&client_id=c+d&confirm=yes")).unwrap();
        assert_eq!(params.to_query(&["confirm"]), "client_id=c+d&state=a%26b");
        let again = Params::from_pairs(url::form_urlencoded::parse(params.to_query(&[]).as_bytes())).unwrap();
        assert_eq!(again.get("state"), Some("a&b"));
        assert_eq!(again.get("confirm"), Some("yes"));
    }
}
