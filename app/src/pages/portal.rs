//! The developer portal: `/portal` (development tenants and their
//! applications), `/portal/apps/{id}` (an application: scopes, permissions,
//! roles, clients) and `/portal/clients/{id}` (a client: its integration
//! details and every setting, explained). Plain forms the server answers;
//! with JavaScript, the short key says whether it is free as one types.

use leptos::prelude::*;

use super::style::{ALERT, CARD, FIELD_ERROR, INPUT, LABEL, LINK, PRIMARY, SECONDARY, STATUS, escape_text};
use crate::dto::{
    AppPageView, ClientForm, ClientPageView, DynamicRegistrationView, FieldMessages, PortalNotice, PortalView,
};
use crate::i18n::{PortalTexts, format_time, page_title, tr, use_i18n};

const SECTION_HEADING: &str = "text-lg font-semibold text-slate-900";
const HELP: &str = "mt-1 text-sm text-slate-600";
const CODE: &str =
    "mt-1 block overflow-x-auto whitespace-pre rounded bg-slate-100 p-3 font-mono text-sm text-slate-900";

#[derive(Clone, Debug)]
pub struct LoadedPortal(pub PortalView);

#[derive(Clone, Debug)]
pub struct LoadedPortalApp(pub AppPageView);

#[derive(Clone, Debug)]
pub struct LoadedPortalClient(pub ClientPageView);

fn notice_text(notice: PortalNotice, t: &PortalTexts) -> &'static str {
    match notice {
        PortalNotice::AppCreated => t.notice_app_created,
        PortalNotice::AppSaved => t.notice_app_saved,
        PortalNotice::AppDeleted => t.notice_app_deleted,
        PortalNotice::ScopeAdded => t.notice_scope_added,
        PortalNotice::ScopeRemoved => t.notice_scope_removed,
        PortalNotice::PermissionAdded => t.notice_permission_added,
        PortalNotice::RoleSaved => t.notice_role_saved,
        PortalNotice::ClientCreated => t.notice_client_created,
        PortalNotice::ClientSaved => t.notice_client_saved,
        PortalNotice::ClientDeleted => t.notice_client_deleted,
        PortalNotice::SecretRotated => t.notice_secret_rotated,
        PortalNotice::RegistrationTokenRevoked => t.notice_registration_token_revoked,
    }
}

fn banner(notice: Option<PortalNotice>, has_errors: bool) -> Option<AnyView> {
    let i18n = use_i18n();
    if has_errors {
        return Some(
            view! { <p id="portal-error" role="alert" class=ALERT>{tr(|t| t.portal.form_has_errors)}</p> }.into_any(),
        );
    }
    notice.map(|n| {
        view! { <p id="portal-notice" role="status" class=STATUS>{move || notice_text(n, i18n.t().portal)}</p> }
            .into_any()
    })
}

/// The messages of one field, with the id its input points at.
fn field_error(errors: &FieldMessages, field: &str, id: &str) -> Option<AnyView> {
    let messages: Vec<String> = errors.iter().filter(|(f, _)| f == field).map(|(_, m)| m.clone()).collect();
    (!messages.is_empty()).then(|| {
        let id = format!("{id}-error");
        view! { <p id=id class=FIELD_ERROR>{messages.join(" ")}</p> }.into_any()
    })
}

fn has_error(errors: &FieldMessages, field: &str) -> bool {
    errors.iter().any(|(f, _)| f == field)
}

/// A labelled text input with its help and its error.
fn text_field(
    id: &'static str,
    name: &'static str,
    label: fn(&'static PortalTexts) -> (&'static str, &'static str),
    value: String,
    errors: &FieldMessages,
) -> impl IntoView + use<> {
    field(id, name, label, value, errors, false)
}

/// A labelled textarea (one item per line) with its help and its error.
fn lines_field(
    id: &'static str,
    name: &'static str,
    label: fn(&'static PortalTexts) -> (&'static str, &'static str),
    value: String,
    errors: &FieldMessages,
) -> impl IntoView + use<> {
    field(id, name, label, value, errors, true)
}

fn field(
    id: &'static str,
    name: &'static str,
    label: fn(&'static PortalTexts) -> (&'static str, &'static str),
    value: String,
    errors: &FieldMessages,
    lines: bool,
) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let invalid = has_error(errors, name);
    let described = if invalid { format!("{id}-help {id}-error") } else { format!("{id}-help") };
    let help_id = format!("{id}-help");
    let error = field_error(errors, name, id);
    let control = if lines {
        // The value as the element's markup (escaped): a text child would be
        // missing when empty, and hydration would not find it.
        view! {
            <textarea id=id name=name rows="3" class=format!("{INPUT} font-mono text-sm") aria-describedby=described
                aria-invalid=invalid.then_some("true") inner_html=escape_text(&value)></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id name=name type="text" value=value class=INPUT aria-describedby=described
                aria-invalid=invalid.then_some("true") />
        }
        .into_any()
    };
    view! {
        <div>
            <label for=id class=LABEL>{move || label(i18n.t().portal).0}</label>
            {control}
            <p id=help_id class=HELP>{move || label(i18n.t().portal).1}</p>
            {error}
        </div>
    }
}

/// A labelled check box for each item (`name=item`), ticked where `checked`.
fn check_boxes(
    name: &'static str,
    id_prefix: &'static str,
    items: Vec<String>,
    checked: &[String],
) -> impl IntoView + use<> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let id = format!("{id_prefix}-{i}");
            let ticked = checked.contains(&item);
            view! {
                <div class="flex items-center gap-2">
                    <input id=id.clone() name=name type="checkbox" value=item.clone() checked=ticked />
                    <label for=id class="font-mono text-sm">{item}</label>
                </div>
            }
        })
        .collect_view()
}

/// A labelled check box with its help.
fn check_field(
    id: &'static str,
    name: &'static str,
    label: fn(&'static PortalTexts) -> (&'static str, &'static str),
    checked: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let help_id = format!("{id}-help");
    view! {
        <div class="flex items-start gap-3">
            <input id=id name=name type="checkbox" value="true" checked=checked class="mt-1" aria-describedby=help_id.clone() />
            <div>
                <label for=id class="font-medium text-slate-800">{move || label(i18n.t().portal).0}</label>
                <p id=help_id class="text-sm text-slate-600">{move || label(i18n.t().portal).1}</p>
            </div>
        </div>
    }
}

/// The short key input: with JavaScript, whether the key is free follows
/// the typing.
#[component]
fn ShortKeyInput(value: String, error: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    // None: nothing to say (yet); Some(state): "free", "taken", "malformed".
    let state: RwSignal<Option<String>> = RwSignal::new(None);
    let on_input = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        check_key(key, state);
    };
    let invalid = error.is_some();
    let described = if invalid { "short-key-help short-key-error" } else { "short-key-help" };
    view! {
        <div>
            <label for="short-key" class=LABEL>{tr(|t| t.portal.short_key_label)}</label>
            <input id="short-key" name="short_key" type="text" value=value class=INPUT autocomplete="off"
                spellcheck="false" maxlength="16" aria-describedby=described aria-invalid=invalid.then_some("true")
                on:input=on_input />
            <p id="short-key-help" class=HELP>{tr(|t| t.portal.short_key_help)}</p>
            <p id="short-key-check" aria-live="polite" class=move || {
                if state.get().as_deref() == Some("free") { "mt-1 text-sm text-teal-800" } else { FIELD_ERROR }
            }>
                {move || state.get().map(|s| match s.as_str() {
                    "free" => i18n.t().portal.key_free,
                    "taken" => i18n.t().portal.key_taken,
                    _ => i18n.t().portal.key_malformed,
                })}
            </p>
            {error.map(|e| view! { <p id="short-key-error" class=FIELD_ERROR>{e}</p> })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/portal.js")]
    extern "C" {
        #[wasm_bindgen(js_name = keyAvailability)]
        pub async fn key_availability(key: String) -> JsValue;
    }
}

#[cfg(feature = "hydrate")]
fn check_key(key: String, state: RwSignal<Option<String>>) {
    let key = key.trim().to_string();
    if key.is_empty() {
        state.set(None);
        return;
    }
    leptos::task::spawn_local(async move {
        let answer = browser::key_availability(key).await.as_string().unwrap_or_default();
        if matches!(answer.as_str(), "free" | "taken" | "malformed") {
            state.set(Some(answer));
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn check_key(_key: String, _state: RwSignal<Option<String>>) {}

/// `/portal`.
#[component]
pub fn PortalPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedPortal>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/portal" rel="external">{tr(|t| t.portal.heading)}</a></p> }.into_any();
    };
    let errors = view.errors.clone();
    let creatable: Vec<_> = view.tenants.iter().filter(|t| t.can_create).map(|t| t.tenant.clone()).collect();
    let tenants = if view.tenants.is_empty() {
        view! { <p class="text-slate-700">{tr(|t| t.portal.no_tenants)}</p> }.into_any()
    } else {
        view.tenants
            .iter()
            .cloned()
            .map(|tenant| {
                let list = if tenant.applications.is_empty() {
                    view! { <p class="mt-2 text-slate-700">{tr(|t| t.portal.no_applications)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-2 divide-y divide-slate-200">
                            {tenant.applications.into_iter().map(|app| view! {
                                <li class="py-2">
                                    <a href=format!("/portal/apps/{}", app.id) rel="external" class=LINK>{app.name}</a>
                                    " "<code class="text-sm text-slate-700">{app.short_key}</code>
                                    {app.description.map(|d| view! { <p class="text-sm text-slate-600">{d}</p> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                };
                view! {
                    <section class=CARD aria-label=tenant.tenant.name.clone()>
                        <h2 class=SECTION_HEADING>{tenant.tenant.name.clone()}</h2>
                        {list}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    let entered = view.entered.clone();
    let create = (!creatable.is_empty()).then(|| {
        let key_error = errors.iter().find(|(f, _)| f == "short_key").map(|(_, m)| m.clone());
        view! {
            <section aria-labelledby="create-heading" class=CARD>
                <h2 id="create-heading" class=SECTION_HEADING>{tr(|t| t.portal.create_heading)}</h2>
                <form method="post" action="/portal/apps" class="mt-4 space-y-4" novalidate=true>
                    <div>
                        <label for="app-tenant" class=LABEL>{tr(|t| t.portal.tenant_label)}</label>
                        <select id="app-tenant" name="tenant_id" class=INPUT>
                            {creatable.into_iter().map(|t| {
                                let selected = t.id == entered.tenant_id;
                                view! { <option value=t.id selected=selected>{t.name}</option> }
                            }).collect_view()}
                        </select>
                        {field_error(&errors, "tenant", "app-tenant")}
                    </div>
                    <ShortKeyInput value=entered.short_key.clone() error=key_error />
                    <div>
                        <label for="app-name" class=LABEL>{tr(|t| t.portal.name_label)}</label>
                        <input id="app-name" name="name" type="text" value=entered.name.clone() class=INPUT
                            aria-invalid=has_error(&errors, "name").then_some("true")
                            aria-describedby=has_error(&errors, "name").then_some("app-name-error") />
                        {field_error(&errors, "name", "app-name")}
                    </div>
                    <div>
                        <label for="app-description" class=LABEL>{tr(|t| t.portal.description_label)}</label>
                        <input id="app-description" name="description" type="text" value=entered.description.clone() class=INPUT
                            aria-invalid=has_error(&errors, "description").then_some("true")
                            aria-describedby=has_error(&errors, "description").then_some("app-description-error") />
                        {field_error(&errors, "description", "app-description")}
                    </div>
                    <button type="submit" class=PRIMARY>{tr(|t| t.portal.create_submit)}</button>
                </form>
            </section>
        }
    });
    view! {
        {page_title(|t| t.portal.title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header>
                <h1 class="text-2xl font-bold text-slate-900">{tr(|t| t.portal.heading)}</h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.portal.lead)}</p>
                <p class="mt-2"><a href="/api/v1/docs" rel="external" class=LINK>{tr(|t| t.portal.api_link)}</a></p>
            </header>
            {banner(view.notice, !view.errors.is_empty())}
            {tenants}
            {create}
        </div>
    }
    .into_any()
}

fn kind_text(kind: &str, t: &PortalTexts) -> &'static str {
    match kind {
        "spa" => t.kind_spa,
        "web" => t.kind_web,
        "native" => t.kind_native,
        _ => t.kind_m2m,
    }
}

/// `/portal/apps/{id}`.
#[component]
pub fn PortalAppPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedPortalApp>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/portal" rel="external">{tr(|t| t.portal.heading)}</a></p> }.into_any();
    };
    let base = format!("/portal/apps/{}", view.app.id);
    let failed = view.failed_form.clone().unwrap_or_default();
    let errors_of = |form: &str| if failed == form { view.errors.clone() } else { Vec::new() };
    let entered = |name: &str| view.entered.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (app_errors, scope_errors, permission_errors, role_errors, client_errors, delete_errors) = (
        errors_of("app"),
        errors_of("scope"),
        errors_of("permission"),
        errors_of("role"),
        errors_of("client"),
        errors_of("delete"),
    );
    let registration_entered = if failed == "registration" { entered("description") } else { String::new() };
    let registration =
        registration_section(&base, view.registration.clone(), registration_entered, &errors_of("registration"));
    let scopes = if view.scopes.is_empty() {
        view! { <p class="mt-2 text-slate-700">{tr(|t| t.portal.none_yet)}</p> }.into_any()
    } else {
        view.scopes
            .iter()
            .cloned()
            .map(|(name, description)| {
                let action = format!("{base}/scopes/{name}/remove");
                let label = name.clone();
                view! {
                    <li class="flex items-center justify-between gap-3 py-2">
                        <span><code>{name}</code>{description.map(|d| view! { " – "<span class="text-slate-600">{d}</span> })}</span>
                        <form method="post" action=action>
                            <button type="submit" class="text-sm font-semibold text-red-800 underline">
                                {tr(|t| t.portal.remove)}<span class="sr-only">" "{label}</span>
                            </button>
                        </form>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    let permission_boxes = check_boxes("permissions", "role-permission", view.permissions.clone(), &[]);
    let scope_boxes = check_boxes("allowed_scopes", "client-scope", view.grantable_scopes.clone(), &[]);
    let kind_chosen = {
        let k = entered("kind");
        if k.is_empty() { "spa".to_string() } else { k }
    };
    let kinds = ["spa", "web", "native", "m2m"]
        .into_iter()
        .map(|kind| {
            let id = format!("kind-{kind}");
            let checked = kind_chosen == kind;
            view! {
                <div class="flex items-start gap-2">
                    <input id=id.clone() name="kind" type="radio" value=kind checked=checked class="mt-1" />
                    <label for=id class="text-slate-800">{move || kind_text(kind, i18n.t().portal)}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        {page_title(|t| t.portal.app_title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header>
                <p><a href="/portal" rel="external" class=LINK>{tr(|t| t.portal.back)}</a></p>
                <h1 class="mt-2 text-2xl font-bold text-slate-900">{view.app.name.clone()}</h1>
                <p class="text-slate-700"><code>{view.app.short_key.clone()}</code>" · "{view.tenant.name.clone()}</p>
            </header>
            {banner(view.notice, !view.errors.is_empty())}
            <section aria-labelledby="clients-heading" class=CARD>
                <h2 id="clients-heading" class=SECTION_HEADING>{tr(|t| t.portal.clients_heading)}</h2>
                {if view.clients.is_empty() {
                    view! { <p class="mt-2 text-slate-700">{tr(|t| t.portal.none_yet)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-2 divide-y divide-slate-200">
                            {view.clients.iter().cloned().map(|c| view! {
                                <li class="py-2">
                                    <a href=format!("/portal/clients/{}", c.id) rel="external" class=LINK>{c.name}</a>
                                    " "<span class="text-sm text-slate-600">"("{c.kind}")"</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <h3 class="mt-6 font-semibold text-slate-900">{tr(|t| t.portal.client_new_heading)}</h3>
                <form method="post" action=format!("{base}/clients") class="mt-2 space-y-4" novalidate=true>
                    <fieldset>
                        <legend class=LABEL>{tr(|t| t.portal.kind_label)}</legend>
                        <div class="mt-1 space-y-1">{kinds}</div>
                    </fieldset>
                    {text_field("client-name", "name", |t| t.f_name, entered("name"), &client_errors)}
                    {lines_field("client-redirects", "redirect_uris", |t| t.f_redirect_uris, entered("redirect_uris"), &client_errors)}
                    <fieldset aria-describedby="client-scopes-help">
                        <legend class=LABEL>{tr(|t| t.portal.f_allowed_scopes.0)}</legend>
                        <p id="client-scopes-help" class=HELP>{tr(|t| t.portal.f_allowed_scopes.1)}</p>
                        <div class="mt-1 grid gap-1 sm:grid-cols-2">{scope_boxes}</div>
                        {field_error(&client_errors, "allowed_scopes", "client-scopes")}
                    </fieldset>
                    {field_error(&client_errors, "grant_types", "client-grants")}
                    {field_error(&client_errors, "token_endpoint_auth_method", "client-auth")}
                    <button type="submit" class=PRIMARY>{tr(|t| t.portal.client_create)}</button>
                </form>
            </section>
            {registration}
            <section aria-labelledby="scopes-heading" class=CARD>
                <h2 id="scopes-heading" class=SECTION_HEADING>{tr(|t| t.portal.scopes_heading)}</h2>
                <p class="mt-1 text-slate-700">{tr(|t| t.portal.scopes_lead)}</p>
                <ul class="mt-2 divide-y divide-slate-200">{scopes}</ul>
                <form method="post" action=format!("{base}/scopes") class="mt-4 flex flex-wrap items-end gap-3">
                    <div class="grow">
                        <label for="scope-name" class=LABEL>{tr(|t| t.portal.scope_name)}</label>
                        <input id="scope-name" name="name" type="text" class=INPUT placeholder=format!("{}_data.read", view.app.short_key)
                            aria-invalid=(!scope_errors.is_empty()).then_some("true")
                            aria-describedby=(!scope_errors.is_empty()).then_some("scope-name-error") />
                        {field_error(&scope_errors, "name", "scope-name")}
                    </div>
                    <div class="grow">
                        <label for="scope-description" class=LABEL>{tr(|t| t.portal.description_label)}</label>
                        <input id="scope-description" name="description" type="text" class=INPUT />
                    </div>
                    <button type="submit" class=SECONDARY>{tr(|t| t.portal.scope_add)}</button>
                </form>
            </section>
            <section aria-labelledby="permissions-heading" class=CARD>
                <h2 id="permissions-heading" class=SECTION_HEADING>{tr(|t| t.portal.permissions_heading)}</h2>
                <p class="mt-1 text-slate-700">{tr(|t| t.portal.permissions_lead)}</p>
                <p class="mt-2 font-mono text-sm">{if view.permissions.is_empty() { String::new() } else { view.permissions.join(", ") }}</p>
                <form method="post" action=format!("{base}/permissions") class="mt-4 flex flex-wrap items-end gap-3">
                    <div class="grow">
                        <label for="permission-name" class=LABEL>{tr(|t| t.portal.permission_name)}</label>
                        <input id="permission-name" name="name" type="text" class=INPUT placeholder=format!("{}_beds.assign", view.app.short_key)
                            aria-invalid=(!permission_errors.is_empty()).then_some("true")
                            aria-describedby=(!permission_errors.is_empty()).then_some("permission-name-error") />
                        {field_error(&permission_errors, "name", "permission-name")}
                    </div>
                    <button type="submit" class=SECONDARY>{tr(|t| t.portal.permission_add)}</button>
                </form>
            </section>
            <section aria-labelledby="roles-heading" class=CARD>
                <h2 id="roles-heading" class=SECTION_HEADING>{tr(|t| t.portal.roles_heading)}</h2>
                <p class="mt-1 text-slate-700">{tr(|t| t.portal.roles_lead)}</p>
                <ul class="mt-2 space-y-1">
                    {view.roles.iter().cloned().map(|(role, permissions)| view! {
                        <li><code>{role}</code>": "<span class="font-mono text-sm text-slate-700">{permissions.join(", ")}</span></li>
                    }).collect_view()}
                </ul>
                <form method="post" action=format!("{base}/roles") class="mt-4 space-y-3">
                    <div>
                        <label for="role-name" class=LABEL>{tr(|t| t.portal.role_name)}</label>
                        <input id="role-name" name="name" type="text" class=INPUT placeholder=format!("{}_nurse", view.app.short_key)
                            aria-invalid=(!role_errors.is_empty()).then_some("true")
                            aria-describedby=(!role_errors.is_empty()).then_some("role-name-error") />
                        {field_error(&role_errors, "name", "role-name")}
                        {field_error(&role_errors, "permissions", "role-permissions")}
                    </div>
                    <fieldset>
                        <legend class=LABEL>{tr(|t| t.portal.role_permissions)}</legend>
                        <div class="mt-1 space-y-1">{permission_boxes}</div>
                    </fieldset>
                    <button type="submit" class=SECONDARY>{tr(|t| t.portal.role_save)}</button>
                </form>
            </section>
            <section aria-labelledby="app-settings-heading" class=CARD>
                <h2 id="app-settings-heading" class=SECTION_HEADING>{tr(|t| t.portal.settings_heading)}</h2>
                <form method="post" action=base.clone() class="mt-4 space-y-4">
                    <div>
                        <label for="app-name" class=LABEL>{tr(|t| t.portal.name_label)}</label>
                        <input id="app-name" name="name" type="text" value=view.app.name.clone() class=INPUT
                            aria-invalid=has_error(&app_errors, "name").then_some("true")
                            aria-describedby=has_error(&app_errors, "name").then_some("app-name-error") />
                        {field_error(&app_errors, "name", "app-name")}
                    </div>
                    <div>
                        <label for="app-description" class=LABEL>{tr(|t| t.portal.description_label)}</label>
                        <input id="app-description" name="description" type="text" value=view.app.description.clone().unwrap_or_default() class=INPUT />
                    </div>
                    <button type="submit" class=SECONDARY>{tr(|t| t.portal.save)}</button>
                </form>
            </section>
            <section aria-labelledby="delete-app-heading" class=CARD>
                <h2 id="delete-app-heading" class=SECTION_HEADING>{tr(|t| t.portal.delete_app_heading)}</h2>
                <p class="mt-1 text-slate-700">{tr(|t| t.portal.delete_app_lead)}</p>
                <form method="post" action=format!("{base}/delete") class="mt-4 space-y-3">
                    <label class="flex items-start gap-2 text-slate-800">
                        <input type="checkbox" name="confirm" value="yes" class="mt-1"
                            aria-invalid=(!delete_errors.is_empty()).then_some("true")
                            aria-describedby=(!delete_errors.is_empty()).then_some("delete-app-error") />
                        <span>{tr(|t| t.portal.delete_confirm)}</span>
                    </label>
                    {field_error(&delete_errors, "confirm", "delete-app")}
                    <button type="submit" class=SECONDARY>{tr(|t| t.portal.delete_app)}</button>
                </form>
            </section>
        </div>
    }
    .into_any()
}

/// Dynamic client registration: the initial access tokens, a form for a
/// new one, and the new one once.
fn registration_section(
    base: &str,
    registration: DynamicRegistrationView,
    description: String,
    errors: &FieldMessages,
) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let DynamicRegistrationView { endpoint, tokens, new_token } = registration;
    let new_token = new_token.map(|token| {
        view! {
            <div class="mt-4 rounded-lg border-2 border-amber-400 bg-amber-50 p-4">
                <h3 class="font-semibold text-slate-900">{tr(|t| t.portal.registration_new_heading)}</h3>
                <p class="mt-1 text-slate-800">{tr(|t| t.portal.registration_once)}</p>
                <code id="initial-access-token" class=CODE>{token}</code>
            </div>
        }
    });
    let rows = tokens
        .into_iter()
        .map(|token| {
            let label = token.description.clone().unwrap_or_else(|| token.id.clone());
            let revoke = (token.usable).then(|| {
                let action = format!("{base}/registration-tokens/{}/revoke", token.id);
                let label = label.clone();
                view! {
                    <form method="post" action=action>
                        <button type="submit" class="text-sm font-semibold text-red-800 underline">
                            {tr(|t| t.portal.registration_revoke)}<span class="sr-only">" "{label}</span>
                        </button>
                    </form>
                }
            });
            let expires = token.expires_at;
            let state = move || {
                let t = i18n.t().portal;
                if token.revoked {
                    t.registration_revoked.to_string()
                } else if token.usable {
                    format!("{} {}", t.registration_valid_until, format_time(expires, i18n.locale.get()))
                } else {
                    t.registration_spent.to_string()
                }
            };
            view! {
                <li class="flex items-center justify-between gap-3 py-2">
                    <span>
                        <span class="font-medium text-slate-900">{label}</span>
                        <span class="block text-sm text-slate-600">
                            {format!("{}/{}", token.uses, token.max_uses)}" "{tr(|t| t.portal.registration_uses)}" · "{state}
                        </span>
                    </span>
                    {revoke}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="registration-heading" class=CARD>
            <h2 id="registration-heading" class=SECTION_HEADING>{tr(|t| t.portal.registration_heading)}</h2>
            <p class="mt-1 text-slate-700">{tr(|t| t.portal.registration_lead)}</p>
            <p class="mt-2 text-sm text-slate-700">{tr(|t| t.portal.registration_endpoint)}" "<code class="break-all">{endpoint}</code></p>
            {new_token}
            <ul class="mt-2 divide-y divide-slate-200">{rows}</ul>
            <form method="post" action=format!("{base}/registration-tokens") class="mt-4 space-y-3" novalidate=true>
                {text_field("registration-description", "description", |t| t.f_registration_description, description, errors)}
                <div class="flex flex-wrap gap-4">
                    <div>
                        <label for="registration-days" class=LABEL>{tr(|t| t.portal.registration_days)}</label>
                        <input id="registration-days" name="days" type="number" min="1" max="30" value="1" class=INPUT
                            aria-invalid=has_error(errors, "expires_in").then_some("true")
                            aria-describedby=has_error(errors, "expires_in").then_some("registration-days-error") />
                        {field_error(errors, "expires_in", "registration-days")}
                    </div>
                    <div>
                        <label for="registration-uses" class=LABEL>{tr(|t| t.portal.registration_max_uses)}</label>
                        <input id="registration-uses" name="max_uses" type="number" min="1" max="1000" value="1" class=INPUT
                            aria-invalid=has_error(errors, "max_uses").then_some("true")
                            aria-describedby=has_error(errors, "max_uses").then_some("registration-uses-error") />
                        {field_error(errors, "max_uses", "registration-uses")}
                    </div>
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.portal.registration_create)}</button>
            </form>
        </section>
    }
}

/// The answer to a portal form posted below an application: the new
/// client (with its secret), or the application's page with the refusal.
#[component]
pub fn PortalAnswerPage() -> impl IntoView {
    // Decided on the server and carried to the browser, which has no context.
    let client = SharedValue::new(|| use_context::<LoadedPortalClient>().is_some());
    if client.into_inner() { view! { <PortalClientPage /> }.into_any() } else { view! { <PortalAppPage /> }.into_any() }
}

/// `/portal/clients/{id}`.
#[component]
pub fn PortalClientPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedPortalClient>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/portal" rel="external">{tr(|t| t.portal.heading)}</a></p> }.into_any();
    };
    let ClientPageView { app, client, grantable_scopes, integration, new_secret, confidential, errors, notice } = view;
    let base = format!("/portal/clients/{}", client.id);
    let secret = new_secret.map(|secret| {
        view! {
            <section aria-labelledby="secret-heading" class="rounded-lg border-2 border-amber-400 bg-amber-50 p-6">
                <h2 id="secret-heading" class=SECTION_HEADING>{tr(|t| t.portal.secret_heading)}</h2>
                <p class="mt-1 text-slate-800">{tr(|t| t.portal.secret_once)}</p>
                <code id="client-secret" class=CODE>{secret}</code>
            </section>
        }
    });
    let endpoints = integration
        .endpoints
        .iter()
        .cloned()
        .map(|(name, url)| view! { <li><span class="text-slate-700">{name}": "</span><code class="break-all">{url}</code></li> })
        .collect_view();
    let form = settings_form(&base, &client, &grantable_scopes, &errors);
    view! {
        {page_title(|t| t.portal.client_title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header>
                <p><a href=format!("/portal/apps/{}", app.id) rel="external" class=LINK>{app.name.clone()}</a></p>
                <h1 class="mt-2 text-2xl font-bold text-slate-900">{client.name.clone()}</h1>
                <p class="text-slate-700">{move || kind_text(&client.kind, i18n.t().portal)}</p>
            </header>
            {banner(notice, !errors.is_empty())}
            {secret}
            <section aria-labelledby="integration-heading" class=CARD>
                <h2 id="integration-heading" class=SECTION_HEADING>{tr(|t| t.portal.integration_heading)}</h2>
                <dl class="mt-2 space-y-3">
                    <div><dt class=LABEL>{tr(|t| t.portal.client_id_label)}</dt><dd><code id="client-id" class=CODE>{integration.client_id.clone()}</code></dd></div>
                    <div><dt class=LABEL>{tr(|t| t.portal.authority_label)}</dt><dd><code class=CODE>{integration.issuer.clone()}</code></dd></div>
                    <div><dt class=LABEL>{tr(|t| t.portal.discovery_label)}</dt><dd><code class=CODE>{integration.discovery_url.clone()}</code></dd></div>
                    <div><dt class=LABEL>{tr(|t| t.portal.scopes_label)}</dt><dd><code class=CODE>{integration.scopes.clone()}</code></dd></div>
                    {(!integration.redirect_uris.is_empty()).then(|| view! {
                        <div><dt class=LABEL>{tr(|t| t.portal.redirects_label)}</dt>
                            <dd><code class=CODE>{integration.redirect_uris.join("\n")}</code></dd></div>
                    })}
                    {integration.snippet.clone().map(|snippet| view! {
                        <div><dt class=LABEL>{tr(|t| t.portal.snippet_label)}</dt><dd><code id="client-snippet" class=CODE>{snippet}</code></dd></div>
                    })}
                    {integration.curl.clone().map(|curl| view! {
                        <div><dt class=LABEL>{tr(|t| t.portal.curl_label)}</dt><dd><code id="client-curl" class=CODE>{curl}</code></dd></div>
                    })}
                    <div><dt class=LABEL>{tr(|t| t.portal.endpoints_label)}</dt><dd><ul class="mt-1 space-y-1 text-sm">{endpoints}</ul></dd></div>
                </dl>
            </section>
            {form}
            {confidential.then(|| view! {
                <section aria-labelledby="rotate-heading" class=CARD>
                    <h2 id="rotate-heading" class=SECTION_HEADING>{tr(|t| t.portal.rotate_heading)}</h2>
                    <p class="mt-1 text-slate-700">{tr(|t| t.portal.rotate_lead)}</p>
                    <form method="post" action=format!("{base}/secret") class="mt-4 flex flex-wrap items-end gap-3">
                        <div>
                            <label for="grace" class=LABEL>{tr(|t| t.portal.grace_label)}</label>
                            <select id="grace" name="grace_seconds" class=INPUT
                                aria-invalid=has_error(&errors, "grace_seconds").then_some("true")
                                aria-describedby=has_error(&errors, "grace_seconds").then_some("grace-error")>
                                <option value="3600" selected=true>{tr(|t| t.portal.grace_hour)}</option>
                                <option value="86400">{tr(|t| t.portal.grace_day)}</option>
                                <option value="604800">{tr(|t| t.portal.grace_week)}</option>
                                <option value="0">{tr(|t| t.portal.grace_none)}</option>
                            </select>
                            {field_error(&errors, "grace_seconds", "grace")}
                        </div>
                        <button type="submit" class=SECONDARY>{tr(|t| t.portal.rotate)}</button>
                    </form>
                </section>
            })}
            <section aria-labelledby="delete-client-heading" class=CARD>
                <h2 id="delete-client-heading" class=SECTION_HEADING>{tr(|t| t.portal.delete_client_heading)}</h2>
                <p class="mt-1 text-slate-700">{tr(|t| t.portal.delete_client_lead)}</p>
                <form method="post" action=format!("{base}/delete") class="mt-4 space-y-3">
                    <label class="flex items-start gap-2 text-slate-800">
                        <input type="checkbox" name="confirm" value="yes" required=true class="mt-1" />
                        <span>{tr(|t| t.portal.delete_confirm)}</span>
                    </label>
                    <button type="submit" class=SECONDARY>{tr(|t| t.portal.delete_client)}</button>
                </form>
            </section>
        </div>
    }
    .into_any()
}

/// Every setting of the client, each explained beside it.
fn settings_form(
    base: &str,
    client: &ClientForm,
    grantable: &[String],
    errors: &FieldMessages,
) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let grant_types =
        ["authorization_code", "refresh_token", "client_credentials", "password"].map(str::to_string).to_vec();
    let grants = check_boxes("grant_types", "grant", grant_types, &client.grant_types);
    let scopes = check_boxes("allowed_scopes", "allowed-scope", grantable.to_vec(), &client.allowed_scopes);
    let methods = ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"]
        .into_iter()
        .map(|m| view! { <option value=m selected=client.auth_method == m>{m}</option> })
        .collect_view();
    let algs = ["RS256", "ES256", "EdDSA"]
        .into_iter()
        .map(|a| view! { <option value=a selected=client.id_token_alg == a>{a}</option> })
        .collect_view();
    let subject_types = ["public", "pairwise"]
        .into_iter()
        .map(|s| view! { <option value=s selected=client.subject_type == s>{s}</option> })
        .collect_view();
    let c = client.clone();
    view! {
        <section aria-labelledby="settings-heading" class=CARD>
            <h2 id="settings-heading" class=SECTION_HEADING>{tr(|t| t.portal.settings_heading)}</h2>
            <form method="post" action=base.to_string() class="mt-4 space-y-5" novalidate=true>
                <input type="hidden" name="kind" value=c.kind.clone() />
                {text_field("f-name", "name", |t| t.f_name, c.name.clone(), errors)}
                {text_field("f-description", "description", |t| t.f_description, c.description.clone(), errors)}
                {text_field("f-logo", "logo_uri", |t| t.f_logo_uri, c.logo_uri.clone(), errors)}
                {text_field("f-client-uri", "client_uri", |t| t.f_client_uri, c.client_uri.clone(), errors)}
                {text_field("f-policy", "policy_uri", |t| t.f_policy_uri, c.policy_uri.clone(), errors)}
                {text_field("f-tos", "tos_uri", |t| t.f_tos_uri, c.tos_uri.clone(), errors)}
                {lines_field("f-redirects", "redirect_uris", |t| t.f_redirect_uris, c.redirect_uris.clone(), errors)}
                {lines_field("f-logout", "post_logout_redirect_uris", |t| t.f_post_logout_redirect_uris, c.post_logout_redirect_uris.clone(), errors)}
                {lines_field("f-origins", "web_origins", |t| t.f_web_origins, c.web_origins.clone(), errors)}
                <fieldset aria-describedby="f-grants-help">
                    <legend class=LABEL>{tr(|t| t.portal.f_grant_types.0)}</legend>
                    <p id="f-grants-help" class=HELP>{tr(|t| t.portal.f_grant_types.1)}</p>
                    <div class="mt-1 space-y-1">{grants}</div>
                    {field_error(errors, "grant_types", "f-grants")}
                </fieldset>
                <p id="f-response-types" class=HELP>{tr(|t| t.portal.response_types_note)}</p>
                <div class="rounded-md border border-amber-400 bg-amber-50 p-3">
                    {check_field("f-password-risk", "password_grant_risk_accepted", |t| t.f_password_grant_risk, c.password_grant_risk_accepted)}
                    {field_error(errors, "password_grant_risk_accepted", "f-password-risk")}
                </div>
                <div>
                    <label for="f-auth" class=LABEL>{tr(|t| t.portal.f_auth_method.0)}</label>
                    <select id="f-auth" name="token_endpoint_auth_method" class=INPUT aria-describedby="f-auth-help">{methods}</select>
                    <p id="f-auth-help" class=HELP>{tr(|t| t.portal.f_auth_method.1)}</p>
                    {field_error(errors, "token_endpoint_auth_method", "f-auth")}
                </div>
                <fieldset aria-describedby="f-scopes-help">
                    <legend class=LABEL>{tr(|t| t.portal.f_allowed_scopes.0)}</legend>
                    <p id="f-scopes-help" class=HELP>{tr(|t| t.portal.f_allowed_scopes.1)}</p>
                    <div class="mt-1 grid gap-1 sm:grid-cols-2">{scopes}</div>
                    {field_error(errors, "allowed_scopes", "f-scopes")}
                </fieldset>
                {check_field("f-pkce", "require_pkce", |t| t.f_require_pkce, c.require_pkce)}
                {field_error(errors, "require_pkce", "f-pkce")}
                {check_field("f-first-party", "first_party", |t| t.f_first_party, c.first_party)}
                {check_field("f-mfa", "require_mfa", |t| t.f_require_mfa, c.require_mfa)}
                {check_field("f-tenant", "tenant_context", |t| t.f_tenant_context, c.tenant_context)}
                {text_field("f-access-ttl", "access_token_ttl", |t| t.f_access_token_ttl, c.access_token_ttl.clone(), errors)}
                {text_field("f-refresh-ttl", "refresh_token_ttl", |t| t.f_refresh_token_ttl, c.refresh_token_ttl.clone(), errors)}
                <div>
                    <label for="f-alg" class=LABEL>{tr(|t| t.portal.f_id_token_alg.0)}</label>
                    <select id="f-alg" name="id_token_signed_response_alg" class=INPUT aria-describedby="f-alg-help">{algs}</select>
                    <p id="f-alg-help" class=HELP>{tr(|t| t.portal.f_id_token_alg.1)}</p>
                </div>
                <div>
                    <label for="f-subject" class=LABEL>{tr(|t| t.portal.f_subject_type.0)}</label>
                    <select id="f-subject" name="subject_type" class=INPUT aria-describedby="f-subject-help">{subject_types}</select>
                    <p id="f-subject-help" class=HELP>{tr(|t| t.portal.f_subject_type.1)}</p>
                    {field_error(errors, "subject_type", "f-subject")}
                </div>
                {text_field("f-sector", "sector_identifier_uri", |t| t.f_sector_identifier_uri, c.sector_identifier_uri.clone(), errors)}
                {lines_field("f-jwks", "jwks", |t| t.f_jwks, c.jwks.clone(), errors)}
                {text_field("f-service", "service_account", |t| t.f_service_account, c.service_account.clone(), errors)}
                {lines_field("f-metadata", "metadata", |t| t.f_metadata, c.metadata.clone(), errors)}
                <button type="submit" class=PRIMARY>{move || i18n.t().portal.save}</button>
            </form>
        </section>
    }
}
