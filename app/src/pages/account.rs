//! The account console (`/account`): profile, password, where one is
//! signed in, connected apps, sign-out. Every change is a plain form posted
//! to the server (it works without JavaScript); the answer comes back as a
//! notice at the top or an error at its field.

use leptos::prelude::*;

use super::password::error_text as password_error_text;
use super::style::{CARD, FIELD_ERROR, INPUT, LABEL, LINK, PRIMARY, SECONDARY, STATUS, locale_select, notice_page};
use crate::components::AddPasskey;
use crate::dto::{AccountError, AccountNotice, AccountView, ConnectedAppView, PasskeyView, SessionView};
use crate::i18n::tr;
use crate::i18n::{Locale, Texts, format_time, page_title, use_i18n};

/// The console's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedAccount(pub AccountView);

const SECTION_HEADING: &str = "text-lg font-semibold text-slate-900";

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedAccount>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        // Only reached by navigating in the browser without the server: go there.
        return view! { <p><a href="/account" rel="external">{tr(|t| t.account_heading)}</a></p> }.into_any();
    };
    let notice = view.notice.map(|notice| {
        view! { <p id="account-notice" role="status" class=STATUS>{move || notice_text(i18n.t(), notice)}</p> }
    });
    view! {
        {page_title(|t| t.account_title)}
        <div class="mx-auto max-w-2xl space-y-6">
            <header>
                <h1 class="text-2xl font-bold text-slate-900">{tr(|t| t.account_heading)}</h1>
                <p class="mt-1 text-slate-700">
                    {tr(|t| t.account_signed_in_as)}" "<strong>{view.email.clone()}</strong>
                    {(!view.email_verified).then(|| view! {
                        " "<span class="rounded bg-amber-100 px-2 py-0.5 text-sm text-amber-900">{tr(|t| t.email_unconfirmed)}</span>
                    })}
                </p>
            </header>
            {notice}
            {profile(&view)}
            {password(&view)}
            {mfa(&view)}
            {passkeys(&view)}
            {sessions(&view)}
            {apps(&view)}
            {data(&view)}
            <section aria-labelledby="profession-heading" class=CARD>
                <h2 id="profession-heading" class=SECTION_HEADING>{tr(|t| t.prof.nav)}</h2>
                <p class="mt-2 text-slate-700">{tr(|t| t.prof.console_lead)}</p>
                <p class="mt-2"><a href="/account/profession" rel="external" class=LINK>{tr(|t| t.prof.heading)}</a></p>
            </section>
            {view.verifier.then(|| view! {
                <section aria-labelledby="verifier-heading" class=CARD>
                    <h2 id="verifier-heading" class=SECTION_HEADING>{tr(|t| t.prof.verify_heading)}</h2>
                    <p class="mt-2"><a href="/verify" rel="external" class=LINK>{tr(|t| t.prof.verify_lead_short)}</a></p>
                </section>
            })}
            <section aria-labelledby="orgs-heading" class=CARD>
                <h2 id="orgs-heading" class=SECTION_HEADING>{tr(|t| t.org.nav)}</h2>
                <p class="mt-2"><a href="/orgs" rel="external" class=LINK>{tr(|t| t.org.heading)}</a></p>
                <p class="mt-2"><a href="/portal" rel="external" class=LINK>{tr(|t| t.portal.heading)}</a></p>
            </section>
            {view.operator.then(|| view! {
                <section aria-labelledby="operator-heading" class=CARD>
                    <h2 id="operator-heading" class=SECTION_HEADING>{tr(|t| t.operator_heading)}</h2>
                    <p class="mt-2"><a href="/admin" rel="external" class=LINK>{tr(|t| t.admin.home_heading)}</a></p>
                </section>
            })}
            <form method="post" action="/account/signout">
                <button type="submit" class=SECONDARY>{tr(|t| t.sign_out)}</button>
            </form>
        </div>
    }
    .into_any()
}

fn notice_text(t: &'static Texts, notice: AccountNotice) -> &'static str {
    match notice {
        AccountNotice::ProfileSaved => t.profile_saved,
        AccountNotice::PasswordChanged => t.password_changed,
        AccountNotice::SessionEnded => t.session_ended,
        AccountNotice::OtherSessionsEnded => t.others_ended,
        AccountNotice::AppDisconnected => t.app_disconnected,
        AccountNotice::SharingSaved => t.prof.notice_sharing_saved,
        AccountNotice::TotpRemoved => t.totp_removed,
        AccountNotice::EmailChanged => t.email_changed,
        AccountNotice::PasskeyAdded => t.passkey_added,
        AccountNotice::PasskeyRemoved => t.passkey_removed,
    }
}

fn error_text(t: &'static Texts, error: AccountError, view: &AccountView) -> String {
    let text = match error {
        AccountError::GivenNameInvalid | AccountError::FamilyNameInvalid => t.name_invalid,
        AccountError::SecondFactorFirst | AccountError::PasskeySecondFactorFirst => t.second_factor_first,
        AccountError::WrongPassword
        | AccountError::MfaWrongPassword
        | AccountError::PasskeyWrongPassword
        | AccountError::DeleteWrongPassword
        | AccountError::EmailWrongPassword => t.wrong_password,
        AccountError::NewEmailEmpty => t.email_empty,
        AccountError::NewEmailMalformed => t.email_malformed,
        AccountError::NewEmailTooLong => t.email_too_long,
        AccountError::NewEmailDomain => t.new_email_domain,
        AccountError::NewEmailSame => t.new_email_same,
        AccountError::DeleteNotConfirmed => t.delete_not_confirmed,
        AccountError::DeleteWrongCode => t.delete_wrong_code,
        AccountError::DeleteServiceAccount => t.delete_service_account,
        AccountError::DeleteSoleAdmin => t.delete_sole_admin,
        AccountError::Throttled { retry_after_seconds } | AccountError::DeleteThrottled { retry_after_seconds } => {
            return t.interaction_throttled.replace("{seconds}", &retry_after_seconds.to_string());
        }
        AccountError::NewPassword(error) => password_error_text(t, error),
    };
    text.replace("{min}", &view.min_chars.to_string())
        .replace("{max}", &view.max_chars.to_string())
        .replace("{max_name}", &view.max_name_chars.to_string())
}

/// The error of `field`, if the last action failed there: its message and
/// the attributes the input needs.
fn field_error(view: &AccountView, field: &'static str) -> (Option<AnyView>, Option<String>, Option<&'static str>) {
    let i18n = use_i18n();
    match view.error.filter(|e| e.field() == field) {
        Some(error) => {
            let view = view.clone();
            let message = view! {
                <p id=format!("{field}-error") role="alert" class=FIELD_ERROR>{move || error_text(i18n.t(), error, &view)}</p>
            };
            (Some(message.into_any()), Some(format!("{field}-error")), Some("true"))
        }
        None => (None, None, None),
    }
}

fn profile(view: &AccountView) -> impl IntoView + use<> {
    let (given_error, given_described, given_invalid) = field_error(view, "given-name");
    let (family_error, family_described, family_invalid) = field_error(view, "family-name");
    let chosen = Locale::parse(&view.locale).unwrap_or(Locale::En);
    view! {
        <section aria-labelledby="profile-heading" class=CARD>
            <h2 id="profile-heading" class=SECTION_HEADING>{tr(|t| t.profile_heading)}</h2>
            <form method="post" action="/account/profile" class="mt-4 space-y-4">
                <div class="grid gap-4 sm:grid-cols-2">
                    <div>
                        <label for="given-name" class=LABEL>{tr(|t| t.given_name_label)}</label>
                        <input id="given-name" name="given_name" type="text" autocomplete="given-name" value=view.given_name.clone()
                            aria-describedby=given_described aria-invalid=given_invalid class=INPUT />
                        {given_error}
                    </div>
                    <div>
                        <label for="family-name" class=LABEL>{tr(|t| t.family_name_label)}</label>
                        <input id="family-name" name="family_name" type="text" autocomplete="family-name" value=view.family_name.clone()
                            aria-describedby=family_described aria-invalid=family_invalid class=INPUT />
                        {family_error}
                    </div>
                </div>
                {locale_select(chosen)}
                <button type="submit" class=PRIMARY>{tr(|t| t.profile_submit)}</button>
            </form>
            {email_change(view)}
        </section>
    }
}

/// The current password that confirms a form's change, as input `id`
/// (its name is `password`), with its error when the last try failed there.
fn password_confirmation(
    view: &AccountView,
    id: &'static str,
    label: fn(&'static Texts) -> &'static str,
) -> impl IntoView + use<> {
    let (error, described, invalid) = field_error(view, id);
    view! {
        <div class="grow">
            <label for=id class=LABEL>{tr(label)}</label>
            <input id=id name="password" type="password" autocomplete="current-password" required
                aria-describedby=described aria-invalid=invalid class=INPUT />
            {error}
        </div>
    }
}

fn email_change(view: &AccountView) -> impl IntoView + use<> {
    let (email_error, email_described, email_invalid) = field_error(view, "new-email");
    let email_described =
        Some(email_described.map_or("new-email-hint".to_string(), |id| format!("{id} new-email-hint")));
    view! {
        <form method="post" action="/account/email" class="mt-6 space-y-4 border-t border-slate-200 pt-6">
            <div>
                <label for="new-email" class=LABEL>{tr(|t| t.email_change_label)}</label>
                <input id="new-email" name="email" type="email" autocomplete="email" required
                    aria-describedby=email_described aria-invalid=email_invalid class=INPUT />
                <p id="new-email-hint" class="mt-1 text-sm text-slate-600">{tr(|t| t.email_change_hint)}</p>
                {email_error}
            </div>
            {password_confirmation(view, "email-password", |t| t.mfa_password_label)}
            <button type="submit" class=SECONDARY>{tr(|t| t.email_change_submit)}</button>
        </form>
    }
}

fn password(view: &AccountView) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let (current_error, current_described, current_invalid) = field_error(view, "current-password");
    let (new_error, new_described, new_invalid) = field_error(view, "new-password");
    let (confirm_error, confirm_described, confirm_invalid) = field_error(view, "confirm-password");
    let new_described =
        Some(new_described.map_or("new-password-hint".to_string(), |id| format!("{id} new-password-hint")));
    let min = view.min_chars;
    view! {
        <section aria-labelledby="password-heading" class=CARD>
            <h2 id="password-heading" class=SECTION_HEADING>{tr(|t| t.password_heading)}</h2>
            <form method="post" action="/account/password" class="mt-4 space-y-4">
                // For password managers: whose password this is.
                <input type="email" name="username" autocomplete="username" value=view.email.clone() hidden readonly />
                <div>
                    <label for="current-password" class=LABEL>{tr(|t| t.current_password_label)}</label>
                    <input id="current-password" name="current" type="password" autocomplete="current-password" required
                        aria-describedby=current_described aria-invalid=current_invalid class=INPUT />
                    {current_error}
                </div>
                <div>
                    <label for="new-password" class=LABEL>{tr(|t| t.reset_new_label)}</label>
                    <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength=min.to_string()
                        aria-describedby=new_described aria-invalid=new_invalid class=INPUT />
                    <p id="new-password-hint" class="mt-1 text-sm text-slate-600">
                        {move || i18n.t().reset_hint.replace("{min}", &min.to_string())}
                    </p>
                    {new_error}
                </div>
                <div>
                    <label for="confirm-password" class=LABEL>{tr(|t| t.reset_confirm_label)}</label>
                    <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required
                        aria-describedby=confirm_described aria-invalid=confirm_invalid class=INPUT />
                    {confirm_error}
                </div>
                <button type="submit" class=PRIMARY>{tr(|t| t.password_submit)}</button>
            </form>
        </section>
    }
}

fn mfa(view: &AccountView) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let body = if view.mfa.totp {
        let left = view.mfa.recovery_codes_left;
        view! {
            <p class="mt-2 text-slate-700">{tr(|t| t.mfa_on)}</p>
            <p class="mt-1 text-sm text-slate-600">{move || i18n.t().mfa_codes_left.replace("{count}", &left.to_string())}</p>
            <form method="post" class="mt-4 space-y-4">
                {password_confirmation(view, "mfa-password", |t| t.mfa_password_label)}
                <div class="flex flex-wrap gap-3">
                    <button type="submit" formaction="/account/recovery-codes" class=SECONDARY>{tr(|t| t.mfa_new_codes)}</button>
                    <button type="submit" formaction="/account/totp/remove" class=SECONDARY>{tr(|t| t.mfa_remove)}</button>
                </div>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p class="mt-2 text-slate-700">{tr(|t| t.mfa_off)}</p>
            <form method="post" action="/account/totp" class="mt-4 space-y-4">
                {password_confirmation(view, "mfa-password", |t| t.mfa_password_label)}
                <button type="submit" class=PRIMARY>{tr(|t| t.mfa_setup)}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="mfa-heading" class=CARD>
            <h2 id="mfa-heading" class=SECTION_HEADING>{tr(|t| t.mfa_heading)}</h2>
            {body}
        </section>
    }
}

fn data(view: &AccountView) -> impl IntoView + use<> {
    let (code_error, code_described, code_invalid) = field_error(view, "delete-code");
    let (confirm_error, confirm_described, confirm_invalid) = field_error(view, "delete-confirm");
    let code = view.mfa.totp.then(|| {
        view! {
            <div>
                <label for="delete-code" class=LABEL>{tr(|t| t.delete_code_label)}</label>
                <input id="delete-code" name="code" type="text" autocomplete="one-time-code" required
                    aria-describedby=code_described aria-invalid=code_invalid class=INPUT />
                {code_error}
            </div>
        }
    });
    view! {
        <section aria-labelledby="data-heading" class=CARD>
            <h2 id="data-heading" class=SECTION_HEADING>{tr(|t| t.data_heading)}</h2>
            <p class="mt-2 text-slate-700">{tr(|t| t.data_text)}</p>
            <p class="mt-4"><a href="/account/export" rel="external" download="sanus-account.json" class=SECONDARY>{tr(|t| t.data_export)}</a></p>
        </section>
        <section aria-labelledby="delete-heading" class="rounded-lg border border-red-300 bg-white p-8 shadow-sm">
            <h2 id="delete-heading" class=SECTION_HEADING>{tr(|t| t.delete_heading)}</h2>
            <p class="mt-2 text-slate-700">{tr(|t| t.delete_text)}</p>
            <form method="post" action="/account/delete" class="mt-4 space-y-4">
                {password_confirmation(view, "delete-password", |t| t.mfa_password_label)}
                {code}
                <div>
                    <div class="flex items-start gap-3">
                        <input id="delete-confirm" name="confirm" type="checkbox" value="yes" required
                            aria-describedby=confirm_described aria-invalid=confirm_invalid
                            class="mt-1 h-4 w-4 rounded border-slate-400 focus:outline focus:outline-2 focus:outline-teal-700" />
                        <label for="delete-confirm" class="text-sm text-slate-800">{tr(|t| t.delete_confirm_label)}</label>
                    </div>
                    {confirm_error}
                </div>
                <button type="submit" class="rounded-md bg-red-700 px-4 py-2.5 font-semibold text-white hover:bg-red-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700">
                    {tr(|t| t.delete_submit)}
                </button>
            </form>
        </section>
    }
}

/// `/account/deleted`: done.
#[component]
pub fn AccountDeletedPage() -> impl IntoView {
    notice_page("deleted-heading", |t| t.deleted_title, |t| t.deleted_heading, |t| t.deleted_text)
}

fn passkeys(view: &AccountView) -> impl IntoView + use<> {
    let body = match view.passkeys.clone() {
        None => view! { <p class="mt-2 text-sm text-slate-600">{tr(|t| t.passkeys_off)}</p> }.into_any(),
        Some(passkeys) => {
            let list = if passkeys.is_empty() {
                view! { <p class="mt-4 text-slate-700">{tr(|t| t.passkeys_none)}</p> }.into_any()
            } else {
                let removal = remove_passkey(view, &passkeys);
                view! {
                    <ul class="mt-4 divide-y divide-slate-200">
                        {passkeys.into_iter().map(passkey).collect_view()}
                    </ul>
                    {removal}
                }
                .into_any()
            };
            view! { {list} <AddPasskey /> }.into_any()
        }
    };
    view! {
        <section aria-labelledby="passkeys-heading" class=CARD>
            <h2 id="passkeys-heading" class=SECTION_HEADING>{tr(|t| t.passkeys_heading)}</h2>
            <p class="mt-2 text-slate-700">{tr(|t| t.passkeys_text)}</p>
            {body}
        </section>
    }
}

/// Removing a passkey: which one, and the current password (a session
/// alone does not remove a way in).
fn remove_passkey(view: &AccountView, passkeys: &[PasskeyView]) -> impl IntoView + use<> {
    let options: Vec<(String, String)> = passkeys.iter().map(|p| (p.id.clone(), p.name.clone())).collect();
    view! {
        <form method="post" action="/account/passkeys/remove" class="mt-4 flex flex-wrap items-end gap-3">
            <div>
                <label for="passkey-id" class=LABEL>{tr(|t| t.passkey_remove_label)}</label>
                <select id="passkey-id" name="id" class=INPUT>
                    {options.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </div>
            {password_confirmation(view, "passkey-password", |t| t.passkey_remove_password_label)}
            <button type="submit" class=SECONDARY>{tr(|t| t.passkey_remove)}</button>
        </form>
    }
}

fn passkey(passkey: PasskeyView) -> impl IntoView {
    let i18n = use_i18n();
    let PasskeyView { name, created_at, last_used_at, .. } = passkey;
    let used = move || match last_used_at {
        Some(at) => format!("{} {}", i18n.t().passkey_last_used, format_time(at, i18n.locale.get())),
        None => i18n.t().passkey_never_used.to_string(),
    };
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
                <p class="font-medium text-slate-900">{name}</p>
                <p class="text-sm text-slate-600">
                    {tr(|t| t.passkey_added_on)}" "{move || format_time(created_at, i18n.locale.get())}" · "{used}
                </p>
            </div>
        </li>
    }
}

fn sessions(view: &AccountView) -> impl IntoView + use<> {
    let others = view.sessions.iter().any(|s| !s.current);
    view! {
        <section aria-labelledby="sessions-heading" class=CARD>
            <h2 id="sessions-heading" class=SECTION_HEADING>{tr(|t| t.sessions_heading)}</h2>
            <ul class="mt-4 divide-y divide-slate-200">
                {view.sessions.iter().cloned().map(session).collect_view()}
            </ul>
            {others.then(|| view! {
                <form method="post" action="/account/sessions/end-others" class="mt-4">
                    <button type="submit" class=SECONDARY>{tr(|t| t.sessions_end_others)}</button>
                </form>
            })}
        </section>
    }
}

fn session(session: SessionView) -> impl IntoView {
    let i18n = use_i18n();
    let SessionView { id, device, created_at, last_seen_at, current } = session;
    let device = move || device.clone().unwrap_or_else(|| i18n.t().session_unknown_device.to_string());
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
                <p class="font-medium text-slate-900">
                    {device}
                    {current.then(|| view! { " · "<span class="text-teal-800">{tr(|t| t.session_current)}</span> })}
                </p>
                <p class="text-sm text-slate-600">
                    {tr(|t| t.session_started)}" "{move || format_time(created_at, i18n.locale.get())}
                    " · "{tr(|t| t.session_last_used)}" "{move || format_time(last_seen_at, i18n.locale.get())}
                </p>
            </div>
            {(!current).then(|| view! {
                <form method="post" action=format!("/account/sessions/{id}/end")>
                    <button type="submit" class=SECONDARY>{tr(|t| t.session_end)}</button>
                </form>
            })}
        </li>
    }
}

fn apps(view: &AccountView) -> impl IntoView + use<> {
    let list = if view.apps.is_empty() {
        view! { <p class="mt-4 text-slate-700">{tr(|t| t.apps_none)}</p> }.into_any()
    } else {
        view! { <ul class="mt-4 divide-y divide-slate-200">{view.apps.iter().cloned().map(app).collect_view()}</ul> }
            .into_any()
    };
    view! {
        <section aria-labelledby="apps-heading" class=CARD>
            <h2 id="apps-heading" class=SECTION_HEADING>{tr(|t| t.apps_heading)}</h2>
            {list}
        </section>
    }
}

fn app(app: ConnectedAppView) -> impl IntoView {
    let i18n = use_i18n();
    let ConnectedAppView { client_id, name, logo_uri, scopes, profile_fields, granted_at } = app;
    let label = format!("{name}: ");
    let sharing = (!profile_fields.is_empty()).then(|| sharing_form(&client_id, profile_fields));
    view! {
        <li class="flex flex-wrap items-start justify-between gap-3 py-3">
            <div class="flex gap-3">
                {logo_uri.map(|logo| view! { <img src=logo alt="" class="h-10 w-10 rounded object-contain" /> })}
                <div>
                    <p class="font-medium text-slate-900">{name}</p>
                    <ul class="mt-1 list-disc pl-5 text-sm text-slate-700">
                        {scopes.into_iter().map(|scope| view! { <li>{move || i18n.t().scope(&scope)}</li> }).collect_view()}
                    </ul>
                    <p class="mt-1 text-sm text-slate-600">
                        {tr(|t| t.app_allowed)}" "{move || format_time(granted_at, i18n.locale.get())}
                    </p>
                    {sharing}
                </div>
            </div>
            <form method="post" action=format!("/account/apps/{client_id}/disconnect")>
                <button type="submit" class=SECONDARY>
                    <span class="sr-only">{label}</span>{tr(|t| t.app_disconnect)}
                </button>
            </form>
        </li>
    }
}

/// Which professional profile fields the app receives: a box each.
fn sharing_form(client_id: &str, fields: Vec<(String, bool)>) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let boxes = fields
        .into_iter()
        .map(|(field, shared)| {
            let id = format!("share-{client_id}-{field}");
            let label = field.clone();
            view! {
                <div class="flex items-center gap-2">
                    <input type="checkbox" id=id.clone() name="share" value=field checked=shared />
                    <label for=id class="text-sm text-slate-800">
                        {move || sanus_professions::catalogue::field(&label)
                            .map_or_else(|| label.clone(), |f| f.label.get(i18n.locale.get() == Locale::De).to_string())}
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=format!("/account/apps/{client_id}/profile-fields") class="mt-2">
            <fieldset>
                <legend class="text-sm font-medium text-slate-800">{tr(|t| t.prof.sharing_legend)}</legend>
                {boxes}
            </fieldset>
            <button type="submit" class="mt-2 text-sm font-semibold text-teal-800 underline">{tr(|t| t.prof.sharing_save)}</button>
        </form>
    }
}
