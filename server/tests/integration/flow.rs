//! A browser for the authorization code flow: reqwest with a cookie jar,
//! following nothing by itself, so each step can be checked.

use base64::Engine as _;
use serde_json::Value;

use crate::helpers::{JANE, JANE_PASSWORD, TestApp};

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const CALLBACK: &str = "https://app.acme.example/callback";

/// The usual request of the `spa` client, as (name, value) pairs.
pub fn spa_request() -> Vec<(&'static str, String)> {
    vec![
        ("client_id", "spa".into()),
        ("redirect_uri", CALLBACK.into()),
        ("response_type", "code".into()),
        ("scope", "openid profile email offline_access".into()),
        ("state", "st-123".into()),
        ("nonce", "n-456".into()),
        ("code_challenge", CHALLENGE.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

pub fn with(
    mut params: Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<&str>,
) -> Vec<(&'static str, String)> {
    params.retain(|(n, _)| *n != name);
    if let Some(value) = value {
        params.push((name, value.to_string()));
    }
    params
}

pub fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "expected a redirect");
    response.headers()["location"].to_str().unwrap().to_string()
}

/// The query (or fragment) parameters of a redirect to the client.
pub fn params_of(url: &str) -> std::collections::HashMap<String, String> {
    let parsed = url::Url::parse(url).unwrap();
    let pairs = parsed.fragment().map_or_else(|| parsed.query().unwrap_or_default().to_string(), str::to_owned);
    url::form_urlencoded::parse(pairs.as_bytes()).into_owned().collect()
}

impl TestApp {
    pub async fn authorize(&self, params: &[(&'static str, String)]) -> reqwest::Response {
        self.client.get(self.url("/authorize")).query(params).send().await.unwrap()
    }

    pub async fn sign_in(&self, interaction: &str, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url(&format!("{interaction}/login")))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    pub async fn decide(&self, interaction: &str, decision: &str) -> reqwest::Response {
        self.client
            .post(self.url(&format!("{interaction}/consent")))
            .form(&[("decision", decision)])
            .send()
            .await
            .unwrap()
    }

    /// From `/authorize` to the client's callback: sign in as Jane (if
    /// asked) and allow (if asked). Returns the callback URL.
    pub async fn run_flow(&self, params: &[(&'static str, String)]) -> String {
        let mut next = location(&self.authorize(params).await);
        for _ in 0..6 {
            if !next.starts_with('/') {
                return next;
            }
            if next.starts_with("/interaction/") {
                let page = self.get(&next).await.text().await.unwrap();
                let response = if page.contains(&format!("action=\"{next}/login\"")) {
                    self.sign_in(&next, JANE, JANE_PASSWORD).await
                } else {
                    assert!(page.contains(&format!("action=\"{next}/consent\"")), "{page}");
                    self.decide(&next, "allow").await
                };
                next = location(&response);
            } else {
                next = location(&self.client.get(self.url(&next)).send().await.unwrap());
            }
        }
        panic!("the flow did not reach the client: {next}");
    }

    /// Exchanges a code as the public `spa` client.
    pub async fn exchange(&self, code: &str, verifier: &str) -> reqwest::Response {
        self.client
            .post(self.url("/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", verifier),
                ("client_id", "spa"),
            ])
            .send()
            .await
            .unwrap()
    }

    pub async fn refresh(&self, token: &str) -> reqwest::Response {
        self.client
            .post(self.url("/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", "spa")])
            .send()
            .await
            .unwrap()
    }

    pub async fn userinfo(&self, access_token: &str) -> reqwest::Response {
        self.client.get(self.url("/userinfo")).bearer_auth(access_token).send().await.unwrap()
    }
}

pub fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}
