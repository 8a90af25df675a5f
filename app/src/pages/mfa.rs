//! Second factors: the second step of signing in, setting up an
//! authenticator app, and the recovery codes shown once. Plain forms posted
//! to the server; they work without JavaScript.

use leptos::prelude::*;

use super::style::{ALERT, CARD, INPUT, LABEL, LINK, PRIMARY};
use crate::dto::{SecondFactorError, SecondFactorView, TotpSetupView};
use crate::i18n::use_i18n;
use crate::i18n::{page_title, tr};

/// The second step's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedSecondFactor(pub SecondFactorView);

/// The setup page's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedTotpSetup(pub TotpSetupView);

/// New recovery codes, to be shown exactly once.
#[derive(Clone, Debug)]
pub struct LoadedRecoveryCodes(pub Vec<String>);

const HEADING: &str = "text-2xl font-bold text-slate-900";

/// `/signin/second-factor`: the code from the authenticator app, or a
/// recovery code.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| {
        use_context::<LoadedSecondFactor>().map_or(SecondFactorView { usable: false, error: None }, |loaded| loaded.0)
    });
    let SecondFactorView { usable, error } = loaded.into_inner();
    let body = if usable {
        let message = error.map(|error| {
            let text = move || match error {
                SecondFactorError::Wrong { tries_left } => {
                    i18n.t().second_factor_wrong.replace("{tries}", &tries_left.to_string())
                }
                SecondFactorError::Throttled { retry_after_seconds } => {
                    i18n.t().interaction_throttled.replace("{seconds}", &retry_after_seconds.to_string())
                }
            };
            view! { <p id="code-error" role="alert" class=format!("mt-4 {ALERT}")>{text}</p> }
        });
        view! {
            <p id="second-factor-lead" class="mt-2 text-slate-700">{tr(|t| t.second_factor_lead)}</p>
            {message}
            <form method="post" action="/signin/second-factor" class="mt-6 space-y-5" aria-labelledby="second-factor-heading">
                <div>
                    <label for="code" class=LABEL>{tr(|t| t.second_factor_label)}</label>
                    <input id="code" name="code" type="text" autocomplete="one-time-code" required autofocus maxlength="16"
                        aria-describedby=if error.is_some() { "code-error second-factor-lead" } else { "second-factor-lead" }
                        aria-invalid=error.map(|_| "true") class=format!("{INPUT} tracking-widest") />
                </div>
                <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.second_factor_submit)}</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p role="alert" class=format!("mt-4 {ALERT}")>{tr(|t| t.second_factor_expired)}</p>
            <p class="mt-4"><a href="/signin" rel="external" class=LINK>{tr(|t| t.second_factor_restart)}</a></p>
        }
        .into_any()
    };
    view! {
        {page_title(|t| t.second_factor_title)}
        <section aria-labelledby="second-factor-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="second-factor-heading" class=HEADING>{tr(|t| t.second_factor_heading)}</h1>
                {body}
            </div>
        </section>
    }
}

/// `/account/totp`: the QR code, the key in text, and the first code.
#[component]
pub fn TotpSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedTotpSetup>().map(|loaded| loaded.0));
    let Some(TotpSetupView { secret_base32, qr_svg, wrong }) = loaded.into_inner() else {
        return view! { <p><a href="/account" rel="external" class=LINK>{tr(|t| t.totp_cancel)}</a></p> }.into_any();
    };
    // Groups of four, as authenticator apps show keys.
    let grouped = secret_base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        {page_title(|t| t.totp_title)}
        <section aria-labelledby="totp-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="totp-heading" class=HEADING>{tr(|t| t.totp_heading)}</h1>
                <p class="mt-4 text-slate-800">{tr(|t| t.totp_scan)}</p>
                <div role="img" aria-label=move || i18n.t().totp_qr_alt class="mx-auto mt-3 w-52" inner_html=qr_svg></div>
                <p class="mt-3 text-sm text-slate-700">{tr(|t| t.totp_key)}</p>
                <p id="totp-key" class="mt-1 select-all rounded bg-slate-100 p-2 text-center font-mono text-slate-900">{grouped}</p>
                <p class="mt-5 text-slate-800">{tr(|t| t.totp_enter)}</p>
                {wrong.then(|| view! { <p id="code-error" role="alert" class=format!("mt-3 {ALERT}")>{tr(|t| t.totp_wrong)}</p> })}
                <form method="post" action="/account/totp/confirm" class="mt-3 space-y-4">
                    <div>
                        <label for="code" class=LABEL>{tr(|t| t.totp_code_label)}</label>
                        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="8"
                            aria-describedby=wrong.then_some("code-error") aria-invalid=wrong.then_some("true")
                            class=format!("{INPUT} tracking-widest") />
                    </div>
                    <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.totp_submit)}</button>
                </form>
                <p class="mt-4 text-sm"><a href="/account" rel="external" class=LINK>{tr(|t| t.totp_cancel)}</a></p>
            </div>
        </section>
    }
    .into_any()
}

/// `/account/recovery-codes`: the new codes, once.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedRecoveryCodes>().map(|loaded| loaded.0).unwrap_or_default());
    let codes = loaded.into_inner();
    view! {
        {page_title(|t| t.codes_title)}
        <section aria-labelledby="codes-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="codes-heading" class=HEADING>{tr(|t| t.codes_heading)}</h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.codes_lead)}</p>
                <ol id="recovery-codes" class="mt-4 grid grid-cols-2 gap-2 font-mono text-slate-900">
                    {codes.into_iter().map(|code| view! { <li class="rounded bg-slate-100 p-2 text-center">{code}</li> }).collect_view()}
                </ol>
                <p class="mt-6"><a href="/account" rel="external" class=format!("inline-block {PRIMARY}")>{tr(|t| t.codes_done)}</a></p>
            </div>
        </section>
    }
}
