//! The built front-end files (stylesheet, wasm-bindgen JS, wasm) as the page
//! links them. Their names carry a content hash, so the server can let
//! browsers cache them for a year; the server reads them from the manifest
//! that `scripts/build-site` writes.

use leptos::prelude::*;

/// URL paths of the hashed assets, e.g. `/pkg/sanus.1f2e3d4c5b6a7980.js`.
/// A missing file leaves the page server-rendered only (plain HTML forms
/// still work), which is how the integration tests run without a wasm build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assets {
    pub css: Option<String>,
    pub js: Option<String>,
    pub wasm: Option<String>,
}

impl Assets {
    pub fn stylesheet(&self) -> Option<impl IntoView + use<>> {
        let href = self.css.clone()?;
        Some(view! { <link rel="stylesheet" href=href /> })
    }

    /// Loads the wasm and hydrates the page. The inline module carries the
    /// per-response CSP nonce; the wasm itself needs `'wasm-unsafe-eval'`.
    pub fn hydration_scripts(&self) -> Option<impl IntoView + use<>> {
        let (js, wasm) = (self.js.clone()?, self.wasm.clone()?);
        let nonce = use_nonce();
        let boot = format!(
            "import init, {{ hydrate }} from {js:?};\
             init({{ module_or_path: {wasm:?} }}).then(function () {{ hydrate(); }});"
        );
        Some(view! {
            <link rel="modulepreload" href=js />
            <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="" />
            <script type="module" nonce=nonce>
                {boot}
            </script>
        })
    }
}
