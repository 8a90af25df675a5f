//! Registration and e-mail confirmation: the form for a new account, the
//! page for the mailed code, the page behind the mailed link, and the
//! confirmation. Plain forms posted to the server (they work without
//! JavaScript); every input labelled, every error tied to its field.

use leptos::prelude::*;

use super::password::error_text as password_error_text;
use super::style::{
    ALERT, CARD, FIELD_ERROR, INPUT, LABEL, LINK, PRIMARY, SECONDARY, STATUS, locale_select, notice_page,
};
use crate::dto::{ConfirmEmailView, RegistrationError, RegistrationView, VerifyEmailView, VerifyNotice};
use crate::i18n::tr;
use crate::i18n::{Locale, Texts, page_title, use_i18n};

/// The registration form's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedRegistration(pub RegistrationView);

/// The code page's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedVerifyEmail(pub VerifyEmailView);

/// The link page's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedConfirmEmail(pub ConfirmEmailView);

/// `/register`: e-mail, names, language, password twice, terms.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedRegistration>().map(|loaded| loaded.0));
    let body = match loaded.into_inner() {
        Some(view) if view.open => form(view).into_any(),
        closed => {
            let back = closed.and_then(|view| view.interaction).map(|id| {
                view! { <p class="mt-4"><a href=format!("/interaction/{id}") rel="external" class=LINK>{tr(|t| t.register_have_account)}</a></p> }
            });
            view! {
                <p role="status" class=format!("mt-4 {STATUS}")>{tr(|t| t.register_closed)}</p>
                {back}
            }
            .into_any()
        }
    };
    view! {
        {page_title(|t| t.register_title)}
        <section aria-labelledby="register-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="register-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.register_heading)}</h1>
                {body}
            </div>
        </section>
    }
}

pub(super) fn form(view: RegistrationView) -> impl IntoView {
    let i18n = use_i18n();
    let RegistrationView {
        interaction,
        invitation,
        allowed_domains,
        terms_url,
        privacy_url,
        values,
        errors,
        min_chars,
        ..
    } = view.clone();
    let action = invitation.as_ref().map_or("/register".to_string(), |token| format!("/invitations/{token}/register"));
    let fixed_email = invitation.is_some();
    let domains = allowed_domains.join(", ");
    let texts = move |text: &str| fill(text, &view, &domains);
    let error_of = {
        let errors = errors.clone();
        move |field: &'static str| errors.iter().copied().find(|e| e.field() == field)
    };
    let field_error = {
        let texts = texts.clone();
        let error_of = error_of.clone();
        move |field: &'static str| {
            let texts = texts.clone();
            error_of(field).map(|error| {
                view! { <p id=format!("{field}-error") class=FIELD_ERROR>{move || texts(error_text(i18n.t(), error))}</p> }
            })
        }
    };
    let described = {
        let error_of = error_of.clone();
        move |field: &'static str, hint: Option<&'static str>| {
            let ids: Vec<String> =
                error_of(field).map(|_| format!("{field}-error")).into_iter().chain(hint.map(str::to_string)).collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move |field: &'static str| error_of(field).map(|_| "true");
    let chosen = values.locale.clone().and_then(|l| Locale::parse(&l)).unwrap_or_else(|| i18n.locale.get_untracked());
    let domains_hint = (!allowed_domains.is_empty()).then(|| {
        let texts = texts.clone();
        view! { <p id="email-hint" class="mt-1 text-sm text-slate-600">{move || texts(i18n.t().register_domains_hint)}</p> }
    });
    let email_hint = (!allowed_domains.is_empty()).then_some("email-hint");
    let password_hint = texts.clone();
    let terms = terms_url.map(|href| {
        view! {
            <div>
                <div class="flex items-start gap-3">
                    <input id="terms" name="accepted_terms" type="checkbox" value="yes" required
                        aria-describedby=described("terms", None) aria-invalid=invalid("terms")
                        class="mt-1 h-4 w-4 rounded border-slate-400 text-teal-700 focus:outline focus:outline-2 focus:outline-teal-700" />
                    <label for="terms" class="text-sm text-slate-800">
                        {tr(|t| t.register_terms_before)}" "
                        <a href=href class=LINK target="_blank" rel="noopener">{tr(|t| t.register_terms_link)}</a>
                    </label>
                </div>
                {field_error("terms")}
            </div>
        }
    });
    view! {
        <p class="mt-2 text-slate-700">{tr(|t| t.register_lead)}</p>
        {(!errors.is_empty()).then(|| {
            let throttled = errors.iter().find_map(|e| match e {
                RegistrationError::Throttled { retry_after_seconds } => Some(*retry_after_seconds),
                _ => None,
            });
            let summary = move || match throttled {
                Some(seconds) => i18n.t().register_throttled.replace("{seconds}", &seconds.to_string()),
                None => i18n.t().register_errors.to_string(),
            };
            view! { <p id="register-errors" role="alert" class=format!("mt-4 {ALERT}")>{summary}</p> }
        })}
        <form method="post" action=action class="mt-6 space-y-5">
            {interaction.clone().map(|id| view! { <input type="hidden" name="interaction" value=id /> })}
            <div>
                <label for="email" class=LABEL>{tr(|t| t.email_label)}</label>
                <input id="email" name="email" type="email" autocomplete="email" required value=values.email.clone() readonly=fixed_email
                    aria-describedby=described("email", email_hint) aria-invalid=invalid("email") class=INPUT />
                {domains_hint}
                {field_error("email")}
            </div>
            <div class="grid gap-5 sm:grid-cols-2">
                <div>
                    <label for="given-name" class=LABEL>{tr(|t| t.given_name_label)}" "
                        <span class="font-normal text-slate-600">"("{tr(|t| t.optional)}")"</span></label>
                    <input id="given-name" name="given_name" type="text" autocomplete="given-name" value=values.given_name.clone()
                        aria-describedby=described("given-name", None) aria-invalid=invalid("given-name") class=INPUT />
                    {field_error("given-name")}
                </div>
                <div>
                    <label for="family-name" class=LABEL>{tr(|t| t.family_name_label)}" "
                        <span class="font-normal text-slate-600">"("{tr(|t| t.optional)}")"</span></label>
                    <input id="family-name" name="family_name" type="text" autocomplete="family-name" value=values.family_name.clone()
                        aria-describedby=described("family-name", None) aria-invalid=invalid("family-name") class=INPUT />
                    {field_error("family-name")}
                </div>
            </div>
            {locale_select(chosen)}
            <div>
                <label for="new-password" class=LABEL>{tr(|t| t.password_label)}</label>
                <input id="new-password" name="password" type="password" autocomplete="new-password" required
                    minlength=min_chars.to_string()
                    aria-describedby=described("new-password", Some("new-password-hint")) aria-invalid=invalid("new-password") class=INPUT />
                <p id="new-password-hint" class="mt-1 text-sm text-slate-600">{move || password_hint(i18n.t().reset_hint)}</p>
                {field_error("new-password")}
            </div>
            <div>
                <label for="confirm-password" class=LABEL>{tr(|t| t.confirm_password_label)}</label>
                <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required
                    aria-describedby=described("confirm-password", None) aria-invalid=invalid("confirm-password") class=INPUT />
                {field_error("confirm-password")}
            </div>
            {terms}
            <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.register_submit)}</button>
        </form>
        {privacy_url.map(|href| view! {
            <p class="mt-4 text-sm"><a href=href class=LINK target="_blank" rel="noopener">{tr(|t| t.register_privacy)}</a></p>
        })}
        {interaction.map(|id| view! {
            <p class="mt-4 text-sm"><a href=format!("/interaction/{id}") rel="external" class=LINK>{tr(|t| t.register_have_account)}</a></p>
        })}
    }
}

/// A text with the page's numbers and domains filled in.
fn fill(text: &str, view: &RegistrationView, domains: &str) -> String {
    text.replace("{min}", &view.min_chars.to_string())
        .replace("{max}", &view.max_chars.to_string())
        .replace("{max_name}", &view.max_name_chars.to_string())
        .replace("{domains}", domains)
}

fn error_text(t: &'static Texts, error: RegistrationError) -> &'static str {
    match error {
        RegistrationError::EmailEmpty => t.email_empty,
        RegistrationError::EmailMalformed => t.email_malformed,
        RegistrationError::EmailTooLong => t.email_too_long,
        RegistrationError::EmailDomain => t.email_domain,
        RegistrationError::Password(error) => password_error_text(t, error),
        RegistrationError::GivenNameInvalid | RegistrationError::FamilyNameInvalid => t.name_invalid,
        RegistrationError::TermsNotAccepted => t.terms_not_accepted,
        RegistrationError::Throttled { .. } => t.register_throttled,
    }
}

/// `/email/verify/{id}`: the mailed code, a new one, or later.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| {
        use_context::<LoadedVerifyEmail>().map_or(
            VerifyEmailView { id: String::new(), interaction: None, skip_allowed: false, notice: None },
            |loaded| loaded.0,
        )
    });
    let VerifyEmailView { id, interaction, skip_allowed, notice } = loaded.into_inner();
    let query = interaction.as_ref().map(|i| format!("?interaction={i}")).unwrap_or_default();
    let wrong = matches!(
        notice,
        Some(
            VerifyNotice::Wrong { .. }
                | VerifyNotice::Unusable
                | VerifyNotice::Throttled { .. }
                | VerifyNotice::OtherBrowser
        )
    );
    let notice = notice.map(|notice| {
        let text = move || {
            let t = i18n.t();
            match notice {
                VerifyNotice::Wrong { tries_left } => t.verify_wrong.replace("{tries}", &tries_left.to_string()),
                VerifyNotice::Unusable => t.verify_unusable.to_string(),
                VerifyNotice::Throttled { retry_after_seconds } => {
                    t.verify_throttled.replace("{seconds}", &retry_after_seconds.to_string())
                }
                VerifyNotice::Resent => t.verify_resent.to_string(),
                VerifyNotice::TooSoon => t.verify_too_soon.to_string(),
                VerifyNotice::DailyLimit => t.verify_daily_limit.to_string(),
                VerifyNotice::OtherBrowser => t.verify_other_browser.to_string(),
            }
        };
        if wrong {
            view! { <p id="code-error" role="alert" class=format!("mt-4 {ALERT}")>{text}</p> }.into_any()
        } else {
            view! { <p id="verify-notice" role="status" class=format!("mt-4 {STATUS}")>{text}</p> }.into_any()
        }
    });
    view! {
        {page_title(|t| t.verify_title)}
        <section aria-labelledby="verify-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="verify-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.verify_heading)}</h1>
                <p id="verify-lead" class="mt-2 text-slate-700">{tr(|t| t.verify_lead)}</p>
                {notice}
                <form method="post" action=format!("/email/verify/{id}{query}") class="mt-6 space-y-5" aria-labelledby="verify-heading">
                    <div>
                        <label for="code" class=LABEL>{tr(|t| t.verify_code_label)}</label>
                        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus
                            maxlength="12" aria-describedby=if wrong { "code-error verify-lead" } else { "verify-lead" }
                            aria-invalid=wrong.then_some("true") class=format!("{INPUT} tracking-widest") />
                    </div>
                    <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.verify_submit)}</button>
                </form>
                <form method="post" action=format!("/email/verify/{id}/resend{query}") class="mt-4">
                    <button type="submit" class=format!("w-full {SECONDARY}")>{tr(|t| t.verify_resend)}</button>
                </form>
                {interaction.filter(|_| skip_allowed).map(|id| view! {
                    <p class="mt-4 text-sm"><a href=format!("/interaction/{id}") rel="external" class=LINK>{tr(|t| t.verify_skip)}</a></p>
                })}
            </div>
        </section>
    }
}

/// `/email/confirm/{token}`: one button, so that a mail scanner opening the
/// link does not use it up.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let loaded = SharedValue::new(|| {
        use_context::<LoadedConfirmEmail>().map_or(
            ConfirmEmailView { token: String::new(), email: None, password_required: false, wrong_password: false },
            |loaded| loaded.0,
        )
    });
    let ConfirmEmailView { token, email, password_required, wrong_password } = loaded.into_inner();
    let body = match email {
        Some(email) => view! {
            <p class="mt-2 text-slate-700">{tr(|t| t.confirm_lead)}" "<strong>{email}</strong></p>
            <p class="mt-2 text-sm text-slate-600">{tr(|t| t.confirm_not_you)}</p>
            <form method="post" action=format!("/email/confirm/{token}") class="mt-6 space-y-4">
                {password_required.then(|| view! {
                    <div>
                        <label for="confirm-password" class=LABEL>{tr(|t| t.confirm_link_password_label)}</label>
                        <input id="confirm-password" name="password" type="password" autocomplete="current-password" required
                            aria-describedby=wrong_password.then_some("confirm-password-error") aria-invalid=wrong_password.then_some("true")
                            class=INPUT />
                        {wrong_password.then(|| view! {
                            <p id="confirm-password-error" role="alert" class=FIELD_ERROR>{tr(|t| t.interaction_invalid_credentials)}</p>
                        })}
                    </div>
                })}
                <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.confirm_submit)}</button>
            </form>
        }
        .into_any(),
        None => view! { <p role="alert" class=format!("mt-4 {ALERT}")>{tr(|t| t.confirm_unusable)}</p> }.into_any(),
    };
    view! {
        {page_title(|t| t.confirm_title)}
        <section aria-labelledby="confirm-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="confirm-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.confirm_heading)}</h1>
                {body}
            </div>
        </section>
    }
}

/// `/email/confirmed`: done, with nothing to return to.
#[component]
pub fn EmailConfirmedPage() -> impl IntoView {
    notice_page("confirmed-heading", |t| t.confirmed_title, |t| t.confirmed_heading, |t| t.confirmed_text)
}
