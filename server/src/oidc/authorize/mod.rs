//! The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2), as a
//! pipeline: parse → check client → check redirect URI (only from here on
//! may an error go back to the client) → check the rest → load the SSO
//! session → issue a code, or hand over to an interaction (sign-in,
//! consent) and resume afterwards.
//!
//! - `request.rs`: the raw parameters
//! - `checks.rs`: one check per rule
//! - `respond.rs`: query, fragment and form_post responses with `iss`
//! - `GET /authorize/resume/{id}`: `resume` below

pub mod checks;
pub mod request;
pub mod respond;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sanus_core::UnixTime;
use sanus_core::clients::{Client, SecretHash};
use sanus_core::interactions::{Interaction, consume_interaction, find_interaction, insert_interaction};
use sanus_core::sessions::{Session, SignedIn, find_signed_in, find_signed_in_by_id};
use sanus_core::tokens::{CodeGrant, issue_code};

use self::checks::{AuthorizationRequest, AuthorizeError, PageError, check_client_id, check_request};
use self::request::RawAuthorizationRequest;
use crate::http::cookies;
use crate::http::security_headers::CspNonce;
use crate::oidc::params::Params;
use crate::state::AppState;

/// How long a user has to sign in and consent.
pub const INTERACTION_LIFETIME_SECONDS: i64 = 30 * 60;

pub async fn authorize_get(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let params = Params::from_pairs(url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()));
    authorize(&state, params, &headers, &nonce).await
}

pub async fn authorize_post(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::from_form(&headers, &body);
    if let Ok(params) = &params
        && let Some(as_get) =
            crate::oidc::as_get_if_cross_site(&state, &headers, crate::oidc::AUTHORIZE_PATH, params, &[])
    {
        return as_get;
    }
    authorize(&state, params, &headers, &nonce).await
}

async fn authorize(
    state: &AppState,
    params: Result<Params, crate::oidc::error::OAuthError>,
    headers: &HeaderMap,
    nonce: &CspNonce,
) -> Response {
    // A repeated or unparsable parameter: nothing in it can be trusted yet.
    let Ok(params) = params else {
        return error_page(state, headers, PageError::MissingClientId);
    };
    let raw = RawAuthorizationRequest::from_params(&params);
    let client = match check_client_id(&raw) {
        Ok(client_id) => match state.find_client(client_id).await {
            Ok(Some(client)) => client,
            Ok(None) => return error_page(state, headers, PageError::UnknownClient),
            Err(error) => return server_error_page(state, headers, &error),
        },
        Err(AuthorizeError::Page(error)) => return error_page(state, headers, error),
        Err(AuthorizeError::Redirect { .. }) => return error_page(state, headers, PageError::MissingClientId),
    };
    let mut request = match check_request(&raw, &client) {
        Ok(request) => request,
        Err(AuthorizeError::Page(error)) => return error_page(state, headers, error),
        Err(AuthorizeError::Redirect { target, error, description }) => {
            return target.error(issuer(state), error, &description, nonce.as_str());
        }
    };
    // The person the client takes to be signed in (OIDC Core §3.1.2.1).
    let hint = match raw.id_token_hint.as_deref() {
        None => None,
        Some(token) => match crate::oidc::id_token_hint::verify(state, token).await {
            Some(hint) if hint.aud == client.id.as_str() => {
                request.hint_subject = Some(hint.sub.clone());
                Some(hint)
            }
            _ => {
                let description = "The id_token_hint is not an ID token that this server issued to this client.";
                return request.target.error(issuer(state), "invalid_request", description, nonce.as_str());
            }
        },
    };
    let now = state.clock.now();
    // The session, its account and its consent to this client: one query,
    // unless `prompt=login` asks for a sign-in whatever session there is.
    let signed_in = if request.prompt.login {
        None
    } else {
        match current_session(state, headers, &client, now).await {
            Ok(signed_in) => signed_in,
            Err(error) => return server_error_page(state, headers, &error),
        }
    };
    // Someone else than the hint names is signed in: as if nobody were
    // (`prompt=none` gets `login_required`).
    let signed_in = match (signed_in, &hint) {
        (Some(signed_in), Some(hint)) => match hint.names(state, &client, &signed_in.user.id).await {
            Ok(true) => Some(signed_in),
            Ok(false) => None,
            Err(error) => return server_error_page(state, headers, &error),
        },
        (signed_in, _) => signed_in,
    };
    let signed_in = signed_in.filter(|s| {
        within_max_age(&request, &s.session, now)
            && (!(request.require_mfa || s.organisation_requires_mfa)
                || sanus_core::mfa::is_multi_factor(&s.session.amr))
    });
    // "Last used" in the account console, written at most every five minutes.
    if let Some(signed_in) = &signed_in
        && let Err(error) = sanus_core::account::touch_session(&state.store, &signed_in.session, now).await
    {
        tracing::warn!(%error, "cannot note the session's use");
    }
    let session = signed_in.as_ref().map(|s| &s.session);
    let consent = Consent::Known(signed_in.as_ref().and_then(|s| s.consent.as_deref()));
    match next_step(state, &client, &request, session, consent, None).await {
        Ok(Next::Issue { tenant }) => match &signed_in {
            Some(signed_in) => {
                issue(state, &request, &signed_in.session, Some(&signed_in.user), tenant, nonce, now).await
            }
            None => server_error_page(state, headers, &"no session to issue a code for"),
        },
        Ok(step) if request.prompt.none => {
            let (error, description) = match step {
                Next::Login => ("login_required", "The user is not signed in."),
                Next::ChooseTenant => ("interaction_required", "The user has to choose a tenant."),
                _ => ("consent_required", "The user has not consented to this client."),
            };
            request.target.error(issuer(state), error, description, nonce.as_str())
        }
        Ok(_) => start_interaction(state, headers, &request, session, now).await,
        Err(error) => server_error_page(state, headers, &error),
    }
}

/// What the user allowed the client before: read with the session, or
/// still to be read; `Given` when they agreed in this interaction.
pub enum Consent<'a> {
    Known(Option<&'a [String]>),
    Unknown,
    Given,
}

/// What the request still needs.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Login,
    Consent,
    /// The request asks for an active tenant and the person has several.
    ChooseTenant,
    /// Ready: the code carries this active tenant.
    Issue {
        tenant: Option<String>,
    },
}

/// Login when there is no session; consent unless the client is first
/// party (and asks for no professional data) or every scope was allowed
/// before and every filled-in profile field asked for was decided on (and
/// the request did not ask to be asked again), or the user just agreed in
/// this interaction; then
/// the active tenant when the request asks for one (`chosen`: picked in
/// this interaction).
pub async fn next_step(
    state: &AppState,
    client: &Client,
    request: &AuthorizationRequest,
    session: Option<&Session>,
    consent: Consent<'_>,
    chosen: Option<&str>,
) -> Result<Next, sanus_core::StoreError> {
    let Some(session) = session else { return Ok(Next::Login) };
    match consent_step(state, client, request, session, consent).await? {
        Next::Issue { .. } => tenant_step(state, request, session, chosen).await,
        other => Ok(other),
    }
}

/// The active tenant: the one picked, else the hinted one, else the only
/// one the person can access; none when they can access none; otherwise
/// the person chooses. Only tenants they can access count.
async fn tenant_step(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &Session,
    chosen: Option<&str>,
) -> Result<Next, sanus_core::StoreError> {
    if !request.tenant_context {
        return Ok(Next::Issue { tenant: None });
    }
    let reach = sanus_core::organizations::reach(&state.store, &session.user_id).await?;
    let usable = |id: &&str| reach.get(&sanus_core::tenants::TenantId::from_stored(id.to_string())).is_some();
    if let Some(tenant) = chosen.filter(usable).or_else(|| request.tenant_hint.as_deref().filter(usable)) {
        return Ok(Next::Issue { tenant: Some(tenant.to_string()) });
    }
    Ok(match reach.tenants.as_slice() {
        [] => Next::Issue { tenant: None },
        [only] => Next::Issue { tenant: Some(only.id.to_string()) },
        _ => Next::ChooseTenant,
    })
}

async fn consent_step(
    state: &AppState,
    client: &Client,
    request: &AuthorizationRequest,
    session: &Session,
    consent: Consent<'_>,
) -> Result<Next, sanus_core::StoreError> {
    let professional = crate::oidc::profession_claims::requested(&request.scopes);
    if matches!(consent, Consent::Given) || (client.first_party && !professional) {
        return Ok(Next::Issue { tenant: None });
    }
    if request.prompt.consent {
        return Ok(Next::Consent);
    }
    let fetched;
    let allowed = match consent {
        Consent::Known(allowed) => allowed,
        // `Given` was answered above.
        Consent::Unknown | Consent::Given => {
            fetched =
                sanus_core::consents::find_consent(&state.store, session.user_id.as_str(), client.id.as_str()).await?;
            fetched.as_deref()
        }
    };
    let covered = allowed.is_some_and(|allowed| request.scopes.iter().all(|s| allowed.contains(s)));
    if !covered {
        return Ok(Next::Consent);
    }
    let offers = crate::oidc::profession_claims::offers(
        state,
        &session.user_id,
        client.id.as_str(),
        &request.scopes,
        state.clock.now(),
    )
    .await?;
    let undecided = offers.iter().any(|offer| offer.decided.is_none());
    Ok(if undecided { Next::Consent } else { Next::Issue { tenant: None } })
}

/// OIDC Core §3.1.2.1 `max_age`: an older sign-in does not count.
fn within_max_age(request: &AuthorizationRequest, session: &Session, now: UnixTime) -> bool {
    request.max_age.is_none_or(|max_age| now.seconds() - session.auth_time.seconds() <= max_age)
}

pub fn issuer(state: &AppState) -> &str {
    state.settings.server.public_url.as_str()
}

async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
    client: &Client,
    now: UnixTime,
) -> Result<Option<SignedIn>, sanus_core::StoreError> {
    match cookies::read(state, headers, cookies::SESSION) {
        Some(token) => find_signed_in(&state.store, &token, client.id.as_str(), now).await,
        None => Ok(None),
    }
}

/// Stores the request and sends the browser to the interaction page.
async fn start_interaction(
    state: &AppState,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    session: Option<&Session>,
    now: UnixTime,
) -> Response {
    let existing = cookies::read(state, headers, cookies::BROWSER);
    let browser = existing.clone().unwrap_or_else(|| sanus_core::random::url_safe(32));
    let Ok(json) = serde_json::to_string(request) else {
        return server_error_page(state, headers, &"cannot store the request");
    };
    let interaction = insert_interaction(
        &state.store,
        &request.client_id,
        SecretHash::of(browser.as_bytes()).as_str(),
        &json,
        session.map(|s| s.id.as_str()),
        now,
        INTERACTION_LIFETIME_SECONDS,
    )
    .await;
    let interaction = match interaction {
        Ok(interaction) => interaction,
        Err(error) => return server_error_page(state, headers, &error),
    };
    let mut response = see_other(&format!("/interaction/{}", interaction.id));
    if existing.is_none()
        && let Some(cookie) = cookies::set(state, cookies::BROWSER, &browser, Some(365 * 86_400))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Issues the code and answers the client. With the account at hand, its
/// claims travel with the code, so redeeming it needs no second read.
async fn issue(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &Session,
    user: Option<&sanus_core::users::User>,
    tenant: Option<String>,
    nonce: &CspNonce,
    now: UnixTime,
) -> Response {
    let grant = CodeGrant {
        client_id: request.client_id.clone(),
        user_id: session.user_id.clone(),
        session_id: Some(session.id.clone()),
        scopes: request.scopes.clone(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        redirect_uri: request.target.redirect_uri.clone(),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        user_snapshot: user.map(sanus_core::users::User::to_snapshot),
        tenant_id: tenant,
    };
    match issue_code(&state.store, &grant, now).await {
        Ok(code) => request.target.code(issuer(state), &code, nonce.as_str()),
        Err(error) => {
            tracing::error!(%error, "cannot issue an authorization code");
            request.target.error(issuer(state), "server_error", "Please try again later.", nonce.as_str())
        }
    }
}

/// `GET /authorize/resume/{id}`: after sign-in and consent, finish the request.
pub async fn resume(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let (interaction, request) = match load_interaction(&state, &headers, &id, now).await {
        Ok(Some(found)) => found,
        Ok(None) => return expired_page(&state, &headers),
        Err(error) => return server_error_page(&state, &headers, &error),
    };
    let client = match state.find_client(&request.client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return error_page(&state, &headers, PageError::UnknownClient),
        Err(error) => return server_error_page(&state, &headers, &error),
    };
    // The session the interaction's sign-in started, its account and its
    // consent to this client: one query.
    let signed_in = match &interaction.session_id {
        Some(session_id) => match find_signed_in_by_id(&state.store, session_id, client.id.as_str(), now).await {
            Ok(signed_in) => signed_in,
            Err(error) => return server_error_page(&state, &headers, &error),
        },
        None => None,
    };
    // Asked for a second factor (by the app, or by an organisation the person
    // belongs to), signed in without one (the account has none): the client
    // learns it cannot be met, before any consent is asked.
    if let Some(signed_in) = &signed_in
        && (request.require_mfa || signed_in.organisation_requires_mfa)
        && !sanus_core::mfa::is_multi_factor(&signed_in.session.amr)
    {
        let description =
            "A second factor is required; the account has to set up an authenticator app or a passkey first.";
        return refuse_interaction(
            &state,
            &headers,
            &id,
            &request,
            ("unmet_authentication_requirements", description),
            &nonce,
        )
        .await;
    }
    let consent = match &signed_in {
        _ if interaction.consented => Consent::Given,
        Some(signed_in) => Consent::Known(signed_in.consent.as_deref()),
        None => Consent::Unknown,
    };
    let session = signed_in.as_ref().map(|s| &s.session);
    let tenant = match next_step(&state, &client, &request, session, consent, interaction.tenant_id.as_deref()).await {
        Ok(Next::Issue { tenant }) => tenant,
        Ok(_) => return see_other(&format!("/interaction/{id}")),
        Err(error) => return server_error_page(&state, &headers, &error),
    };
    let Some(SignedIn { session, user, .. }) = signed_in else { return see_other(&format!("/interaction/{id}")) };
    // Signed in as someone else than the client's hint named: not for them
    // (OIDC Core §3.1.2.1).
    if let Some(hinted) = &request.hint_subject {
        match crate::oidc::id_token_hint::is_subject(&state, &client, &session.user_id, hinted).await {
            Ok(true) => {}
            Ok(false) => {
                let error = ("login_required", "Someone else than the id_token_hint names signed in.");
                return refuse_interaction(&state, &headers, &id, &request, error, &nonce).await;
            }
            Err(error) => return server_error_page(&state, &headers, &error),
        }
    }
    match consume_interaction(&state.store, &id, now).await {
        Ok(true) => issue(&state, &request, &session, Some(&user), tenant, &nonce, now).await,
        Ok(false) => expired_page(&state, &headers),
        Err(error) => server_error_page(&state, &headers, &error),
    }
}

/// Ends interaction `id` with `error` (code, description) for the client;
/// the expired page if it was used up meanwhile.
async fn refuse_interaction(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    request: &AuthorizationRequest,
    (error, description): (&str, &str),
    nonce: &CspNonce,
) -> Response {
    match consume_interaction(&state.store, id, state.clock.now()).await {
        Ok(true) => request.target.error(issuer(state), error, description, nonce.as_str()),
        Ok(false) => expired_page(state, headers),
        Err(error) => server_error_page(state, headers, &error),
    }
}

/// The interaction with this id, if it is alive and was started by this
/// browser; with its stored request.
pub async fn load_interaction(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    now: UnixTime,
) -> Result<Option<(Interaction, AuthorizationRequest)>, sanus_core::StoreError> {
    let Some(interaction) = find_interaction(&state.store, id, now).await? else { return Ok(None) };
    let browser = cookies::read(state, headers, cookies::BROWSER).unwrap_or_default();
    if !SecretHash::of(browser.as_bytes()).matches(&SecretHash::from_stored(interaction.browser_hash.clone())) {
        return Ok(None);
    }
    let Ok(request) = serde_json::from_str::<AuthorizationRequest>(&interaction.request) else { return Ok(None) };
    Ok(Some((interaction, request)))
}

pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page shown when the client cannot be told (RFC 6749 §4.1.2.1: never
/// redirect to an unverified URI).
pub fn error_page(state: &AppState, headers: &HeaderMap, error: PageError) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let message = match error {
        PageError::UnknownClient => t.flow_error_unknown_client,
        PageError::UnregisteredRedirectUri => t.flow_error_redirect,
        PageError::MissingClientId | PageError::MissingRedirectUri => t.flow_error_malformed,
    };
    flow_page(state, headers, StatusCode::BAD_REQUEST, message)
}

pub fn expired_page(state: &AppState, headers: &HeaderMap) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    flow_page(state, headers, StatusCode::BAD_REQUEST, t.flow_error_expired)
}

/// Our failure, not the application's: "try again in a moment" (503).
fn server_error_page(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "authorization request failed");
    crate::http::unavailable_page(state, headers)
}

fn flow_page(state: &AppState, headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let body = format!(
        "<p class=\"mt-4 text-slate-700\">{message}</p><p class=\"mt-4 text-slate-700\">{}</p>",
        t.flow_error_next_step
    );
    simple_page(state, headers, status, t.flow_error_title, &body)
}

/// A small server-rendered page in the request's language (error, logout).
/// `title` is "Heading – Sanus"; `body` is trusted HTML.
pub fn simple_page(state: &AppState, headers: &HeaderMap, status: StatusCode, title: &str, body: &str) -> Response {
    let locale = app::i18n::locale_of_headers(headers);
    let stylesheet = state
        .assets
        .css
        .as_deref()
        .map(|href| format!("<link rel=\"stylesheet\" href=\"{href}\">"))
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{stylesheet}<title>{title}</title></head>\
         <body class=\"min-h-screen bg-slate-50 text-slate-900\"><main class=\"mx-auto max-w-xl px-4 py-16\">\
         <h1 class=\"text-2xl font-bold\">{heading}</h1>{body}</main></body></html>",
        lang = locale.as_str(),
        heading = title.split(" – ").next().unwrap_or_default(),
    );
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
