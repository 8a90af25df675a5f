//! The sign-in page layout. The form is complete and accessible; checking
//! credentials arrives with the OpenID Connect interaction, so until then the
//! page says plainly that sign-in is not open and the button is disabled.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().sign_in_title />
        <section aria-labelledby="sign-in-heading" class="mx-auto max-w-md">
            <div class="rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
                <h1 id="sign-in-heading" class="text-2xl font-bold text-slate-900">
                    {move || i18n.t().sign_in_heading}
                </h1>
                <p class="mt-2 text-slate-700">{move || i18n.t().sign_in_lead}</p>
                <p id="sign-in-status" role="status" class="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
                    {move || i18n.t().sign_in_unavailable}
                </p>
                <form method="post" action="/signin" class="mt-6 space-y-5" aria-describedby="sign-in-status">
                    <div>
                        <label for="email" class="block text-sm font-medium text-slate-800">
                            {move || i18n.t().email_label}
                        </label>
                        <input
                            id="email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required
                            class="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-slate-900 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700"
                        />
                    </div>
                    <div>
                        <label for="password" class="block text-sm font-medium text-slate-800">
                            {move || i18n.t().password_label}
                        </label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            class="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-slate-900 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700"
                        />
                    </div>
                    <button
                        type="submit"
                        disabled
                        aria-describedby="sign-in-status"
                        class="w-full rounded-md bg-teal-700 px-4 py-2.5 font-semibold text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700 disabled:cursor-not-allowed disabled:bg-slate-500"
                    >
                        {move || i18n.t().sign_in_submit}
                    </button>
                </form>
            </div>
        </section>
    }
}
