//! The page for every address no route matches; answers with status 404.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{page_title, tr};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        {page_title(|t| t.not_found_title)}
        <section aria-labelledby="not-found-heading" class="max-w-2xl">
            <p class="text-sm font-semibold text-teal-800">"404"</p>
            <h1 id="not-found-heading" class="mt-1 text-3xl font-bold text-slate-900">
                {tr(|t| t.not_found_heading)}
            </h1>
            <p class="mt-4 text-slate-700">{tr(|t| t.not_found_text)}</p>
            <p class="mt-6">
                <A href="/" attr:class="font-semibold text-teal-800 underline underline-offset-4 hover:text-teal-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                    {tr(|t| t.not_found_home)}
                </A>
            </p>
        </section>
    }
}
