//! The checks of an authorization request, in order (RFC 6749 §4.1.1,
//! §3.1.2; OIDC Core §3.1.2.2; RFC 7636 §4.3; RFC 9700 §2.1). Until the
//! redirect URI is verified, a failure is shown on an error page; after
//! it, the client hears about it at that URI.

use sanus_core::clients::{Client, GrantType};
use serde::{Deserialize, Serialize};

use super::request::RawAuthorizationRequest;
use super::respond::{ResponseMode, ResponseTarget};
use crate::oidc::scope::{Scopes, USER_SCOPES};

/// A request that passed every check, as the interaction stores it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub target: ResponseTarget,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    /// The client demands a second factor, or `acr_values` named the
    /// multi-factor level: a session without one does not count, and
    /// nothing is issued without one.
    #[serde(default)]
    pub require_mfa: bool,
    /// The request asks for an active tenant (the client always does, or
    /// it sent `tenant_hint`): the person picks one unless the hint names
    /// one they can access, or they can access only one.
    #[serde(default)]
    pub tenant_context: bool,
    #[serde(default)]
    pub tenant_hint: Option<String>,
    /// The person an `id_token_hint` named (their `sub` for this client):
    /// whoever signs in, the code is for them only.
    #[serde(default)]
    pub hint_subject: Option<String>,
}

/// OIDC Core §3.1.2.1 `prompt`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// Why the page says no, before the client can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    MissingClientId,
    UnknownClient,
    MissingRedirectUri,
    UnregisteredRedirectUri,
}

#[derive(Debug)]
pub enum AuthorizeError {
    Page(PageError),
    Redirect { target: ResponseTarget, error: &'static str, description: String },
}

fn redirect(target: &ResponseTarget, error: &'static str, description: impl Into<String>) -> AuthorizeError {
    AuthorizeError::Redirect { target: target.clone(), error, description: description.into() }
}

/// The client id, before the client is loaded.
pub fn check_client_id(raw: &RawAuthorizationRequest) -> Result<&str, AuthorizeError> {
    raw.client_id.as_deref().ok_or(AuthorizeError::Page(PageError::MissingClientId))
}

/// Checks everything once the client is known.
pub fn check_request(raw: &RawAuthorizationRequest, client: &Client) -> Result<AuthorizationRequest, AuthorizeError> {
    let target = check_redirect_uri(raw, client)?;
    if raw.request.is_some() {
        return Err(redirect(&target, "request_not_supported", "Request objects are not supported."));
    }
    if raw.request_uri.is_some() {
        return Err(redirect(&target, "request_uri_not_supported", "request_uri is not supported."));
    }
    check_response_type(raw, client, &target)?;
    let scopes = check_scope(raw, client, &target)?;
    let code_challenge = check_pkce(raw, client, &target)?;
    let prompt = check_prompt(raw, &target)?;
    let max_age = check_max_age(raw, &target)?;
    let tenant_hint = check_tenant_hint(raw, &target)?;
    Ok(AuthorizationRequest {
        tenant_context: client.tenant_context || tenant_hint.is_some(),
        tenant_hint,
        client_id: client.id.as_str().to_string(),
        target,
        scopes,
        nonce: raw.nonce.clone(),
        code_challenge,
        prompt,
        max_age,
        login_hint: raw.login_hint.clone(),
        ui_locales: raw.ui_locales.clone(),
        require_mfa: client.require_mfa
            || raw
                .acr_values
                .as_deref()
                .is_some_and(|values| values.split_whitespace().any(|v| v == sanus_core::mfa::ACR_MFA)),
        // Set once the hint is verified (`authorize`).
        hint_subject: None,
    })
}

/// `tenant_hint`: a tenant id (`TenantId::parse`). Whether
/// the person can access it is decided after sign-in.
fn check_tenant_hint(raw: &RawAuthorizationRequest, target: &ResponseTarget) -> Result<Option<String>, AuthorizeError> {
    match raw.tenant_hint.as_deref() {
        None => Ok(None),
        Some(hint) => match sanus_core::tenants::TenantId::parse(hint) {
            Some(id) => Ok(Some(id.as_str().to_string())),
            None => Err(redirect(target, "invalid_request", "tenant_hint is not a tenant id.")),
        },
    }
}

/// RFC 9700 §2.1: exact string match with a registered URI; nothing else.
fn check_redirect_uri(raw: &RawAuthorizationRequest, client: &Client) -> Result<ResponseTarget, AuthorizeError> {
    let uri = raw.redirect_uri.as_deref().ok_or(AuthorizeError::Page(PageError::MissingRedirectUri))?;
    if !client.redirect_uris.iter().any(|registered| registered == uri) {
        return Err(AuthorizeError::Page(PageError::UnregisteredRedirectUri));
    }
    let mut target =
        ResponseTarget { redirect_uri: uri.to_string(), mode: ResponseMode::Query, state: raw.state.clone() };
    match raw.response_mode.as_deref().map(ResponseMode::parse) {
        None => {}
        Some(Some(mode)) => target.mode = mode,
        Some(None) => return Err(redirect(&target, "invalid_request", "Unsupported response_mode.")),
    }
    Ok(target)
}

fn check_response_type(
    raw: &RawAuthorizationRequest,
    client: &Client,
    target: &ResponseTarget,
) -> Result<(), AuthorizeError> {
    match raw.response_type.as_deref() {
        None => Err(redirect(target, "invalid_request", "response_type is missing.")),
        Some("code") if client.allows_grant(GrantType::AuthorizationCode) => Ok(()),
        Some("code") => Err(redirect(target, "unauthorized_client", "This client may not use the code flow.")),
        Some(_) => Err(redirect(target, "unsupported_response_type", "Only response_type=code is supported.")),
    }
}

/// Each scope is an OpenID Connect scope or one the client is allowed.
fn check_scope(
    raw: &RawAuthorizationRequest,
    client: &Client,
    target: &ResponseTarget,
) -> Result<Vec<String>, AuthorizeError> {
    let scopes = Scopes::parse(raw.scope.as_deref().unwrap_or_default())
        .map_err(|_| redirect(target, "invalid_scope", "The scope parameter is malformed."))?;
    for scope in scopes.iter() {
        let known = USER_SCOPES.contains(&scope) || client.allowed_scopes.iter().any(|s| s == scope);
        if !known {
            return Err(redirect(
                target,
                "invalid_scope",
                format!("The scope {scope} is not available to this client."),
            ));
        }
    }
    Ok(scopes.as_vec().to_vec())
}

/// RFC 7636 with S256 only; required unless the client is exempted.
fn check_pkce(
    raw: &RawAuthorizationRequest,
    client: &Client,
    target: &ResponseTarget,
) -> Result<Option<String>, AuthorizeError> {
    match (raw.code_challenge.as_deref(), raw.code_challenge_method.as_deref()) {
        (None, Some(_)) => Err(redirect(target, "invalid_request", "code_challenge_method without code_challenge.")),
        (None, None) if client.require_pkce => Err(redirect(
            target,
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256.",
        )),
        (None, None) => Ok(None),
        (Some(_), method) if method != Some("S256") => {
            Err(redirect(target, "invalid_request", "code_challenge_method must be S256; plain is not supported."))
        }
        (Some(challenge), _) if !sanus_core::pkce::challenge_is_well_formed(challenge) => {
            Err(redirect(target, "invalid_request", "code_challenge must be a base64url SHA-256 (43 characters)."))
        }
        (Some(challenge), _) => Ok(Some(challenge.to_string())),
    }
}

fn check_prompt(raw: &RawAuthorizationRequest, target: &ResponseTarget) -> Result<Prompt, AuthorizeError> {
    let mut prompt = Prompt::default();
    for value in raw.prompt.as_deref().unwrap_or_default().split(' ').filter(|v| !v.is_empty()) {
        match value {
            "none" => prompt.none = true,
            "login" | "select_account" => prompt.login = true,
            "consent" => prompt.consent = true,
            other => return Err(redirect(target, "invalid_request", format!("Unsupported prompt value {other}."))),
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(redirect(target, "invalid_request", "prompt=none cannot be combined with other values."));
    }
    Ok(prompt)
}

fn check_max_age(raw: &RawAuthorizationRequest, target: &ResponseTarget) -> Result<Option<i64>, AuthorizeError> {
    match raw.max_age.as_deref() {
        None => Ok(None),
        Some(value) => match value.parse::<i64>() {
            Ok(seconds) if seconds >= 0 => Ok(Some(seconds)),
            _ => Err(redirect(target, "invalid_request", "max_age must be a non-negative number of seconds.")),
        },
    }
}
