//! The operators' console (`/admin`): accounts, organisations, signing
//! keys and the audit log. The server lets only operators reach these
//! pages, loads what they show, and records every action. Everything works
//! without JavaScript: searches are GET forms, actions are POST forms.

use leptos::prelude::*;

use super::style::{CARD, FIELD_ERROR, INPUT, LABEL, LINK, PRIMARY, SECONDARY, STATUS, escape_text};
use crate::dto::{
    AdminAuditView, AdminEventRow, AdminKeyRow, AdminKeysView, AdminTenantRow, AdminTenantsView, AdminUserRow,
    AdminUserView, AdminUsersView,
};
use crate::i18n::{AdminTexts, Locale, Texts, format_time, localized, page_title, tr, use_i18n};

#[derive(Clone, Debug)]
pub struct LoadedAdminUsers(pub AdminUsersView);
#[derive(Clone, Debug)]
pub struct LoadedAdminUser(pub AdminUserView);
#[derive(Clone, Debug)]
pub struct LoadedAdminTenants(pub AdminTenantsView);
#[derive(Clone, Debug)]
pub struct LoadedAdminKeys(pub AdminKeysView);
#[derive(Clone, Debug)]
pub struct LoadedAdminAudit(pub AdminAuditView);

const TABLE: &str = "min-w-full text-left text-sm";
const HEAD: &str = "border-b border-slate-300 text-slate-700";
const CELL: &str = "py-2 pr-4 align-top";
const BADGE: &str = "ml-2 rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-900";

/// One text of the console.
type Text = fn(&'static AdminTexts) -> &'static str;

/// Title, heading, lead and the way back, shared by every console page.
/// The title takes the whole texts, as `page_title` does; the rest only the
/// console's.
fn header(
    title: fn(&'static Texts) -> &'static str,
    heading: Text,
    lead: Text,
    back: Option<(&'static str, Text)>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {page_title(title)}
        <header>
            {back.map(|(href, text)| view! {
                <p class="mb-2 text-sm"><a href=href rel="external" class=LINK>{move || text(i18n.t().admin)}</a></p>
            })}
            <h1 class="text-2xl font-bold text-slate-900">{move || heading(i18n.t().admin)}</h1>
            <p class="mt-2 text-slate-700">{move || lead(i18n.t().admin)}</p>
        </header>
    }
}

/// A table with a header row of `columns` (after a heading: `spaced`).
fn table(columns: &[Text], spaced: bool, rows: impl IntoView + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let heads = columns
        .iter()
        .copied()
        .map(|column| view! { <th scope="col" class=CELL>{move || column(i18n.t().admin)}</th> })
        .collect_view();
    view! {
        <div class="overflow-x-auto" class:mt-2=spaced>
            <table class=TABLE>
                <thead class=HEAD>
                    <tr>{heads}</tr>
                </thead>
                <tbody class="divide-y divide-slate-200">{rows}</tbody>
            </table>
        </div>
    }
}

fn time(at: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! { <time datetime=at.to_string()>{move || format_time(at, i18n.locale.get())}</time> }
}

/// `/admin`.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    let links: [(&'static str, Text, Text); 5] = [
        ("/admin/users", |t| t.link_users, |t| t.link_users_help),
        ("/admin/tenants", |t| t.link_tenants, |t| t.link_tenants_help),
        ("/admin/keys", |t| t.link_keys, |t| t.link_keys_help),
        ("/admin/audit", |t| t.link_audit, |t| t.link_audit_help),
        ("/admin/outbox", |t| t.link_outbox, |t| t.link_outbox_help),
    ];
    let i18n = use_i18n();
    let items = links
        .into_iter()
        .map(|(href, name, help)| {
            view! {
                <li class=CARD>
                    <h2 class="text-lg font-semibold">
                        <a href=href rel="external" class=LINK>{move || name(i18n.t().admin)}</a>
                    </h2>
                    <p class="mt-1 text-slate-700">{move || help(i18n.t().admin)}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="mx-auto max-w-3xl space-y-6">
            {header(|t| t.admin.home_title, |t| t.home_heading, |t| t.home_lead, None)}
            <ul class="space-y-4">{items}</ul>
        </div>
    }
}

/// A GET search form with one field.
fn search_form(action: &'static str, value: String, label: Text, help: Option<Text>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="get" action=action class="flex flex-wrap items-end gap-3" role="search">
            <div class="grow">
                <label for="q" class=LABEL>{move || label(i18n.t().admin)}</label>
                <input id="q" name="q" type="search" value=value class=INPUT
                    aria-describedby=help.map(|_| "q-help") />
                {help.map(|help| view! {
                    <p id="q-help" class="mt-1 text-sm text-slate-600">{move || help(i18n.t().admin)}</p>
                })}
            </div>
            <button type="submit" class=PRIMARY>{tr(|t| t.admin.search_button)}</button>
        </form>
    }
}

/// `/admin/users`.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedAdminUsers>().map(|loaded| loaded.0));
    let Some(AdminUsersView { query, users, more }) = loaded.into_inner() else {
        return view! { <p><a href="/admin/users" rel="external" class=LINK>{tr(|t| t.admin.users_heading)}</a></p> }
            .into_any();
    };
    let list = if users.is_empty() {
        view! { <p class="text-slate-700">{tr(|t| t.admin.users_none)}</p> }.into_any()
    } else {
        let rows = users.into_iter().map(user_row).collect_view();
        table(&[|t| t.col_email, |t| t.col_name, |t| t.col_state, |t| t.created], false, rows).into_any()
    };
    view! {
        <div class="mx-auto max-w-4xl space-y-6">
            {header(|t| t.admin.users_title, |t| t.users_heading, |t| t.users_lead, Some(("/admin", |t| t.back_to_console)))}
            {search_form("/admin/users", query, |t| t.users_search_label, Some(|t| t.users_search_help))}
            {list}
            {more.then(|| view! { <p class="text-sm text-slate-700">{tr(|t| t.admin.more_results)}</p> })}
        </div>
    }
    .into_any()
}

fn user_row(user: AdminUserRow) -> impl IntoView {
    let AdminUserRow { id, email, name, email_verified, created_at, locked } = user;
    view! {
        <tr>
            <td class=CELL><a href=format!("/admin/users/{id}") rel="external" class=LINK>{email}</a></td>
            <td class=CELL>{name.unwrap_or_default()}</td>
            <td class=CELL>
                {if email_verified { tr(|t| t.admin.verified) } else { tr(|t| t.admin.unverified) }}
                {locked.then(|| view! { <span class=BADGE>{tr(|t| t.admin.locked_badge)}</span> })}
            </td>
            <td class=CELL>{time(created_at)}</td>
        </tr>
    }
}

/// `/admin/users/{id}`.
#[component]
pub fn AdminUserPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedAdminUser>().map(|loaded| loaded.0));
    let Some(user) = loaded.into_inner() else {
        return view! { <p><a href="/admin/users" rel="external" class=LINK>{tr(|t| t.admin.users_heading)}</a></p> }
            .into_any();
    };
    let base = format!("/admin/users/{}", user.id);
    let notice = user.notice.clone().and_then(|notice| {
        let text: Text = match notice.as_str() {
            "locked" => |t| t.notice_locked,
            "unlocked" => |t| t.notice_unlocked,
            "sessions_ended" => |t| t.notice_sessions_ended,
            "reset_sent" => |t| t.notice_reset_sent,
            _ => return None,
        };
        Some(view! { <p role="status" class=STATUS>{move || text(i18n.t().admin)}</p> })
    });
    view! {
        {page_title(|t| t.admin.user_title)}
        <div class="mx-auto max-w-4xl space-y-6">
            <header>
                <p class="mb-2 text-sm"><a href="/admin/users" rel="external" class=LINK>{tr(|t| t.admin.back_to_users)}</a></p>
                <h1 class="text-2xl font-bold text-slate-900">{user.email.clone()}</h1>
            </header>
            {notice}
            {account_section(&user)}
            {lock_section(&user, &base)}
            {sessions_section(&user, &base)}
            {memberships_section(&user)}
            {reset_section(&base)}
        </div>
    }
    .into_any()
}

fn account_section(user: &AdminUserView) -> impl IntoView {
    let i18n = use_i18n();
    let (recovery, passkeys) = (user.recovery_codes_left, user.passkeys);
    let totp = user.totp;
    let roles = if user.platform_roles.is_empty() {
        view! { <span>{tr(|t| t.admin.platform_roles_none)}</span> }.into_any()
    } else {
        view! { <span>{user.platform_roles.join(", ")}</span> }.into_any()
    };
    let verified = user.email_verified;
    let has_password = user.has_password;
    view! {
        <section class=CARD aria-labelledby="account-heading">
            <h2 id="account-heading" class="text-lg font-semibold text-slate-900">{tr(|t| t.admin.section_account)}</h2>
            <dl class="mt-4 grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[auto_1fr]">
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.field_email)}</dt>
                <dd>
                    {user.email.clone()}" ("
                    {if verified { tr(|t| t.admin.verified) } else { tr(|t| t.admin.unverified) }}")"
                </dd>
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.field_name)}</dt>
                <dd>{user.name.clone().unwrap_or_else(|| "–".into())}</dd>
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.field_language)}</dt>
                <dd>{user.locale.clone()}</dd>
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.created)}</dt>
                <dd>{time(user.created_at)}</dd>
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.field_password)}</dt>
                <dd>{if has_password { tr(|t| t.admin.password_set) } else { tr(|t| t.admin.password_none) }}</dd>
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.section_security)}</dt>
                <dd>
                    {if totp { tr(|t| t.admin.totp_on) } else { tr(|t| t.admin.totp_off) }}" · "
                    {move || i18n.t().admin.recovery_left.replace("{n}", &recovery.to_string())}" · "
                    {move || i18n.t().admin.passkeys_count.replace("{n}", &passkeys.to_string())}
                </dd>
                <dt class="font-medium text-slate-700">{tr(|t| t.admin.section_platform_roles)}</dt>
                <dd>{roles}</dd>
            </dl>
        </section>
    }
}

fn lock_section(user: &AdminUserView, base: &str) -> impl IntoView {
    let i18n = use_i18n();
    let body = match (&user.lock, user.own) {
        (Some(lock), _) => {
            let (at, reason) = (lock.locked_at, lock.reason.clone());
            let by = lock.locked_by.clone();
            view! {
                <p class="mt-2 font-semibold text-red-900">
                    {move || {
                        let t = i18n.t().admin;
                        let who = by.clone().unwrap_or_else(|| t.locked_by_unknown.to_string());
                        t.locked_since.replace("{date}", &format_time(at, i18n.locale.get())).replace("{who}", &who)
                    }}
                </p>
                <p class="mt-2 text-slate-700">{tr(|t| t.admin.lock_reason_shown)}": "{reason}</p>
                <form method="post" action=format!("{base}/unlock") class="mt-4">
                    <p id="unlock-help" class="text-sm text-slate-700">{tr(|t| t.admin.unlock_help)}</p>
                    <button type="submit" class=format!("mt-3 {SECONDARY}") aria-describedby="unlock-help">
                        {tr(|t| t.admin.unlock_button)}
                    </button>
                </form>
            }
            .into_any()
        }
        (None, true) => view! { <p class="mt-2 text-slate-700">{tr(|t| t.admin.own_account)}</p> }.into_any(),
        (None, false) => {
            let error = user.reason_error.clone();
            let invalid = error.is_some();
            let described = if invalid { "lock-help lock-error" } else { "lock-help" };
            view! {
                <form method="post" action=format!("{base}/lock") class="mt-2 space-y-3">
                    <p id="lock-help" class="text-sm text-slate-700">{tr(|t| t.admin.lock_help)}</p>
                    <div>
                        <label for="reason" class=LABEL>{tr(|t| t.admin.lock_reason_label)}</label>
                        <textarea id="reason" name="reason" rows="2" required maxlength="500" class=INPUT
                            aria-invalid=invalid.then_some("true") aria-describedby=described
                            inner_html=escape_text(&user.reason)></textarea>
                        {error.map(|error| view! { <p id="lock-error" class=FIELD_ERROR>{error}</p> })}
                    </div>
                    <button type="submit" class="rounded-md bg-red-800 px-4 py-2.5 font-semibold text-white hover:bg-red-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-800">
                        {tr(|t| t.admin.lock_button)}
                    </button>
                </form>
            }
            .into_any()
        }
    };
    view! {
        <section class=CARD aria-labelledby="lock-heading">
            <h2 id="lock-heading" class="text-lg font-semibold text-slate-900">{tr(|t| t.admin.section_lock)}</h2>
            {body}
        </section>
    }
}

fn sessions_section(user: &AdminUserView, base: &str) -> impl IntoView {
    let list = if user.sessions.is_empty() {
        view! { <p class="mt-2 text-slate-700">{tr(|t| t.admin.sessions_none)}</p> }.into_any()
    } else {
        let rows = user
            .sessions
            .iter()
            .cloned()
            .map(|session| {
                let device =
                    session.device.map_or_else(|| tr(|t| t.admin.unknown_device).into_any(), IntoAny::into_any);
                view! {
                    <tr>
                        <td class=CELL>{device}</td>
                        <td class=CELL>{time(session.created_at)}</td>
                        <td class=CELL>{time(session.last_seen_at)}</td>
                        <td class=CELL>{session.amr.join(", ")}</td>
                    </tr>
                }
            })
            .collect_view();
        table(&[|t| t.col_device, |t| t.col_signed_in, |t| t.col_last_seen, |t| t.col_methods], true, rows).into_any()
    };
    view! {
        <section class=CARD aria-labelledby="sessions-heading">
            <h2 id="sessions-heading" class="text-lg font-semibold text-slate-900">{tr(|t| t.admin.section_sessions)}</h2>
            {list}
            <form method="post" action=format!("{base}/sessions/end") class="mt-4">
                <p id="end-help" class="text-sm text-slate-700">{tr(|t| t.admin.end_sessions_help)}</p>
                <button type="submit" class=format!("mt-3 {SECONDARY}") aria-describedby="end-help">
                    {tr(|t| t.admin.end_sessions_button)}
                </button>
            </form>
        </section>
    }
}

fn memberships_section(user: &AdminUserView) -> impl IntoView {
    let list = if user.memberships.is_empty() {
        view! { <p class="mt-2 text-slate-700">{tr(|t| t.admin.memberships_none)}</p> }.into_any()
    } else {
        let rows = user
            .memberships
            .iter()
            .cloned()
            .map(|m| {
                let href = format!("/admin/tenants?q={}", m.tenant_id);
                view! {
                    <tr>
                        <td class=CELL><a href=href rel="external" class=LINK>{m.tenant_name}</a></td>
                        <td class=CELL>{m.roles.join(", ")}</td>
                    </tr>
                }
            })
            .collect_view();
        table(&[|t| t.col_tenant, |t| t.col_roles], true, rows).into_any()
    };
    view! {
        <section class=CARD aria-labelledby="memberships-heading">
            <h2 id="memberships-heading" class="text-lg font-semibold text-slate-900">
                {tr(|t| t.admin.section_memberships)}
            </h2>
            {list}
        </section>
    }
}

fn reset_section(base: &str) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="reset-heading">
            <h2 id="reset-heading" class="text-lg font-semibold text-slate-900">{tr(|t| t.admin.section_reset)}</h2>
            <form method="post" action=format!("{base}/password-reset") class="mt-2">
                <p id="reset-help" class="text-sm text-slate-700">{tr(|t| t.admin.reset_help)}</p>
                <button type="submit" class=format!("mt-3 {SECONDARY}") aria-describedby="reset-help">
                    {tr(|t| t.admin.reset_button)}
                </button>
            </form>
        </section>
    }
}

/// `/admin/tenants`.
#[component]
pub fn AdminTenantsPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedAdminTenants>().map(|loaded| loaded.0));
    let Some(AdminTenantsView { query, tenants, more }) = loaded.into_inner() else {
        return view! { <p><a href="/admin/tenants" rel="external" class=LINK>{tr(|t| t.admin.tenants_heading)}</a></p> }
            .into_any();
    };
    let list = if tenants.is_empty() {
        view! { <p class="text-slate-700">{tr(|t| t.admin.tenants_none)}</p> }.into_any()
    } else {
        let rows = tenants.into_iter().map(tenant_row).collect_view();
        table(
            &[|t| t.col_tenant, |t| t.col_kind, |t| t.col_members, |t| t.col_applications, |t| t.created],
            false,
            rows,
        )
        .into_any()
    };
    view! {
        <div class="mx-auto max-w-4xl space-y-6">
            {header(|t| t.admin.tenants_title, |t| t.tenants_heading, |t| t.tenants_lead, Some(("/admin", |t| t.back_to_console)))}
            {search_form("/admin/tenants", query, |t| t.tenants_search_label, None)}
            {list}
            {more.then(|| view! { <p class="text-sm text-slate-700">{tr(|t| t.admin.more_results)}</p> })}
        </div>
    }
    .into_any()
}

fn tenant_row(tenant: AdminTenantRow) -> impl IntoView {
    let i18n = use_i18n();
    let AdminTenantRow { id, name, kind, organisation, archived, members, applications, created_at } = tenant;
    let users = format!("/admin/users?q={id}");
    let audit = format!("/admin/audit?tenant={id}");
    let department = organisation.is_some();
    view! {
        <tr>
            <td class=CELL>
                <span class:pl-6=department class="font-medium">{name}</span>
                {archived.then(|| view! { <span class=BADGE>{tr(|t| t.admin.archived_badge)}</span> })}
                <span class="block text-xs text-slate-600">
                    <code>{id}</code>" · "<a href=audit rel="external" class=LINK>{tr(|t| t.admin.link_audit)}</a>
                </span>
            </td>
            <td class=CELL>
                {move || match (&organisation, kind.as_str()) {
                    (Some(org), _) => i18n.t().admin.department_of.replace("{organisation}", org),
                    (None, "development") => i18n.t().admin.kind_development.to_string(),
                    (None, _) => i18n.t().admin.kind_organization.to_string(),
                }}
            </td>
            <td class=CELL><a href=users rel="external" class=LINK>{members}</a></td>
            <td class=CELL>{applications}</td>
            <td class=CELL>{time(created_at)}</td>
        </tr>
    }
}

/// `/admin/keys`.
#[component]
pub fn AdminKeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedAdminKeys>().map(|loaded| loaded.0));
    let Some(AdminKeysView { keys, publish_ahead_seconds, notice }) = loaded.into_inner() else {
        return view! { <p><a href="/admin/keys" rel="external" class=LINK>{tr(|t| t.admin.keys_heading)}</a></p> }
            .into_any();
    };
    let rows = keys.into_iter().map(key_row).collect_view();
    view! {
        <div class="mx-auto max-w-4xl space-y-6">
            {header(|t| t.admin.keys_title, |t| t.keys_heading, |t| t.keys_lead, Some(("/admin", |t| t.back_to_console)))}
            {notice.map(|_| view! { <p role="status" class=STATUS>{tr(|t| t.admin.notice_rotated)}</p> })}
            <div class="overflow-x-auto">
                <table class=TABLE>
                    <thead class=HEAD>
                        <tr>
                            <th scope="col" class=CELL>{tr(|t| t.admin.col_kid)}</th>
                            <th scope="col" class=CELL>{tr(|t| t.admin.col_alg)}</th>
                            <th scope="col" class=CELL>{tr(|t| t.admin.created)}</th>
                            <th scope="col" class=CELL>{tr(|t| t.admin.col_state)}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-200">{rows}</tbody>
                </table>
            </div>
            <section class=CARD aria-labelledby="rotate-heading">
                <h2 id="rotate-heading" class="text-lg font-semibold text-slate-900">{tr(|t| t.admin.rotate_heading)}</h2>
                <form method="post" action="/admin/keys/rotate" class="mt-2">
                    <p id="rotate-help" class="text-sm text-slate-700">
                        {move || i18n.t().admin.rotate_help.replace("{seconds}", &publish_ahead_seconds.to_string())}
                    </p>
                    <button type="submit" class=format!("mt-3 {PRIMARY}") aria-describedby="rotate-help">
                        {tr(|t| t.admin.rotate_button)}
                    </button>
                </form>
            </section>
        </div>
    }
    .into_any()
}

fn key_row(key: AdminKeyRow) -> impl IntoView {
    let AdminKeyRow { kid, alg, created_at, state, until } = key;
    let state = localized(move |locale: Locale| {
        let t = locale.texts().admin;
        let date = until.map(|at| format_time(at, locale)).unwrap_or_default();
        match state.as_str() {
            "signs" => t.state_signs.to_string(),
            "hands_over" => t.state_hands_over.replace("{date}", &date),
            "announced" => t.state_announced.replace("{date}", &date),
            "published" => t.state_published.replace("{date}", &date),
            _ => t.state_retired.to_string(),
        }
    });
    view! {
        <tr>
            <td class=CELL><code>{kid}</code></td>
            <td class=CELL>{alg}</td>
            <td class=CELL>{time(created_at)}</td>
            <td class=CELL>{state}</td>
        </tr>
    }
}

/// `/admin/audit`.
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedAdminAudit>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/admin/audit" rel="external" class=LINK>{tr(|t| t.admin.audit_heading)}</a></p> }
            .into_any();
    };
    let AdminAuditView { kind, user, client, tenant, address, errors, families, events, next } = view;
    let error_of = |field: &str| errors.iter().find(|(name, _)| name == field).map(|(_, message)| message.clone());
    let kind_error = error_of("kind");
    let user_error = error_of("user");
    let options = families.into_iter().map(|family| view! { <option value=family></option> }).collect_view();
    let list = if events.is_empty() {
        view! { <p class="text-slate-700">{tr(|t| t.admin.audit_none)}</p> }.into_any()
    } else {
        let rows = events.into_iter().map(event_row).collect_view();
        table(&[|t| t.col_time, |t| t.col_event, |t| t.col_account, |t| t.col_client, |t| t.col_details], false, rows)
            .into_any()
    };
    view! {
        <div class="mx-auto max-w-6xl space-y-6">
            {header(|t| t.admin.audit_title, |t| t.audit_heading, |t| t.audit_lead, Some(("/admin", |t| t.back_to_console)))}
            <form method="get" action="/admin/audit" class="grid grid-cols-1 gap-3 sm:grid-cols-3">
                {filter_field("kind", kind, |t| t.filter_kind, Some(|t| t.filter_kind_help), kind_error, Some("families"))}
                {filter_field("user", user, |t| t.filter_user, Some(|t| t.filter_user_help), user_error, None)}
                {filter_field("client", client, |t| t.filter_client, None, None, None)}
                {filter_field("tenant", tenant, |t| t.filter_tenant, None, None, None)}
                {filter_field("address", address, |t| t.filter_address, None, None, None)}
                <div class="flex items-end">
                    <button type="submit" class=PRIMARY>{tr(|t| t.admin.filter_button)}</button>
                </div>
                <datalist id="families">{options}</datalist>
            </form>
            {list}
            {next.map(|query| view! {
                <p><a href=format!("/admin/audit?{query}") rel="external" class=LINK>{tr(|t| t.admin.older_page)}</a></p>
            })}
        </div>
    }
    .into_any()
}

fn filter_field(
    name: &'static str,
    value: String,
    label: Text,
    help: Option<Text>,
    error: Option<String>,
    list: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("filter-{name}");
    let help_id = format!("filter-{name}-help");
    let error_id = format!("filter-{name}-error");
    let described = [help.map(|_| help_id.clone()), error.as_ref().map(|_| error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let invalid = error.is_some();
    view! {
        <div>
            <label for=id.clone() class=LABEL>{move || label(i18n.t().admin)}</label>
            <input id=id name=name type="text" value=value list=list class=INPUT
                aria-invalid=invalid.then_some("true")
                aria-describedby=(!described.is_empty()).then_some(described) />
            {help.map(|help| view! { <p id=help_id class="mt-1 text-xs text-slate-600">{move || help(i18n.t().admin)}</p> })}
            {error.map(|error| view! { <p id=error_id role="alert" class=FIELD_ERROR>{error}</p> })}
        </div>
    }
}

fn event_row(event: AdminEventRow) -> impl IntoView {
    let AdminEventRow { at, kind, user_id, user_email, client_id, tenant_id, address, request_id, detail } = event;
    let account = match (user_id, user_email) {
        (Some(id), Some(email)) => {
            view! { <a href=format!("/admin/users/{id}") rel="external" class=LINK>{email}</a> }.into_any()
        }
        (Some(id), None) => view! { <code class="text-xs">{id}</code> }.into_any(),
        (None, _) => view! { <span>"–"</span> }.into_any(),
    };
    let context = [
        tenant_id.map(|t| format!("tenant {t}")),
        address.map(|a| format!("address {a}")),
        request_id.map(|r| format!("request {r}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <tr>
            <td class=format!("{CELL} whitespace-nowrap")>{time(at)}</td>
            <td class=CELL><code>{kind}</code></td>
            <td class=CELL>{account}</td>
            <td class=CELL>{client_id.unwrap_or_else(|| "–".into())}</td>
            <td class=CELL>
                <code class="break-all text-xs">{detail}</code>
                <span class="block text-xs text-slate-600">{context}</span>
            </td>
        </tr>
    }
}
