//! Switches between German and English. Without JavaScript it is a plain
//! form: the server sets the cookie and sends the browser back. Once
//! hydrated, a click switches in place and sets the same cookie.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::{Locale, switch_locale, tr, use_i18n};

#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // Where the server sends the browser back to after a switch without JavaScript.
    let next = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        if search.is_empty() { location.pathname.get() } else { format!("{}?{search}", location.pathname.get()) }
    };
    view! {
        <form method="post" action="/locale" class="flex items-center gap-1 text-sm">
            <input type="hidden" name="next" value=next />
            <fieldset class="flex items-center gap-1">
                <legend class="sr-only">{tr(|t| t.language)}</legend>
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        let active = move || i18n.locale.get() == locale;
                        view! {
                            <button
                                type="submit"
                                name="locale"
                                value=locale.as_str()
                                lang=locale.as_str()
                                aria-pressed=move || active().to_string()
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    switch_locale(i18n, locale);
                                }
                                class="rounded border px-2 py-1 font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700"
                                class=("border-teal-700", active)
                                class=("bg-teal-700", active)
                                class=("text-white", active)
                                class=("border-slate-300", move || !active())
                                class=("text-slate-700", move || !active())
                                class=("hover:bg-slate-100", move || !active())
                            >
                                {locale.endonym()}
                            </button>
                        }
                    })
                    .collect_view()}
            </fieldset>
        </form>
    }
}
