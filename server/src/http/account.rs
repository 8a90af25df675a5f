//! The account console: `GET /account` and the forms it posts. Each action
//! needs the browser's single sign-on session (otherwise: to `/signin` and
//! back), changes only that account, is audited, and answers with a
//! redirect to the console carrying a notice or an error.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::account::{
    change_password, connected_apps, disconnect_app, end_other_sessions, end_own_session, list_sessions, touch_session,
};
use sanus_core::audit::EventKind;
use sanus_core::mfa::{begin_totp, confirm_totp, mfa_status, new_recovery_codes, pending_totp, remove_totp};
use sanus_core::password_policy::{self, check_new_password};
use sanus_core::sessions::{Session, end_session, find_session_by_token};
use sanus_core::throttle::{SignInAttempt, Taken};
use sanus_core::users::{Email, User, get_user};
use serde::Deserialize;

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use crate::oidc::authorize::see_other;
use crate::state::AppState;
use app::dto::{
    AccountError, AccountNotice, AccountView, ConnectedAppView, MfaView, NewPasswordError, PasskeyView, SessionView,
    TotpSetupView,
};

const CONSOLE: &str = "/account";

/// The browser's session and its account.
pub(crate) struct SignedIn {
    pub session: Session,
    pub user: User,
}

pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    now: UnixTime,
) -> Result<Option<SignedIn>, sanus_core::StoreError> {
    let Some(token) = cookies::read(state, headers, cookies::SESSION) else {
        return Ok(None);
    };
    let Some(session) = find_session_by_token(&state.store, &token, now).await? else { return Ok(None) };
    // In use: noted (at most every five minutes), so that it does not end idle.
    if let Err(error) = touch_session(&state.store, &session, now).await {
        tracing::warn!(%error, "cannot note the session's use");
    }
    let user = get_user(&state.store, &session.user_id).await?;
    Ok(Some(SignedIn { session, user }))
}

fn to_sign_in() -> Response {
    see_other("/signin?return_to=/account")
}

fn back(notice: AccountNotice) -> Response {
    see_other(&format!("{CONSOLE}?notice={}", notice.as_str()))
}

fn refused(error: AccountError) -> Response {
    see_other(&format!("{CONSOLE}?error={}", error.to_query()))
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "account console failed");
    super::unavailable_page(state, headers)
}

/// Loads the signed-in account or answers: to sign-in, or the error page.
macro_rules! signed_in_or_answer {
    ($state:expr, $headers:expr, $now:expr) => {
        match signed_in(&$state, &$headers, $now).await {
            Ok(Some(me)) => me,
            Ok(None) => return to_sign_in(),
            Err(error) => return failed(&$state, &$headers, &error),
        }
    };
}

#[derive(Deserialize, Default)]
pub struct ConsoleQuery {
    notice: Option<String>,
    error: Option<String>,
}

/// `GET /account`: the console.
pub async fn page(
    State(state): State<AppState>,
    Query(query): Query<ConsoleQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, request.headers(), now);
    let loaded = async {
        let sessions = list_sessions(&state.store, &me.user.id, now).await?;
        let apps = connected_apps(&state.store, &me.user.id).await?;
        let mfa = mfa_status(&state.store, &me.user.id).await?;
        let roles = sanus_core::platform_roles::roles_of(&state.store, &me.user.id).await?;
        let passkeys = match state.passkeys {
            Some(_) => Some(sanus_core::passkeys::list(&state.store, &me.user.id).await?),
            None => None,
        };
        Ok::<_, sanus_core::StoreError>((sessions, apps, mfa, roles, passkeys))
    };
    let (sessions, apps, mfa, roles, passkeys) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let user = me.user;
    let view = AccountView {
        email: user.email,
        email_verified: user.email_verified,
        given_name: user.given_name.unwrap_or_default(),
        family_name: user.family_name.unwrap_or_default(),
        locale: user.locale,
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                current: s.id == me.session.id,
                id: s.id,
                device: s.device,
                created_at: s.created_at.seconds(),
                last_seen_at: s.last_seen_at.seconds(),
            })
            .collect(),
        apps: apps
            .into_iter()
            .map(|a| ConnectedAppView {
                client_id: a.client_id,
                name: a.name,
                logo_uri: a.logo_uri,
                scopes: a.scopes,
                profile_fields: a.profile_fields.into_iter().collect(),
                granted_at: a.granted_at.seconds(),
            })
            .collect(),
        mfa: MfaView { totp: mfa.totp, recovery_codes_left: mfa.recovery_codes_left },
        operator: roles.contains(&sanus_core::platform_roles::Role::Operator),
        verifier: roles.contains(&sanus_core::platform_roles::Role::Verifier),
        passkeys: passkeys.map(|list| {
            list.into_iter()
                .map(|p| PasskeyView {
                    id: p.id,
                    name: p.name,
                    created_at: p.created_at.seconds(),
                    last_used_at: p.last_used_at.map(|at| at.seconds()),
                })
                .collect()
        }),
        notice: query.notice.as_deref().and_then(AccountNotice::parse),
        error: query.error.as_deref().and_then(AccountError::parse),
        min_chars: password_policy::MIN_CHARS,
        max_chars: password_policy::MAX_CHARS,
        max_name_chars: sanus_core::registration::MAX_NAME_CHARS,
    };
    let loaded = app::LoadedAccount(view);
    super::ui::render_loaded(&state, request, loaded, None).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    locale: String,
}

/// `POST /account/profile`: names and language.
pub async fn profile(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ProfileForm>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    // The same rule as at registration.
    let Ok(given) = sanus_core::registration::name(&form.given_name) else {
        return refused(AccountError::GivenNameInvalid);
    };
    let Ok(family) = sanus_core::registration::name(&form.family_name) else {
        return refused(AccountError::FamilyNameInvalid);
    };
    let locale = app::i18n::Locale::parse(&form.locale).map_or(me.user.locale.clone(), |l| l.as_str().to_string());
    let saved = sanus_core::users::update_names_and_language(
        &state.store,
        &me.user.id,
        given.as_deref(),
        family.as_deref(),
        &locale,
        now,
    )
    .await;
    let address = client_address(&headers, &peer, &state.settings.server);
    let recorded = audit_own(&state, &headers, address, &me.user.id, EventKind::ProfileUpdated, None, now);
    match saved.and(recorded.await) {
        Ok(()) => back(AccountNotice::ProfileSaved),
        Err(error) => failed(&state, &headers, &error),
    }
}

#[derive(Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /account/password`: the current password, then the new one twice.
/// Wrong current passwords count like failed sign-ins.
pub async fn password(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<PasswordChangeForm>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let address = client_address(&headers, &peer, &state.settings.server);
    if let Err(response) =
        confirm_password(&state, &headers, &me, form.current, address, AccountError::WrongPassword, now).await
    {
        return response;
    }
    let rule = if form.password != form.confirm {
        Some(NewPasswordError::Mismatch)
    } else {
        check_new_password(&form.password, &me.user.email).err().map(super::registration::new_password_error)
    };
    if let Some(error) = rule {
        return refused(AccountError::NewPassword(error));
    }
    let Some(new_hash) = state.passwords.hash(form.password).await else {
        return failed(&state, &headers, &"the password could not be hashed now");
    };
    if let Err(error) = change_password(&state.store, &me.user.id, &new_hash, &me.session.id, now).await {
        return failed(&state, &headers, &error);
    }
    state.access_tokens.invalidate();
    match audit_own(&state, &headers, address, &me.user.id, EventKind::PasswordChanged, None, now).await {
        Ok(()) => back(AccountNotice::PasswordChanged),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// Records what the signed-in account did (`kind`, with `detail`), with
/// this request's address and id.
async fn audit_own(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    user_id: &sanus_core::users::UserId,
    kind: EventKind,
    detail: Option<serde_json::Value>,
    now: UnixTime,
) -> Result<(), sanus_core::StoreError> {
    let mut event = audit_event(kind, headers, address);
    event.user_id = Some(user_id);
    if let Some(detail) = detail {
        event.detail = detail;
    }
    state.audit(&event, now).await
}

/// Why a current password did not confirm a change.
pub(super) enum Refused {
    Wrong,
    Throttled(i64),
    /// Not checked: too many checks at once.
    Busy,
}

/// Checks the account's current password before a sensitive change: the
/// sign-in check itself (`sign_in::check_password`), so wrong ones are
/// throttled and audited exactly like failed sign-ins.
pub(super) async fn current_password(
    state: &AppState,
    headers: &HeaderMap,
    me: &SignedIn,
    typed: String,
    address: Option<std::net::IpAddr>,
    now: UnixTime,
) -> Result<Result<(), Refused>, sanus_core::StoreError> {
    use super::sign_in::{Refusal, check_password};
    Ok(match check_password(state, headers, address, &me.user.email, typed, None, now).await? {
        Ok(_) => Ok(()),
        Err(Refusal::InvalidCredentials | Refusal::Locked) => Err(Refused::Wrong),
        Err(Refusal::ThrottledUntil(until)) => Err(Refused::Throttled(until.seconds() - now.seconds())),
        Err(Refusal::Busy) => Err(Refused::Busy),
    })
}

/// `current_password` for a console form: on refusal, the console with
/// `wrong` (or how long to wait) at the form's field.
async fn confirm_password(
    state: &AppState,
    headers: &HeaderMap,
    me: &SignedIn,
    typed: String,
    address: Option<std::net::IpAddr>,
    wrong: AccountError,
    now: UnixTime,
) -> Result<(), Response> {
    match current_password(state, headers, me, typed, address, now).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(Refused::Wrong)) => Err(refused(wrong)),
        Ok(Err(Refused::Throttled(seconds))) => Err(refused(AccountError::Throttled { retry_after_seconds: seconds })),
        // As when a new password cannot be hashed: "try again later".
        Ok(Err(Refused::Busy)) => Err(failed(state, headers, &"the password could not be checked now")),
        Err(error) => Err(failed(state, headers, &error)),
    }
}

/// `POST /account/sessions/{id}/end`: signs one session out.
pub async fn end_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let ended = match end_own_session(&state.store, &me.user.id, &id, now).await {
        Ok(ended) => ended,
        Err(error) => return failed(&state, &headers, &error),
    };
    state.access_tokens.invalidate();
    if ended {
        let address = client_address(&headers, &peer, &state.settings.server);
        if let Err(error) = audit_own(
            &state,
            &headers,
            address,
            &me.user.id,
            EventKind::SessionEnded,
            Some(serde_json::json!({ "session": id })),
            now,
        )
        .await
        {
            return failed(&state, &headers, &error);
        }
    }
    if id == me.session.id {
        return signed_out(&state);
    }
    back(AccountNotice::SessionEnded)
}

/// `POST /account/sessions/end-others`: every session but this one.
pub async fn end_others(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let ended = match end_other_sessions(&state.store, &me.user.id, &me.session.id, now).await {
        Ok(ended) => ended,
        Err(error) => return failed(&state, &headers, &error),
    };
    state.access_tokens.invalidate();
    let address = client_address(&headers, &peer, &state.settings.server);
    match audit_own(
        &state,
        &headers,
        address,
        &me.user.id,
        EventKind::SessionEnded,
        Some(serde_json::json!({ "others": ended })),
        now,
    )
    .await
    {
        Ok(()) => back(AccountNotice::OtherSessionsEnded),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// `POST /account/apps/{client_id}/disconnect`: withdraws the consent and
/// revokes the app's tokens for this account.
pub async fn disconnect(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let removed = match disconnect_app(&state.store, &me.user.id, &client_id, now).await {
        Ok(removed) => removed,
        Err(error) => return failed(&state, &headers, &error),
    };
    state.access_tokens.invalidate();
    if removed {
        let address = client_address(&headers, &peer, &state.settings.server);
        let mut event = audit_event(EventKind::ConsentRevoked, &headers, address);
        event.user_id = Some(&me.user.id);
        event.client_id = Some(&client_id);
        if let Err(error) = state.audit(&event, now).await {
            return failed(&state, &headers, &error);
        }
    }
    back(AccountNotice::AppDisconnected)
}

/// `POST /account/signout`: ends this browser's session.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let me = match signed_in(&state, &headers, now).await {
        Ok(me) => me,
        Err(error) => return failed(&state, &headers, &error),
    };
    if let Some(me) = me
        && let Err(error) = end_session(&state.store, &me.session.id, now).await
    {
        return failed(&state, &headers, &error);
    }
    signed_out(&state)
}

/// To the home page, with the session cookie gone.
fn signed_out(state: &AppState) -> Response {
    let mut response = see_other("/");
    if let Some(cookie) = cookies::clear(state, cookies::SESSION) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The name authenticator apps list the account under.
const TOTP_ISSUER: &str = "Sanus";

/// `POST /account/totp`: starts setting up an authenticator app (with the
/// current password: a session alone must not add a way in).
pub async fn totp_begin(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let address = client_address(&headers, &peer, &state.settings.server);
    if let Err(response) =
        confirm_password(&state, &headers, &me, form.password, address, AccountError::MfaWrongPassword, now).await
    {
        return response;
    }
    match second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => return refused(AccountError::SecondFactorFirst),
        Err(error) => return failed(&state, &headers, &error),
    }
    match begin_totp(&state.store, state.keys.kek(), &me.user.id, TOTP_ISSUER, &me.user.email, now).await {
        Ok(Some(_)) => see_other("/account/totp"),
        // One is set up already: nothing to do here.
        Ok(None) => see_other(CONSOLE),
        Err(error) => failed(&state, &headers, &error),
    }
}

#[derive(Deserialize, Default)]
pub struct TotpQuery {
    error: Option<String>,
}

/// `GET /account/totp`: the QR code and key of the app being set up.
pub async fn totp_page(
    State(state): State<AppState>,
    Query(query): Query<TotpQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, request.headers(), now);
    // The key being set up is as good as the app: not for a session that
    // could not set one up now (a passkey came meanwhile).
    match second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => return refused(AccountError::SecondFactorFirst),
        Err(error) => return failed(&state, request.headers(), &error),
    }
    let setup = match pending_totp(&state.store, state.keys.kek(), &me.user.id, TOTP_ISSUER, &me.user.email, now).await
    {
        Ok(Some(setup)) => setup,
        Ok(None) => return see_other(CONSOLE),
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let view = TotpSetupView {
        secret_base32: setup.secret_base32,
        qr_svg: setup.qr_svg,
        wrong: query.error.as_deref() == Some("wrong"),
    };
    let loaded = app::LoadedTotpSetup(view);
    super::ui::render_loaded(&state, request, loaded, None).await
}

#[derive(Deserialize)]
pub struct TotpConfirmForm {
    #[serde(default)]
    code: String,
}

/// `POST /account/totp/confirm`: the app's first code turns it on; the
/// answer is the first set of recovery codes, shown once.
pub async fn totp_confirm(State(state): State<AppState>, peer: Peer, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let (form, parts) = match super::form_and_parts::<TotpConfirmForm>(&state, request).await {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let me = signed_in_or_answer!(state, parts.headers, now);
    match second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => return refused(AccountError::SecondFactorFirst),
        Err(error) => return failed(&state, &parts.headers, &error),
    }
    match confirm_totp(&state.store, state.keys.kek(), &me.user.id, &form.code, now).await {
        Ok(true) => {}
        Ok(false) => return see_other("/account/totp?error=wrong"),
        Err(error) => return failed(&state, &parts.headers, &error),
    }
    // From now on a password alone is not enough: sessions and grants made
    // with it elsewhere end, and this session, which just typed a code,
    // counts as one that used the second factor.
    let secured = async {
        end_other_sessions(&state.store, &me.user.id, &me.session.id, now).await?;
        sanus_core::sessions::add_methods(&state.store, &me.session, &sanus_core::mfa::AMR_TOTP).await
    };
    if let Err(error) = secured.await {
        return failed(&state, &parts.headers, &error);
    }
    state.access_tokens.invalidate();
    let address = client_address(&parts.headers, &peer, &state.settings.server);
    recovery_codes_page(&state, parts, &me, EventKind::TotpEnabled, address, now).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    password: String,
}

/// `POST /account/totp/remove`: turns two-step sign-in off (with the
/// current password).
pub async fn totp_remove(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let address = client_address(&headers, &peer, &state.settings.server);
    if let Err(response) =
        confirm_password(&state, &headers, &me, form.password, address, AccountError::MfaWrongPassword, now).await
    {
        return response;
    }
    match second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => return refused(AccountError::SecondFactorFirst),
        Err(error) => return failed(&state, &headers, &error),
    }
    if let Err(error) = remove_totp(&state.store, &me.user.id).await {
        return failed(&state, &headers, &error);
    }
    match audit_own(&state, &headers, address, &me.user.id, EventKind::TotpRemoved, None, now).await {
        Ok(()) => back(AccountNotice::TotpRemoved),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// `POST /account/recovery-codes`: a new set (with the current password).
pub async fn recovery_codes(State(state): State<AppState>, peer: Peer, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let (form, parts) = match super::form_and_parts::<ConfirmForm>(&state, request).await {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let me = signed_in_or_answer!(state, parts.headers, now);
    let address = client_address(&parts.headers, &peer, &state.settings.server);
    if let Err(response) =
        confirm_password(&state, &parts.headers, &me, form.password, address, AccountError::MfaWrongPassword, now).await
    {
        return response;
    }
    match second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => return refused(AccountError::SecondFactorFirst),
        Err(error) => return failed(&state, &parts.headers, &error),
    }
    recovery_codes_page(&state, parts, &me, EventKind::RecoveryCodesRenewed, address, now).await
}

/// Whether changing how the account signs in needs a sign-in with a second
/// factor first: once one is set up (an authenticator app, a passkey), the
/// password alone, which someone may have stolen, changes none of them.
/// The first one is set up with the password.
pub(crate) async fn second_factor_first(state: &AppState, me: &SignedIn) -> Result<bool, sanus_core::StoreError> {
    if sanus_core::mfa::is_multi_factor(&me.session.amr) {
        return Ok(false);
    }
    if mfa_status(&state.store, &me.user.id).await?.totp {
        return Ok(true);
    }
    Ok(!sanus_core::passkeys::list(&state.store, &me.user.id).await?.is_empty())
}

/// Makes a new set of recovery codes and answers with the page that shows
/// them this once (never cached).
async fn recovery_codes_page(
    state: &AppState,
    parts: http::request::Parts,
    me: &SignedIn,
    kind: EventKind,
    address: Option<std::net::IpAddr>,
    now: UnixTime,
) -> Response {
    let codes = match new_recovery_codes(&state.store, &me.user.id, now).await {
        Ok(codes) => codes,
        Err(error) => return failed(state, &parts.headers, &error),
    };
    // The new codes replaced the old ones: they are shown whatever happens
    // next, or the person would be left with none they know.
    if let Err(error) = audit_own(state, &parts.headers, address, &me.user.id, kind, None, now).await {
        tracing::error!(%error, event = kind.as_str(), "cannot audit new recovery codes; showing them anyway");
    }
    let loaded = app::LoadedRecoveryCodes(codes);
    // Rendered at the address posted to, which the page's router knows.
    let request = Request::from_parts(parts, Body::empty());
    super::ui::render_loaded(state, request, loaded, None).await
}

/// `GET /account/export`: everything about the account, as a JSON download.
pub async fn export(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let data = match sanus_core::account::export(&state.store, &me.user.id, now).await {
        Ok(data) => data,
        Err(error) => return failed(&state, &headers, &error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    if let Err(error) = audit_own(&state, &headers, address, &me.user.id, EventKind::AccountExported, None, now).await {
        return failed(&state, &headers, &error);
    }
    let body = serde_json::to_string_pretty(&data).unwrap_or_default();
    let mut response = axum::response::IntoResponse::into_response(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"sanus-account.json\""));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    confirm: Option<String>,
}

/// `POST /account/delete`: with the password (and the second factor, if
/// set up) and the box ticked, the account and everything in it go.
pub async fn delete(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> Response {
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    if form.confirm.is_none() {
        return refused(AccountError::DeleteNotConfirmed);
    }
    let address = client_address(&headers, &peer, &state.settings.server);
    if let Err(response) =
        confirm_password(&state, &headers, &me, form.password, address, AccountError::DeleteWrongPassword, now).await
    {
        return response;
    }
    // What would refuse the deletion anyway is said before a code is spent.
    match sanus_core::account::check_deletable(&state.store, &me.user.id, now).await {
        Ok(()) => {}
        Err(sanus_core::account::DeleteError::ServiceAccount) => return refused(AccountError::DeleteServiceAccount),
        Err(sanus_core::account::DeleteError::SoleAdmin(_)) => return refused(AccountError::DeleteSoleAdmin),
        Err(error) => return failed(&state, &headers, &error),
    }
    // The second factor too, if set up: counted like one at sign-in.
    let second_factor = async {
        if !mfa_status(&state.store, &me.user.id).await?.required() {
            return Ok::<_, sanus_core::keys::KeyError>(Ok(()));
        }
        let attempt = SignInAttempt::second_factor(me.user.id.as_str(), address.as_ref());
        // Counted before the code is looked at (see `SignInAttempt::take`).
        let reserved = match attempt.take(&state.store, now).await? {
            Taken::Counted { reserved, .. } => reserved,
            // Not looked at, so not called wrong: how long to wait.
            Taken::Wait(seconds) => return Ok(Err(AccountError::DeleteThrottled { retry_after_seconds: seconds })),
        };
        let proven = match super::second_factor::check_second_factor(&state, &me.user.id, &form.code, now).await {
            Ok(proven) => proven,
            Err(error) => {
                // Not decided: the attempt is given back (best effort).
                if let Err(refund) = attempt.refund(&state.store, &reserved).await {
                    tracing::warn!(error = %refund, "cannot give back an undecided second-factor attempt");
                }
                return Err(error);
            }
        };
        if proven.is_some() {
            attempt.record_success(&state.store, now).await?;
            Ok(Ok(()))
        } else {
            Ok(Err(AccountError::DeleteWrongCode))
        }
    };
    match second_factor.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return refused(error),
        Err(error) => return failed(&state, &headers, &error),
    }
    match sanus_core::account::delete_account(&state.store, &me.user.id, now).await {
        Ok(()) => {}
        Err(sanus_core::account::DeleteError::ServiceAccount) => return refused(AccountError::DeleteServiceAccount),
        Err(sanus_core::account::DeleteError::SoleAdmin(_)) => return refused(AccountError::DeleteSoleAdmin),
        Err(error) => return failed(&state, &headers, &error),
    }
    state.access_tokens.invalidate();
    if let Err(error) = audit_own(&state, &headers, address, &me.user.id, EventKind::AccountDeleted, None, now).await {
        tracing::error!(%error, "cannot record a deleted account");
    }
    tracing::info!(user_id = %me.user.id, "account deleted by its owner");
    let mut response = see_other("/account/deleted");
    if let Some(cookie) = cookies::clear(&state, cookies::SESSION) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/email`: a new address (with the current password). It
/// gets a code and a link; the account moves there once one of them is
/// used, and the old address is told.
pub async fn change_email(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    use sanus_core::users::EmailError;
    let now = state.clock.now();
    let me = signed_in_or_answer!(state, headers, now);
    let new = match Email::parse(&form.email) {
        Ok(new) => new,
        Err(EmailError::Empty) => return refused(AccountError::NewEmailEmpty),
        Err(EmailError::Malformed) => return refused(AccountError::NewEmailMalformed),
        Err(EmailError::TooLong) => return refused(AccountError::NewEmailTooLong),
    };
    if !state.settings.accounts.registration_policy().allows_domain(&new) {
        return refused(AccountError::NewEmailDomain);
    }
    if new.normalized() == me.user.email.to_lowercase() {
        return refused(AccountError::NewEmailSame);
    }
    let address = client_address(&headers, &peer, &state.settings.server);
    if let Err(response) =
        confirm_password(&state, &headers, &me, form.password, address, AccountError::EmailWrongPassword, now).await
    {
        return response;
    }
    let started = match super::registration::send_change(&state, &me.user, &new, &headers, address, now).await {
        Ok(started) => started,
        Err(error) => return failed(&state, &headers, &error),
    };
    use sanus_core::email_verification::Started;
    let notice = match &started {
        // An address with another account gets the same answer as any other.
        Started::Sent { .. } | Started::Decoy { .. } => "",
        Started::TooSoon { .. } => "?notice=too-soon",
        Started::DailyLimit { .. } => "?notice=daily-limit",
    };
    see_other(&format!("/email/verify/{}{notice}", started.id()))
}
