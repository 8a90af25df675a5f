//! Pages for the people who run Sanus. The server lets only operators
//! (`sanus admin grant EMAIL operator`) reach them.

use leptos::prelude::*;

use super::style::CARD;
use crate::dto::{OutboxMailView, OutboxView};
use crate::i18n::tr;
use crate::i18n::use_i18n;
use crate::i18n::{format_time, page_title};

/// The outbox, as the server loaded it for an operator.
#[derive(Clone, Debug)]
pub struct LoadedOutbox(pub OutboxView);

/// `/admin/outbox`: the mail Sanus would have sent.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| {
        use_context::<LoadedOutbox>().map_or(OutboxView { sending: false, mails: Vec::new() }, |loaded| loaded.0)
    });
    let OutboxView { sending, mails } = loaded.into_inner();
    let list = if mails.is_empty() {
        view! { <p class="text-slate-700">{tr(|t| t.outbox_empty)}</p> }.into_any()
    } else {
        mails.into_iter().map(mail).collect_view().into_any()
    };
    view! {
        {page_title(|t| t.outbox_title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header>
                <h1 class="text-2xl font-bold text-slate-900">{tr(|t| t.outbox_heading)}</h1>
                <p class="mt-2 text-slate-700">
                    {move || if sending { i18n.t().outbox_sending } else { i18n.t().outbox_lead }}
                </p>
            </header>
            {list}
        </div>
    }
}

fn mail(mail: OutboxMailView) -> impl IntoView {
    let i18n = use_i18n();
    let OutboxMailView { at, to, subject, text } = mail;
    view! {
        <article class=CARD>
            <h2 class="text-lg font-semibold text-slate-900">{subject}</h2>
            <p class="mt-1 text-sm text-slate-600">
                {tr(|t| t.outbox_to)}": "{to}" · "{move || format_time(at, i18n.locale.get())}
            </p>
            <pre class="mt-4 whitespace-pre-wrap break-words font-mono text-sm text-slate-800">{text}</pre>
        </article>
    }
}
