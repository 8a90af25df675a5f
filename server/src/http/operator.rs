//! The operators' console (`/admin`), for people with the platform role
//! `operator` (`sanus admin grant EMAIL operator`): signed in, and an
//! operator, or nothing is shown. Every action, and every look at an
//! account, is recorded in the audit log: `user_id` is the account acted on,
//! `detail.operator` the operator.

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::admin::{self, LockError};
use sanus_core::audit::{self, EventKind};
use sanus_core::password_resets::AskedBy;
use sanus_core::platform_roles::{Role, has_role};
use sanus_core::users::{Email, User, UserId, find_user_by_email, find_user_for_sign_in, get_user};
use serde::Deserialize;

use super::account::SignedIn;
use super::client_address::{Peer, client_address};
use crate::oidc::authorize::{see_other, simple_page};
use crate::state::AppState;
use app::dto::{
    AdminAuditView, AdminEventRow, AdminKeyRow, AdminKeysView, AdminLockView, AdminMembershipRow, AdminSessionRow,
    AdminTenantRow, AdminTenantsView, AdminUserRow, AdminUserView, AdminUsersView, OutboxMailView, OutboxView,
};

/// How many mails the outbox page shows, newest first.
const OUTBOX_PAGE_SIZE: i64 = 50;
/// Audit events per page.
const AUDIT_PAGE_SIZE: i64 = 100;

/// The signed-in operator; anyone else gets the sign-in page (signed out)
/// or a page saying this is for operators (403).
async fn operator(state: &AppState, headers: &HeaderMap, here: &str, now: UnixTime) -> Result<SignedIn, Response> {
    let me = match super::account::signed_in(state, headers, now).await {
        Ok(Some(me)) => me,
        Ok(None) => return Err(see_other(&format!("/signin?return_to={here}"))),
        Err(error) => return Err(failed(state, headers, &error)),
    };
    match has_role(&state.store, &me.user.id, Role::Operator).await {
        Ok(true) => Ok(me),
        Ok(false) => {
            let t = app::i18n::locale_of_headers(headers).texts();
            let body = format!("<p class=\"mt-4 text-slate-700\">{}</p>", t.operator_only);
            Err(simple_page(state, headers, StatusCode::FORBIDDEN, t.admin.home_heading, &body))
        }
        Err(error) => Err(failed(state, headers, &error)),
    }
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "operator page failed");
    super::unavailable_page(state, headers)
}

/// An operator at work, and the account acted on (none for the keys): what
/// every action and its record need.
struct Acting<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
    peer: &'a Peer,
    me: SignedIn,
    account: Option<User>,
    now: UnixTime,
}

impl<'a> Acting<'a> {
    /// The signed-in operator; `here` is where signing in returns to.
    async fn operator(
        state: &'a AppState,
        headers: &'a HeaderMap,
        peer: &'a Peer,
        here: &str,
    ) -> Result<Self, Response> {
        let now = state.clock.now();
        let me = operator(state, headers, here, now).await?;
        Ok(Self { state, headers, peer, me, account: None, now })
    }

    /// The operator, acting on the account `id`; a 404 page when there is none.
    async fn on_account(
        state: &'a AppState,
        headers: &'a HeaderMap,
        peer: &'a Peer,
        id: &str,
    ) -> Result<Self, Response> {
        let mut acting = Self::operator(state, headers, peer, &format!("/admin/users/{id}")).await?;
        match get_user(&state.store, &UserId::from_stored(id.to_string())).await {
            Ok(user) => acting.account = Some(user),
            Err(sanus_core::StoreError::NotFound) => return Err(not_found(state, headers)),
            Err(error) => return Err(failed(state, headers, &error)),
        }
        Ok(acting)
    }

    /// The account acted on (`on_account` always has one).
    fn user(&self) -> &User {
        self.account.as_ref().unwrap_or(&self.me.user)
    }

    /// Records what the operator did to (or saw of) the account, then
    /// answers with `then`.
    async fn record(&self, kind: EventKind, mut detail: serde_json::Value, then: Response) -> Response {
        let address = client_address(self.headers, self.peer, &self.state.settings.server);
        let mut event = super::audit_event(kind, self.headers, address);
        event.user_id = self.account.as_ref().map(|user| &user.id);
        detail["operator"] = serde_json::json!(self.me.user.id.as_str());
        detail["operator_email"] = serde_json::json!(self.me.user.email);
        if let Some(user) = &self.account {
            detail["email"] = serde_json::json!(user.email);
        }
        event.detail = detail;
        match self.state.audit(&event, self.now).await {
            Ok(()) => then,
            Err(error) => self.failed(&error),
        }
    }

    /// Back to the account's page, saying what was `done`.
    fn done(&self, done: &str) -> Response {
        see_other(&format!("/admin/users/{}?done={done}", self.user().id.as_str()))
    }

    fn failed(&self, cause: &dyn std::fmt::Display) -> Response {
        failed(self.state, self.headers, cause)
    }
}

/// `GET /admin`.
pub async fn home(State(state): State<AppState>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    if let Err(response) = operator(&state, request.headers(), "/admin", now).await {
        return response;
    }
    super::ui::render_loaded(&state, request, (), None).await
}

#[derive(Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

/// `GET /admin/users?q=`.
pub async fn users(State(state): State<AppState>, Query(search): Query<Search>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    if let Err(response) = operator(&state, request.headers(), "/admin/users", now).await {
        return response;
    }
    let found = match admin::find_users(&state.store, &search.q, admin::SEARCH_LIMIT + 1).await {
        Ok(found) => found,
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let (found, more) = first_page(found);
    let users = found
        .into_iter()
        .map(|u| AdminUserRow {
            id: u.id.as_str().to_string(),
            email: u.email,
            name: u.name,
            email_verified: u.email_verified,
            created_at: u.created_at.seconds(),
            locked: u.locked,
        })
        .collect();
    let view = AdminUsersView { query: search.q, users, more };
    super::ui::render_loaded(&state, request, app::LoadedAdminUsers(view), None).await
}

/// The first `SEARCH_LIMIT` of what a search found (asked for one more),
/// and whether there were more.
fn first_page<T>(mut found: Vec<T>) -> (Vec<T>, bool) {
    let limit = usize::try_from(admin::SEARCH_LIMIT).unwrap_or(usize::MAX);
    let more = found.len() > limit;
    found.truncate(limit);
    (found, more)
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// Everything the page of the account acted on shows.
async fn user_view(acting: &Acting<'_>) -> Result<AdminUserView, sanus_core::StoreError> {
    let (state, user, now) = (acting.state, acting.user(), acting.now);
    let id = &user.id;
    let has_password = match Email::parse(&user.email) {
        Ok(email) => {
            find_user_for_sign_in(&state.store, &email).await?.is_some_and(|account| account.password_hash.is_some())
        }
        Err(_) => false,
    };
    let mfa = sanus_core::mfa::mfa_status(&state.store, id).await?;
    let passkeys = sanus_core::passkeys::list(&state.store, id).await?.len();
    let sessions = sanus_core::account::list_sessions(&state.store, id, now).await?;
    let reach = sanus_core::organizations::reach(&state.store, id).await?;
    let platform_roles = sanus_core::platform_roles::roles_of(&state.store, id).await?;
    let lock = admin::lock_of(&state.store, id).await?;
    Ok(AdminUserView {
        id: user.id.as_str().to_string(),
        email: user.email.clone(),
        name: user.display_name(),
        email_verified: user.email_verified,
        locale: user.locale.clone(),
        created_at: user.created_at.seconds(),
        has_password,
        lock: lock.map(|lock| AdminLockView {
            locked_at: lock.locked_at.seconds(),
            locked_by: lock.locked_by,
            reason: lock.reason,
        }),
        totp: mfa.totp,
        recovery_codes_left: mfa.recovery_codes_left,
        passkeys,
        sessions: sessions
            .into_iter()
            .map(|s| AdminSessionRow {
                device: s.device,
                created_at: s.created_at.seconds(),
                last_seen_at: s.last_seen_at.seconds(),
                amr: s.amr,
            })
            .collect(),
        memberships: reach
            .tenants
            .into_iter()
            .filter(|tenant| tenant.member)
            .map(|tenant| AdminMembershipRow {
                tenant_id: tenant.id.as_str().to_string(),
                tenant_name: tenant.name,
                roles: tenant.roles.iter().map(|role| role.as_str().to_string()).collect(),
            })
            .collect(),
        platform_roles: platform_roles.into_iter().map(|role| role.as_str().to_string()).collect(),
        own: &acting.me.user.id == id,
        notice: None,
        reason: String::new(),
        reason_error: None,
    })
}

/// `GET /admin/users/{id}`: the account, recorded as seen.
pub async fn user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(done): Query<Done>,
    peer: Peer,
    request: Request<Body>,
) -> Result<Response, Response> {
    let headers = request.headers().clone();
    let acting = Acting::on_account(&state, &headers, &peer, &id).await?;
    let mut view = user_view(&acting).await.map_err(|error| acting.failed(&error))?;
    view.notice = done.done;
    let page = super::ui::render_loaded(&state, request, app::LoadedAdminUser(view), None).await;
    Ok(acting.record(EventKind::OperatorViewedAccount, serde_json::json!({}), page).await)
}

fn not_found(state: &AppState, headers: &HeaderMap) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let body = format!(
        "<p class=\"mt-4 text-slate-700\">{}</p><p class=\"mt-4\"><a class=\"font-semibold text-teal-800 underline\" \
         href=\"/admin/users\">{}</a></p>",
        t.admin.users_none, t.admin.back_to_users
    );
    simple_page(state, headers, StatusCode::NOT_FOUND, t.admin.users_heading, &body)
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/users/{id}/lock`.
pub async fn lock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    request: Request<Body>,
) -> Result<Response, Response> {
    let (form, parts) = super::form_and_parts::<LockForm>(&state, request).await?;
    let headers = &parts.headers;
    let acting = Acting::on_account(&state, headers, &peer, &id).await?;
    let user = acting.user();
    Ok(match admin::lock_account(&state.store, &user.id, &acting.me.user.id, &form.reason, acting.now).await {
        Ok(ended) => {
            state.access_tokens.invalidate();
            tracing::info!(user_id = %user.id, "an operator locked an account");
            let detail = serde_json::json!({ "reason": form.reason.trim(), "sessions_ended": ended });
            acting.record(EventKind::AccountLocked, detail, acting.done("locked")).await
        }
        Err(LockError::AlreadyLocked) => see_other(&format!("/admin/users/{id}")),
        Err(LockError::NotFound) => not_found(&state, headers),
        Err(LockError::Store(error)) => acting.failed(&error),
        Err(refused @ (LockError::Reason(_) | LockError::Own)) => {
            let locale = app::i18n::locale_of_headers(headers);
            let message = match refused {
                LockError::Reason(message) => message.in_language(locale.as_str()).to_string(),
                _ => locale.texts().admin.own_account.to_string(),
            };
            let mut view = user_view(&acting).await.map_err(|error| acting.failed(&error))?;
            view.reason = form.reason;
            view.reason_error = Some(message);
            let request = Request::from_parts(parts, Body::empty());
            super::ui::render_loaded_as(&state, request, app::LoadedAdminUser(view), StatusCode::BAD_REQUEST).await
        }
    })
}

/// `POST /admin/users/{id}/unlock`.
pub async fn unlock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let acting = Acting::on_account(&state, &headers, &peer, &id).await?;
    Ok(match admin::unlock_account(&state.store, &acting.user().id, state.clock.now()).await {
        Ok(true) => acting.record(EventKind::AccountUnlocked, serde_json::json!({}), acting.done("unlocked")).await,
        Ok(false) => see_other(&format!("/admin/users/{id}")),
        Err(error) => acting.failed(&error),
    })
}

/// `POST /admin/users/{id}/sessions/end`.
pub async fn end_sessions(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let acting = Acting::on_account(&state, &headers, &peer, &id).await?;
    let ended = admin::end_all_sessions(&state.store, &acting.user().id, acting.now)
        .await
        .map_err(|error| acting.failed(&error))?;
    state.access_tokens.invalidate();
    let detail = serde_json::json!({ "sessions_ended": ended });
    Ok(acting.record(EventKind::OperatorEndedSessions, detail, acting.done("sessions_ended")).await)
}

/// `POST /admin/users/{id}/password-reset`: the password stops working,
/// sessions end, and a reset link is mailed.
pub async fn force_password_reset(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let acting = Acting::on_account(&state, &headers, &peer, &id).await?;
    let user = acting.user();
    if !admin::clear_password(&state.store, &user.id, acting.now).await.map_err(|error| acting.failed(&error))? {
        return Err(not_found(&state, &headers));
    }
    state.access_tokens.invalidate();
    // Recorded whether or not the mail goes out: the password is gone either way.
    let mailed = super::password_reset::mail_reset_link(&state, user, AskedBy::Operator, acting.now).await;
    let detail = serde_json::json!({ "link_sent": matches!(mailed, Ok(true)) });
    let then = match &mailed {
        Ok(_) => acting.done("reset_sent"),
        Err(error) => acting.failed(error),
    };
    Ok(acting.record(EventKind::PasswordResetForced, detail, then).await)
}

/// `GET /admin/tenants?q=`.
pub async fn tenants(State(state): State<AppState>, Query(search): Query<Search>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    if let Err(response) = operator(&state, request.headers(), "/admin/tenants", now).await {
        return response;
    }
    let found = match admin::tenants_overview(&state.store, &search.q, admin::SEARCH_LIMIT + 1).await {
        Ok(found) => found,
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let (found, more) = first_page(found);
    let tenants = found
        .into_iter()
        .map(|t| AdminTenantRow {
            id: t.id,
            name: t.name,
            kind: t.kind,
            organisation: t.organisation,
            archived: t.archived,
            members: t.members,
            applications: t.applications,
            created_at: t.created_at.seconds(),
        })
        .collect();
    let view = AdminTenantsView { query: search.q, tenants, more };
    super::ui::render_loaded(&state, request, app::LoadedAdminTenants(view), None).await
}

/// `GET /admin/keys`.
pub async fn keys(State(state): State<AppState>, Query(done): Query<Done>, request: Request<Body>) -> Response {
    use sanus_core::keys::{KeyState, PUBLISH_AHEAD_SECONDS, key_states, list_signing_keys};
    let now = state.clock.now();
    if let Err(response) = operator(&state, request.headers(), "/admin/keys", now).await {
        return response;
    }
    let keys = match list_signing_keys(&state.store).await {
        Ok(keys) => keys,
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let rows = keys
        .iter()
        .zip(key_states(&keys, now))
        .map(|(key, state)| {
            let (state, until) = match state {
                KeyState::Signs => ("signs", None),
                KeyState::HandsOver { until } => ("hands_over", Some(until)),
                KeyState::Announced { from } => ("announced", Some(from)),
                KeyState::Published { until } => ("published", Some(until)),
                KeyState::Retired => ("retired", None),
            };
            AdminKeyRow {
                kid: key.kid.clone(),
                alg: key.alg.as_str().to_string(),
                created_at: key.created_at.seconds(),
                state: state.to_string(),
                until: until.map(UnixTime::seconds),
            }
        })
        .collect();
    let view = AdminKeysView { keys: rows, publish_ahead_seconds: PUBLISH_AHEAD_SECONDS, notice: done.done };
    super::ui::render_loaded(&state, request, app::LoadedAdminKeys(view), None).await
}

/// `POST /admin/keys/rotate`.
pub async fn rotate_keys(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Result<Response, Response> {
    let acting = Acting::operator(&state, &headers, &peer, "/admin/keys").await?;
    let fresh = state.keys.rotate().await.map_err(|error| acting.failed(&error))?;
    let kids: Vec<&str> = fresh.iter().map(|key| key.kid.as_str()).collect();
    let detail = serde_json::json!({ "new_keys": kids });
    Ok(acting.record(EventKind::KeysRotated, detail, see_other("/admin/keys?done=rotated")).await)
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    client: String,
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    address: String,
    /// `{at}.{id}` of the last event of the previous page.
    before: Option<String>,
}

/// `GET /admin/audit`: the audit log, narrowed by the filters.
pub async fn audit_log(
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    if let Err(response) = operator(&state, &headers, "/admin/audit", now).await {
        return response;
    }
    let t = app::i18n::locale_of_headers(&headers).texts().admin;
    let trimmed = |value: &str| Some(value.trim()).filter(|v| !v.is_empty()).map(str::to_string);
    let mut errors = Vec::new();
    let kind = trimmed(&query.kind);
    if let Some(kind) = &kind
        && !audit::is_kind_filter(kind)
    {
        errors.push(("kind".to_string(), t.kind_unknown.to_string()));
    }
    let user = match trimmed(&query.user) {
        Some(typed) if typed.contains('@') => match Email::parse(&typed) {
            Ok(email) => match find_user_by_email(&state.store, &email).await {
                Ok(Some(user)) => Some(user.id.as_str().to_string()),
                Ok(None) => {
                    errors.push(("user".to_string(), t.user_unknown.to_string()));
                    None
                }
                Err(error) => return failed(&state, &headers, &error),
            },
            Err(_) => {
                errors.push(("user".to_string(), t.user_unknown.to_string()));
                None
            }
        },
        other => other,
    };
    let before = query.before.as_deref().and_then(|cursor| {
        let (at, id) = cursor.split_once('.')?;
        Some((at.parse::<i64>().ok()?, id.to_string()))
    });
    let (client, tenant, address) = (trimmed(&query.client), trimmed(&query.tenant), trimmed(&query.address));
    let events = if errors.is_empty() {
        let filter = audit::Filter {
            kind: kind.as_deref(),
            user_id: user.as_deref(),
            client_id: client.as_deref(),
            tenant_id: tenant.as_deref(),
            address: address.as_deref(),
            since: None,
            before: before.as_ref().map(|(at, id)| (*at, id.as_str())),
        };
        match audit::search(&state.store, filter, AUDIT_PAGE_SIZE).await {
            Ok(events) => events,
            Err(error) => return failed(&state, &headers, &error),
        }
    } else {
        Vec::new()
    };
    let next = (i64::try_from(events.len()).unwrap_or(i64::MAX) == AUDIT_PAGE_SIZE)
        .then(|| events.last())
        .flatten()
        .map(|last| {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("kind", &query.kind)
                .append_pair("user", &query.user)
                .append_pair("client", &query.client)
                .append_pair("tenant", &query.tenant)
                .append_pair("address", &query.address)
                .append_pair("before", &format!("{}.{}", last.at, last.id))
                .finish()
        });
    let view = AdminAuditView {
        kind: query.kind,
        user: query.user,
        client: query.client,
        tenant: query.tenant,
        address: query.address,
        errors,
        families: audit::KIND_FAMILIES.iter().map(|family| (*family).to_string()).collect(),
        events: events
            .into_iter()
            .map(|e| AdminEventRow {
                at: e.at,
                kind: e.kind,
                user_id: e.user_id,
                user_email: e.user_email,
                client_id: e.client_id,
                tenant_id: e.tenant_id,
                address: e.address,
                request_id: e.request_id,
                detail: e.detail,
            })
            .collect(),
        next,
    };
    let status = if view.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    super::ui::render_loaded_as(&state, request, app::LoadedAdminAudit(view), status).await
}

/// `GET /admin/outbox`: the mail Sanus would have sent.
pub async fn outbox(State(state): State<AppState>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    if let Err(response) = operator(&state, &headers, "/admin/outbox", now).await {
        return response;
    }
    let mails = match sanus_core::mail::outbox(&state.store, OUTBOX_PAGE_SIZE).await {
        Ok(mails) => mails,
        Err(error) => return failed(&state, &headers, &error),
    };
    let view = OutboxView {
        sending: !state.mailer.is_outbox(),
        mails: mails
            .into_iter()
            .map(|m| OutboxMailView { at: m.created_at, to: m.recipient, subject: m.subject, text: m.text_body })
            .collect(),
    };
    super::ui::render_loaded(&state, request, app::LoadedOutbox(view), None).await
}
