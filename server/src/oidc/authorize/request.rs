//! The authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) as
//! received, before any check: every parameter a string, each at most once.

use serde::{Deserialize, Serialize};

use crate::oidc::params::Params;

/// The parameters Sanus acts on; others are ignored (RFC 6749 §3.1).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RawAuthorizationRequest {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    /// Checked at `/authorize` itself; not kept with the interaction.
    #[serde(skip)]
    pub id_token_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub acr_values: Option<String>,
    pub tenant_hint: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
}

impl RawAuthorizationRequest {
    pub fn from_params(params: &Params) -> Self {
        let get = |name: &str| params.get(name).map(str::to_owned);
        Self {
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            response_type: get("response_type"),
            response_mode: get("response_mode"),
            scope: get("scope"),
            state: get("state"),
            nonce: get("nonce"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
            prompt: get("prompt"),
            max_age: get("max_age"),
            login_hint: get("login_hint"),
            id_token_hint: get("id_token_hint"),
            ui_locales: get("ui_locales"),
            acr_values: get("acr_values"),
            tenant_hint: get("tenant_hint"),
            request: get("request"),
            request_uri: get("request_uri"),
        }
    }
}
