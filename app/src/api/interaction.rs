//! Reading an interaction for its page. The server provides the loader
//! (`InteractionLoader`), because the protocol state lives there; this
//! function only carries the result to the page.

use leptos::prelude::*;

use crate::dto::{InteractionUnavailable, InteractionView};

/// Set by a page whose forms lead on to a client: the server's security
/// layer adds this URI to the page's CSP `form-action`, then removes the
/// header. Internal: never sent to the browser.
pub const FORM_ACTION_HEADER: &str = "x-sanus-form-action";

/// What loading an interaction yields.
pub type InteractionResult = Result<InteractionView, InteractionUnavailable>;

/// The future the server's loader returns.
#[cfg(feature = "ssr")]
pub type InteractionFuture = std::pin::Pin<Box<dyn Future<Output = InteractionResult> + Send>>;

/// Loads the view of interaction `id` for the request's browser (its headers).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct InteractionLoader(pub std::sync::Arc<dyn Fn(String, http::HeaderMap) -> InteractionFuture + Send + Sync>);

#[server(endpoint = "interaction")]
pub async fn load_interaction(id: String) -> Result<InteractionResult, ServerFnError> {
    // Everything from the reactive context is taken before the first await:
    // after it, the task may run where no reactive owner is active.
    let loader = use_context::<InteractionLoader>().ok_or_else(|| ServerFnError::new("no interaction loader"))?;
    let headers = use_context::<http::request::Parts>().map(|parts| parts.headers).unwrap_or_default();
    let response = use_context::<leptos_axum::ResponseOptions>();
    let view = (loader.0)(id, headers).await;
    if let Ok(view) = &view
        && let Some(response) = response
        && let Ok(value) = http::HeaderValue::from_str(&view.client.redirect_uri)
    {
        // Sign-in and consent end in a redirect to the client: allow it.
        response.insert_header(http::HeaderName::from_static(FORM_ACTION_HEADER), value);
    }
    Ok(view)
}
