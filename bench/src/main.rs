//! Load benchmark for `sanus serve`, loopback only, bounded in requests.
//!
//! Starts the given `sanus` binary on 127.0.0.1 with a fresh SQLite
//! database, then, for each endpoint, sends a fixed number of requests from
//! a fixed number of concurrent clients and reports throughput, latency and
//! the server's CPU time per request (from /proc, so the load generator's
//! own CPU is not counted). `/healthz` is the baseline: the full middleware
//! stack with a trivial handler. Also reports the server's idle and final RSS.
//!
//! ```text
//! cargo build --release -p sanus -p sanus-bench
//! target/release/sanus-bench [--requests N] [--concurrency C] [--bin PATH] [--site DIR]
//! ```
//! See bench/README.md.

#![allow(clippy::print_stdout)]

mod organizations;
mod reference;
mod soak;

use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What to run: the benchmark, or the soak or crash test.
enum Mode {
    Bench,
    Soak { minutes: f64, load: f64 },
    Crash { seconds: u64 },
}

struct Options {
    mode: Mode,
    bin: PathBuf,
    site: Option<PathBuf>,
    requests: usize,
    concurrency: usize,
    /// Build and measure the organisations at scale (off for binaries that
    /// predate them, to compare the other scenarios).
    organisations: bool,
    /// `--only TEXT`: run just the scenarios whose name contains it (for a
    /// profiler's view of one endpoint).
    only: Option<String>,
    /// Password sign-ins in the storm.
    sign_ins: usize,
}

fn parse_options() -> Result<Options, String> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut options = Options {
        mode: Mode::Bench,
        bin: PathBuf::from(format!("{target}/release/sanus")),
        site: std::env::var_os("SANUS_SITE_DIR").map(PathBuf::from),
        requests: 20_000,
        concurrency: 16,
        organisations: true,
        only: None,
        sign_ins: 1_000,
    };
    let mut args = std::env::args().skip(1).peekable();
    match args.peek().map(String::as_str) {
        Some("soak") => {
            args.next();
            options.mode = Mode::Soak { minutes: 10.0, load: 0.8 };
        }
        Some("crash") => {
            args.next();
            options.mode = Mode::Crash { seconds: 15 };
        }
        _ => {}
    }
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match (arg.as_str(), &mut options.mode) {
            ("--minutes", Mode::Soak { minutes, .. }) => {
                *minutes = value()?.parse().map_err(|e| format!("--minutes: {e}"))?;
                if !(0.1..=60.0).contains(minutes) {
                    return Err("--minutes must be 0.1..=60".into());
                }
                continue;
            }
            ("--load", Mode::Soak { load, .. }) => {
                *load = value()?.parse().map_err(|e| format!("--load: {e}"))?;
                if !(0.05..=1.0).contains(load) {
                    return Err("--load must be 0.05..=1.0 (a fraction of saturation)".into());
                }
                continue;
            }
            ("--seconds", Mode::Crash { seconds }) => {
                *seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?;
                if !(1..=600).contains(seconds) {
                    return Err("--seconds must be 1..=600".into());
                }
                continue;
            }
            _ => {}
        }
        match arg.as_str() {
            "--bin" => options.bin = PathBuf::from(value()?),
            "--site" => options.site = Some(PathBuf::from(value()?)),
            "--requests" => options.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--concurrency" => options.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--no-organisations" => options.organisations = false,
            "--only" => options.only = Some(value()?),
            "--sign-ins" => options.sign_ins = value()?.parse().map_err(|e| format!("--sign-ins: {e}"))?,
            "--help" | "-h" => {
                return Err("usage: sanus-bench [--requests N] [--concurrency C] [--bin PATH] [--site DIR] [--no-organisations] [--only TEXT] [--sign-ins N]\n       \
                     sanus-bench soak [--minutes M] [--load FRACTION] [--bin PATH] [--site DIR]\n       \
                     sanus-bench crash [--seconds S] [--bin PATH] [--site DIR]"
                    .into());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.requests == 0 || options.requests > 1_000_000 || options.concurrency == 0 || options.concurrency > 256 {
        return Err("--requests must be 1..=1000000 and --concurrency 1..=256".into());
    }
    if !(10..=100_000).contains(&options.sign_ins) {
        return Err("--sign-ins must be 10..=100000".into());
    }
    Ok(options)
}

/// The server process; stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    base: String,
    _data: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The client the token scenario authenticates as, imported before start.
const BENCH_CLIENT: &str = r#"
[[tenants]]
id = "bench"
name = "Bench"
kind = "development"

[[applications]]
tenant = "bench"
short_key = "bench"
name = "Bench"

[[clients]]
application = "bench"
client_id = "bench-m2m"
secret = "bench-secret-0123456789abcdef0123456789"
kind = "m2m"
name = "Bench backend"
allowed_scopes = ["bench_data.read"]

[[clients]]
application = "bench"
client_id = "bench-spa"
kind = "spa"
name = "Bench SPA"
first_party = true
redirect_uris = ["https://bench.example/cb"]

[[clients]]
application = "bench"
client_id = "bench-spa-es"
kind = "spa"
name = "Bench SPA (ES256 ID tokens)"
first_party = true
redirect_uris = ["https://bench.example/cb"]
id_token_signed_response_alg = "ES256"

[[users]]
email = "bench@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm0@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm1@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm2@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm3@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm4@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm5@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm6@bench.example"
password = "bench-password-0123456789"
email_verified = true

[[users]]
email = "storm7@bench.example"
password = "bench-password-0123456789"
email_verified = true
"#;
/// The user the scenarios sign in as; the storm's clients each have one of
/// their own (`storm0@…`): a sign-in storm is many people, and one account's
/// attempts at once count against its guessing budget before they are checked.
const BENCH_USER: &str = "bench@bench.example";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const BENCH_BASIC: &str = "Basic YmVuY2gtbTJtOmJlbmNoLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OQ==";

async fn start_server(options: &Options) -> Result<Server, String> {
    let port = free_port()?;
    let data = TempDir(std::env::temp_dir().join(format!("sanus-bench-{}-{port}", std::process::id())));
    std::fs::create_dir_all(&data.0).map_err(|e| e.to_string())?;
    let import = data.0.join("bench.toml");
    let organisations = if options.organisations { organizations::import_toml() } else { String::new() };
    std::fs::write(&import, format!("{BENCH_CLIENT}{organisations}")).map_err(|e| e.to_string())?;
    let imported = Command::new(&options.bin)
        .arg("import")
        .arg(&import)
        .env("SANUS__SERVER__DATA_DIR", &data.0)
        .env("SANUS__LOG__FILTER", "warn")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", options.bin.display()))?;
    if !imported.status.success() {
        return Err(format!("import failed: {}", String::from_utf8_lossy(&imported.stderr)));
    }
    let child = spawn_serve(options, &data.0, port)?;
    let server = Server { child, base: format!("http://127.0.0.1:{port}"), _data: data };
    wait_ready(&server.base).await?;
    Ok(server)
}

/// `sanus serve` on 127.0.0.1:`port` over the data directory `data`.
fn spawn_serve(options: &Options, data: &std::path::Path, port: u16) -> Result<Child, String> {
    let base = format!("http://127.0.0.1:{port}");
    let mut command = Command::new(&options.bin);
    command
        .arg("serve")
        .env("SANUS__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SANUS__SERVER__PUBLIC_URL", &base)
        .env("SANUS__SERVER__DATA_DIR", data)
        .env("SANUS__LOG__FILTER", "warn")
        .stdout(Stdio::null());
    if let Some(site) = &options.site {
        command.env("SANUS__SERVER__SITE_DIR", site);
    }
    command.spawn().map_err(|e| {
        format!("cannot start {}: {e} (build it with cargo build --release -p sanus)", options.bin.display())
    })
}

/// Waits up to 10 s for `/readyz`.
async fn wait_ready(base: &str) -> Result<(), String> {
    let client = reqwest::Client::new();
    for _ in 0..500 {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err("the server did not become ready within 10 s".into())
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    stat_cpu_seconds(&std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?)
}

/// utime + stime of the threads of a process whose name starts with
/// `prefix`, in seconds.
fn threads_cpu_seconds(pid: u32, prefix: &str) -> Result<f64, String> {
    let mut total = 0.0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|e| e.to_string())? {
        let task = task.map_err(|e| e.to_string())?.path();
        // A thread that ended meanwhile is skipped.
        let (Ok(name), Ok(stat)) =
            (std::fs::read_to_string(task.join("comm")), std::fs::read_to_string(task.join("stat")))
        else {
            continue;
        };
        if name.starts_with(prefix) {
            total += stat_cpu_seconds(&stat)?;
        }
    }
    Ok(total)
}

/// utime + stime from the text of a `/proc/…/stat` file, in seconds.
fn stat_cpu_seconds(stat: &str) -> Result<f64, String> {
    // Fields after the command name (which may contain spaces) start at ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).ok_or("malformed /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).ok_or("malformed /proc stat");
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after ')'.
    Ok((ticks(11)? + ticks(12)?) / clock_ticks_per_second())
}

/// The cores the server can use (those of this machine).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Read once: the stat readings of every thread use it.
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

struct Run {
    wall: Duration,
    cpu: f64,
    latencies: Vec<Duration>,
    failures: usize,
}

/// One kind of request the benchmark repeats.
#[derive(Clone, Copy)]
struct Scenario {
    name: &'static str,
    path: &'static str,
    /// `Some(form body)` for a POST with client credentials.
    form: Option<&'static str>,
}

/// A client-credentials token for the confidential bench client.
const CLIENT_CREDENTIALS: Scenario = Scenario {
    name: "POST /token (client_credentials)",
    path: "/token",
    form: Some("grant_type=client_credentials&scope=bench_data.read"),
};

const SCENARIOS: [Scenario; 7] = [
    Scenario { name: "GET /healthz", path: "/healthz", form: None },
    Scenario { name: "GET /.well-known/openid-configuration", path: "/.well-known/openid-configuration", form: None },
    Scenario { name: "GET /jwks", path: "/jwks", form: None },
    Scenario { name: "GET /readyz", path: "/readyz", form: None },
    CLIENT_CREDENTIALS,
    Scenario { name: "GET / (SSR)", path: "/", form: None },
    Scenario { name: "GET /signin (SSR)", path: "/signin", form: None },
];

async fn load(server: &Server, scenario: Scenario, requests: usize, concurrency: usize) -> Result<Run, String> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().map_err(|e| e.to_string())?;
    let url = Arc::new(format!("{}{}", server.base, scenario.path));
    let next = Arc::new(AtomicUsize::new(0));
    let pid = server.child.id();
    let cpu_before = cpu_seconds(pid)?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let t = Instant::now();
                let request = match scenario.form {
                    None => client.get(url.as_str()),
                    Some(form) => post_form(&client, &url, form),
                };
                failures += usize::from(!succeeded(request.header("accept-encoding", "gzip").send().await).await);
                latencies.push(t.elapsed());
            }
            (latencies, failures)
        }));
    }
    let (mut latencies, failures) = gather(workers).await?;
    let wall = started.elapsed();
    let cpu = cpu_seconds(pid)? - cpu_before;
    latencies.sort();
    Ok(Run { wall, cpu, latencies, failures })
}

/// Whether a request succeeded, its body read to the end.
async fn succeeded(response: reqwest::Result<reqwest::Response>) -> bool {
    match response {
        Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// A client-authenticated form POST, as the token and introspection scenarios send it.
fn post_form(client: &reqwest::Client, url: &str, form: &'static str) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("authorization", BENCH_BASIC)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
}

/// Waits for the load workers: their latencies (unsorted, so that the
/// caller can read the clock first) and their failures.
async fn gather(
    workers: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>,
) -> Result<(Vec<Duration>, usize), String> {
    let mut all = (Vec::new(), 0);
    for worker in workers {
        merge(&mut all, worker.await.map_err(|e| e.to_string())?);
    }
    Ok(all)
}

/// Adds one client's latencies and failures to everyone's.
fn merge(all: &mut (Vec<Duration>, usize), one: (Vec<Duration>, usize)) {
    all.0.extend(one.0);
    all.1 += one.1;
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn run(options: Options) -> Result<(), String> {
    // Before the server starts, on an idle machine.
    let (es256_us, password_ms) = (reference::es256_signature_us()?, reference::password_check_ms()?);
    let server = start_server(&options).await?;
    let pid = server.child.id();
    let idle_rss = rss_kib(pid).unwrap_or(0);
    println!(
        "sanus-bench: {} requests per endpoint, {} concurrent clients, loopback; server pid {pid}",
        options.requests, options.concurrency
    );
    println!("idle RSS after start-up: {:.1} MiB", idle_rss as f64 / 1024.0);
    println!(
        "machine reference: one ES256 signature costs {es256_us:.1} µs of CPU here, {:.2}x the {:.0} µs \
         the issue's targets assume; scaled to this machine they are: client credentials {:.0} µs, \
         discovery and JWKS {:.0} µs, introspection {:.0} µs, code flow with SSO {:.0} µs",
        es256_us / reference::TARGET_MACHINE_ES256_US,
        reference::TARGET_MACHINE_ES256_US,
        reference::scaled(35.0, es256_us),
        reference::scaled(15.0, es256_us),
        reference::scaled(25.0, es256_us),
        reference::scaled(300.0, es256_us),
    );
    println!(
        "one password check (argon2id) costs {password_ms:.1} ms of CPU here: {} cores check at most {:.0} per second",
        cores(),
        cores() as f64 * 1e3 / password_ms
    );
    println!();
    println!(
        "{:<38} {:>8} {:>14} {:>12} {:>9} {:>9} {:>8}",
        "scenario", "req/s", "server CPU/req", "vs baseline", "p50", "p99", "failures"
    );
    let mut baseline = None;
    let wanted = |name: &str| options.only.as_deref().is_none_or(|only| name.contains(only));
    for scenario in SCENARIOS.into_iter().filter(|s| wanted(s.name)) {
        load(&server, scenario, (options.requests / 10).max(100), options.concurrency).await?; // warm-up
        let result = load(&server, scenario, options.requests, options.concurrency).await?;
        let per_request_us = result.cpu * 1e6 / options.requests as f64;
        let base = *baseline.get_or_insert(per_request_us);
        report(scenario.name, options.requests, &result, Some(per_request_us / base.max(f64::EPSILON)));
    }
    if wanted("POST /introspect") {
        introspection(&server, &options).await?;
    }
    // RS256 ID tokens (the OIDC default) and ES256 ones: RSA signing dominates.
    for client in ["bench-spa", "bench-spa-es"] {
        let name = format!("code flow with SSO, {client}");
        if wanted(&name) {
            code_flow_with_sso(&server, &options, client, "openid", &name).await?;
        }
    }
    if options.organisations && wanted("organisations") {
        organizations::run(&server, &options).await?;
    }
    println!("RSS before the sign-ins: {:.1} MiB", rss_kib(pid).unwrap_or(0) as f64 / 1024.0);
    if wanted("password sign-ins") {
        sign_in_storm(&server, options.sign_ins).await?;
    }
    println!();
    println!("RSS after the runs: {:.1} MiB", rss_kib(pid).unwrap_or(0) as f64 / 1024.0);
    Ok(())
}

fn no_redirects(cookies: bool) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .build()
        .map_err(|e| e.to_string())
}

fn location(response: &reqwest::Response) -> Result<String, String> {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a redirect, got {}", response.status()))
}

fn authorize_url(base: &str, client_id: &str, scope: &str, prompt: &str) -> String {
    let scope = scope.replace(' ', "%20");
    format!(
        "{base}/authorize?client_id={client_id}&redirect_uri=https%3A%2F%2Fbench.example%2Fcb&response_type=code\
         &scope={scope}&code_challenge={CHALLENGE}&code_challenge_method=S256{prompt}"
    )
}

/// A password sign-in of the bench user through a fresh interaction
/// (`prompt=login`), then on to the callback; returns the callback URL.
async fn sign_in(client: &reqwest::Client, base: &str) -> Result<String, String> {
    sign_in_as(client, base, BENCH_USER).await
}

/// As `sign_in`, for the account `email` (the bench's password).
async fn sign_in_as(client: &reqwest::Client, base: &str, email: &str) -> Result<String, String> {
    let first = client
        .get(authorize_url(base, "bench-spa", "openid", "&prompt=login"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let interaction = location(&first)?;
    let login = client
        .post(format!("{base}{interaction}/login"))
        .form(&[("email", email), ("password", "bench-password-0123456789")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let resume = location(&login)?;
    let back = client.get(format!("{base}{resume}")).send().await.map_err(|e| e.to_string())?;
    location(&back)
}

/// RFC 7662 introspection of a live access token, by a confidential client.
async fn introspection(server: &Server, options: &Options) -> Result<(), String> {
    let client = no_redirects(false)?;
    let token: serde_json::Value = client
        .post(format!("{}/token", server.base))
        .header("authorization", BENCH_BASIC)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = token["access_token"].as_str().ok_or("no access token")?.to_string();
    let body: &'static str = Box::leak(format!("token={token}").into_boxed_str());
    let scenario = Scenario { name: "POST /introspect (access token)", path: "/introspect", form: Some(body) };
    load(server, scenario, (options.requests / 10).max(100), options.concurrency).await?;
    let result = load(server, scenario, options.requests, options.concurrency).await?;
    report(scenario.name, options.requests, &result, None);
    Ok(())
}

/// One row of the table: `vs_baseline` only for the endpoint scenarios.
fn report(name: &str, requests: usize, result: &Run, vs_baseline: Option<f64>) {
    let vs_baseline = vs_baseline.map(|ratio| format!("{ratio:.1}x")).unwrap_or_default();
    println!(
        "{:<38} {:>8.0} {:>11.1} µs {:>12} {:>6.2} ms {:>6.2} ms {:>8}",
        name,
        requests as f64 / result.wall.as_secs_f64(),
        result.cpu * 1e6 / requests as f64,
        vs_baseline,
        percentile(&result.latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&result.latencies, 0.99).as_secs_f64() * 1e3,
        result.failures,
    );
}

/// A whole code flow for a signed-in user: `/authorize` (SSO session,
/// first-party client: straight to the callback) and the code exchange.
async fn code_flow_with_sso(
    server: &Server,
    options: &Options,
    client_id: &'static str,
    scope: &str,
    name: &str,
) -> Result<(), String> {
    let flows = (options.requests / 10).max(200);
    let mut workers = Vec::new();
    let pid = server.child.id();
    let mut clients = Vec::new();
    for _ in 0..options.concurrency.min(8) {
        let client = no_redirects(true)?;
        sign_in(&client, &server.base).await?;
        clients.push(client);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu_seconds(pid)?;
    let started = Instant::now();
    for client in clients {
        let (next, authorize, token_url) =
            (next.clone(), authorize_url(&server.base, client_id, scope, ""), format!("{}/token", server.base));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            while next.fetch_add(1, Ordering::Relaxed) < flows {
                let t = Instant::now();
                let ok = async {
                    let callback = location(&client.get(&authorize).send().await.map_err(|e| e.to_string())?)?;
                    let code = url_param(&callback, "code").ok_or("no code")?;
                    let tokens = client
                        .post(&token_url)
                        .form(&[
                            ("grant_type", "authorization_code"),
                            ("code", code.as_str()),
                            ("redirect_uri", "https://bench.example/cb"),
                            ("code_verifier", VERIFIER),
                            ("client_id", client_id),
                        ])
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    if tokens.status().is_success() { Ok::<(), String>(()) } else { Err(tokens.status().to_string()) }
                }
                .await
                .is_ok();
                failures += usize::from(!ok);
                latencies.push(t.elapsed());
            }
            (latencies, failures)
        }));
    }
    let (mut latencies, failures) = gather(workers).await?;
    let (wall, cpu) = (started.elapsed(), cpu_seconds(pid)? - cpu_before);
    latencies.sort();
    let run = Run { wall, cpu, latencies, failures };
    report(name, flows, &run, None);
    Ok(())
}

fn url_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// The part of the storm a token request is sent in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Calm,
    Storm,
    Done,
}

impl Phase {
    fn load(phase: &AtomicU8) -> Self {
        match phase.load(Ordering::Acquire) {
            0 => Self::Calm,
            1 => Self::Storm,
            _ => Self::Done,
        }
    }

    fn store(self, phase: &AtomicU8) {
        phase.store(self as u8, Ordering::Release);
    }
}

/// Token latencies and failed requests, by phase.
#[derive(Default)]
struct PacedTokens {
    calm: (Vec<Duration>, usize),
    storm: (Vec<Duration>, usize),
}

/// Client-credentials tokens at a steady rate until the phase is
/// [`Phase::Done`]: the token endpoint's latencies, split by the phase each
/// request was sent in (a calm one only if it also ended before sign-ins
/// started again). Each client sends at most one request per tick and waits
/// for its answer, so the token clients do not fill the cores they measure;
/// a slow answer delays the next request, so the p99 understates queueing
/// (a closed loop).
async fn paced_tokens(server: &Server, per_second: f64, phase: Arc<AtomicU8>) -> Result<PacedTokens, String> {
    const CLIENTS: usize = 4;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build().map_err(|e| e.to_string())?;
    let url = Arc::new(format!("{}/token", server.base));
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, phase) = (client.clone(), url.clone(), phase.clone());
        workers.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs_f64(CLIENTS as f64 / per_second));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut tokens = PacedTokens::default();
            loop {
                interval.tick().await;
                let sent_in = Phase::load(&phase);
                if sent_in == Phase::Done {
                    break;
                }
                let t = Instant::now();
                let response = post_form(&client, &url, CLIENT_CREDENTIALS.form.unwrap_or_default()).send().await;
                let ok = succeeded(response).await;
                let bucket = match (sent_in, Phase::load(&phase)) {
                    (Phase::Storm, _) => &mut tokens.storm,
                    (Phase::Calm, Phase::Calm) => &mut tokens.calm,
                    _ => continue,
                };
                bucket.0.push(t.elapsed());
                bucket.1 += usize::from(!ok);
            }
            tokens
        }));
    }
    let mut tokens = PacedTokens::default();
    for worker in workers {
        let one = worker.await.map_err(|e| e.to_string())?;
        merge(&mut tokens.calm, one.calm);
        merge(&mut tokens.storm, one.storm);
    }
    tokens.calm.0.sort();
    tokens.storm.0.sort();
    Ok(tokens)
}

/// The names of the server's password-hashing threads, and of the tickers
/// that wake their cores while they all work.
const HASHING_THREADS: &str = "sanus-argon2-";
const TICKER_THREADS: &str = "sanus-tick-";

/// The storm alternates: [`WINDOWS`] times, tokens alone for [`CALM`], then
/// tokens with a share of the sign-ins. The unloaded p99 drifts from run to
/// run on a shared machine; alternating windows expose both p99s to the
/// same drift.
const WINDOWS: usize = 5;
const CALM: Duration = Duration::from_secs(2);

/// `sign_ins` password sign-ins (argon2id) as fast as the server takes
/// them, in [`WINDOWS`] windows, while four clients ask for
/// client-credentials tokens at a steady 2,000 per second, also in the calm
/// windows between: sign-ins per second, and the token endpoint's p99
/// during the sign-ins against its p99 at the same rate without them.
async fn sign_in_storm(server: &Server, sign_ins: usize) -> Result<(), String> {
    const TOKENS_PER_SECOND: f64 = 2_000.0;
    const SIGN_IN_CLIENTS: usize = 8;
    let phase = Arc::new(AtomicU8::new(Phase::Calm as u8));
    let tokens = paced_tokens(server, TOKENS_PER_SECOND, phase.clone());
    let pid = server.child.id();
    let server_cpu = || -> Result<[f64; 3], String> {
        Ok([cpu_seconds(pid)?, threads_cpu_seconds(pid, HASHING_THREADS)?, threads_cpu_seconds(pid, TICKER_THREADS)?])
    };
    let storm = async {
        let outcome = async {
            let clients = (0..SIGN_IN_CLIENTS).map(|_| no_redirects(true)).collect::<Result<Vec<_>, _>>()?;
            let (mut failures, mut elapsed, mut cpu) = (0, 0.0, [0.0; 3]);
            for window in 0..WINDOWS {
                tokio::time::sleep(CALM).await;
                // The last window takes what division leaves.
                let quota = sign_ins / WINDOWS + if window + 1 == WINDOWS { sign_ins % WINDOWS } else { 0 };
                let done = Arc::new(AtomicUsize::new(0));
                let before = server_cpu()?;
                let started = Instant::now();
                Phase::Storm.store(&phase);
                let mut storm = Vec::new();
                for (n, client) in clients.iter().enumerate() {
                    let (done, base, client) = (done.clone(), server.base.clone(), client.clone());
                    // One account per client: the seed has storm0@ … storm7@.
                    let email = format!("storm{n}@bench.example");
                    storm.push(tokio::spawn(async move {
                        let mut failures = 0usize;
                        while done.fetch_add(1, Ordering::Relaxed) < quota {
                            if sign_in_as(&client, &base, &email).await.is_err() {
                                failures += 1;
                            }
                        }
                        failures
                    }));
                }
                for worker in storm {
                    failures += worker.await.map_err(|e| e.to_string())?;
                }
                // Every sign-in has its answer, so no hash is left running.
                Phase::Calm.store(&phase);
                elapsed += started.elapsed().as_secs_f64();
                let after = server_cpu()?;
                for (total, (after, before)) in cpu.iter_mut().zip(after.into_iter().zip(before)) {
                    *total += after - before;
                }
            }
            Ok::<_, String>((failures, elapsed, cpu))
        }
        .await;
        // On every way out, or the token clients would never stop.
        Phase::Done.store(&phase);
        outcome
    };
    let (tokens, storm) = tokio::join!(tokens, storm);
    let (PacedTokens { calm: (calm, calm_failures), storm: (during, during_failures) }, (failures, elapsed, cpu)) =
        (tokens?, storm?);
    let [all, hashing, tickers] = cpu;
    let p99 = |latencies: &[Duration]| percentile(latencies, 0.99).as_secs_f64() * 1e3;
    // A failed sign-in is no sign-in: the rate and the CPU per sign-in
    // count the ones that succeeded (the CPU of the failed ones stays in).
    let succeeded = sign_ins - failures;
    println!();
    println!(
        "password sign-ins: {succeeded} of {sign_ins} in {elapsed:.2} s = {:.0}/s ({failures} failed); \
         tokens at {TOKENS_PER_SECOND:.0}/s: p99 {:.2} ms without them ({} requests, {calm_failures} failed), \
         {:.2} ms during them ({} requests, {during_failures} failed): {:.1}x",
        succeeded as f64 / elapsed,
        p99(&calm),
        calm.len(),
        p99(&during),
        during.len(),
        p99(&during) / p99(&calm).max(1e-9),
    );
    println!(
        "  server CPU meanwhile: {all:.2} s, of which hashing {hashing:.2} s ({:.1} ms per sign-in), \
         the tickers {tickers:.2} s and the rest {:.2} s (requests, storage; {:.2} cores)",
        hashing * 1e3 / succeeded.max(1) as f64,
        all - hashing - tickers,
        (all - hashing - tickers) / elapsed,
    );
    Ok(())
}

fn main() -> ExitCode {
    let mut options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match options.mode {
        Mode::Bench => runtime.block_on(run(options)).map(|()| true),
        Mode::Soak { minutes, load } => {
            options.organisations = false;
            runtime.block_on(soak::soak(&options, minutes, load))
        }
        Mode::Crash { seconds } => {
            options.organisations = false;
            runtime.block_on(soak::crash(&options, seconds))
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("sanus-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
