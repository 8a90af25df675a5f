//! The Leptos pages: server-side rendering of every UI route, and of the
//! 404 page for any other address.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse as _, Response};
use http::request::Parts;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes as _, generate_route_list_with_exclusions};

use super::security_headers::CspNonce;
use crate::state::AppState;

/// Pages whose handlers load their data first, then render.
const INTERACTION_ROUTE: &str = "/interaction/{id}";
const PASSWORD_RESET_ROUTE: &str = "/password/reset/{token}";
const REGISTER_ROUTE: &str = "/register";
const VERIFY_EMAIL_ROUTE: &str = "/email/verify/{id}";
const CONFIRM_EMAIL_ROUTE: &str = "/email/confirm/{token}";
const SIGN_IN_ROUTE: &str = "/signin";
const ACCOUNT_ROUTE: &str = "/account";
const TOTP_ROUTE: &str = "/account/totp";
const RECOVERY_CODES_ROUTE: &str = "/account/recovery-codes";
const TOTP_CONFIRM_ROUTE: &str = "/account/totp/confirm";
const SECOND_FACTOR_ROUTE: &str = "/signin/second-factor";
const OUTBOX_ROUTE: &str = "/admin/outbox";
const ADMIN_ROUTE: &str = "/admin";
const ADMIN_USERS_ROUTE: &str = "/admin/users";
const ADMIN_USER_ROUTE: &str = "/admin/users/{id}";
// The account's forms answer with a page at the address they were posted to.
const ADMIN_USER_FORM_ROUTE: &str = "/admin/users/{id}/{*rest}";
const ADMIN_TENANTS_ROUTE: &str = "/admin/tenants";
const ADMIN_KEYS_ROUTE: &str = "/admin/keys";
const ADMIN_AUDIT_ROUTE: &str = "/admin/audit";
const ORGS_ROUTE: &str = "/orgs";
const TENANT_ROUTE: &str = "/orgs/{id}";
const INVITATION_ROUTE: &str = "/invitations/{token}";
const PROFESSION_ROUTE: &str = "/account/profession";
const QUEUE_ROUTE: &str = "/verify";
const CASE_ROUTE: &str = "/verify/cases/{id}";
const PORTAL_ROUTE: &str = "/portal";
const PORTAL_APP_ROUTE: &str = "/portal/apps/{id}";
const PORTAL_CLIENT_ROUTE: &str = "/portal/clients/{id}";
// The portal's forms answer with a page at the address they were posted to.
const PORTAL_APPS_ROUTE: &str = "/portal/apps";
const PORTAL_APP_FORM_ROUTE: &str = "/portal/apps/{id}/{*rest}";
const PORTAL_CLIENT_FORM_ROUTE: &str = "/portal/clients/{id}/{*rest}";
/// Served by `api::document`, with the API's routes.
pub const API_DOCS_ROUTE: &str = "/api/v1/docs";

pub fn routes(state: &AppState) -> Router<AppState> {
    use super::{
        account, operator, organizations, passkeys, password_reset, portal, professions, registration, second_factor,
        sign_in,
    };
    use axum::routing::{get, post};
    let exclusions = [
        INTERACTION_ROUTE,
        PASSWORD_RESET_ROUTE,
        REGISTER_ROUTE,
        VERIFY_EMAIL_ROUTE,
        CONFIRM_EMAIL_ROUTE,
        SIGN_IN_ROUTE,
        ACCOUNT_ROUTE,
        TOTP_ROUTE,
        RECOVERY_CODES_ROUTE,
        TOTP_CONFIRM_ROUTE,
        SECOND_FACTOR_ROUTE,
        OUTBOX_ROUTE,
        ADMIN_ROUTE,
        ADMIN_USERS_ROUTE,
        ADMIN_USER_ROUTE,
        ADMIN_USER_FORM_ROUTE,
        ADMIN_TENANTS_ROUTE,
        ADMIN_KEYS_ROUTE,
        ADMIN_AUDIT_ROUTE,
        ORGS_ROUTE,
        TENANT_ROUTE,
        INVITATION_ROUTE,
        PROFESSION_ROUTE,
        QUEUE_ROUTE,
        CASE_ROUTE,
        PORTAL_ROUTE,
        PORTAL_APP_ROUTE,
        PORTAL_CLIENT_ROUTE,
        PORTAL_APPS_ROUTE,
        PORTAL_APP_FORM_ROUTE,
        PORTAL_CLIENT_FORM_ROUTE,
        API_DOCS_ROUTE,
    ]
    .map(str::to_string)
    .to_vec();
    let routes = generate_route_list_with_exclusions(app::App, Some(exclusions));
    let assets = state.assets.clone();
    Router::new()
        .leptos_routes_with_context(state, routes, provide_request_context, move || app::shell((*assets).clone()))
        .route(INTERACTION_ROUTE, get(interaction_page))
        .route("/password/forgot", post(password_reset::forgot))
        .route(PASSWORD_RESET_ROUTE, get(password_reset::reset_page).post(password_reset::reset))
        .route(REGISTER_ROUTE, get(registration::register_page).post(registration::register))
        .route(VERIFY_EMAIL_ROUTE, get(registration::verify_page).post(registration::verify))
        .route("/email/verify/{id}/resend", post(registration::resend))
        .route(SIGN_IN_ROUTE, get(sign_in::page).post(sign_in::submit))
        .route(ACCOUNT_ROUTE, get(account::page))
        .route("/account/profile", post(account::profile))
        .route("/account/password", post(account::password))
        .route("/account/sessions/{id}/end", post(account::end_one))
        .route("/account/sessions/end-others", post(account::end_others))
        .route("/account/apps/{client_id}/disconnect", post(account::disconnect))
        .route("/account/signout", post(account::sign_out))
        .route(TOTP_ROUTE, get(account::totp_page).post(account::totp_begin))
        .route("/account/totp/remove", post(account::totp_remove))
        .route("/account/export", get(account::export))
        .route("/account/email", post(account::change_email))
        .route("/account/delete", post(account::delete))
        // Recovery codes are shown once, in the answer to these POSTs; a
        // reload (GET) goes back to the console.
        .route(TOTP_CONFIRM_ROUTE, get(to_console).post(account::totp_confirm))
        .route(RECOVERY_CODES_ROUTE, get(to_console).post(account::recovery_codes))
        .route(SECOND_FACTOR_ROUTE, get(second_factor::page).post(second_factor::submit))
        .route(OUTBOX_ROUTE, get(operator::outbox))
        .route(ADMIN_ROUTE, get(operator::home))
        .route(ADMIN_USERS_ROUTE, get(operator::users))
        .route(ADMIN_USER_ROUTE, get(operator::user))
        .route("/admin/users/{id}/lock", post(operator::lock))
        .route("/admin/users/{id}/unlock", post(operator::unlock))
        .route("/admin/users/{id}/sessions/end", post(operator::end_sessions))
        .route("/admin/users/{id}/password-reset", post(operator::force_password_reset))
        .route(ADMIN_TENANTS_ROUTE, get(operator::tenants))
        .route(ADMIN_KEYS_ROUTE, get(operator::keys))
        .route("/admin/keys/rotate", post(operator::rotate_keys))
        .route(ADMIN_AUDIT_ROUTE, get(operator::audit_log))
        .route("/account/passkeys/begin", post(passkeys::begin_registration))
        .route("/account/passkeys/finish", post(passkeys::finish_registration))
        .route("/account/passkeys/remove", post(passkeys::remove))
        .route("/signin/passkey/begin", post(passkeys::begin_sign_in))
        .route("/signin/passkey/finish", post(passkeys::finish_sign_in_with_passkey))
        .route(CONFIRM_EMAIL_ROUTE, get(registration::confirm_page).post(registration::confirm))
        .route(ORGS_ROUTE, get(organizations::orgs_page).post(organizations::create))
        .route("/orgs/default", post(organizations::choose_default))
        .route(TENANT_ROUTE, get(organizations::tenant_page))
        .route("/orgs/{id}/rename", post(organizations::rename))
        .route("/orgs/{id}/departments", post(organizations::add_department))
        .route("/orgs/{id}/move", post(organizations::move_department))
        .route("/orgs/{id}/mfa", post(organizations::require_mfa))
        .route("/orgs/{id}/licenses/{license}/seats", post(organizations::assign_seat))
        .route("/orgs/{id}/licenses/{license}/seats/{member}/release", post(organizations::release_seat))
        .route("/orgs/{id}/archive", post(organizations::archive))
        .route("/orgs/{id}/invitations", post(organizations::invite))
        .route("/orgs/{id}/invitations/{invitation}/resend", post(organizations::resend_invitation))
        .route("/orgs/{id}/invitations/{invitation}/revoke", post(organizations::revoke_invitation))
        .route("/orgs/{id}/members/{member}/roles", post(organizations::member_roles))
        .route("/orgs/{id}/members/{member}/remove", post(organizations::remove_member))
        .route("/orgs/{id}/leave", post(organizations::leave))
        .route(INVITATION_ROUTE, get(organizations::invitation_page))
        .route("/invitations/{token}/accept", post(organizations::accept))
        .route("/invitations/{token}/register", post(organizations::register))
        .route(PROFESSION_ROUTE, get(professions::page).post(professions::save))
        .route(
            "/account/profession/evidence",
            post(professions::upload).layer(axum::extract::DefaultBodyLimit::max(professions::UPLOAD_LIMIT)),
        )
        .route("/account/profession/evidence/{id}", get(professions::own_evidence))
        .route("/account/profession/evidence/{id}/remove", post(professions::remove_evidence))
        .route("/account/profession/submit", post(professions::submit))
        .route("/account/profession/remove", post(professions::remove))
        .route("/account/profession/withdraw", post(professions::withdraw))
        .route("/account/apps/{client_id}/profile-fields", post(professions::sharing))
        .route(QUEUE_ROUTE, get(professions::queue))
        .route(CASE_ROUTE, get(professions::case_page))
        .route("/verify/cases/{id}/decide", post(professions::decide))
        .route("/verify/cases/{id}/evidence/{file}", get(professions::case_evidence))
        .route(PORTAL_ROUTE, get(portal::portal_page))
        // A reload (GET) of a form's answer goes to the page itself: never
        // a second client, and a secret is never shown twice.
        .route(PORTAL_APPS_ROUTE, get(portal::to_portal).post(portal::create_app))
        .route(PORTAL_APP_ROUTE, get(portal::app_page).post(portal::app_form))
        .route(PORTAL_APP_FORM_ROUTE, get(portal::to_app).post(portal::app_form))
        .route(PORTAL_CLIENT_ROUTE, get(portal::client_page).post(portal::client_form_post))
        .route(PORTAL_CLIENT_FORM_ROUTE, get(portal::to_client).post(portal::client_form_post))
        .fallback(not_found)
}

/// Renders the app for this request with extra context (a page's data).
pub async fn render_page(
    state: &AppState,
    request: Request<Body>,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let assets = state.assets.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_request_context();
            context();
        },
        move || app::shell((*assets).clone()),
    );
    handler(request).await.into_response()
}

/// Renders a page from the data its handler loaded (`loaded`, put in the
/// page's context), never cached. When the page's form may finish the
/// authorization request of `interaction` (alive in this browser), that
/// client's redirect URI is allowed as a form target (CSP `form-action`).
pub async fn render_loaded<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    request: Request<Body>,
    loaded: T,
    interaction: Option<&str>,
) -> Response {
    let form_action = match interaction {
        Some(id) => crate::oidc::authorize::load_interaction(state, request.headers(), id, state.clock.now())
            .await
            .ok()
            .flatten()
            .and_then(|(_, request)| http::HeaderValue::from_str(&request.target.redirect_uri).ok()),
        None => None,
    };
    let mut response = render_page(state, request, move || provide_context(loaded.clone())).await;
    let headers = response.headers_mut();
    headers.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    if let Some(value) = form_action {
        headers.insert(super::security_headers::FORM_ACTION_HEADER, value);
    }
    response
}

/// `render_loaded`, answering with `status` (a refused form, a used link …)
/// unless rendering itself failed.
pub async fn render_loaded_as<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    request: Request<Body>,
    loaded: T,
    status: http::StatusCode,
) -> Response {
    let mut response = render_loaded(state, request, loaded, None).await;
    if response.status() == http::StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// `GET /interaction/{id}`: loads the interaction first, then renders the
/// page from it, so that rendering never waits on the database; the page's
/// forms may lead on to the client's redirect URI. The page speaks the
/// request's `ui_locales` unless the person chose a language.
async fn interaction_page(State(state): State<AppState>, Path(id): Path<String>, request: Request<Body>) -> Response {
    let loaded = super::interaction::view(&state, request.headers(), &id).await;
    let form_action = loaded.as_ref().ok().and_then(|view| http::HeaderValue::from_str(&view.client.redirect_uri).ok());
    let requested_locale = loaded
        .as_ref()
        .ok()
        .and_then(|view| view.ui_locales.as_deref())
        .and_then(app::i18n::Locale::from_ui_locales)
        .map(app::i18n::RequestedLocale);
    let loaded = app::LoadedInteraction(loaded);
    let mut response = render_page(&state, request, move || {
        provide_context(loaded.clone());
        if let Some(locale) = requested_locale {
            provide_context(locale);
        }
    })
    .await;
    if let Some(value) = form_action {
        response.headers_mut().insert(super::security_headers::FORM_ACTION_HEADER, value);
    }
    response
}

async fn to_console() -> Response {
    crate::oidc::authorize::see_other("/account")
}

/// Renders the app for an address no route matches: its router shows the
/// 404 page and sets the status.
async fn not_found(State(state): State<AppState>, request: Request<Body>) -> Response {
    render_page(&state, request, || {}).await
}

/// Hands the response's CSP nonce to the renderer, so that the inline boot
/// script carries the nonce the `Content-Security-Policy` header allows.
fn provide_request_context() {
    let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
    }
}
