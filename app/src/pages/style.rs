//! The classes the pages share, so that forms look and behave alike.

pub const CARD: &str = "rounded-lg border border-slate-200 bg-white p-8 shadow-sm";
pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-slate-900 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700";
pub const PRIMARY: &str = "rounded-md bg-teal-700 px-4 py-2.5 font-semibold text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700";
pub const SECONDARY: &str = "rounded-md border border-slate-400 bg-white px-4 py-2.5 font-semibold text-slate-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700";
pub const LINK: &str = "font-semibold text-teal-800 underline hover:text-teal-900";
pub const LABEL: &str = "block text-sm font-medium text-slate-800";
pub const ALERT: &str = "rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900";
pub const STATUS: &str = "rounded-md border border-teal-300 bg-teal-50 p-3 text-sm text-teal-900";
pub const FIELD_ERROR: &str = "mt-1 text-sm font-medium text-red-800";

use leptos::prelude::*;

use crate::i18n::{Locale, Texts, page_title, tr};

/// A page that only says what happened (a password changed, an address
/// confirmed, an account deleted): its title, heading and text.
pub fn notice_page(
    id: &'static str,
    title: fn(&'static Texts) -> &'static str,
    heading: fn(&'static Texts) -> &'static str,
    text: fn(&'static Texts) -> &'static str,
) -> impl IntoView {
    view! {
        {page_title(title)}
        <section aria-labelledby=id class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id=id class="text-2xl font-bold text-slate-900">{tr(heading)}</h1>
                <p role="status" class="mt-4 text-slate-700">{tr(text)}</p>
            </div>
        </section>
    }
}

/// The labelled choice of language (`name="locale"`), `chosen` selected:
/// the language of an account's mails and pages.
pub fn locale_select(chosen: Locale) -> impl IntoView {
    view! {
        <div>
            <label for="locale" class=LABEL>{tr(|t| t.language)}</label>
            <select id="locale" name="locale" class=INPUT>
                {Locale::ALL.into_iter().map(|locale| view! {
                    <option value=locale.as_str() selected=locale == chosen>{locale.endonym()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// `text` as HTML text (for a textarea's `inner_html`, which has no `value`
/// to set): `&`, `<`, `>` and quotes escaped.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
