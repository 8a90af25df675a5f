//! Pages for operators (`sanus admin grant EMAIL operator`): signed in, and an
//! operator, or nothing is shown.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use sanus_core::platform_roles::{Role, has_role};

use crate::oidc::authorize::{see_other, simple_page};
use crate::state::AppState;
use app::dto::{OutboxMailView, OutboxView};

/// How many mails the outbox page shows, newest first.
const OUTBOX_PAGE_SIZE: i64 = 50;

/// `GET /admin/outbox`: the mail Sanus would have sent.
pub async fn outbox(State(state): State<AppState>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let failed = |cause: &dyn std::fmt::Display| {
        tracing::error!(%cause, "operator page failed");
        super::unavailable_page(&state, &headers)
    };
    let me = match super::account::signed_in(&state, &headers, now).await {
        Ok(Some(me)) => me,
        Ok(None) => return see_other("/signin?return_to=/admin/outbox"),
        Err(error) => return failed(&error),
    };
    match has_role(&state.store, &me.user.id, Role::Operator).await {
        Ok(true) => {}
        Ok(false) => {
            let t = app::i18n::locale_of_headers(&headers).texts();
            let body = format!("<p class=\"mt-4 text-slate-700\">{}</p>", t.operator_only);
            return simple_page(&state, &headers, StatusCode::FORBIDDEN, t.outbox_title, &body);
        }
        Err(error) => return failed(&error),
    }
    let mails = match sanus_core::mail::outbox(&state.store, OUTBOX_PAGE_SIZE).await {
        Ok(mails) => mails,
        Err(error) => return failed(&error),
    };
    let view = OutboxView {
        sending: !state.mailer.is_outbox(),
        mails: mails
            .into_iter()
            .map(|m| OutboxMailView { at: m.created_at, to: m.recipient, subject: m.subject, text: m.text_body })
            .collect(),
    };
    let loaded = app::LoadedOutbox(view);
    super::ui::render_loaded(&state, request, loaded, None).await
}
