//! Signing in with e-mail and password: the form the interaction page of an
//! authorization request shows, and Sanus' own sign-in page (`/signin`, the
//! way into the account console). A plain form posted to the server: it
//! works without JavaScript.

use leptos::prelude::*;

use super::style::{ALERT, CARD, INPUT, LABEL, LINK, PRIMARY};
use crate::components::PasskeySignIn;
use crate::dto::{SignInError, SignInView};
use crate::i18n::use_i18n;
use crate::i18n::{page_title, tr};

/// The page's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedSignIn(pub SignInView);

/// Where a passkey sign-in from the form goes on to: the interaction, or a
/// page of Sanus.
pub(crate) struct PasskeyTarget {
    pub interaction: Option<String>,
    pub return_to: Option<String>,
}

/// The e-mail and password form posting to `action`, with what the last
/// attempt said, `hidden` fields, the ways on (reset, register), and the
/// passkey button when passkeys are available.
pub(crate) fn password_form(
    action: String,
    hidden: Vec<(&'static str, String)>,
    login_hint: Option<String>,
    error: Option<SignInError>,
    register_href: Option<String>,
    passkey: Option<PasskeyTarget>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {error.map(|error| view! {
            <p id="sign-in-error" role="alert" class=format!("mt-4 {ALERT}")>
                {move || match error {
                    SignInError::InvalidCredentials => i18n.t().interaction_invalid_credentials.to_string(),
                    SignInError::Throttled { retry_after_seconds } => {
                        i18n.t().interaction_throttled.replace("{seconds}", &retry_after_seconds.to_string())
                    }
                    SignInError::Locked => i18n.t().account_locked.to_string(),
                    SignInError::Busy => i18n.t().sign_in_busy.to_string(),
                }}
            </p>
        })}
        <form method="post" action=action class="mt-6 space-y-5" aria-labelledby="sign-in-heading">
            {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
            <div>
                <label for="email" class=LABEL>{tr(|t| t.email_label)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus
                    value=login_hint aria-describedby=error.map(|_| "sign-in-error") class=INPUT />
            </div>
            <div>
                <label for="password" class=LABEL>{tr(|t| t.password_label)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required class=INPUT />
            </div>
            <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.sign_in_submit)}</button>
        </form>
        <p class="mt-4 text-sm">
            <a href="/password/forgot" class=LINK>{tr(|t| t.forgot_link)}</a>
        </p>
        {register_href.map(|href| view! {
            <p class="mt-2 text-sm"><a id="register-link" href=href rel="external" class=LINK>{tr(|t| t.register_link)}</a></p>
        })}
        {passkey.map(|target| view! { <PasskeySignIn interaction=target.interaction return_to=target.return_to /> })}
    }
}

/// `/signin`: into the account console (or another page of Sanus).
#[component]
pub fn SignInPage() -> impl IntoView {
    let loaded = SharedValue::new(|| {
        use_context::<LoadedSignIn>().map_or(
            SignInView {
                return_to: "/account".into(),
                login_hint: None,
                error: None,
                registration_open: false,
                passkeys: false,
            },
            |loaded| loaded.0,
        )
    });
    let SignInView { return_to, login_hint, error, registration_open, passkeys } = loaded.into_inner();
    let passkey = passkeys.then(|| PasskeyTarget { interaction: None, return_to: Some(return_to.clone()) });
    view! {
        {page_title(|t| t.sign_in_title)}
        <section aria-labelledby="sign-in-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="sign-in-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.sign_in_heading)}</h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.sign_in_lead)}</p>
                {password_form(
                    "/signin".into(),
                    vec![("return_to", return_to)],
                    login_hint,
                    error,
                    registration_open.then(|| "/register".to_string()),
                    passkey,
                )}
            </div>
        </section>
    }
}
