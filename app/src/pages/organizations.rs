//! The organisation pages: `/orgs` (my organisations, create one),
//! `/orgs/{id}` (a tenant: name, departments, members, invitations,
//! licenses, archive, leave) and `/invitations/{token}`. Plain forms posted
//! to the server (they work without JavaScript); the server shows only
//! what the person's roles allow and checks every action again.

use leptos::prelude::*;

use super::style::{ALERT, CARD, FIELD_ERROR, INPUT, LABEL, LINK, PRIMARY, SECONDARY, STATUS};
use crate::dto::{
    InvitationPageView, InvitationRowView, LicenseView, MemberView, MembersView, MembershipView, OrgFailure, OrgNotice,
    OrgsView, TenantRef, TenantView, TreeNode,
};
use crate::i18n::format_time;
use crate::i18n::{OrgTexts, Texts, localized, page_title, tr, use_i18n};

#[derive(Clone, Debug)]
pub struct LoadedOrgs(pub OrgsView);

#[derive(Clone, Debug)]
pub struct LoadedTenant(pub TenantView);

#[derive(Clone, Debug)]
pub struct LoadedInvitation(pub InvitationPageView);

const SECTION_HEADING: &str = "text-lg font-semibold text-slate-900";
const CHECKBOX: &str =
    "mt-1 h-4 w-4 rounded border-slate-400 text-teal-700 focus:outline focus:outline-2 focus:outline-teal-700";

/// A role's name as people read it: core roles translated, an
/// application's role as it is named.
fn role_name(t: &'static OrgTexts, role: &str) -> String {
    match role {
        "admin" => t.role_admin.into(),
        "contributor" => t.role_contributor.into(),
        "reader" => t.role_reader.into(),
        "external" => t.role_external.into(),
        other => other.into(),
    }
}

fn role_hint(t: &'static OrgTexts, role: &str) -> Option<&'static str> {
    match role {
        "admin" => Some(t.role_admin_hint),
        "contributor" => Some(t.role_contributor_hint),
        "reader" => Some(t.role_reader_hint),
        "external" => Some(t.role_external_hint),
        _ => None,
    }
}

fn role_list(roles: Vec<String>) -> impl IntoView {
    localized(move |l| roles.iter().map(|role| role_name(l.texts().org, role)).collect::<Vec<_>>().join(", "))
}

fn notice_text(t: &'static OrgTexts, notice: OrgNotice) -> &'static str {
    match notice {
        OrgNotice::Created => t.notice_created,
        OrgNotice::Renamed => t.notice_renamed,
        OrgNotice::DepartmentAdded => t.notice_department_added,
        OrgNotice::Moved => t.notice_moved,
        OrgNotice::Archived => t.notice_archived,
        OrgNotice::Invited => t.notice_invited,
        OrgNotice::InvitationResent => t.notice_invitation_resent,
        OrgNotice::InvitationRevoked => t.notice_invitation_revoked,
        OrgNotice::RolesChanged => t.notice_roles_changed,
        OrgNotice::MemberRemoved => t.notice_member_removed,
        OrgNotice::Left => t.notice_left,
        OrgNotice::DefaultChosen => t.notice_default_chosen,
        OrgNotice::SeatAssigned => t.notice_seat_assigned,
        OrgNotice::SeatReleased => t.notice_seat_released,
        OrgNotice::Joined => t.notice_joined,
        OrgNotice::MfaSaved => t.notice_mfa_saved,
    }
}

fn failure_text(t: &'static OrgTexts, failure: OrgFailure, max_name_chars: usize) -> String {
    let text = match failure {
        OrgFailure::NameEmpty => t.error_name_empty,
        OrgFailure::NameTooLong => t.error_name_too_long,
        OrgFailure::NameControl => t.error_name_control,
        OrgFailure::Forbidden => t.error_forbidden,
        OrgFailure::LastAdmin => t.error_last_admin,
        OrgFailure::NotAMember => t.error_not_a_member,
        OrgFailure::UnknownRole => t.error_unknown_role,
        OrgFailure::TooManyRoles => t.error_too_many_roles,
        OrgFailure::NoRoles => t.error_no_roles,
        OrgFailure::BadMove => t.error_bad_move,
        OrgFailure::EmailInvalid => t.error_email_invalid,
        OrgFailure::AlreadyMember => t.error_already_member,
        OrgFailure::AlreadyInvited => t.error_already_invited,
        OrgFailure::TooSoon => t.error_too_soon,
        OrgFailure::NotPending => t.error_not_pending,
        OrgFailure::NoSeatLeft => t.error_no_seat_left,
        OrgFailure::SeatNotMember => t.error_seat_not_member,
        OrgFailure::Unconfirmed => t.error_unconfirmed,
        OrgFailure::TooManyInvitations => t.error_too_many_invitations,
    };
    text.replace("{max}", &max_name_chars.to_string())
}

/// Where the last action's outcome is shown: a notice, or an error that
/// belongs to no input, at the top; an input's error beside it.
#[derive(Clone)]
struct Outcome {
    notice: Option<OrgNotice>,
    error: Option<OrgFailure>,
    field: Option<String>,
    max_name_chars: usize,
}

impl Outcome {
    fn banner(&self, fields: &[&str]) -> impl IntoView + use<> {
        let notice = self.notice.map(|notice| {
            view! { <p id="org-notice" role="status" class=STATUS>{localized(move |l| notice_text(l.texts().org, notice).to_string())}</p> }
        });
        let placed = self.field.as_deref().is_some_and(|field| fields.contains(&field));
        let max = self.max_name_chars;
        let error = self.error.filter(|_| !placed).map(|error| {
            view! { <p id="org-error" role="alert" class=ALERT>{localized(move |l| failure_text(l.texts().org, error, max))}</p> }
        });
        view! { {notice}{error} }
    }

    /// The error of the input `id`, and the attributes the input needs.
    fn at(&self, id: &str) -> (Option<AnyView>, Option<String>, Option<&'static str>) {
        match self.error.filter(|_| self.field.as_deref() == Some(id)) {
            Some(error) => {
                let max = self.max_name_chars;
                let message = view! {
                    <p id=format!("{id}-error") role="alert" class=FIELD_ERROR>{localized(move |l| failure_text(l.texts().org, error, max))}</p>
                };
                (Some(message.into_any()), Some(format!("{id}-error")), Some("true"))
            }
            None => (None, None, None),
        }
    }
}

/// A labelled text input for a name, posted as `name`.
fn name_input(
    outcome: &Outcome,
    id: &'static str,
    label: fn(&'static Texts) -> &'static str,
    value: String,
) -> AnyView {
    let (error, described, invalid) = outcome.at(id);
    view! {
        <div>
            <label for=id class=LABEL>{tr(label)}</label>
            <input id=id name="name" type="text" required maxlength=outcome.max_name_chars.to_string() value=value
                aria-describedby=described aria-invalid=invalid class=INPUT />
            {error}
        </div>
    }
    .into_any()
}

/// `/orgs`: the person's memberships, a default to choose, and a form to
/// create an organisation.
#[component]
pub fn OrganizationsPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedOrgs>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/orgs" rel="external">{tr(|t| t.org.heading)}</a></p> }.into_any();
    };
    let outcome = Outcome {
        notice: view.notice,
        error: view.error,
        field: view.error_field.clone(),
        max_name_chars: view.max_name_chars,
    };
    let list = if view.memberships.is_empty() {
        view! { <p class="mt-4 text-slate-700">{tr(|t| t.org.empty)}</p> }.into_any()
    } else {
        view! { <ul class="mt-4 divide-y divide-slate-200">{view.memberships.into_iter().map(membership).collect_view()}</ul> }
            .into_any()
    };
    view! {
        {page_title(|t| t.org.title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header>
                <h1 class="text-2xl font-bold text-slate-900">{tr(|t| t.org.heading)}</h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.org.lead)}</p>
            </header>
            {outcome.banner(&["org-name"])}
            <section aria-labelledby="memberships-heading" class=CARD>
                <h2 id="memberships-heading" class="sr-only">{tr(|t| t.org.heading)}</h2>
                {list}
            </section>
            <section aria-labelledby="create-heading" class=CARD>
                <h2 id="create-heading" class=SECTION_HEADING>{tr(|t| t.org.create_heading)}</h2>
                <form method="post" action="/orgs" class="mt-4 space-y-4">
                    {name_input(&outcome, "org-name", |t| t.org.name_label, String::new())}
                    <fieldset>
                        <legend class=LABEL>{tr(|t| t.org.kind_label)}</legend>
                        <div class="mt-2 space-y-2">
                            <div class="flex items-start gap-3">
                                <input id="kind-organization" name="kind" type="radio" value="organization" checked class=CHECKBOX />
                                <label for="kind-organization" class="text-slate-800">{tr(|t| t.org.kind_organization)}</label>
                            </div>
                            <div class="flex items-start gap-3">
                                <input id="kind-development" name="kind" type="radio" value="development" class=CHECKBOX />
                                <label for="kind-development" class="text-slate-800">{tr(|t| t.org.kind_development)}</label>
                            </div>
                        </div>
                    </fieldset>
                    <button type="submit" class=PRIMARY>{tr(|t| t.org.create_submit)}</button>
                </form>
            </section>
        </div>
    }
    .into_any()
}

fn membership(membership: MembershipView) -> AnyView {
    let MembershipView { tenant, path, roles, is_default, .. } = membership;
    let above: String = path.iter().map(|t| format!("{} › ", t.name)).collect();
    let TenantRef { id, name } = tenant;
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
                <p class="font-medium text-slate-900">
                    <span class="text-slate-600">{above}</span>
                    <a href=format!("/orgs/{id}") rel="external" class=LINK>{name}</a>
                    {is_default.then(|| view! {
                        " "<span class="rounded bg-teal-100 px-2 py-0.5 text-sm text-teal-900">{tr(|t| t.org.default_badge)}</span>
                    })}
                </p>
                <p class="text-sm text-slate-600">{tr(|t| t.org.your_roles)}": "{role_list(roles)}</p>
            </div>
            {(!is_default).then(|| view! {
                <form method="post" action="/orgs/default">
                    <input type="hidden" name="tenant_id" value=id />
                    <button type="submit" class=SECONDARY>{tr(|t| t.org.make_default)}</button>
                </form>
            })}
        </li>
    }
    .into_any()
}

/// `/orgs/{id}`: one tenant.
#[component]
pub fn TenantPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedTenant>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/orgs" rel="external">{tr(|t| t.org.heading)}</a></p> }.into_any();
    };
    let outcome = Outcome {
        notice: view.notice,
        error: view.error,
        field: view.error_field.clone(),
        max_name_chars: view.max_name_chars,
    };
    let base = format!("/orgs/{}", view.tenant.id);
    let can_update = view.can("tenant.update");
    let mut placed = vec!["tenant-name", "department-name", "invite-email", "invite-roles"];
    let role_fields: Vec<String> =
        view.members.iter().flat_map(|m| m.members.iter().map(|member| format!("roles-{}", member.user_id))).collect();
    placed.extend(role_fields.iter().map(String::as_str));
    let seat_fields: Vec<String> =
        view.licenses.iter().flat_map(|l| l.iter().map(|license| format!("seat-{}", license.id))).collect();
    placed.extend(seat_fields.iter().map(String::as_str));
    let banner = outcome.banner(&placed);
    let breadcrumbs = view! {
        <nav aria-label=move || i18n.t().org.path_label>
            <ol class="flex flex-wrap gap-1 text-sm text-slate-600">
                <li><a href="/orgs" rel="external" class=LINK>{tr(|t| t.org.all_organisations)}</a></li>
                {view.path.iter().cloned().map(|step| view! {
                    <li>"› "<a href=format!("/orgs/{}", step.id) rel="external" class=LINK>{step.name}</a></li>
                }).collect_view()}
                <li aria-current="page">"› "{view.tenant.name.clone()}</li>
            </ol>
        </nav>
    };
    let rename = can_update.then(|| {
        view! {
            <form method="post" action=format!("{base}/rename") class="mt-4 flex flex-wrap items-end gap-3">
                <div class="grow">{name_input(&outcome, "tenant-name", |t| t.org.name_label, view.tenant.name.clone())}</div>
                <button type="submit" class=SECONDARY>{tr(|t| t.org.rename_submit)}</button>
            </form>
        }
    });
    view! {
        {page_title(|t| t.org.tenant_title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header class="space-y-2">
                {breadcrumbs}
                <h1 class="text-2xl font-bold text-slate-900">{view.tenant.name.clone()}</h1>
                <p class="text-slate-700">{tr(|t| t.org.your_roles)}": "{role_list(view.roles.clone())}</p>
                {rename}
            </header>
            {banner}
            {departments(&view, &outcome, &base)}
            {view.members.clone().map(|members| members_section(&view, members, &outcome, &base))}
            {view.can("members.invite").then(|| invite_section(&view, &outcome, &base))}
            {view.licenses.clone().map(|licenses| licenses_section(licenses, view.can("licenses.assign"), &outcome, &base))}
            {(can_update && !view.path.is_empty() && !view.move_targets.is_empty()).then(|| move_section(&view, &base))}
            {(can_update && view.path.is_empty()).then(|| mfa_section(view.require_mfa, &base))}
            {view.can_archive.then(|| archive_section(&base))}
            {view.member_here.then(|| view! {
                <section aria-labelledby="leave-heading" class=CARD>
                    <h2 id="leave-heading" class=SECTION_HEADING>{tr(|t| t.org.leave_heading)}</h2>
                    <p class="mt-2 text-slate-700">{tr(|t| t.org.leave_text)}</p>
                    <form method="post" action=format!("{base}/leave") class="mt-4">
                        <button type="submit" class=SECONDARY>{tr(|t| t.org.leave_submit)}</button>
                    </form>
                </section>
            })}
        </div>
    }
    .into_any()
}

fn departments(view: &TenantView, outcome: &Outcome, base: &str) -> AnyView {
    let list = if view.departments.is_empty() {
        view! { <p class="mt-2 text-slate-700">{tr(|t| t.org.departments_empty)}</p> }.into_any()
    } else {
        tree(view.departments.clone())
    };
    let add = view.can("tenant.update").then(|| {
        view! {
            <form method="post" action=format!("{base}/departments") class="mt-4 flex flex-wrap items-end gap-3">
                <div class="grow">{name_input(outcome, "department-name", |t| t.org.department_label, String::new())}</div>
                <button type="submit" class=SECONDARY>{tr(|t| t.org.department_submit)}</button>
            </form>
        }
    });
    view! {
        <section aria-labelledby="departments-heading" class=CARD>
            <h2 id="departments-heading" class=SECTION_HEADING>{tr(|t| t.org.departments_heading)}</h2>
            {list}
            {add}
        </section>
    }
    .into_any()
}

/// The departments below a tenant as nested lists, each a link.
fn tree(nodes: Vec<TreeNode>) -> AnyView {
    view! {
        <ul class="mt-2 list-disc space-y-1 pl-6">
            {nodes.into_iter().map(|node| {
                let below = (!node.children.is_empty()).then(|| tree(node.children));
                view! { <li><a href=format!("/orgs/{}", node.id) rel="external" class=LINK>{node.name}</a>{below}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Checkboxes for roles (`name="roles"`), those in `held` checked; ids
/// start with `prefix`.
fn role_checkboxes(roles: &[String], held: &[String], prefix: &str) -> AnyView {
    roles
        .iter()
        .map(|role| {
            let id = format!("{prefix}-{}", role.replace(['_', '.', ':'], "-"));
            let checked = held.contains(role);
            let name = role.clone();
            let hint_role = role.clone();
            view! {
                <div class="flex items-start gap-2">
                    <input id=id.clone() name="roles" type="checkbox" value=role.clone() checked=checked class=CHECKBOX />
                    <label for=id class="text-sm text-slate-800">
                        <span class="font-medium">{localized(move |l| role_name(l.texts().org, &name))}</span>
                        {localized(move |l| role_hint(l.texts().org, &hint_role).map(|hint| format!(" – {hint}")).unwrap_or_default())}
                    </label>
                </div>
            }
        })
        .collect_view()
        .into_any()
}

fn members_section(view: &TenantView, members: MembersView, outcome: &Outcome, base: &str) -> AnyView {
    let i18n = use_i18n();
    let manage = view.can("members.manage");
    let MembersView { members, total, page, per_page, search, role, previous, next } = members;
    let from = i64::from(page) * i64::from(per_page);
    let shown = members.len() as i64;
    let range = localized(move |l| {
        l.texts()
            .org
            .members_range
            .replace("{from}", &(from + i64::from(shown > 0)).to_string())
            .replace("{to}", &(from + shown).to_string())
            .replace("{total}", &total.to_string())
    });
    let filter_roles: Vec<String> = view.assignable_roles.clone();
    let chosen = role.clone();
    let list = if members.is_empty() {
        view! { <p class="mt-4 text-slate-700">{tr(|t| t.org.members_none)}</p> }.into_any()
    } else {
        let roles = view.assignable_roles.clone();
        let outcome = outcome.clone();
        let base = base.to_string();
        view! {
            <ul class="mt-4 divide-y divide-slate-200">
                {members.into_iter().map(|member| member_row(member, manage, &roles, &outcome, &base)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="members-heading" class=CARD>
            <h2 id="members-heading" class=SECTION_HEADING>{tr(|t| t.org.members_heading)}</h2>
            <p class="mt-1 text-sm text-slate-600">{tr(|t| t.org.members_lead)}</p>
            <form method="get" action=base.to_string() class="mt-4 flex flex-wrap items-end gap-3" role="search">
                <div class="grow">
                    <label for="member-search" class=LABEL>{tr(|t| t.org.search_label)}</label>
                    <input id="member-search" name="q" type="search" value=search.clone() class=INPUT />
                </div>
                <div>
                    <label for="member-role" class=LABEL>{tr(|t| t.org.role_filter_label)}</label>
                    <select id="member-role" name="role" class=INPUT>
                        <option value="" selected=chosen.is_empty()>{tr(|t| t.org.any_role)}</option>
                        {filter_roles.into_iter().map(|r| {
                            let selected = r == chosen;
                            let label = r.clone();
                            view! { <option value=r selected=selected>{localized(move |l| role_name(l.texts().org, &label))}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.org.filter_submit)}</button>
            </form>
            <p class="mt-4 text-sm text-slate-600" aria-live="polite">{range}</p>
            {list}
            <nav aria-label=move || i18n.t().org.pages_label class="mt-4 flex gap-3">
                {previous.map(|href| view! { <a href=href rel="external prev" class=LINK>{tr(|t| t.org.previous_page)}</a> })}
                {next.map(|href| view! { <a href=href rel="external next" class=LINK>{tr(|t| t.org.next_page)}</a> })}
            </nav>
        </section>
    }
    .into_any()
}

fn member_row(member: MemberView, manage: bool, roles: &[String], outcome: &Outcome, base: &str) -> AnyView {
    let MemberView { user_id, email, name, roles: held, since, is_me } = member;
    let shown = name.clone().map_or(email.clone(), |name| format!("{name} <{email}>"));
    let field = format!("roles-{user_id}");
    let (error, described, invalid) = outcome.at(&field);
    let who = shown.clone();
    let editor = manage.then(|| {
        view! {
            <form method="post" action=format!("{base}/members/{user_id}/roles") class="mt-2">
                <fieldset aria-describedby=described aria-invalid=invalid>
                    <legend class="sr-only">{localized(move |l| l.texts().org.roles_of.replace("{member}", &who))}</legend>
                    <div class="grid gap-1 sm:grid-cols-2">{role_checkboxes(roles, &held, &field)}</div>
                </fieldset>
                {error}
                <button type="submit" class=format!("mt-2 {SECONDARY}")>{tr(|t| t.org.roles_save)}</button>
            </form>
            <form method="post" action=format!("{base}/members/{user_id}/remove") class="mt-2">
                <button type="submit" class=SECONDARY>
                    {tr(|t| t.org.remove_member)}<span class="sr-only">" "{shown.clone()}</span>
                </button>
            </form>
        }
    });
    view! {
        <li class="py-3">
            <p class="font-medium text-slate-900">
                {name.unwrap_or_default()}" "<span class="text-slate-700">{email}</span>
                {is_me.then(|| view! { " "<span class="text-teal-800">{tr(|t| t.org.you)}</span> })}
            </p>
            <p class="text-sm text-slate-600">
                {role_list(held.clone())}" · "{tr(|t| t.org.member_since)}" "{localized(move |l| format_time(since, l))}
            </p>
            {editor}
        </li>
    }
    .into_any()
}

fn invite_section(view: &TenantView, outcome: &Outcome, base: &str) -> AnyView {
    let (email_error, email_described, email_invalid) = outcome.at("invite-email");
    let (roles_error, roles_described, roles_invalid) = outcome.at("invite-roles");
    let email_described = Some(email_described.map_or("invite-hint".to_string(), |id| format!("{id} invite-hint")));
    let pending = view.invitations.clone().unwrap_or_default();
    let list = if pending.is_empty() {
        view! { <p class="mt-2 text-slate-700">{tr(|t| t.org.invitations_none)}</p> }.into_any()
    } else {
        let base = base.to_string();
        view! { <ul class="mt-2 divide-y divide-slate-200">{pending.into_iter().map(|i| invitation_row(i, &base)).collect_view()}</ul> }
            .into_any()
    };
    view! {
        <section aria-labelledby="invite-heading" class=CARD>
            <h2 id="invite-heading" class=SECTION_HEADING>{tr(|t| t.org.invite_heading)}</h2>
            <form method="post" action=format!("{base}/invitations") class="mt-4 space-y-4">
                <div>
                    <label for="invite-email" class=LABEL>{tr(|t| t.org.invite_email_label)}</label>
                    <input id="invite-email" name="email" type="email" autocomplete="off" required
                        aria-describedby=email_described aria-invalid=email_invalid class=INPUT />
                    <p id="invite-hint" class="mt-1 text-sm text-slate-600">{tr(|t| t.org.invite_hint)}</p>
                    {email_error}
                </div>
                <fieldset aria-describedby=roles_described aria-invalid=roles_invalid>
                    <legend class=LABEL>{tr(|t| t.org.roles_legend)}</legend>
                    <div class="mt-2 space-y-1">{role_checkboxes(&view.assignable_roles, &["reader".to_string()], "invite-role")}</div>
                </fieldset>
                {roles_error}
                <button type="submit" class=PRIMARY>{tr(|t| t.org.invite_submit)}</button>
            </form>
            <h3 class="mt-6 font-semibold text-slate-900">{tr(|t| t.org.invitations_heading)}</h3>
            {list}
        </section>
    }
    .into_any()
}

fn invitation_row(invitation: InvitationRowView, base: &str) -> AnyView {
    let InvitationRowView { id, email, roles, expires_at, .. } = invitation;
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
                <p class="font-medium text-slate-900">{email.clone()}</p>
                <p class="text-sm text-slate-600">
                    {role_list(roles)}" · "{tr(|t| t.org.invitation_expires)}" "{localized(move |l| format_time(expires_at, l))}
                </p>
            </div>
            <div class="flex gap-2">
                <form method="post" action=format!("{base}/invitations/{id}/resend")>
                    <button type="submit" class=SECONDARY>{tr(|t| t.org.resend)}<span class="sr-only">" "{email.clone()}</span></button>
                </form>
                <form method="post" action=format!("{base}/invitations/{id}/revoke")>
                    <button type="submit" class=SECONDARY>{tr(|t| t.org.revoke)}<span class="sr-only">" "{email}</span></button>
                </form>
            </div>
        </li>
    }
    .into_any()
}

fn licenses_section(licenses: Vec<LicenseView>, assign: bool, outcome: &Outcome, base: &str) -> AnyView {
    let list = if licenses.is_empty() {
        view! { <p class="mt-2 text-slate-700">{tr(|t| t.org.licenses_none)}</p> }.into_any()
    } else {
        licenses
            .into_iter()
            .map(|license| {
                let LicenseView { id, application, plan, seats, seats_used, valid_from, valid_until, valid, holders } =
                    license;
                let field = format!("seat-{id}");
                let (error, described, invalid) = outcome.at(&field);
                let holders = holders
                    .into_iter()
                    .map(|(user_id, email)| {
                        let release = assign.then(|| {
                            view! {
                                <form method="post" action=format!("{base}/licenses/{id}/seats/{user_id}/release")>
                                    <button type="submit" class=SECONDARY>
                                        {tr(|t| t.org.seat_release)}<span class="sr-only">" "{email.clone()}</span>
                                    </button>
                                </form>
                            }
                        });
                        view! { <li class="flex items-center justify-between gap-3 py-1 text-sm"><span>{email.clone()}</span>{release}</li> }
                    })
                    .collect_view();
                let give = assign.then(|| {
                    view! {
                        <form method="post" action=format!("{base}/licenses/{id}/seats") class="mt-2 flex flex-wrap items-end gap-3">
                            <div class="grow">
                                <label for=field.clone() class=LABEL>{tr(|t| t.org.seat_label)}</label>
                                <input id=field.clone() name="email" type="email" required autocomplete="off"
                                    aria-describedby=described aria-invalid=invalid class=INPUT />
                                {error}
                            </div>
                            <button type="submit" class=SECONDARY>{tr(|t| t.org.seat_submit)}</button>
                        </form>
                    }
                });
                let validity = localized(move |locale| {
                    let t = locale.texts().org;
                    if !valid {
                        return t.license_not_valid.to_string();
                    }
                    let until = valid_until.map_or(t.license_open_ended.to_string(), |until| {
                        format!("{} {}", t.license_until, format_time(until, locale))
                    });
                    format!("{} {} {until}", t.license_valid, format_time(valid_from, locale))
                });
                view! {
                    <li class="py-2">
                        <p class="font-medium text-slate-900">{application}" · "{plan}</p>
                        <p class="text-sm text-slate-600">
                            {localized(move |l| l.texts().org.license_seats.replace("{used}", &seats_used.to_string()).replace("{seats}", &seats.to_string()))}
                            " · "{validity}
                        </p>
                        <ul class="mt-1">{holders}</ul>
                        {give}
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section aria-labelledby="licenses-heading" class=CARD>
            <h2 id="licenses-heading" class=SECTION_HEADING>{tr(|t| t.org.licenses_heading)}</h2>
            <ul class="mt-2 divide-y divide-slate-200">{list}</ul>
        </section>
    }
    .into_any()
}

fn move_section(view: &TenantView, base: &str) -> AnyView {
    view! {
        <section aria-labelledby="move-heading" class=CARD>
            <h2 id="move-heading" class=SECTION_HEADING>{tr(|t| t.org.move_heading)}</h2>
            <form method="post" action=format!("{base}/move") class="mt-4 flex flex-wrap items-end gap-3">
                <div class="grow">
                    <label for="move-parent" class=LABEL>{tr(|t| t.org.move_label)}</label>
                    <select id="move-parent" name="parent_id" class=INPUT>
                        {view.move_targets.iter().cloned().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.org.move_submit)}</button>
            </form>
        </section>
    }
    .into_any()
}

fn mfa_section(required: bool, base: &str) -> AnyView {
    view! {
        <section aria-labelledby="mfa-heading" class=CARD>
            <h2 id="mfa-heading" class=SECTION_HEADING>{tr(|t| t.org.mfa_heading)}</h2>
            <form method="post" action=format!("{base}/mfa") class="mt-4 space-y-4">
                <div class="flex items-start gap-3">
                    <input id="require-mfa" name="require_mfa" type="checkbox" value="yes" checked=required
                        aria-describedby="require-mfa-hint" class=CHECKBOX />
                    <label for="require-mfa" class="text-slate-800">{tr(|t| t.org.mfa_label)}</label>
                </div>
                <p id="require-mfa-hint" class="text-sm text-slate-600">{tr(|t| t.org.mfa_hint)}</p>
                <button type="submit" class=SECONDARY>{tr(|t| t.org.mfa_submit)}</button>
            </form>
        </section>
    }
    .into_any()
}

fn archive_section(base: &str) -> AnyView {
    view! {
        <section aria-labelledby="archive-heading" class="rounded-lg border border-red-300 bg-white p-8 shadow-sm">
            <h2 id="archive-heading" class=SECTION_HEADING>{tr(|t| t.org.archive_heading)}</h2>
            <p class="mt-2 text-slate-700">{tr(|t| t.org.archive_text)}</p>
            <form method="post" action=format!("{base}/archive") class="mt-4 space-y-4">
                <div class="flex items-start gap-3">
                    <input id="archive-confirm" name="confirm" type="checkbox" value="yes" required class=CHECKBOX />
                    <label for="archive-confirm" class="text-slate-800">{tr(|t| t.org.archive_confirm)}</label>
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.org.archive_submit)}</button>
            </form>
        </section>
    }
    .into_any()
}

/// `/invitations/{token}`: join, sign in first, or register and join.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedInvitation>().map(|loaded| loaded.0));
    let body = match loaded.into_inner().unwrap_or(InvitationPageView::Unknown) {
        InvitationPageView::Unknown => status(|t| t.org.invitation_unknown).into_any(),
        InvitationPageView::Accepted => status(|t| t.org.invitation_accepted).into_any(),
        InvitationPageView::Revoked => status(|t| t.org.invitation_revoked).into_any(),
        InvitationPageView::Expired => status(|t| t.org.invitation_expired).into_any(),
        InvitationPageView::Join { token, tenant, roles, email } => {
            let lead = localized(move |l| {
                l.texts().org.invitation_lead.replace("{tenant}", &tenant).replace("{email}", &email)
            });
            view! {
                <p class="mt-4 text-slate-700">{lead}</p>
                <p class="mt-2 text-slate-700">{tr(|t| t.org.invitation_roles)}": "{role_list(roles)}</p>
                <form method="post" action=format!("/invitations/{token}/accept") class="mt-6">
                    <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.org.join_submit)}</button>
                </form>
            }
            .into_any()
        }
        InvitationPageView::OtherAccount { invited, signed_in_as, .. } => {
            let text = localized(move |l| {
                l.texts().org.invitation_other_account.replace("{invited}", &invited).replace("{me}", &signed_in_as)
            });
            view! {
                <p role="status" class=format!("mt-4 {STATUS}")>{text}</p>
                <p class="mt-4"><a href="/account" rel="external" class=LINK>{tr(|t| t.org.to_account)}</a></p>
            }
            .into_any()
        }
        InvitationPageView::SignIn { tenant, email, sign_in_href: href } => {
            let lead = {
                let email = email.clone();
                localized(move |l| {
                    l.texts().org.invitation_lead.replace("{tenant}", &tenant).replace("{email}", &email)
                })
            };
            let text = localized(move |l| l.texts().org.invitation_sign_in.replace("{email}", &email));
            view! {
                <p class="mt-4 text-slate-700">{lead}</p>
                <p class="mt-2 text-slate-700">{text}</p>
                <p class="mt-6"><a href=href rel="external" class=PRIMARY>{tr(|t| t.org.invitation_sign_in_link)}</a></p>
            }
            .into_any()
        }
        InvitationPageView::Register { tenant, registration, .. } => {
            let text = localized(move |l| l.texts().org.invitation_register.replace("{tenant}", &tenant));
            view! {
                <p class="mt-4 text-slate-700">{text}</p>
                {super::register::form(registration)}
            }
            .into_any()
        }
    };
    view! {
        {page_title(|t| t.org.invitation_title)}
        <section aria-labelledby="invitation-heading" class="mx-auto max-w-md">
            <div class=CARD>
                <h1 id="invitation-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.org.invitation_heading)}</h1>
                {body}
            </div>
        </section>
    }
}

fn status(text: fn(&'static Texts) -> &'static str) -> AnyView {
    view! { <p role="status" class=format!("mt-4 {STATUS}")>{tr(text)}</p> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORE_ROLES: [&str; 4] = ["admin", "contributor", "reader", "external"];

    #[test]
    fn core_roles_have_names_and_hints_in_both_languages() {
        for texts in [&crate::i18n::EN, &crate::i18n::DE] {
            for role in CORE_ROLES {
                assert_ne!(role_name(texts.org, role), role, "{role} is translated");
                assert!(role_hint(texts.org, role).is_some());
            }
            assert_eq!(role_name(texts.org, "tstapp_viewer"), "tstapp_viewer");
        }
    }
}
