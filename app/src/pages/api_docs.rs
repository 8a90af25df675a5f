//! `/api/v1/docs`: the management API's reference, read off the OpenAPI
//! document the server generates from its handlers. Plain HTML: readable
//! without JavaScript, printable, and linkable by operation (`#createClient`)
//! and schema (`#schema-ClientView`).

use leptos::prelude::*;

use super::style::{CARD, LINK};
use crate::dto::{ApiDocsView, ApiFieldView, ApiGroupView, ApiOperationView, ApiSchemaView, ApiTypeView};
use crate::i18n::{page_title, tr};

/// The reference, as the server made it.
#[derive(Clone, Debug)]
pub struct LoadedApiDocs(pub ApiDocsView);

const TABLE: &str = "mt-2 w-full border-collapse text-left text-sm";
const CELL: &str = "border-t border-slate-200 py-1.5 pr-3 align-top";
const SUBHEADING: &str = "mt-4 text-sm font-semibold uppercase tracking-wide text-slate-700";

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let loaded = SharedValue::new(|| use_context::<LoadedApiDocs>().map(|loaded| loaded.0).unwrap_or_default());
    let docs = loaded.into_inner();
    let contents = docs
        .groups
        .iter()
        .map(|group| {
            view! {
                <li>
                    <a href=format!("#tag-{}", group.name) class=LINK>{group.name.clone()}</a>
                    <ul class="ml-4 list-disc">
                        {group.operations.iter().map(|op| view! {
                            <li>
                                <a href=format!("#{}", op.id) class="text-teal-800 underline hover:text-teal-900">
                                    <span class="font-mono">{op.method.clone()}" "{op.path.clone()}</span>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                </li>
            }
        })
        .collect_view();
    let auth = docs
        .auth
        .iter()
        .map(|(name, text)| view! { <li><code class="font-mono">{name.clone()}</code>": "{text.clone()}</li> })
        .collect_view();
    view! {
        {page_title(|t| t.portal.api_title)}
        <div class="mx-auto max-w-4xl space-y-6">
            <header>
                <h1 class="text-2xl font-bold text-slate-900">{docs.title.clone()}" "<span class="text-base font-normal text-slate-600">"v"{docs.version.clone()}</span></h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.portal.api_lead)}</p>
                <p class="mt-2"><a href=docs.document_url.clone() class=LINK>{tr(|t| t.portal.api_document)}</a></p>
            </header>
            <section class=CARD aria-labelledby="api-overview">
                <h2 id="api-overview" class="text-lg font-semibold text-slate-900">{tr(|t| t.portal.api_auth)}</h2>
                <p class="mt-2 whitespace-pre-line text-slate-700">{docs.description.clone()}</p>
                <ul class="mt-2 list-disc pl-5 text-sm text-slate-700">{auth}</ul>
            </section>
            <nav class=CARD aria-labelledby="api-contents">
                <h2 id="api-contents" class="text-lg font-semibold text-slate-900">{tr(|t| t.portal.api_contents)}</h2>
                <ul class="mt-2 space-y-2 text-sm">
                    {contents}
                    <li><a href="#schemas" class=LINK>{tr(|t| t.portal.api_schemas)}</a></li>
                </ul>
            </nav>
            {docs.groups.into_iter().map(group).collect_view()}
            <section aria-labelledby="schemas" class="space-y-4">
                <h2 id="schemas" class="text-xl font-bold text-slate-900">{tr(|t| t.portal.api_schemas)}</h2>
                {docs.schemas.into_iter().map(schema).collect_view()}
            </section>
        </div>
    }
}

fn group(group: ApiGroupView) -> impl IntoView {
    let anchor = format!("tag-{}", group.name);
    let labelled_by = anchor.clone();
    view! {
        <section aria-labelledby=labelled_by class="space-y-4">
            <h2 id=anchor class="text-xl font-bold text-slate-900">{group.name}</h2>
            <p class="text-slate-700">{group.description}</p>
            {group.operations.into_iter().map(operation).collect_view()}
        </section>
    }
}

fn operation(op: ApiOperationView) -> impl IntoView {
    let parameters = (!op.parameters.is_empty()).then(|| {
        view! {
            <h4 class=SUBHEADING>{tr(|t| t.portal.api_parameters)}</h4>
            {fields(op.parameters)}
        }
    });
    let body = op.body.map(|body| {
        view! {
            <h4 class=SUBHEADING>{tr(|t| t.portal.api_body)}</h4>
            <p class="mt-1 text-sm">{type_view(body)}</p>
        }
    });
    let labelled_by = op.id.clone();
    view! {
        <article class=CARD aria-labelledby=labelled_by>
            <h3 id=op.id class="font-mono text-base font-semibold text-slate-900">
                <span class="mr-2 rounded bg-slate-800 px-2 py-0.5 text-white">{op.method}</span>{op.path}
            </h3>
            <p class="mt-2 font-semibold text-slate-800">{op.summary}</p>
            {(!op.description.is_empty()).then(|| view! { <p class="mt-1 whitespace-pre-line text-slate-700">{op.description}</p> })}
            {parameters}
            {body}
            <h4 class=SUBHEADING>{tr(|t| t.portal.api_responses)}</h4>
            <table class=TABLE>
                <tbody>
                    {op.responses.into_iter().map(|response| view! {
                        <tr>
                            <td class=format!("{CELL} w-16 font-mono font-semibold")>{response.status}</td>
                            <td class=CELL>{response.body.map(type_view)}</td>
                            <td class=format!("{CELL} text-slate-700")>{response.description}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}

fn schema(schema: ApiSchemaView) -> impl IntoView {
    let values = (!schema.values.is_empty()).then(|| {
        view! {
            <p class="mt-2 text-sm text-slate-700">
                {tr(|t| t.portal.api_values)}": "
                {schema.values.iter().map(|v| view! { <code class="mr-2 font-mono">{v.clone()}</code> }).collect_view()}
            </p>
        }
    });
    let properties = (!schema.fields.is_empty()).then(|| fields(schema.fields));
    let anchor = format!("schema-{}", schema.name);
    let labelled_by = anchor.clone();
    view! {
        <article class=CARD aria-labelledby=labelled_by>
            <h3 id=anchor class="font-mono text-base font-semibold text-slate-900">{schema.name}</h3>
            {(!schema.description.is_empty()).then(|| view! { <p class="mt-1 whitespace-pre-line text-slate-700">{schema.description}</p> })}
            {values}
            {properties}
        </article>
    }
}

fn fields(fields: Vec<ApiFieldView>) -> impl IntoView {
    view! {
        <table class=TABLE>
            <tbody>
                {fields.into_iter().map(|field| {
                    let place = (!field.place.is_empty()).then(|| format!(" ({})", field.place));
                    view! {
                        <tr>
                            <td class=format!("{CELL} font-mono font-semibold")>{field.name}{place}</td>
                            <td class=CELL>{type_view(field.kind)}</td>
                            <td class=format!("{CELL} text-slate-600")>
                                {if field.required { tr(|t| t.portal.api_required).into_any() } else { tr(|t| t.portal.api_optional).into_any() }}
                            </td>
                            <td class=format!("{CELL} text-slate-700")>{field.description}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A type in words, linked to the schema it names.
fn type_view(kind: ApiTypeView) -> impl IntoView {
    match kind.schema {
        Some(name) => view! {
            <a href=format!("#schema-{name}") class="font-mono text-teal-800 underline hover:text-teal-900">{kind.text}</a>
        }
        .into_any(),
        None => view! { <span class="font-mono text-slate-800">{kind.text}</span> }.into_any(),
    }
}
