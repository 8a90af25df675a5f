//! Forgotten passwords: ask for a link, choose a new password from it, and
//! the confirmation. Plain forms posted to the server (they work without
//! JavaScript), each field labelled, errors tied to their field.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::dto::{NewPasswordError, PasswordResetView};
use crate::i18n::tr;
use crate::i18n::{Texts, page_title, use_i18n};

use super::style::{CARD, INPUT, LINK, PRIMARY, notice_page};

/// `/password/forgot`: the e-mail address; `?sent=1` after posting it.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let wait = move || query.read().get("wait").and_then(|seconds| seconds.parse::<u32>().ok());
    view! {
        {page_title(|t| t.forgot_title)}
        <section aria-labelledby="forgot-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="forgot-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.forgot_heading)}</h1>
                <Show
                    when=sent
                    fallback=move || view! {
                        <p class="mt-2 text-slate-700">{tr(|t| t.forgot_lead)}</p>
                        {move || wait().map(|seconds| view! {
                            <p id="forgot-wait" role="alert" class="mt-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
                                {move || i18n.t().forgot_throttled.replace("{seconds}", &seconds.to_string())}
                            </p>
                        })}
                        <form method="post" action="/password/forgot" class="mt-6 space-y-5">
                            <div>
                                <label for="email" class="block text-sm font-medium text-slate-800">{tr(|t| t.email_label)}</label>
                                <input id="email" name="email" type="email" autocomplete="username" required class=INPUT
                                    aria-describedby=move || wait().map(|_| "forgot-wait") />
                            </div>
                            <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.forgot_submit)}</button>
                        </form>
                    }
                >
                    <p id="forgot-sent" role="status" class="mt-4 rounded-md border border-teal-300 bg-teal-50 p-3 text-teal-900">
                        {tr(|t| t.forgot_sent)}
                    </p>
                </Show>
            </div>
        </section>
    }
}

/// The link as the server checked it, before rendering.
#[derive(Clone, Debug)]
pub struct LoadedPasswordReset(pub PasswordResetView);

/// `/password/reset/{token}`: the new password, twice.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| {
        use_context::<LoadedPasswordReset>().map_or(
            PasswordResetView { token: String::new(), usable: false, error: None, min_chars: 0, max_chars: 0 },
            |loaded| loaded.0,
        )
    });
    let PasswordResetView { token, usable, error, min_chars, max_chars } = loaded.into_inner();
    let bounds =
        move |text: &str| text.replace("{min}", &min_chars.to_string()).replace("{max}", &max_chars.to_string());
    let body = if usable {
        let described = error.map_or("new-password-hint", |_| "new-password-error new-password-hint");
        view! {
            <form method="post" action=format!("/password/reset/{token}") class="mt-6 space-y-5">
                {error.map(|error| view! {
                    <p id="new-password-error" role="alert" class="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
                        {move || bounds(error_text(i18n.t(), error))}
                    </p>
                })}
                <div>
                    <label for="new-password" class="block text-sm font-medium text-slate-800">{tr(|t| t.reset_new_label)}</label>
                    <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength=min_chars.to_string()
                        aria-describedby=described aria-invalid=error.map(|_| "true") class=INPUT />
                    <p id="new-password-hint" class="mt-1 text-sm text-slate-600">{move || bounds(i18n.t().reset_hint)}</p>
                </div>
                <div>
                    <label for="confirm-password" class="block text-sm font-medium text-slate-800">{tr(|t| t.reset_confirm_label)}</label>
                    <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required class=INPUT />
                </div>
                <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.reset_submit)}</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p role="alert" class="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900">{tr(|t| t.reset_unusable)}</p>
            <p class="mt-4"><a href="/password/forgot" class=LINK>{tr(|t| t.reset_request_new)}</a></p>
        }
        .into_any()
    };
    view! {
        {page_title(|t| t.reset_title)}
        <section aria-labelledby="reset-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="reset-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.reset_heading)}</h1>
                {body}
            </div>
        </section>
    }
}

pub(crate) fn error_text(t: &'static Texts, error: NewPasswordError) -> &'static str {
    match error {
        NewPasswordError::TooShort => t.password_too_short,
        NewPasswordError::TooLong => t.password_too_long,
        NewPasswordError::Common => t.password_common,
        NewPasswordError::SameAsEmail => t.password_same_as_email,
        NewPasswordError::Mismatch => t.password_mismatch,
    }
}

/// `/password/changed`: done; everything else was signed out.
#[component]
pub fn PasswordChangedPage() -> impl IntoView {
    notice_page("changed-heading", |t| t.changed_title, |t| t.changed_heading, |t| t.changed_text)
}
