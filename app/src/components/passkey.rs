//! The passkey buttons. WebAuthn needs JavaScript: the buttons appear once
//! the page is hydrated (server-rendered pages work without them), call
//! `passkeys.js`, and on success go where the server says.

use leptos::prelude::*;

use crate::i18n::tr;
use crate::i18n::use_i18n;

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/passkeys.js")]
    extern "C" {
        #[wasm_bindgen(catch, js_name = addPasskey)]
        async fn add_passkey(name: String, password: String) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = signInWithPasskey)]
        async fn sign_in_with_passkey(
            interaction: Option<String>,
            return_to: Option<String>,
        ) -> Result<JsValue, JsValue>;
    }

    /// The code of a rejected ceremony (see passkeys.js).
    fn code(error: JsValue) -> String {
        js_sys_message(&error).unwrap_or_else(|| "server_error".into())
    }

    fn js_sys_message(error: &JsValue) -> Option<String> {
        let message = web_sys::js_sys::Reflect::get(error, &JsValue::from_str("message")).ok()?;
        message.as_string()
    }

    fn go(address: JsValue) -> Result<(), String> {
        let address = address.as_string().unwrap_or_else(|| "/account".into());
        web_sys::window().ok_or("no window")?.location().assign(&address).map_err(|_| "navigation".to_string())
    }

    pub async fn add(name: String, password: String) -> Result<(), String> {
        go(add_passkey(name, password).await.map_err(code)?)
    }

    pub async fn sign_in(interaction: Option<String>, return_to: Option<String>) -> Result<(), String> {
        go(sign_in_with_passkey(interaction, return_to).await.map_err(code)?)
    }
}

/// Runs `ceremony` in the browser; a failure's code lands in `error`.
#[cfg(feature = "hydrate")]
fn run(error: RwSignal<Option<String>>, ceremony: impl Future<Output = Result<(), String>> + 'static) {
    error.set(None);
    leptos::task::spawn_local(async move {
        if let Err(code) = ceremony.await {
            error.set(Some(code));
        }
    });
}

/// Whether the page runs in a hydrated browser (never during rendering on
/// the server, nor with JavaScript off).
fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

fn failure_text(code: &str) -> &'static str {
    let t = use_i18n().t();
    match code {
        "cancelled" => t.passkey_cancelled,
        "wrong_password" => t.wrong_password,
        "passkeys_off" => t.passkeys_off,
        "account_locked" => t.account_locked,
        "busy" => t.sign_in_busy,
        "second_factor_first" => t.second_factor_first,
        _ => t.passkey_failed,
    }
}

/// "Sign in with a passkey": for an interaction, or for a page of Sanus.
#[component]
pub fn PasskeySignIn(interaction: Option<String>, return_to: Option<String>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let hydrated = hydrated();
    let start = move |_| {
        let (interaction, return_to) = (interaction.clone(), return_to.clone());
        #[cfg(feature = "hydrate")]
        run(error, browser::sign_in(interaction, return_to));
        // Rendered on the server, the button is never shown, nor clicked.
        #[cfg(not(feature = "hydrate"))]
        let _ = (interaction, return_to, error);
    };
    view! {
        <Show when=move || hydrated.get()>
            <div class="mt-4 border-t border-slate-200 pt-4">
                <button type="button" on:click=start.clone()
                    class="w-full rounded-md border border-slate-400 bg-white px-4 py-2.5 font-semibold text-slate-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                    {tr(|t| t.passkey_sign_in)}
                </button>
                {move || error.get().map(|code| view! {
                    <p role="alert" class="mt-2 text-sm font-medium text-red-800">{failure_text(&code)}</p>
                })}
            </div>
        </Show>
    }
}

/// The name field and "Add a passkey" button of the account console.
#[component]
pub fn AddPasskey() -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let hydrated = hydrated();
    let start = move |_| {
        let (chosen, typed) = (name.get_untracked(), password.get_untracked());
        #[cfg(feature = "hydrate")]
        run(error, browser::add(chosen, typed));
        #[cfg(not(feature = "hydrate"))]
        let _ = (chosen, typed, error);
    };
    view! {
        <Show
            when=move || hydrated.get()
            fallback=move || view! { <p class="mt-4 text-sm text-slate-600">{tr(|t| t.passkeys_need_js)}</p> }
        >
            <div class="mt-4 flex flex-wrap items-end gap-3">
                <div class="grow">
                    <label for="passkey-name" class="block text-sm font-medium text-slate-800">{tr(|t| t.passkey_name_label)}</label>
                    <input id="passkey-name" type="text" maxlength="60" bind:value=name
                        class="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-slate-900 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700" />
                </div>
                <div class="grow">
                    <label for="passkey-password" class="block text-sm font-medium text-slate-800">{tr(|t| t.mfa_password_label)}</label>
                    <input id="passkey-password" type="password" autocomplete="current-password" bind:value=password
                        class="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-slate-900 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700" />
                </div>
                <button type="button" on:click=start
                    class="rounded-md bg-teal-700 px-4 py-2.5 font-semibold text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700">
                    {tr(|t| t.passkey_add)}
                </button>
            </div>
            {move || error.get().map(|code| view! {
                <p role="alert" class="mt-2 text-sm font-medium text-red-800">{failure_text(&code)}</p>
            })}
        </Show>
    }
}
