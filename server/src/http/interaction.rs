//! Finishing an interaction: the sign-in and consent forms of the
//! interaction page post here. Plain HTML forms (they work without
//! JavaScript); each answer is a redirect, to the page again or on to
//! `/authorize/resume/{id}`. Tokens are never minted here.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Form};
use sanus_core::interactions::{consume_interaction, set_interaction_consented, set_interaction_login_error};
use sanus_core::sessions::find_session;
use sanus_core::users::get_user;
use serde::Deserialize;

use super::client_address::{Peer, client_address};
use super::security_headers::CspNonce;
use super::sign_in::{Next, PasswordForm, Refusal, after_password, check_password};
use crate::oidc::authorize::checks::AuthorizationRequest;
use crate::oidc::authorize::{Consent, expired_page, issuer, load_interaction, next_step, see_other};
use crate::state::AppState;

/// `POST /interaction/{id}/login`: e-mail and password (see `sign_in`).
pub async fn sign_in(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let now = state.clock.now();
    let client_id = match load_interaction(&state, &headers, &id, now).await {
        Ok(Some((interaction, _))) => interaction.client_id,
        Ok(None) => return expired_page(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    let checked = check_password(&state, &headers, address, &form.email, form.password, Some(&client_id), now).await;
    let outcome = match checked {
        Ok(Ok(user)) => {
            let next = Next::Interaction { id: &id, client_id: &client_id };
            after_password(&state, &headers, address, &user, next, now).await
        }
        Ok(Err(refusal)) => set_interaction_login_error(&state.store, &id, &refusal.encode())
            .await
            .map(|()| see_other(&format!("/interaction/{id}"))),
        Err(error) => Err(error),
    };
    outcome.unwrap_or_else(|error| failed(&state, &headers, &error))
}

/// `POST /interaction/{id}/consent`: `decision=allow` or `deny`, and with
/// `allow`, `share` once for each offered profile field the app may receive.
pub async fn consent(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let now = state.clock.now();
    let (_, request, session) = match signed_in_interaction(&state, &headers, &id, now).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let form = super::forms::Posted::parse(&body);
    if form.one("decision") != "allow" {
        return match consume_interaction(&state.store, &id, now).await {
            Ok(true) => {
                request.target.error(issuer(&state), "access_denied", "The user did not allow access.", nonce.as_str())
            }
            Ok(false) => expired_page(&state, &headers),
            Err(error) => failed(&state, &headers, &error),
        };
    }
    let granted = sanus_core::consents::grant_consent(
        &state.store,
        session.user_id.as_str(),
        &request.client_id,
        &request.scopes,
        now,
    )
    .await;
    if let Err(error) = granted {
        return failed(&state, &headers, &error);
    }
    let address = client_address(&headers, &peer, &state.settings.server);
    let mut event = super::audit_event(sanus_core::audit::EventKind::ConsentGiven, &headers, address);
    event.user_id = Some(&session.user_id);
    event.client_id = Some(&request.client_id);
    event.detail = serde_json::json!({ "scopes": request.scopes });
    if let Err(error) = state.audit(&event, now).await {
        return failed(&state, &headers, &error);
    }
    if let Err(error) = decide_fields(&state, &headers, &session.user_id, &request, &form.all("share"), now).await {
        return failed(&state, &headers, &error);
    }
    if let Err(error) = set_interaction_consented(&state.store, &id, now).await {
        return failed(&state, &headers, &error);
    }
    see_other(&format!("/authorize/resume/{id}"))
}

/// Records which of the profile fields the consent screen offered the
/// person lets the client receive: each filled-in field, when the request
/// asks for the profile.
async fn decide_fields(
    state: &AppState,
    headers: &HeaderMap,
    user: &sanus_core::users::UserId,
    request: &AuthorizationRequest,
    shared: &[String],
    now: sanus_core::UnixTime,
) -> Result<(), sanus_core::StoreError> {
    let offers = crate::oidc::profession_claims::offers(state, user, &request.client_id, &request.scopes, now).await?;
    if offers.is_empty() {
        return Ok(());
    }
    let decisions: std::collections::BTreeMap<String, bool> = offers
        .into_iter()
        .map(|offer| (offer.field.id.to_string(), shared.iter().any(|s| s == offer.field.id)))
        .collect();
    sanus_core::consents::decide_profile_fields(&state.store, user.as_str(), &request.client_id, &decisions, now)
        .await?;
    let mut event = super::audit_event(sanus_core::audit::EventKind::ProfileSharingChanged, headers, None);
    event.user_id = Some(user);
    event.client_id = Some(&request.client_id);
    event.detail = serde_json::json!({ "fields": decisions, "on": "consent" });
    state.audit(&event, now).await
}

#[derive(Deserialize)]
pub struct TenantForm {
    #[serde(default)]
    tenant_id: String,
}

/// `POST /interaction/{id}/tenant`: the active tenant, one the signed-in
/// person can access (anything else: the picker again).
pub async fn choose_tenant(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TenantForm>,
) -> Response {
    let now = state.clock.now();
    let (_, _, session) = match signed_in_interaction(&state, &headers, &id, now).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(tenant) = sanus_core::tenants::TenantId::parse(&form.tenant_id) else {
        return see_other(&format!("/interaction/{id}"));
    };
    match sanus_core::organizations::roles_at(&state.store, &session.user_id, &tenant).await {
        Ok(Some(_)) => {}
        Ok(None) => return see_other(&format!("/interaction/{id}")),
        Err(error) => return failed(&state, &headers, &error),
    }
    match sanus_core::interactions::set_interaction_tenant(&state.store, &id, tenant.as_str()).await {
        Ok(()) => see_other(&format!("/authorize/resume/{id}")),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// The interaction of this browser and the session signed in on it; or the
/// answer: the expired page, or back to the page to sign in first.
async fn signed_in_interaction(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    now: sanus_core::UnixTime,
) -> Result<(sanus_core::interactions::Interaction, AuthorizationRequest, sanus_core::sessions::Session), Response> {
    let (interaction, request) = match load_interaction(state, headers, id, now).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(expired_page(state, headers)),
        Err(error) => return Err(failed(state, headers, &error)),
    };
    let session = match &interaction.session_id {
        Some(session_id) => {
            find_session(&state.store, session_id, now).await.map_err(|e| failed(state, headers, &e))?
        }
        None => None,
    };
    match session {
        Some(session) => Ok((interaction, request, session)),
        None => Err(see_other(&format!("/interaction/{id}"))),
    }
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "interaction failed");
    expired_page(state, headers)
}

/// The profile fields the consent screen offers: each filled-in field when
/// the request asks for the profile, ticked unless withheld before.
async fn offered_fields(
    state: &AppState,
    user: &sanus_core::users::UserId,
    request: &AuthorizationRequest,
    now: sanus_core::UnixTime,
) -> Result<Vec<app::dto::OfferedField>, sanus_core::StoreError> {
    let offers = crate::oidc::profession_claims::offers(state, user, &request.client_id, &request.scopes, now).await?;
    Ok(offers
        .into_iter()
        .map(|offer| app::dto::OfferedField {
            id: offer.field.id.to_string(),
            value: offer.value,
            shared: offer.decided.unwrap_or(true),
        })
        .collect())
}

/// The page's view of interaction `id` for this browser (its headers).
pub async fn view(state: &AppState, headers: &HeaderMap, id: &str) -> app::dto::InteractionResult {
    use app::dto::{ClientView, InteractionStep, InteractionUnavailable, InteractionView};
    let now = state.clock.now();
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "cannot load an interaction");
        InteractionUnavailable::Failed
    };
    let (interaction, request) = load_interaction(state, headers, id, now)
        .await
        .map_err(|e| failed(&e))?
        .ok_or(InteractionUnavailable::Expired)?;
    let client =
        state.find_client(&request.client_id).await.map_err(|e| failed(&e))?.ok_or(InteractionUnavailable::Expired)?;
    let session = match &interaction.session_id {
        Some(session_id) => find_session(&state.store, session_id, now).await.map_err(|e| failed(&e))?,
        None => None,
    };
    let step = match session {
        None => InteractionStep::SignIn {
            login_hint: request.login_hint.clone(),
            error: interaction.login_error.as_deref().and_then(|shown| Refusal::shown(shown, now)),
            registration_open: state.settings.accounts.registration,
            passkeys: state.passkeys.is_some(),
        },
        Some(session) => {
            let user = get_user(&state.store, &session.user_id).await.map_err(|e| failed(&e))?;
            let consent = if interaction.consented { Consent::Given } else { Consent::Unknown };
            let next = next_step(state, &client, &request, Some(&session), consent, interaction.tenant_id.as_deref())
                .await
                .map_err(|e| failed(&e))?;
            if next == crate::oidc::authorize::Next::ChooseTenant {
                let reach = sanus_core::organizations::reach(&state.store, &user.id).await.map_err(|e| failed(&e))?;
                let mut tenants: Vec<app::dto::TenantRef> = reach
                    .tenants
                    .iter()
                    .map(|t| app::dto::TenantRef { id: t.id.to_string(), name: reach.label(&t.id) })
                    .collect();
                tenants.sort_by(|a, b| a.name.cmp(&b.name));
                InteractionStep::ChooseTenant { email: user.email, tenants }
            } else {
                let profile_fields = offered_fields(state, &user.id, &request, now).await.map_err(|e| failed(&e))?;
                InteractionStep::Consent { email: user.email, scopes: request.scopes.clone(), profile_fields }
            }
        }
    };
    Ok(InteractionView {
        id: id.to_string(),
        ui_locales: request.ui_locales.clone(),
        client: ClientView {
            name: client.name,
            logo_uri: client.logo_uri,
            client_uri: client.client_uri,
            policy_uri: client.policy_uri,
            tos_uri: client.tos_uri,
            redirect_uri: request.target.redirect_uri.clone(),
        },
        step,
    })
}
