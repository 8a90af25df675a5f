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

use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Options {
    bin: PathBuf,
    site: Option<PathBuf>,
    requests: usize,
    concurrency: usize,
}

fn parse_options() -> Result<Options, String> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut options = Options {
        bin: PathBuf::from(format!("{target}/release/sanus")),
        site: std::env::var_os("SANUS_SITE_DIR").map(PathBuf::from),
        requests: 20_000,
        concurrency: 16,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--bin" => options.bin = PathBuf::from(value()?),
            "--site" => options.site = Some(PathBuf::from(value()?)),
            "--requests" => options.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--concurrency" => options.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--help" | "-h" => {
                return Err("usage: sanus-bench [--requests N] [--concurrency C] [--bin PATH] [--site DIR]".into());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.requests == 0 || options.requests > 1_000_000 || options.concurrency == 0 || options.concurrency > 256 {
        return Err("--requests must be 1..=1000000 and --concurrency 1..=256".into());
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
"#;
const BENCH_BASIC: &str = "Basic YmVuY2gtbTJtOmJlbmNoLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OQ==";

async fn start_server(options: &Options) -> Result<Server, String> {
    let port = free_port()?;
    let data = TempDir(std::env::temp_dir().join(format!("sanus-bench-{}-{port}", std::process::id())));
    std::fs::create_dir_all(&data.0).map_err(|e| e.to_string())?;
    let import = data.0.join("bench.toml");
    std::fs::write(&import, BENCH_CLIENT).map_err(|e| e.to_string())?;
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
    let base = format!("http://127.0.0.1:{port}");
    let mut command = Command::new(&options.bin);
    command
        .arg("serve")
        .env("SANUS__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SANUS__SERVER__PUBLIC_URL", &base)
        .env("SANUS__SERVER__DATA_DIR", &data.0)
        .env("SANUS__LOG__FILTER", "warn")
        .stdout(Stdio::null());
    if let Some(site) = &options.site {
        command.env("SANUS__SERVER__SITE_DIR", site);
    }
    let child = command.spawn().map_err(|e| {
        format!("cannot start {}: {e} (build it with cargo build --release -p sanus)", options.bin.display())
    })?;
    let server = Server { child, base, _data: data };
    let client = reqwest::Client::new();
    for _ in 0..500 {
        if let Ok(response) = client.get(format!("{}/readyz", server.base)).send().await
            && response.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err("the server did not become ready within 10 s".into())
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // Fields after the command name (which may contain spaces) start at ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).ok_or("malformed /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).ok_or("malformed /proc stat");
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after ')'.
    Ok((ticks(11)? + ticks(12)?) / clock_ticks_per_second())
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
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

const SCENARIOS: [Scenario; 6] = [
    Scenario { name: "GET /healthz", path: "/healthz", form: None },
    Scenario { name: "GET /jwks", path: "/jwks", form: None },
    Scenario { name: "GET /readyz", path: "/readyz", form: None },
    Scenario {
        name: "POST /token (client_credentials)",
        path: "/token",
        form: Some("grant_type=client_credentials&scope=bench_data.read"),
    },
    Scenario { name: "GET / (SSR)", path: "/", form: None },
    Scenario { name: "GET /signin (SSR)", path: "/signin", form: None },
];

async fn load(server: &Server, scenario: Scenario, requests: usize, concurrency: usize) -> Result<Run, String> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().map_err(|e| e.to_string())?;
    let url = Arc::new(format!("{}{}", server.base, scenario.path));
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let pid = server.child.id();
    let cpu_before = cpu_seconds(pid)?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next, failures) = (client.clone(), url.clone(), next.clone(), failures.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let t = Instant::now();
                let request = match scenario.form {
                    None => client.get(url.as_str()),
                    Some(form) => client
                        .post(url.as_str())
                        .header("authorization", BENCH_BASIC)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(form),
                };
                let ok = match request.header("accept-encoding", "gzip").send().await {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())?);
    }
    let wall = started.elapsed();
    let cpu = cpu_seconds(pid)? - cpu_before;
    latencies.sort();
    Ok(Run { wall, cpu, latencies, failures: failures.load(Ordering::Relaxed) })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn run(options: Options) -> Result<(), String> {
    let server = start_server(&options).await?;
    let pid = server.child.id();
    let idle_rss = rss_kib(pid).unwrap_or(0);
    println!(
        "sanus-bench: {} requests per endpoint, {} concurrent clients, loopback; server pid {pid}",
        options.requests, options.concurrency
    );
    println!("idle RSS after start-up: {:.1} MiB", idle_rss as f64 / 1024.0);
    println!();
    println!(
        "{:<34} {:>8} {:>14} {:>12} {:>9} {:>9} {:>8}",
        "scenario", "req/s", "server CPU/req", "vs baseline", "p50", "p99", "failures"
    );
    let mut baseline = None;
    for scenario in SCENARIOS {
        load(&server, scenario, (options.requests / 10).max(100), options.concurrency).await?; // warm-up
        let result = load(&server, scenario, options.requests, options.concurrency).await?;
        let per_request_us = result.cpu * 1e6 / options.requests as f64;
        let base = *baseline.get_or_insert(per_request_us);
        println!(
            "{:<34} {:>8.0} {:>11.1} µs {:>11.1}x {:>6.2} ms {:>6.2} ms {:>8}",
            scenario.name,
            options.requests as f64 / result.wall.as_secs_f64(),
            per_request_us,
            per_request_us / base.max(f64::EPSILON),
            percentile(&result.latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&result.latencies, 0.99).as_secs_f64() * 1e3,
            result.failures,
        );
    }
    println!();
    println!("RSS after the runs: {:.1} MiB", rss_kib(pid).unwrap_or(0) as f64 / 1024.0);
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse_options() {
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
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sanus-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
