//! What the pages' form handlers share: the posted values, the signed-in
//! person (or the way to sign-in), ids from paths, and the answers for a
//! missing thing or a failure on our side.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::audit::EventKind;
use sanus_core::tenants::TenantId;
use sanus_core::users::UserId;

use super::account::{SignedIn, signed_in};
use super::audit_event;
use super::client_address::{Peer, client_address};
use crate::oidc::authorize::{see_other, simple_page};
use crate::state::AppState;

/// The values of a posted form (a name may come several times).
pub(crate) struct Posted(Vec<(String, String)>);

impl Posted {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub(crate) fn one(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.clone()).collect()
    }
}

pub(crate) fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "a page failed");
    super::unavailable_page(state, headers)
}

pub(crate) fn not_found(state: &AppState, headers: &HeaderMap) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let body = format!("<p class=\"mt-4 text-slate-700\">{}</p>", t.not_found_text);
    simple_page(state, headers, StatusCode::NOT_FOUND, t.not_found_title, &body)
}

/// The signed-in person, or the answer: to sign-in (and back to `here`),
/// or the error page.
pub(crate) async fn me_or(
    state: &AppState,
    headers: &HeaderMap,
    here: &str,
    now: UnixTime,
) -> Result<SignedIn, Response> {
    match signed_in(state, headers, now).await {
        Ok(Some(me)) => Ok(me),
        Ok(None) => Err(see_other(&format!("/signin?return_to={}", encode(here)))),
        Err(error) => Err(failed(state, headers, &error)),
    }
}

pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An id from a path, as ids look (url-safe, at most 64 characters).
pub(crate) fn path_id(value: &str) -> Option<String> {
    let ok = !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| value.to_string())
}

/// Who acted, from where, when: what they did is audited with it.
pub(crate) struct Acting<'a> {
    pub state: &'a AppState,
    pub headers: &'a HeaderMap,
    pub peer: &'a Peer,
    pub user: &'a UserId,
    pub now: UnixTime,
}

impl Acting<'_> {
    /// Records the event with the tenant it concerns (its Admins see it);
    /// the error page when it cannot.
    pub(crate) async fn record(
        &self,
        kind: EventKind,
        tenant: &TenantId,
        detail: serde_json::Value,
    ) -> Result<(), Response> {
        self.write(kind, Some(tenant), detail).await
    }

    /// Records an event of the person's own (no tenant).
    pub(crate) async fn record_personal(&self, kind: EventKind, detail: serde_json::Value) -> Result<(), Response> {
        self.write(kind, None, detail).await
    }

    async fn write(
        &self,
        kind: EventKind,
        tenant: Option<&TenantId>,
        detail: serde_json::Value,
    ) -> Result<(), Response> {
        let address = client_address(self.headers, self.peer, &self.state.settings.server);
        let mut event = audit_event(kind, self.headers, address);
        event.user_id = Some(self.user);
        event.tenant_id = tenant.map(TenantId::as_str);
        event.detail = detail;
        self.state.audit(&event, self.now).await.map_err(|error| failed(self.state, self.headers, &error))
    }
}
