//! Configuration: defaults in code → optional `sanus.toml` → environment
//! variables `SANUS__SECTION__KEY`. Every key is documented here and in
//! `docs/configuration.md`; an invalid value stops start-up with one line
//! that names the key and says what is wrong.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use sanus_core::store::{Engine, StoreOptions};
use serde::{Deserialize, Serialize};

/// The prefix of configuration environment variables; `__` separates levels.
pub const ENV_PREFIX: &str = "SANUS__";
/// Read when no `--config` is given and the file exists.
pub const DEFAULT_CONFIG_FILE: &str = "sanus.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub keys: KeySettings,
    pub mail: MailSettings,
    pub accounts: AccountSettings,
    pub professions: ProfessionSettings,
    pub log: LogSettings,
    pub metrics: MetricsSettings,
    pub retention: RetentionSettings,
    pub traces: TraceSettings,
}

/// How long records are kept (see `sanus_core::retention`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Days the audit log is kept; 0 keeps it forever.
    pub audit_days: u32,
    /// Days the development outbox keeps mail; 0 keeps it forever.
    pub outbox_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { audit_days: 730, outbox_days: 30 }
    }
}

impl RetentionSettings {
    pub fn policy(&self) -> sanus_core::retention::Policy {
        sanus_core::retention::Policy { audit_days: self.audit_days, outbox_days: self.outbox_days }
    }
}

/// OpenTelemetry traces over OTLP/HTTP; off unless an endpoint is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TraceSettings {
    /// The collector's OTLP/HTTP traces URL, whole:
    /// `http://127.0.0.1:4318/v1/traces`. Unset: no traces.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the spans.
    pub service_name: String,
    /// The share of traces recorded, 0 to 1, decided by trace id (so every
    /// service sampling by trace id keeps the same traces).
    pub sample_ratio: f64,
}

impl Default for TraceSettings {
    fn default() -> Self {
        Self { otlp_endpoint: None, service_name: "sanus".into(), sample_ratio: 1.0 }
    }
}

/// Prometheus metrics at `/metrics` (OpenMetrics text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Whether `/metrics` is served at all.
    pub enabled: bool,
    /// A separate address for `/metrics` alone (`127.0.0.1:9464`, or an
    /// address on the monitoring network).
    pub bind: Option<SocketAddr>,
    /// A bearer token scrapers must send (`Authorization: Bearer …`, at
    /// least 32 characters). Without `bind`, `/metrics` is served on the main
    /// listener only when this is set: the main listener faces everyone.
    pub bearer_token: Option<Secret>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self { enabled: true, bind: None, bearer_token: None }
    }
}

impl MetricsSettings {
    /// Whether the main listener answers `/metrics`.
    pub fn on_main_listener(&self) -> bool {
        self.enabled && self.bind.is_none() && self.bearer_token.is_some()
    }
}

/// Self-service accounts: who may register, and what an unverified
/// address may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSettings {
    /// Whether people may create accounts themselves.
    pub registration: bool,
    /// Only addresses at these domains may register (exactly the part after
    /// `@`, case-insensitive; subdomains must be listed). Empty: any.
    pub registration_domains: Vec<String>,
    /// Whether an account whose address is not yet confirmed may sign in.
    /// Apps see `email_verified` either way.
    pub unverified_may_sign_in: bool,
    /// The terms of use a new account must accept (https URL); unset: no box.
    pub terms_url: Option<String>,
    /// The privacy notice linked beside the registration form.
    pub privacy_url: Option<String>,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            registration: true,
            registration_domains: Vec::new(),
            unverified_may_sign_in: false,
            terms_url: None,
            privacy_url: None,
        }
    }
}

impl AccountSettings {
    pub fn registration_policy(&self) -> sanus_core::registration::Policy {
        sanus_core::registration::Policy {
            open: self.registration,
            domains: self.registration_domains.iter().map(|d| d.trim().to_lowercase()).collect(),
            terms_required: self.terms_url.is_some(),
        }
    }
}

/// Health-professional profiles: how verifiers verify, and what apps are
/// told about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfessionSettings {
    /// Whether a profile needs two approvals by different verifiers.
    pub four_eyes: bool,
    /// How many days a verification holds before it must be renewed.
    pub verification_valid_days: u32,
    /// The trust framework named in `verified_claims` (and discovery).
    pub trust_framework: String,
}

impl Default for ProfessionSettings {
    fn default() -> Self {
        Self { four_eyes: false, verification_valid_days: 730, trust_framework: "sanus_professional".to_string() }
    }
}

impl ProfessionSettings {
    pub fn policy(&self) -> sanus_core::professions::verification::Policy {
        sanus_core::professions::verification::Policy {
            four_eyes: self.four_eyes,
            valid_for_seconds: i64::from(self.verification_valid_days) * 86_400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// The sender of every mail: `Sanus <no-reply@example.org>`.
    pub from: String,
    /// `smtps://user:password@smtp.example.org:465` (TLS) or
    /// `smtp://user:password@smtp.example.org:587?tls=required` (STARTTLS).
    /// Unset: mail goes to the development outbox.
    pub smtp_url: Option<Secret>,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self { from: "Sanus <no-reply@localhost>".into(), smtp_url: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// The URL people and clients reach Sanus at; it becomes the OpenID
    /// issuer, exactly. https, or http for localhost only; no query or fragment.
    pub public_url: PublicUrl,
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// Where Sanus keeps its files: the SQLite database, generated keys.
    pub data_dir: PathBuf,
    /// The built front-end (stylesheet, wasm, JavaScript), from scripts/build-site.
    pub site_dir: PathBuf,
    /// After SIGTERM/SIGINT, how long in-flight requests may take to finish.
    pub shutdown_grace_seconds: u64,
    /// Behind a reverse proxy: the header in which it passes the client's
    /// address (`x-forwarded-for`); its last entry is used. Unset: the
    /// address of the connection.
    pub client_address_header: Option<String>,
    /// While the password checks fill every core, keep each async worker on
    /// a core of its own, where the workers (one per core the process may
    /// use) are as many as the cores it may run on: not under a CPU quota
    /// below them. See `crate::runtime`.
    pub pin_workers: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            public_url: PublicUrl::localhost(3000),
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            site_dir: PathBuf::from("site"),
            shutdown_grace_seconds: 30,
            client_address_header: None,
            pin_workers: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite:<path>` or `postgres://user:password@host:port/database`.
    /// Empty: the SQLite file `sanus.db` in `server.data_dir`.
    pub url: Option<String>,
    /// Connections per instance.
    pub max_connections: u32,
    /// How long to wait for a connection at start-up and for `/readyz`.
    pub connect_timeout_seconds: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self { url: None, max_connections: 10, connect_timeout_seconds: 5 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeySettings {
    /// The key-encryption key that seals the private signing keys in the
    /// database: 32 random bytes in base64 (`openssl rand -base64 32`).
    /// Empty: read from, or generated into, `kek` in `server.data_dir`.
    /// Instances that share a PostgreSQL database must share this value.
    pub kek: Option<Secret>,
    /// Rotate the signing keys when the active ones are this many days old
    /// (checked at start-up and hourly). 0 turns scheduled rotation off.
    pub rotate_after_days: u32,
    /// How long a retired key stays in the JWKS: at least the longest
    /// lifetime of a token it signed.
    pub publish_retired_seconds: u32,
}

impl Default for KeySettings {
    fn default() -> Self {
        Self {
            kek: None,
            rotate_after_days: 90,
            // Access tokens live at most 86400 s; an hour of leeway on top.
            publish_retired_seconds: 86_400 + 3_600,
        }
    }
}

/// A configuration value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// `human` (readable lines) or `json` (one object per line).
    pub format: LogFormat,
    /// Which events to log, as a tracing filter: `info`, `sanus=debug,info`, ...
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { format: LogFormat::Human, filter: "info".into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// The public URL: absolute, https (http only for localhost), no query or
/// fragment, no user info, no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicUrl(url::Url);

impl PublicUrl {
    pub fn localhost(port: u16) -> Self {
        Self::parse(&format!("http://127.0.0.1:{port}")).unwrap_or_else(|_| unreachable!("a loopback URL is valid"))
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        let url = url::Url::parse(input.trim()).map_err(|e| format!("{input:?} is not an absolute URL ({e})"))?;
        let loopback = match url.host() {
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(format!("{input:?} must use https (http is only allowed for localhost)"));
            }
            other => return Err(format!("{input:?} has scheme {other:?}; use https")),
        }
        if url.host().is_none() {
            return Err(format!("{input:?} has no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("{input:?} must not have a query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("{input:?} must not contain a user name or password"));
        }
        Ok(Self(url))
    }

    /// The issuer form: no trailing slash (`https://id.example.org`,
    /// `https://example.org/sanus`).
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }
}

impl TryFrom<String> for PublicUrl {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<PublicUrl> for String {
    fn from(url: PublicUrl) -> Self {
        url.as_str().to_string()
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Settings {
    /// The database URL in effect: the configured one, or the SQLite file in
    /// the data directory.
    pub fn database_url(&self) -> String {
        match self.database.url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => url.to_string(),
            _ => format!("sqlite:{}?mode=rwc", self.server.data_dir.join("sanus.db").display()),
        }
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            url: self.database_url(),
            max_connections: self.database.max_connections,
            connect_timeout: Duration::from_secs(self.database.connect_timeout_seconds),
        }
    }

    /// Checks the rules serde cannot express. Each error names its key.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| Err(ConfigError::Invalid { key: key.to_string(), message });
        if let Some(url) = self.database.url.as_deref().filter(|u| !u.trim().is_empty())
            && Engine::from_url(url.trim()).is_none()
        {
            return invalid(
                "database.url",
                "must start with sqlite: or postgres:// (the value is not shown: it may hold a password)".into(),
            );
        }
        if let Some(name) = &self.server.client_address_header
            && http::HeaderName::from_bytes(name.as_bytes()).is_err()
        {
            return invalid("server.client_address_header", format!("{name:?} is not a header name"));
        }
        if let Some(endpoint) = &self.traces.otlp_endpoint {
            match url::Url::parse(endpoint) {
                Ok(url) if url.scheme() == "http" && url.host().is_some() => {}
                Ok(url) if url.scheme() == "https" => {
                    return invalid(
                        "traces.otlp_endpoint",
                        "https is not supported: send to an OpenTelemetry Collector on the same host or \
                         network over http (http://127.0.0.1:4318/v1/traces), and let it forward over TLS"
                            .into(),
                    );
                }
                _ => return invalid("traces.otlp_endpoint", format!("{endpoint:?} is not an http:// URL")),
            }
        }
        if !(0.0..=1.0).contains(&self.traces.sample_ratio) {
            return invalid("traces.sample_ratio", "must be between 0 and 1".into());
        }
        if self.traces.service_name.trim().is_empty() {
            return invalid("traces.service_name", "must not be empty".into());
        }
        if self.metrics.bearer_token.as_ref().is_some_and(|token| token.expose().trim().len() < 32) {
            return invalid("metrics.bearer_token", "must be at least 32 characters (openssl rand -hex 32)".into());
        }
        if self.metrics.bind.is_some_and(|bind| bind == self.server.bind) {
            return invalid("metrics.bind", "must differ from server.bind (unset it to serve /metrics there)".into());
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1".into());
        }
        if self.database.connect_timeout_seconds == 0 {
            return invalid("database.connect_timeout_seconds", "must be at least 1".into());
        }
        if let Some(kek) = &self.keys.kek
            && let Err(error) = sanus_core::keys::Kek::from_base64(kek.expose())
        {
            return invalid("keys.kek", error.to_string());
        }
        if let Err(error) =
            sanus_core::mail::Mailer::check(&self.mail.from, self.mail.smtp_url.as_ref().map(Secret::expose))
        {
            let key = if matches!(error, sanus_core::mail::MailError::From(_)) { "mail.from" } else { "mail.smtp_url" };
            return invalid(key, error.to_string());
        }
        for domain in &self.accounts.registration_domains {
            let domain = domain.trim();
            if domain.is_empty()
                || domain.contains('@')
                || domain.contains(char::is_whitespace)
                || !domain.contains('.')
            {
                return invalid(
                    "accounts.registration_domains",
                    format!("{domain:?} is not a domain like \"klinik.example\" (no @)"),
                );
            }
        }
        for (key, url) in
            [("accounts.terms_url", &self.accounts.terms_url), ("accounts.privacy_url", &self.accounts.privacy_url)]
        {
            if let Some(url) = url
                && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "https" | "http"))
            {
                return invalid(key, format!("{url:?} is not an http(s) URL"));
            }
        }
        if !(1..=3650).contains(&self.professions.verification_valid_days) {
            return invalid("professions.verification_valid_days", "must be between 1 and 3650".into());
        }
        let framework = &self.professions.trust_framework;
        if framework.is_empty()
            || framework.len() > 100
            || !framework.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.:/".contains(&b))
        {
            return invalid(
                "professions.trust_framework",
                format!("{framework:?} is not a name like \"de_professional\" (letters, digits, _ - . : /)"),
            );
        }
        if self.keys.publish_retired_seconds < 86_400 {
            return invalid(
                "keys.publish_retired_seconds",
                "must be at least 86400, the longest access token lifetime".into(),
            );
        }
        if let Err(error) = tracing_subscriber::EnvFilter::builder().parse(&self.log.filter) {
            return invalid("log.filter", format!("{:?} is not a valid filter: {error}", self.log.filter));
        }
        Ok(())
    }
}

/// Why the configuration was refused: always one line naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {key}: {message}")]
    Invalid { key: String, message: String },
}

/// Loads the settings: defaults, then the TOML file, then the environment.
pub fn load(config_file: Option<&Path>) -> Result<Settings, ConfigError> {
    load_from(config_file, Env::prefixed(ENV_PREFIX).split("__"))
}

fn load_from(config_file: Option<&Path>, env: Env) -> Result<Settings, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    match config_file {
        Some(path) if !path.is_file() => return Err(ConfigError::MissingFile(path.to_path_buf())),
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
            figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
        }
        None => {}
    }
    let settings: Settings = figment.merge(env).extract().map_err(describe)?;
    settings.validate()?;
    Ok(settings)
}

/// Turns figment's error into one line: the key as the operator wrote it
/// (`SANUS__SERVER__BIND` or `server.bind in sanus.toml`) and what is wrong.
fn describe(error: figment::Error) -> ConfigError {
    let dotted = error.path.join(".");
    let key = match &error.metadata {
        Some(meta) if meta.name.contains("environment") => {
            format!("{ENV_PREFIX}{}", error.path.join("__").to_uppercase())
        }
        Some(meta) => match &meta.source {
            Some(source) => format!("{dotted} in {source}"),
            None => dotted,
        },
        None => dotted,
    };
    let message = match &error.kind {
        figment::error::Kind::Message(message) => message.clone(),
        figment::error::Kind::UnknownField(field, _) => {
            format!("unknown key {field:?}; see docs/configuration.md for the keys")
        }
        other => other.to_string(),
    };
    let key = if key.is_empty() { "configuration".to_string() } else { key };
    ConfigError::Invalid { key, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_locally_on_sqlite() {
        let settings = load_from(None, Env::prefixed("SANUS_TEST_NOTHING__")).unwrap();
        assert_eq!(settings.server.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.server.public_url.as_str(), "http://127.0.0.1:3000");
        assert_eq!(settings.database_url(), "sqlite:data/sanus.db?mode=rwc");
        assert_eq!(settings.log.format, LogFormat::Human);
        assert!(settings.accounts.registration && !settings.accounts.unverified_may_sign_in);
    }

    #[test]
    fn registration_domains_are_compared_in_lower_case() {
        let settings = load_toml(
            "[accounts]\nregistration_domains = [\" Klinik.Example \"]\nterms_url = \"https://x.example/t\"\n",
        )
        .unwrap();
        let policy = settings.accounts.registration_policy();
        assert_eq!(policy.domains, ["klinik.example"]);
        assert!(policy.open && policy.terms_required);
    }

    #[test]
    fn public_url_rules() {
        let ok = [
            ("https://id.example.org", "https://id.example.org"),
            ("https://id.example.org/", "https://id.example.org"),
            ("https://example.org/sanus/", "https://example.org/sanus"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:3000", "http://[::1]:3000"),
        ];
        for (input, issuer) in ok {
            assert_eq!(PublicUrl::parse(input).map(|u| u.as_str().to_string()), Ok(issuer.into()), "{input}");
        }
        let bad = [
            ("id.example.org", "not an absolute URL"),
            ("http://id.example.org", "must use https"),
            ("ftp://id.example.org", "use https"),
            ("https://id.example.org/?x=1", "query or fragment"),
            ("https://id.example.org/#top", "query or fragment"),
            ("https://admin:pw@id.example.org", "user name or password"),
        ];
        for (input, expected) in bad {
            let error = PublicUrl::parse(input).unwrap_err();
            assert!(error.contains(expected), "{input}: {error}");
        }
    }

    #[test]
    fn origin_drops_the_path() {
        let url = PublicUrl::parse("https://example.org:8443/sanus").unwrap();
        assert_eq!(url.origin(), "https://example.org:8443");
    }

    fn load_toml(toml: &str) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sanus.toml");
        std::fs::write(&path, toml).unwrap();
        load_from(Some(&path), Env::prefixed("SANUS_TEST_NOTHING__"))
    }

    #[test]
    fn toml_file_overrides_defaults() {
        let settings = load_toml(
            "[server]\npublic_url = \"https://id.example.org\"\nbind = \"0.0.0.0:8080\"\n\
             [database]\nurl = \"postgres://sanus@db/sanus\"\n[log]\nformat = \"json\"\n",
        )
        .unwrap();
        assert_eq!(settings.server.public_url.as_str(), "https://id.example.org");
        assert_eq!(settings.server.bind.port(), 8080);
        assert_eq!(settings.database_url(), "postgres://sanus@db/sanus");
        assert_eq!(settings.log.format, LogFormat::Json);
        assert_eq!(settings.server.shutdown_grace_seconds, 30, "untouched keys keep their defaults");
    }

    #[test]
    fn invalid_toml_values_name_their_key() {
        let cases = [
            ("[server]\nbind = \"localhost\"\n", "server.bind in "),
            ("[server]\npublic_url = \"http://id.example.org\"\n", "server.public_url in "),
            ("[log]\nformat = \"xml\"\n", "log.format in "),
            ("[server]\npublick_url = \"https://x\"\n", "unknown key \"publick_url\""),
            ("[database]\nurl = \"mysql://root:hunter2@db/x\"\n", "database.url: must start with sqlite:"),
            ("[database]\nmax_connections = 0\n", "database.max_connections: must be at least 1"),
            (
                "[server]\nclient_address_header = \"x forwarded\"\n",
                "server.client_address_header: \"x forwarded\" is not a header name",
            ),
            ("[log]\nfilter = \"sanus=loud\"\n", "log.filter:"),
            ("[keys]\nkek = \"c2hvcnQ=\"\n", "keys.kek: must be 32 bytes in base64"),
            ("[keys]\npublish_retired_seconds = 60\n", "keys.publish_retired_seconds: must be at least 86400"),
            ("[mail]\nfrom = \"nobody\"\n", "mail.from: \"nobody\" is not a mailbox"),
            ("[mail]\nsmtp_url = \"https://u:hunter2@mail.example\"\n", "mail.smtp_url: not an SMTP URL"),
            ("[accounts]\nregistration_domains = [\"@klinik.example\"]\n", "accounts.registration_domains: \"@klinik"),
            ("[accounts]\nterms_url = \"terms.html\"\n", "accounts.terms_url: \"terms.html\" is not an http(s) URL"),
        ];
        for (toml, expected) in cases {
            let error = load_toml(toml).unwrap_err().to_string();
            assert!(error.contains(expected), "{toml:?} gave {error:?}");
            assert!(!error.contains('\n'), "one line: {error:?}");
            assert!(!error.contains("hunter2"), "no secrets: {error:?}");
        }
    }

    #[test]
    fn the_kek_is_never_printed() {
        let kek = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        let settings = load_toml(&format!("[keys]\nkek = \"{kek}\"\n")).unwrap();
        assert_eq!(settings.keys.kek.as_ref().map(Secret::expose), Some(kek));
        assert!(!format!("{settings:?}").contains(kek));
        assert!(!serde_json::to_string(&settings).unwrap().contains(kek));
    }

    #[test]
    fn named_config_file_must_exist() {
        let error = load_from(Some(Path::new("/nonexistent/sanus.toml")), Env::prefixed("X__")).unwrap_err();
        assert_eq!(error.to_string(), "configuration file /nonexistent/sanus.toml does not exist");
    }
}
