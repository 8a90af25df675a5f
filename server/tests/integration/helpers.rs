//! `spawn_app`: a running Sanus on 127.0.0.1:0 over a fresh database, a
//! fake built site, and an HTTP client that keeps cookies and does not
//! follow redirects.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use sanus::config::PublicUrl;
use sanus::keys::Keys;
use sanus::{Application, Settings};
use sanus_core::clock::ManualClock;
use sanus_core::store::testing::TestDatabase;
use sanus_core::{Clock as _, Store, SystemClock};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Names of the fake hashed assets every test app serves.
pub const JS: &str = "sanus.0123456789abcdef.js";
pub const WASM: &str = "sanus.0123456789abcdef.wasm";
pub const CSS: &str = "sanus.fedcba9876543210.css";

pub struct TestApp {
    pub address: SocketAddr,
    /// The separate metrics listener, when `metrics.bind` is set.
    pub metrics_address: Option<SocketAddr>,
    pub client: reqwest::Client,
    pub store: Store,
    pub keys: Arc<Keys>,
    pub passwords: Arc<sanus::passwords::PasswordPool>,
    pub settings: Settings,
    pub clock: ManualClock,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), sanus::StartupError>>>,
    _db: Option<TestDatabase>,
    _dirs: Option<tempfile::TempDir>,
}

/// What test apps want from scrapers of `/metrics`.
pub const METRICS_TOKEN: &str = "metrics-token-0123456789abcdef0123456789";

impl TestApp {
    /// The `/metrics` text, scraped with the token.
    pub async fn metrics(&self) -> String {
        let scraped = self.client.get(self.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
        assert_eq!(scraped.status(), 200);
        scraped.text().await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Asks the server to stop without waiting.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub async fn join(mut self) -> Result<(), sanus::StartupError> {
        self.server.take().unwrap().await.unwrap()
    }

    /// A second instance on the same database and data directory, with its
    /// own clock, as when several run behind a load balancer.
    pub async fn another_instance(&self) -> TestApp {
        start(self.settings.clone()).await
    }

    /// Stops this instance and starts a new one on the same database, data
    /// and site directories (a restart, or a second instance after the first).
    pub async fn restart(mut self) -> TestApp {
        self.begin_shutdown();
        self.server.take().unwrap().await.unwrap().unwrap();
        let (db, dirs) = (self._db.take(), self._dirs.take());
        let mut next = start(self.settings.clone()).await;
        (next._db, next._dirs) = (db, dirs);
        next
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

/// A browser-like client. A request that gets no answer fails the test
/// after 30 s instead of hanging the suite.
/// A browser signed in with `email` and `password` (the sign-in page's
/// form), sent on to `return_to`.
pub async fn signed_in(app: &TestApp, email: &str, password: &str, return_to: &str) -> reqwest::Client {
    let browser = client();
    let response = browser
        .post(app.url("/signin"))
        .form(&[("email", email), ("password", password), ("return_to", return_to)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "signed in");
    assert_eq!(response.headers()["location"], return_to, "signed in");
    browser
}

/// Jane, signed in, on `return_to`.
pub async fn jane_signed_in(app: &TestApp, return_to: &str) -> reqwest::Client {
    signed_in(app, JANE, JANE_PASSWORD, return_to).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

pub async fn spawn_app(db: TestDatabase) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

pub async fn spawn_app_with(db: TestDatabase, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dirs = tempfile::tempdir().unwrap();
    let site_dir = dirs.path().join("site");
    write_fake_site(&site_dir);

    let mut settings = Settings::default();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.server.public_url = PublicUrl::parse("http://127.0.0.1").unwrap();
    settings.server.data_dir = dirs.path().join("data");
    settings.server.site_dir = site_dir;
    settings.server.shutdown_grace_seconds = 10;
    settings.database.url = Some(db.url.clone());
    settings.database.max_connections = 3;
    settings.metrics.bearer_token = Some(sanus::config::Secret::new(METRICS_TOKEN));
    configure(&mut settings);

    let mut app = start(settings).await;
    (app._db, app._dirs) = (Some(db), Some(dirs));
    app
}

async fn start(mut settings: Settings) -> TestApp {
    // SANUS_TEST_LOG=debug shows the server's log (run with --nocapture).
    if let Ok(filter) = std::env::var("SANUS_TEST_LOG") {
        sanus::telemetry::init(&sanus::config::LogSettings { format: sanus::config::LogFormat::Human, filter });
    }
    let clock = ManualClock::new(SystemClock.now());
    let listener = tokio::net::TcpListener::bind(settings.server.bind).await.unwrap();
    let address = listener.local_addr().unwrap();
    if settings.server.public_url.as_str() == "http://127.0.0.1" {
        // The issuer is the real address, as relying parties see it.
        settings.server.public_url = PublicUrl::parse(&format!("http://{address}")).unwrap();
    }
    let app =
        Application::build_on(listener, settings.clone(), Arc::new(clock.clone())).await.expect("application builds");
    let address = app.local_addr();
    let metrics_address = app.metrics_addr();
    let store = app.store().clone();
    let keys = app.keys().clone();
    let passwords = app.passwords().clone();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    TestApp {
        address,
        metrics_address,
        client: client(),
        store,
        keys,
        passwords,
        settings,
        clock,
        shutdown: Some(tx),
        server: Some(server),
        _db: None,
        _dirs: None,
    }
}

/// What `scripts/build-site` produces, in miniature: hashed files, a
/// precompressed copy of one, the manifest and the favicon.
pub fn write_fake_site(site_dir: &Path) {
    let pkg = site_dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(JS), "export default function init() {}\n".repeat(50)).unwrap();
    std::fs::write(pkg.join(format!("{JS}.gz")), gzip_of_js()).unwrap();
    std::fs::write(pkg.join(WASM), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join(CSS), "body{margin:0}").unwrap();
    std::fs::write(pkg.join("manifest.json"), format!(r#"{{"css":"{CSS}","js":"{JS}","wasm":"{WASM}"}}"#)).unwrap();
    std::fs::write(site_dir.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
}

/// Not real gzip: the server must pass precompressed bytes through untouched,
/// so a recognisable marker proves which file was sent.
fn gzip_of_js() -> &'static [u8] {
    b"precompressed-gzip-marker"
}

/// The clients most protocol tests use, imported into the test app.
pub const SEED: &str = r#"
[[tenants]]
id = "acme-dev"
name = "ACME Development"
kind = "development"

[[users]]
email = "robot@acme.example"
given_name = "Robot"
email_verified = true

[[users]]
email = "jane@acme.example"
given_name = "Jane"
family_name = "Doe"
locale = "de"
email_verified = true
password = "jane-correct-horse-battery"

[[applications]]
tenant = "acme-dev"
short_key = "tstapp"
name = "Test app"

[[clients]]
application = "tstapp"
client_id = "m2m-basic"
secret = "m2m-basic-secret-0123456789abcdef0123"
kind = "m2m"
name = "Backend"
allowed_scopes = ["tstapp_datamanagement", "tstapp_data.read"]
service_account = "robot@acme.example"
access_token_ttl = 600

[[clients]]
application = "tstapp"
client_id = "m2m-post"
secret = "m2m-post-secret-0123456789abcdef01234"
kind = "m2m"
name = "Posting backend"
token_endpoint_auth_method = "client_secret_post"
allowed_scopes = ["tstapp_data.read"]

[[clients]]
application = "tstapp"
client_id = "spa"
kind = "spa"
name = "Ward app"
redirect_uris = ["https://app.acme.example/callback", "https://app.acme.example/callback?tenant=1"]
post_logout_redirect_uris = ["https://app.acme.example/"]
web_origins = ["https://app.acme.example"]
allowed_scopes = ["tstapp_data.read"]
policy_uri = "https://app.acme.example/privacy"

[[clients]]
application = "tstapp"
client_id = "spa2"
kind = "spa"
name = "Other app"
redirect_uris = ["https://other.acme.example/callback"]

[[clients]]
application = "tstapp"
client_id = "portal"
kind = "web"
name = "Staff portal"
secret = "portal-secret-0123456789abcdef0123456789"
first_party = true
redirect_uris = ["https://portal.acme.example/cb"]
id_token_signed_response_alg = "ES256"
"#;

pub const JANE: &str = "jane@acme.example";
pub const JANE_PASSWORD: &str = "jane-correct-horse-battery";
pub const PORTAL_SECRET: &str = "portal-secret-0123456789abcdef0123456789";

pub const M2M_SECRET: &str = "m2m-basic-secret-0123456789abcdef0123";
pub const POST_SECRET: &str = "m2m-post-secret-0123456789abcdef01234";

impl TestApp {
    /// The issuer: the public URL, which is the app's real address.
    pub fn issuer(&self) -> &str {
        self.settings.server.public_url.as_str()
    }

    /// Imports `toml` (see `sanus import`) into this app's database.
    pub async fn import(&self, toml: &str) {
        let file = sanus_core::import::parse(toml, "toml").unwrap();
        sanus_core::import::apply(&self.store, file, sanus_core::UnixTime(1_700_000_000)).await.unwrap();
    }
}

/// A running app with the `SEED` clients.
pub async fn spawn_seeded_app(db: TestDatabase) -> TestApp {
    let app = spawn_app(db).await;
    app.import(SEED).await;
    app
}
