//! The built front-end: `site/pkg/*` (stylesheet, wasm-bindgen JS, wasm,
//! each with a content hash in its name) and `site/favicon.svg`.
//!
//! Hashed files never change under their name, so browsers may keep them
//! for a year (`immutable`); anything else is revalidated. Files are served
//! precompressed (`.br`, `.gz` beside them) when the browser accepts it.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use axum::middleware::{self, Next};
use serde::Deserialize;
use tower_http::services::{ServeDir, ServeFile};

use crate::startup::StartupError;
use crate::state::AppState;

/// The file `scripts/build-site` writes next to the assets.
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    css: String,
    js: String,
    wasm: String,
}

/// Reads `site_dir/pkg/manifest.json`. A missing manifest is allowed (pages
/// are then served without stylesheet and scripts, and a warning says so);
/// a broken one stops start-up.
pub fn load_manifest(site_dir: &Path) -> Result<app::Assets, StartupError> {
    let path = site_dir.join("pkg").join(MANIFEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(
                path = %path.display(),
                "no site manifest: pages are served without stylesheet and scripts; run scripts/build-site"
            );
            return Ok(app::Assets::default());
        }
        Err(error) => {
            return Err(StartupError::SiteManifest { path: path.display().to_string(), reason: error.to_string() });
        }
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|error| StartupError::SiteManifest { path: path.display().to_string(), reason: error.to_string() })?;
    let url = |file: &str| {
        let plain = !file.is_empty() && file.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if plain {
            Ok(format!("/pkg/{file}"))
        } else {
            Err(StartupError::SiteManifest {
                path: path.display().to_string(),
                reason: format!("{file:?} is not a plain file name"),
            })
        }
    };
    Ok(app::Assets { css: Some(url(&manifest.css)?), js: Some(url(&manifest.js)?), wasm: Some(url(&manifest.wasm)?) })
}

pub fn routes(site_dir: &Path) -> Router<AppState> {
    let pkg = ServeDir::new(site_dir.join("pkg")).precompressed_br().precompressed_gzip();
    let favicon = ServeFile::new(site_dir.join("favicon.svg")).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", pkg)
        .route_service("/favicon.svg", favicon)
        .layer(middleware::from_fn(cache_control))
}

/// `immutable` for names with a content hash, revalidation for the rest.
async fn cache_control(request: Request<Body>, next: Next) -> Response<Body> {
    let hashed = is_hashed_name(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if hashed { "public, max-age=31536000, immutable" } else { "public, no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// `sanus.0123456789abcdef.js`: a dot-separated part of 16 hex digits.
fn is_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split('.').any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed_name("/pkg/sanus.0123456789abcdef.js"));
        assert!(is_hashed_name("/pkg/sanus.0123456789ABCDEF.wasm"));
        assert!(!is_hashed_name("/pkg/sanus.js"));
        assert!(!is_hashed_name("/pkg/manifest.json"));
        assert!(!is_hashed_name("/pkg/0123456789abcdef/sanus.js"));
        assert!(!is_hashed_name("/favicon.svg"));
    }

    #[test]
    fn manifest_names_must_be_plain() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        let write = |json: &str| std::fs::write(dir.path().join("pkg").join(MANIFEST_FILE), json).unwrap();

        assert_eq!(load_manifest(&dir.path().join("missing")).unwrap(), app::Assets::default());
        write(r#"{"css":"a.0123456789abcdef.css","js":"a.0123456789abcdef.js","wasm":"a.0123456789abcdef.wasm"}"#);
        let assets = load_manifest(dir.path()).unwrap();
        assert_eq!(assets.js.as_deref(), Some("/pkg/a.0123456789abcdef.js"));
        write(r#"{"css":"../x.css","js":"a.js","wasm":"a.wasm"}"#);
        assert!(load_manifest(dir.path()).unwrap_err().to_string().contains("not a plain file name"));
        write("{");
        assert!(load_manifest(dir.path()).unwrap_err().to_string().contains("unreadable"));
    }
}
