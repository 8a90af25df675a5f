//! The home page: what Sanus is, and the way to sign in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;
use crate::i18n::{page_title, tr};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {page_title(|t| t.home_title)}
        <section aria-labelledby="home-heading" class="max-w-3xl">
            <h1 id="home-heading" class="text-3xl font-bold tracking-tight text-slate-900 sm:text-4xl">
                {tr(|t| t.home_heading)}
            </h1>
            <p class="mt-4 text-lg leading-relaxed text-slate-700">{tr(|t| t.home_lead)}</p>
            <p class="mt-8">
                <A href="/signin" attr:rel="external" attr:class="inline-flex items-center rounded-md bg-teal-700 px-5 py-2.5 font-semibold text-white shadow-sm hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                    {tr(|t| t.home_cta_sign_in)}
                </A>
            </p>
        </section>
        <section aria-labelledby="features-heading" class="mt-14">
            <h2 id="features-heading" class="text-xl font-semibold text-slate-900">
                {tr(|t| t.home_features_heading)}
            </h2>
            <ul class="mt-6 grid gap-4 sm:grid-cols-2">
                {(0..4)
                    .map(|i| {
                        view! {
                            <li class="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
                                <h3 class="font-semibold text-slate-900">{move || i18n.t().home_features[i].0}</h3>
                                <p class="mt-2 text-slate-700">{move || i18n.t().home_features[i].1}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
