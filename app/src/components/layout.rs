//! The frame of every page: skip link, header with navigation and language
//! switcher, the main landmark, footer. Also marks the document once it is
//! hydrated (`data-hydrated="true"`), which the end-to-end tests wait for.

use leptos::prelude::*;
use leptos_router::components::A;

use super::LanguageSwitcher;
use crate::i18n::tr;
use crate::i18n::use_i18n;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = RwSignal::new(false);
    // Effects run in the browser only: this flips after hydration.
    Effect::new(move |_| hydrated.set(true));
    view! {
        <div id="app" class="flex min-h-screen flex-col" data-hydrated=move || hydrated.get().to_string()>
            <a
                href="#main"
                class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-4 focus:py-2 focus:text-teal-900 focus:shadow focus:outline focus:outline-2 focus:outline-teal-700"
            >
                {tr(|t| t.skip_to_content)}
            </a>
            <header class="border-b border-slate-200 bg-white">
                <div class="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
                    <A href="/" attr:class="group flex items-center gap-3 rounded focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                        <span aria-hidden="true" class="flex h-9 w-9 items-center justify-center rounded-lg bg-teal-700 text-lg font-bold text-white">"S"</span>
                        <span class="flex flex-col leading-tight">
                            <span class="text-lg font-semibold text-slate-900">"Sanus"</span>
                            <span class="text-xs text-slate-600">{tr(|t| t.brand_tagline)}</span>
                        </span>
                    </A>
                    <div class="flex items-center gap-4">
                        <nav aria-label=move || i18n.t().nav_label>
                            <ul class="flex items-center gap-4 text-sm font-medium">
                                <li>
                                    <A href="/" attr:class=NAV_LINK>{tr(|t| t.nav_home)}</A>
                                </li>
                                <li>
                                    <A href="/signin" attr:rel="external" attr:class=NAV_LINK>{tr(|t| t.nav_sign_in)}</A>
                                </li>
                            </ul>
                        </nav>
                        <LanguageSwitcher />
                    </div>
                </div>
            </header>
            <main id="main" tabindex="-1" class="mx-auto w-full max-w-5xl flex-1 px-4 py-10 focus:outline-none">
                {children()}
            </main>
            <footer class="border-t border-slate-200 bg-white">
                <p class="mx-auto max-w-5xl px-4 py-6 text-sm text-slate-600">{tr(|t| t.footer)}</p>
            </footer>
        </div>
    }
}

const NAV_LINK: &str = "rounded px-1 text-slate-700 underline-offset-4 hover:text-teal-800 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700 aria-[current=page]:text-teal-800 aria-[current=page]:underline";
