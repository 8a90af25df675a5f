//! The interaction page: sign-in, then consent, for an authorization
//! request. Plain forms that post to the server, so it works without
//! JavaScript; the server then resumes the request.

use leptos::prelude::*;

use crate::dto::{
    ClientView, InteractionResult, InteractionStep, InteractionUnavailable, InteractionView, OfferedField, SignInError,
    TenantRef,
};
use crate::i18n::{Locale, page_title, tr, use_i18n};

use super::sign_in::{PasskeyTarget, password_form};
use super::style::{PRIMARY, SECONDARY};

/// The interaction as the server loaded it for this request, before
/// rendering: the page itself never waits for anything. (An async resource
/// here once left a render waiting for a fetch that never started.)
#[derive(Clone, Debug)]
pub struct LoadedInteraction(pub InteractionResult);

#[component]
pub fn InteractionPage() -> impl IntoView {
    // Rendered on the server from the loaded value, which is written into the
    // page; hydration reads it back from there instead of loading it again.
    let loaded = SharedValue::new(|| {
        use_context::<LoadedInteraction>().map_or(Err(InteractionUnavailable::Expired), |loaded| loaded.0)
    });
    match loaded.into_inner() {
        Ok(interaction) => render(interaction).into_any(),
        Err(_) => expired().into_any(),
    }
}

fn render(interaction: InteractionView) -> impl IntoView {
    let InteractionView { id, client, step, .. } = interaction;
    view! {
        <section class="mx-auto max-w-md">
            <div class="rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
                {match step {
                    InteractionStep::SignIn { login_hint, error, registration_open, passkeys } => {
                        sign_in(id, client, login_hint, error, registration_open, passkeys).into_any()
                    }
                    InteractionStep::Consent { email, scopes, profile_fields } => {
                        consent(id, client, email, scopes, profile_fields).into_any()
                    }
                    InteractionStep::ChooseTenant { email, tenants } => {
                        choose_tenant(id, client, email, tenants).into_any()
                    }
                }}
            </div>
        </section>
    }
}

fn client_header(client: &ClientView) -> impl IntoView + use<> {
    client.logo_uri.clone().map(|logo| {
        view! { <img src=logo alt="" class="mb-4 h-12 w-12 rounded object-contain" /> }
    })
}

fn sign_in(
    id: String,
    client: ClientView,
    login_hint: Option<String>,
    error: Option<SignInError>,
    registration_open: bool,
    passkeys: bool,
) -> impl IntoView {
    let name = client.name.clone();
    view! {
        {page_title(|t| t.sign_in_title)}
        {client_header(&client)}
        <h1 id="sign-in-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.sign_in_heading)}</h1>
        <p class="mt-2 text-slate-700">{tr(|t| t.interaction_sign_in_to)}" " <strong>{name.clone()}</strong></p>
        {password_form(
            format!("/interaction/{id}/login"),
            Vec::new(),
            login_hint,
            error,
            registration_open.then(|| format!("/register?interaction={id}")),
            passkeys.then(|| PasskeyTarget { interaction: Some(id.clone()), return_to: None }),
        )}
        {policy_links(&client)}
    }
}

fn consent(
    id: String,
    client: ClientView,
    email: String,
    scopes: Vec<String>,
    profile_fields: Vec<OfferedField>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = client.name.clone();
    let fields = (!profile_fields.is_empty()).then(|| {
        let boxes = profile_fields
            .into_iter()
            .map(|field| {
                let input = format!("share-{}", field.id);
                let label = field.id.clone();
                view! {
                    <div class="flex items-start gap-3">
                        <input id=input.clone() name="share" type="checkbox" value=field.id checked=field.shared
                            class="mt-1 h-4 w-4 border-slate-400 text-teal-700 focus:outline focus:outline-2 focus:outline-teal-700" />
                        <label for=input class="text-slate-800">
                            {move || sanus_professions::catalogue::field(&label)
                                .map_or_else(|| label.clone(), |f| f.label.get(i18n.locale.get() == Locale::De).to_string())}
                            ": "<span class="font-mono">{field.value}</span>
                        </label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="mt-4 rounded-md border border-slate-300 p-4" aria-describedby="share-help">
                <legend class="px-1 font-semibold text-slate-900">{tr(|t| t.prof.consent_fields)}</legend>
                <p id="share-help" class="text-sm text-slate-600">{tr(|t| t.prof.consent_fields_help)}</p>
                <div class="mt-2 space-y-2">{boxes}</div>
            </fieldset>
        }
    });
    view! {
        {page_title(|t| t.interaction_consent_title)}
        {client_header(&client)}
        <h1 id="consent-heading" class="text-2xl font-bold text-slate-900">
            {name.clone()}" "{tr(|t| t.interaction_consent_lead)}
        </h1>
        <ul class="mt-4 list-disc space-y-2 pl-5 text-slate-800">
            {scopes.into_iter().map(|scope| view! { <li>{move || i18n.t().scope(&scope)}</li> }).collect_view()}
        </ul>
        <p class="mt-4 text-sm text-slate-600">{tr(|t| t.interaction_signed_in_as)}" "{email}</p>
        <form method="post" action=format!("/interaction/{id}/consent") class="mt-6" aria-labelledby="consent-heading">
            {fields}
            <div class="mt-6 flex gap-3">
                <button type="submit" name="decision" value="allow" class=format!("flex-1 {PRIMARY}")>{tr(|t| t.interaction_allow)}</button>
                <button type="submit" name="decision" value="deny" class=format!("flex-1 {SECONDARY}")>{tr(|t| t.interaction_deny)}</button>
            </div>
        </form>
        {policy_links(&client)}
    }
}

/// The tenant picker: one radio button per tenant, the first chosen.
fn choose_tenant(id: String, client: ClientView, email: String, tenants: Vec<TenantRef>) -> impl IntoView {
    let name = client.name.clone();
    view! {
        {page_title(|t| t.org.choose_title)}
        {client_header(&client)}
        <h1 id="tenant-heading" class="text-2xl font-bold text-slate-900">{tr(|t| t.org.choose_heading)}</h1>
        <p class="mt-2 text-slate-700">{tr(|t| t.org.choose_lead)}" "<strong>{name}</strong></p>
        <form method="post" action=format!("/interaction/{id}/tenant") class="mt-6 space-y-4">
            <fieldset>
                <legend class="sr-only">{tr(|t| t.org.choose_heading)}</legend>
                <div class="space-y-2">
                    {tenants.into_iter().enumerate().map(|(i, tenant)| {
                        let input = format!("tenant-{i}");
                        view! {
                            <div class="flex items-start gap-3">
                                <input id=input.clone() name="tenant_id" type="radio" value=tenant.id checked=i == 0
                                    class="mt-1 h-4 w-4 border-slate-400 text-teal-700 focus:outline focus:outline-2 focus:outline-teal-700" />
                                <label for=input class="text-slate-800">{tenant.name}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <button type="submit" class=format!("w-full {PRIMARY}")>{tr(|t| t.org.choose_submit)}</button>
        </form>
        <p class="mt-4 text-sm text-slate-600">{tr(|t| t.interaction_signed_in_as)}" "{email}</p>
        {policy_links(&client)}
    }
}

fn policy_links(client: &ClientView) -> impl IntoView + use<> {
    let link = "text-teal-800 underline underline-offset-4 hover:text-teal-900";
    view! {
        <p class="mt-6 flex gap-4 text-sm">
            {client.policy_uri.clone().map(|href| view! { <a href=href class=link rel="noopener">{tr(|t| t.interaction_policy)}</a> })}
            {client.tos_uri.clone().map(|href| view! { <a href=href class=link rel="noopener">{tr(|t| t.interaction_terms)}</a> })}
        </p>
    }
}

fn expired() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        {page_title(|t| t.flow_error_title)}
        <section class="max-w-2xl">
            <h1 class="text-2xl font-bold text-slate-900">{tr(|t| t.flow_error_expired)}</h1>
            <p class="mt-4 text-slate-700">{tr(|t| t.flow_error_next_step)}</p>
        </section>
    }
}
