//! Registration and e-mail verification:
//! `GET/POST /register` (the form; a refusal renders it again with each
//! field's error), `GET/POST /email/verify/{id}` (the mailed code) and its
//! `/resend`, `GET/POST /email/confirm/{token}` (the mailed link, confirmed
//! with a button). Plain forms and redirects: no JavaScript needed.
//!
//! An address that already has an account gets the same answer as a new
//! one (a code page); its owner is mailed a note with a way back in
//! instead of a code, so the form never tells who has an account.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::audit::EventKind;
use sanus_core::clients::SecretHash;
use sanus_core::email_verification::{
    CodeOutcome, PendingVerification, Proof, Started, Verified, find_by_id, find_by_link, find_owner,
    start_email_verification, verify_code, verify_link,
};
use sanus_core::mail::{account_exists_mail, email_verification_mail};
use sanus_core::password_policy::{self, PasswordRuleError};
use sanus_core::password_resets::{AskedBy, start_password_reset};
use sanus_core::registration::{self, FieldError, Registered};
use sanus_core::throttle::{SignInAttempt, Taken};
use sanus_core::users::{EmailError, User, get_user};
use serde::Deserialize;

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use crate::oidc::authorize::{load_interaction, see_other};
use crate::state::AppState;
use app::dto::{
    ConfirmEmailView, NewPasswordError, RegistrationError, RegistrationValues, RegistrationView, VerifyEmailView,
    VerifyNotice,
};

#[derive(Deserialize, Default)]
pub struct InteractionQuery {
    interaction: Option<String>,
    notice: Option<String>,
}

/// An id as it may appear in a link: url-safe characters only.
fn url_safe_param(value: Option<&str>) -> Option<String> {
    value.filter(|v| sanus_core::random::looks_url_safe(v)).map(str::to_string)
}

pub fn registration_view(state: &AppState, interaction: Option<String>) -> RegistrationView {
    let accounts = &state.settings.accounts;
    RegistrationView {
        open: accounts.registration,
        interaction,
        invitation: None,
        allowed_domains: accounts.registration_policy().domains,
        terms_url: accounts.terms_url.clone(),
        privacy_url: accounts.privacy_url.clone(),
        min_chars: password_policy::MIN_CHARS,
        max_chars: password_policy::MAX_CHARS,
        max_name_chars: registration::MAX_NAME_CHARS,
        values: RegistrationValues::default(),
        errors: Vec::new(),
    }
}

/// The status of the registration form: closed 403, refused 422, too
/// many 429 (here and where an invitation shows the form).
pub fn registration_status(view: &RegistrationView) -> StatusCode {
    let throttled = view.errors.iter().any(|e| matches!(e, RegistrationError::Throttled { .. }));
    match (view.open, view.errors.is_empty()) {
        (false, _) => StatusCode::FORBIDDEN,
        (true, false) if throttled => StatusCode::TOO_MANY_REQUESTS,
        (true, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (true, true) => StatusCode::OK,
    }
}

async fn render_registration(state: &AppState, request: Request<Body>, view: RegistrationView) -> Response {
    let status = registration_status(&view);
    super::ui::render_loaded_as(state, request, app::LoadedRegistration(view), status).await
}

/// `GET /register[?interaction=ID]`: the form.
pub async fn register_page(
    State(state): State<AppState>,
    Query(query): Query<InteractionQuery>,
    request: Request<Body>,
) -> Response {
    let view = registration_view(&state, url_safe_param(query.interaction.as_deref()));
    render_registration(&state, request, view).await
}

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    locale: String,
    accepted_terms: Option<String>,
    interaction: Option<String>,
}

/// What a registration form led to.
pub enum Outcome {
    /// A new, unconfirmed account.
    Created(User),
    /// The address has an account (nothing changed; its owner may be told).
    Exists(User),
    /// Refused: what was typed (never the password) and each field's error.
    Refused { values: RegistrationValues, errors: Vec<RegistrationError> },
}

/// Checks a registration form, counts it against the client address,
/// hashes the password and registers, auditing the outcome. `invited`: the
/// address an invitation was sent to, which replaces the typed one and
/// passes the domain rule.
pub async fn register_checked(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    form: RegisterForm,
    invited: Option<String>,
    now: UnixTime,
) -> Result<Outcome, Response> {
    let email = invited.clone().unwrap_or(form.email);
    let values = RegistrationValues {
        email: email.trim().to_string(),
        given_name: form.given_name.clone(),
        family_name: form.family_name.clone(),
        locale: Some(form.locale.clone()),
    };
    let locales = app::i18n::Locale::ALL.map(app::i18n::Locale::as_str);
    let typed = registration::Form {
        email,
        password: form.password,
        confirm: form.confirm,
        given_name: form.given_name,
        family_name: form.family_name,
        locale: form.locale,
        accepted_terms: form.accepted_terms.is_some(),
    };
    let mut policy = state.settings.accounts.registration_policy();
    if invited.is_some() {
        policy.open = true;
        policy.domains.clear();
    }
    let checked = match registration::check(typed, &policy, &locales) {
        Ok(checked) => checked,
        Err(errors) => {
            return Ok(Outcome::Refused { values, errors: errors.into_iter().map(registration_error).collect() });
        }
    };
    // Every registration counts against its address, before any hashing.
    if let Some(from) = &address {
        let attempt = SignInAttempt::registration(from);
        let taken = attempt.take(&state.store, now).await.map_err(|error| failed(state, headers, &error))?;
        if let Taken::Wait(retry_after_seconds) = taken {
            return Ok(Outcome::Refused { values, errors: vec![RegistrationError::Throttled { retry_after_seconds }] });
        }
    }
    let Some(hash) = state.passwords.hash(checked.password.clone()).await else {
        return Err(failed(state, headers, &"the password could not be hashed now"));
    };
    let registered = registration::register(&state.store, checked, &hash, now)
        .await
        .map_err(|error| failed(state, headers, &error))?;
    let (user, kind) = match &registered {
        Registered::Created(user) => (user, EventKind::Registered),
        Registered::Exists(user) => (user, EventKind::RegistrationExisting),
    };
    let mut event = audit_event(kind, headers, address);
    event.user_id = Some(&user.id);
    if invited.is_some() {
        event.detail = serde_json::json!({ "invitation": true });
    }
    state.audit(&event, now).await.map_err(|error| failed(state, headers, &error))?;
    tracing::info!(user_id = %user.id, kind = kind.as_str(), "registration");
    Ok(match registered {
        Registered::Created(user) => Outcome::Created(user),
        Registered::Exists(user) => Outcome::Exists(user),
    })
}

/// `POST /register`: checks every field; refused forms come back with each
/// field's error and what was typed (never the password). A new account
/// gets a verification mail; either way the answer is the code page.
pub async fn register(State(state): State<AppState>, peer: Peer, request: Request<Body>) -> Response {
    let (form, parts) = match super::form_and_parts::<RegisterForm>(&state, request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let page_request = Request::from_parts(parts, Body::empty());
    let interaction = url_safe_param(form.interaction.as_deref());
    let mut view = registration_view(&state, interaction.clone());
    if !view.open {
        return render_registration(&state, page_request, view).await;
    }
    let now = state.clock.now();
    let address = client_address(&headers, &peer, &state.settings.server);
    let user = match register_checked(&state, &headers, address, form, None, now).await {
        Ok(Outcome::Created(user)) => user,
        Ok(Outcome::Exists(user)) => {
            // The same answer as for a new account, with a page that leads
            // nowhere; the owner is told by mail, with a way back in.
            notify_owner(&state, user, now);
            // A page that counts wrong codes and limits mails as a new
            // account's does, with a proof cookie like a new account's.
            let (proof_cookie, proof) = new_proof(&state);
            let decoy = match sanus_core::email_verification::decoy::start(&state.store, &proof, now).await {
                Ok(decoy) => decoy,
                Err(error) => return failed(&state, &headers, &error),
            };
            let mut response = see_other(&verify_location(&decoy, interaction.as_deref(), None));
            response.headers_mut().append(header::SET_COOKIE, proof_cookie);
            return response;
        }
        Ok(Outcome::Refused { values, errors }) => {
            view.values = values;
            view.errors = errors;
            return render_registration(&state, page_request, view).await;
        }
        Err(response) => return response,
    };
    let (proof_cookie, proof) = new_proof(&state);
    let started =
        send_verification(&state, &user, interaction.as_deref(), Proof::Fresh(&proof), &headers, address, now);
    match started.await {
        Ok(started) => {
            let mut response = see_other(&verify_location(started.id(), interaction.as_deref(), None));
            response.headers_mut().append(header::SET_COOKIE, proof_cookie);
            response
        }
        Err(error) => failed(&state, &headers, &error),
    }
}

/// A random cookie for the browser that just proved the password, and the
/// hash a verification keeps of it: only that browser may be signed in by
/// confirming the address.
pub fn new_proof(state: &AppState) -> (HeaderValue, String) {
    let token = sanus_core::random::url_safe(32);
    let hash = SecretHash::of(token.as_bytes()).as_str().to_string();
    let max_age = Some(sanus_core::email_verification::LINK_LIFETIME_SECONDS);
    let cookie = cookies::set(state, cookies::VERIFICATION_PROOF, &token, max_age)
        .unwrap_or_else(|| HeaderValue::from_static(""));
    (cookie, hash)
}

/// The hash of this browser's proof cookie, if it has one.
fn proof_of(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookies::read(state, headers, cookies::VERIFICATION_PROOF)
        .map(|token| SecretHash::of(token.as_bytes()).as_str().to_string())
}

/// Mails the owner of an address that registered again: a note with a
/// password-reset link (at most one a minute, as resets are limited).
fn notify_owner(state: &AppState, user: User, now: UnixTime) {
    let state = state.clone();
    tokio::spawn(async move {
        let token = match start_password_reset(&state.store, &user.id, AskedBy::Anyone { from: None }, now).await {
            Ok(Some(token)) => token,
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, "cannot start a password reset for an existing account");
                return;
            }
        };
        let link = format!("{}/password/reset/{token}", state.settings.server.public_url.as_str());
        let mail = account_exists_mail(&user.locale, &user.email, Some(&link));
        if let Err(error) = state.mailer.send(&state.store, &mail, now).await {
            tracing::error!(%error, user_id = %user.id, "cannot send the account-exists note");
        }
    });
}

/// Mails the owner of `taken` that another account tried to move to it.
fn notify_taken(state: &AppState, taken: &sanus_core::users::Email, now: UnixTime) {
    let (state, taken) = (state.clone(), taken.clone());
    tokio::spawn(async move {
        let owner = match sanus_core::users::find_user_by_email(&state.store, &taken).await {
            Ok(Some(owner)) => owner,
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, "cannot find the owner of an address another account asked for");
                return;
            }
        };
        let mail = sanus_core::mail::address_taken_mail(&owner.locale, &owner.email);
        if let Err(error) = state.mailer.send(&state.store, &mail, now).await {
            tracing::error!(%error, user_id = %owner.id, "cannot send the address-taken note");
        }
    });
}

fn registration_error(error: FieldError) -> RegistrationError {
    match error {
        FieldError::Email(EmailError::Empty) => RegistrationError::EmailEmpty,
        FieldError::Email(EmailError::Malformed) => RegistrationError::EmailMalformed,
        FieldError::Email(EmailError::TooLong) => RegistrationError::EmailTooLong,
        FieldError::EmailDomain => RegistrationError::EmailDomain,
        FieldError::Password(rule) => RegistrationError::Password(new_password_error(rule)),
        FieldError::Mismatch => RegistrationError::Password(NewPasswordError::Mismatch),
        FieldError::GivenNameInvalid => RegistrationError::GivenNameInvalid,
        FieldError::FamilyNameInvalid => RegistrationError::FamilyNameInvalid,
        FieldError::TermsNotAccepted => RegistrationError::TermsNotAccepted,
    }
}

/// How the pages name a broken password rule.
pub fn new_password_error(rule: PasswordRuleError) -> NewPasswordError {
    match rule {
        PasswordRuleError::TooShort => NewPasswordError::TooShort,
        PasswordRuleError::TooLong => NewPasswordError::TooLong,
        PasswordRuleError::Common => NewPasswordError::Common,
        PasswordRuleError::SameAsEmail => NewPasswordError::SameAsEmail,
    }
}

fn verify_location(id: &str, interaction: Option<&str>, notice: Option<VerifyNotice>) -> String {
    let mut query: Vec<String> = Vec::new();
    if let Some(interaction) = interaction {
        query.push(format!("interaction={interaction}"));
    }
    if let Some(notice) = notice {
        query.push(format!("notice={}", notice.to_query()));
    }
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    format!("/email/verify/{id}{query}")
}

/// Asks for a verification mail to the account's address (within its mail
/// limits) and sends it in the background: a code and a link.
pub async fn send_verification(
    state: &AppState,
    user: &User,
    interaction: Option<&str>,
    proof: Proof<'_>,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    now: UnixTime,
) -> Result<Started, sanus_core::StoreError> {
    let started = start_email_verification(&state.store, user, interaction, proof, now).await?;
    mail_code(state, &started, user, None, headers, address, now).await?;
    Ok(started)
}

/// Mails a started verification's code and link (to `to`, or the
/// account's address) in the background, and audits it.
async fn mail_code(
    state: &AppState,
    started: &Started,
    user: &User,
    to: Option<&str>,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    now: UnixTime,
) -> Result<(), sanus_core::StoreError> {
    let Started::Sent { code, link_token, .. } = started else { return Ok(()) };
    let mut event = audit_event(EventKind::EmailVerificationSent, headers, address);
    event.user_id = Some(&user.id);
    event.detail = serde_json::json!({ "purpose": if to.is_some() { "change" } else { "confirm" } });
    state.audit(&event, now).await?;
    let link = format!("{}/email/confirm/{link_token}", state.settings.server.public_url.as_str());
    let mail = email_verification_mail(&user.locale, to.unwrap_or(&user.email), code, &link);
    let (state, user_id) = (state.clone(), user.id.clone());
    tokio::spawn(async move {
        if let Err(error) = state.mailer.send(&state.store, &mail, now).await {
            tracing::error!(%error, %user_id, "cannot send a verification mail");
        }
    });
    Ok(())
}

/// Starts moving the account to `new_email` and mails the code there.
pub async fn send_change(
    state: &AppState,
    user: &User,
    new_email: &sanus_core::users::Email,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    now: UnixTime,
) -> Result<Started, sanus_core::StoreError> {
    let started = sanus_core::email_verification::start_email_change(&state.store, user, new_email, now).await?;
    if let Started::Decoy { .. } = started {
        // Another account has the address: its owner is told (they may have
        // meant to move this account there); the page answers as for a code,
        // and the account's own record (its data export lists the kinds of
        // its events) shows the same kind: only operators see the detail.
        let mut event = audit_event(EventKind::EmailVerificationSent, headers, address);
        event.user_id = Some(&user.id);
        event.detail = serde_json::json!({ "purpose": "change", "address_taken": true });
        state.audit(&event, now).await?;
        notify_taken(state, new_email, now);
        return Ok(started);
    }
    mail_code(state, &started, user, Some(new_email.as_str()), headers, address, now).await?;
    Ok(started)
}

/// `GET /email/verify/{id}`: the form for the mailed code.
pub async fn verify_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<InteractionQuery>,
    request: Request<Body>,
) -> Response {
    let interaction = url_safe_param(query.interaction.as_deref());
    // The code may finish the authorization request: its redirect must be allowed.
    let view = VerifyEmailView {
        id: url_safe_param(Some(&id)).unwrap_or_default(),
        interaction: interaction.clone(),
        skip_allowed: state.settings.accounts.unverified_may_sign_in,
        notice: query.notice.as_deref().and_then(VerifyNotice::parse),
    };
    super::ui::render_loaded(&state, request, app::LoadedVerifyEmail(view), interaction.as_deref()).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /email/verify/{id}`: the typed code. Wrong codes are counted
/// against the verification and the address, like failed sign-ins.
pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<InteractionQuery>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let now = state.clock.now();
    let interaction = url_safe_param(query.interaction.as_deref());
    let address = client_address(&headers, &peer, &state.settings.server);
    let attempt = SignInAttempt::verification_code(&id, address.as_ref());
    let back = |notice| see_other(&verify_location(&id, interaction.as_deref(), Some(notice)));
    // A never-confirmed account's code works only in the browser that
    // proved its password; elsewhere the mailed link (with the password) does.
    let elsewhere = match find_by_id(&state.store, &id, now).await {
        Ok(Some(pending)) => needs_password(&state, &pending, &headers).await,
        // A registration's decoy asks the same of other browsers.
        Ok(None) => sanus_core::email_verification::decoy::find(&state.store, &id, now)
            .await
            .map(|decoy| decoy.is_some_and(|kept| !proof_matches(&state, kept.as_deref(), &headers))),
        Err(error) => Err(error),
    };
    match elsewhere {
        Ok(true) => return back(VerifyNotice::OtherBrowser),
        Ok(false) => {}
        Err(error) => return failed(&state, &headers, &error),
    }
    // Counted before the code is looked at (see `SignInAttempt::take`).
    let wait_if_wrong = match attempt.take(&state.store, now).await {
        Ok(Taken::Counted { wait_if_wrong, .. }) => wait_if_wrong,
        Ok(Taken::Wait(seconds)) => return back(VerifyNotice::Throttled { retry_after_seconds: seconds }),
        Err(error) => return failed(&state, &headers, &error),
    };
    let outcome = match verify_code(&state.store, &id, &form.code, now).await {
        Ok(outcome) => outcome,
        Err(error) => return failed(&state, &headers, &error),
    };
    let notice = match outcome {
        CodeOutcome::Verified(verified) => {
            if let Err(error) = attempt.record_success(&state.store, now).await {
                return failed(&state, &headers, &error);
            }
            return after_verification(&state, &headers, address, verified, now).await;
        }
        CodeOutcome::Wrong { tries_left } => VerifyNotice::Wrong { tries_left },
        CodeOutcome::Unusable => VerifyNotice::Unusable,
    };
    let mut event = audit_event(EventKind::EmailVerificationFailed, &headers, address);
    event.detail = serde_json::json!({ "verification": id });
    if let Err(error) = state.audit(&event, now).await {
        return failed(&state, &headers, &error);
    }
    match (notice, wait_if_wrong) {
        (VerifyNotice::Wrong { .. }, wait) if wait > 0 => back(VerifyNotice::Throttled { retry_after_seconds: wait }),
        (notice, _) => back(notice),
    }
}

/// `POST /email/verify/{id}/resend`: a new mail, within the limits.
pub async fn resend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<InteractionQuery>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let interaction = url_safe_param(query.interaction.as_deref());
    let owner = match find_owner(&state.store, &id, now).await {
        Ok(owner) => owner,
        Err(error) => return failed(&state, &headers, &error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    let proof = proof_of(&state, &headers);
    let proof = proof.as_deref().map_or(Proof::None, Proof::Carried);
    let started = match &owner {
        // A new mail for the same purpose: to the new address for a change.
        Some((user, Some(new_email))) => send_change(&state, user, new_email, &headers, address, now).await.map(Some),
        Some((user, None)) => {
            send_verification(&state, user, interaction.as_deref(), proof, &headers, address, now).await.map(Some)
        }
        // A registration's decoy, within the same limits.
        None => sanus_core::email_verification::decoy::resend(&state.store, &id, proof, now).await,
    };
    match started {
        Ok(Some(started)) => {
            let notice = match &started {
                Started::Sent { .. } | Started::Decoy { .. } => VerifyNotice::Resent,
                Started::TooSoon { .. } => VerifyNotice::TooSoon,
                Started::DailyLimit { .. } => VerifyNotice::DailyLimit,
            };
            see_other(&verify_location(started.id(), interaction.as_deref(), Some(notice)))
        }
        // An unknown page gets the answer a real one would most likely get.
        Ok(None) => see_other(&verify_location(&id, interaction.as_deref(), Some(VerifyNotice::Resent))),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// `GET /email/confirm/{token}`: the address and a button; opening the
/// link changes nothing (mail scanners open links too).
pub async fn confirm_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ConfirmQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let pending = match find_by_link(&state.store, &token, now).await {
        Ok(pending) => pending,
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let mut password_required = false;
    let (email, interaction) = match pending {
        Some(pending) => match get_user(&state.store, &pending.user_id).await {
            // The address being proven: the new one, for a change.
            Ok(user) if user.email.to_lowercase() == pending.email_normalized => {
                password_required = requires_password(&state, &pending, &user, request.headers());
                (Some(pending.new_email.unwrap_or(user.email)), pending.interaction_id)
            }
            Ok(_) => (None, None),
            Err(error) => return failed(&state, request.headers(), &error),
        },
        None => (None, None),
    };
    let view = ConfirmEmailView {
        token,
        email,
        password_required,
        wrong_password: query.error.as_deref() == Some("password"),
    };
    // Confirming may finish the authorization request in this browser.
    super::ui::render_loaded(&state, request, app::LoadedConfirmEmail(view), interaction.as_deref()).await
}

/// Whether confirming `pending` here needs the account's password: for a
/// never-confirmed account's own address, unless this browser proved the
/// password when the verification began. (Whoever registered an address
/// that is not theirs must not have the owner confirm it for them.)
fn requires_password(state: &AppState, pending: &PendingVerification, user: &User, headers: &HeaderMap) -> bool {
    pending.new_email.is_none() && !user.email_verified && !proof_matches(state, pending.proof_hash.as_deref(), headers)
}

async fn needs_password(
    state: &AppState,
    pending: &PendingVerification,
    headers: &HeaderMap,
) -> Result<bool, sanus_core::StoreError> {
    let user = get_user(&state.store, &pending.user_id).await?;
    Ok(requires_password(state, pending, &user, headers))
}

/// Whether this browser holds the proof cookie a verification kept.
fn proof_matches(state: &AppState, kept: Option<&str>, headers: &HeaderMap) -> bool {
    kept.is_some_and(|kept| {
        proof_of(state, headers).is_some_and(|presented| {
            SecretHash::from_stored(presented).matches(&SecretHash::from_stored(kept.to_string()))
        })
    })
}

#[derive(Deserialize, Default)]
pub struct ConfirmQuery {
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    password: String,
}

/// `POST /email/confirm/{token}`: uses the link.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let now = state.clock.now();
    let page = format!("/email/confirm/{token}");
    let pending = match find_by_link(&state.store, &token, now).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return see_other(&page),
        Err(error) => return failed(&state, &headers, &error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    match needs_password(&state, &pending, &headers).await {
        Ok(false) => {}
        Ok(true) => {
            // Checked and counted like a sign-in.
            let user = match get_user(&state.store, &pending.user_id).await {
                Ok(user) => user,
                Err(error) => return failed(&state, &headers, &error),
            };
            let checked =
                super::sign_in::check_password(&state, &headers, address, &user.email, form.password, None, now).await;
            match checked {
                Ok(Ok(_)) => {}
                Ok(Err(super::sign_in::Refusal::Busy)) => {
                    return failed(&state, &headers, &"the password could not be checked now");
                }
                Ok(Err(_)) => return see_other(&format!("{page}?error=password")),
                Err(error) => return failed(&state, &headers, &error),
            }
        }
        Err(error) => return failed(&state, &headers, &error),
    }
    match verify_link(&state.store, &token, now).await {
        Ok(Some(verified)) => after_verification(&state, &headers, address, verified, now).await,
        Ok(None) => see_other(&page),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// Records the proof; then back to the authorization request it came
/// from, signed in, when that request is alive in this browser (the one
/// that registered or signed in with the password); otherwise "done".
async fn after_verification(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    verified: Verified,
    now: UnixTime,
) -> Response {
    let mut event = audit_event(EventKind::EmailVerified, headers, address);
    event.user_id = Some(&verified.user_id);
    if let Err(error) = state.audit(&event, now).await {
        return failed(state, headers, &error);
    }
    tracing::info!(user_id = %verified.user_id, "e-mail address verified");
    if let Some(previous) = &verified.previous_email {
        return after_email_change(state, headers, address, &verified, previous, now).await;
    }
    let interaction = match &verified.interaction_id {
        Some(id) => match load_interaction(state, headers, id, now).await {
            Ok(found) => found.map(|(interaction, _)| interaction),
            Err(error) => return failed(state, headers, &error),
        },
        None => None,
    };
    let Some(interaction) = interaction else { return see_other("/email/confirmed") };
    // Only the browser that proved the password is signed in; any other
    // (the mailbox alone is no password) signs in on the interaction page.
    let proven = proof_matches(state, verified.proof_hash.as_deref(), headers);
    if !proven {
        return see_other(&format!("/interaction/{}", interaction.id));
    }
    // Proving the address never stands in for a second factor.
    match sanus_core::mfa::mfa_status(&state.store, &verified.user_id).await {
        Ok(status) if status.required() => return see_other(&format!("/interaction/{}", interaction.id)),
        Ok(_) => {}
        Err(error) => return failed(state, headers, &error),
    }
    let mut event = audit_event(EventKind::SignInSucceeded, headers, address);
    event.user_id = Some(&verified.user_id);
    event.detail = serde_json::json!({ "method": "email_verification" });
    let next = super::sign_in::Next::Interaction { id: &interaction.id, client_id: &interaction.client_id };
    match super::sign_in::finish_sign_in(state, headers, &mut event, &verified.user_id, &["pwd"], next, now).await {
        Ok(response) => response,
        Err(error) => failed(state, headers, &error),
    }
}

/// The account moved to a new address: the old one is told (someone who
/// took over the account cannot hide it), and the person returns to the
/// console.
async fn after_email_change(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    verified: &Verified,
    previous: &str,
    now: UnixTime,
) -> Response {
    let user = match get_user(&state.store, &verified.user_id).await {
        Ok(user) => user,
        Err(error) => return failed(state, headers, &error),
    };
    let mut event = audit_event(EventKind::EmailChanged, headers, address);
    event.user_id = Some(&user.id);
    if let Err(error) = state.audit(&event, now).await {
        return failed(state, headers, &error);
    }
    let mail = sanus_core::mail::email_changed_mail(&user.locale, previous, &user.email);
    let task_state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = task_state.mailer.send(&task_state.store, &mail, now).await {
            tracing::error!(%error, "cannot tell the old address about its change");
        }
    });
    see_other("/account?notice=email-changed")
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "registration or verification failed");
    super::unavailable_page(state, headers)
}
