//! `sanus-bench soak` and `sanus-bench crash`: mixed traffic for minutes,
//! and a kill -9 in the middle of it. Loopback only, bounded in time.
//!
//! The mix, in turns per client: a client-credentials token; a whole code
//! flow for a signed-in browser (`/authorize` with SSO, then the exchange,
//! with `offline_access`); a refresh of that client's refresh token (each
//! client keeps its own rotating chain); an introspection of its latest
//! access token. Five requests per turn of four operations.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{
    BENCH_BASIC, Options, VERIFIER, authorize_url, cpu_seconds, location, no_redirects, percentile, rss_kib, sign_in,
    spawn_serve, url_param, wait_ready,
};

/// Clients for the saturation run and the soak.
const CLIENTS: usize = 16;
/// How long the saturation run lasts.
const SATURATION: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    ClientCredentials,
    CodeFlow,
    Refresh,
    Introspect,
}

const OPS: [Op; 4] = [Op::ClientCredentials, Op::CodeFlow, Op::Refresh, Op::Introspect];

/// One client of the mix: a signed-in browser, its refresh chain and its
/// latest access token.
struct Mixer {
    browser: reqwest::Client,
    plain: reqwest::Client,
    base: String,
    refresh: String,
    access: String,
}

/// What one operation ended in: `Ok(requests)` or the failure's description.
type Outcome = Result<usize, String>;

impl Mixer {
    async fn new(base: &str) -> Result<Self, String> {
        let browser = no_redirects(true)?;
        sign_in(&browser, base).await?;
        let mut mixer = Self {
            browser,
            plain: no_redirects(false)?,
            base: base.to_string(),
            refresh: String::new(),
            access: String::new(),
        };
        mixer.code_flow().await?;
        Ok(mixer)
    }

    async fn run(&mut self, op: Op) -> Outcome {
        match op {
            Op::ClientCredentials => self.client_credentials().await.map(|()| 1),
            Op::CodeFlow => self.code_flow().await.map(|()| 2),
            Op::Refresh => self.refresh().await.map(|()| 1),
            Op::Introspect => self.introspect().await.map(|()| 1),
        }
    }

    async fn client_credentials(&self) -> Result<(), String> {
        let response = self
            .plain
            .post(format!("{}/token", self.base))
            .header("authorization", BENCH_BASIC)
            .form(&[("grant_type", "client_credentials"), ("scope", "bench_data.read")])
            .send()
            .await
            .map_err(|e| format!("client credentials: {e}"))?;
        ok(response, "client credentials").await.map(|_| ())
    }

    async fn code_flow(&mut self) -> Result<(), String> {
        let authorize = authorize_url(&self.base, "bench-spa-es", "openid offline_access", "");
        let answer = self.browser.get(&authorize).send().await.map_err(|e| format!("authorize: {e}"))?;
        let callback = location(&answer)?;
        let code = url_param(&callback, "code").ok_or_else(|| format!("no code in {callback}"))?;
        let tokens = self
            .plain
            .post(format!("{}/token", self.base))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://bench.example/cb"),
                ("code_verifier", VERIFIER),
                ("client_id", "bench-spa-es"),
            ])
            .send()
            .await
            .map_err(|e| format!("code exchange: {e}"))?;
        let tokens = ok(tokens, "code exchange").await?;
        self.take(&tokens, "code exchange")
    }

    async fn refresh(&mut self) -> Result<(), String> {
        let tokens = refresh_once(&self.plain, &self.base, &self.refresh).await?;
        let tokens = ok(tokens, "refresh").await?;
        self.take(&tokens, "refresh")
    }

    async fn introspect(&self) -> Result<(), String> {
        let answer = introspect(&self.plain, &self.base, &self.access).await?;
        if answer["active"] == true { Ok(()) } else { Err(format!("introspection: inactive {answer}")) }
    }

    fn take(&mut self, tokens: &serde_json::Value, what: &str) -> Result<(), String> {
        let text = |name: &str| tokens[name].as_str().map(str::to_owned).ok_or_else(|| format!("{what}: no {name}"));
        self.refresh = text("refresh_token")?;
        self.access = text("access_token")?;
        Ok(())
    }
}

async fn refresh_once(client: &reqwest::Client, base: &str, token: &str) -> Result<reqwest::Response, String> {
    client
        .post(format!("{base}/token"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", "bench-spa-es")])
        .send()
        .await
        .map_err(|e| format!("refresh: {e}"))
}

async fn introspect(client: &reqwest::Client, base: &str, token: &str) -> Result<serde_json::Value, String> {
    let response = client
        .post(format!("{base}/introspect"))
        .header("authorization", BENCH_BASIC)
        .form(&[("token", token)])
        .send()
        .await
        .map_err(|e| format!("introspection: {e}"))?;
    ok(response, "introspection").await
}

/// The JSON body of a 2xx answer, or what went wrong.
async fn ok(response: reqwest::Response, what: &str) -> Result<serde_json::Value, String> {
    let status = response.status();
    let body = response.text().await.map_err(|e| format!("{what}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{what}: {status} {}", body.chars().take(160).collect::<String>()));
    }
    serde_json::from_str(&body).map_err(|e| format!("{what}: {e}"))
}

/// What a run of the mix did.
#[derive(Default)]
struct Tally {
    operations: usize,
    requests: usize,
    latencies: BTreeMap<Op, Vec<Duration>>,
    failures: Vec<String>,
}

/// Runs the mix on `CLIENTS` clients until `until`; each client paced to
/// `per_client` operations a second, or unpaced when `None`.
async fn mix(base: &str, until: Instant, per_client: Option<f64>) -> Result<Tally, String> {
    let mut workers = Vec::new();
    for index in 0..CLIENTS {
        let mut mixer = Mixer::new(base).await?;
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut pace = per_client.map(|rate| {
                let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
                // A slow answer is made up for right after: the rate holds on average.
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                interval
            });
            let mut turn = index;
            while Instant::now() < until {
                if let Some(pace) = &mut pace {
                    pace.tick().await;
                }
                let op = OPS[turn % OPS.len()];
                turn += 1;
                let started = Instant::now();
                match mixer.run(op).await {
                    Ok(requests) => tally.requests += requests,
                    Err(failure) => tally.failures.push(failure),
                }
                tally.operations += 1;
                tally.latencies.entry(op).or_default().push(started.elapsed());
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        let tally = worker.await.map_err(|e| e.to_string())?;
        total.operations += tally.operations;
        total.requests += tally.requests;
        total.failures.extend(tally.failures);
        for (op, latencies) in tally.latencies {
            total.latencies.entry(op).or_default().extend(latencies);
        }
    }
    for latencies in total.latencies.values_mut() {
        latencies.sort();
    }
    Ok(total)
}

fn print_tally(tally: &Tally, wall: Duration, cpu: f64) {
    let seconds = wall.as_secs_f64();
    println!(
        "  {} operations ({} requests) in {seconds:.0} s: {:.0} operations/s, {:.0} requests/s; server CPU {:.1} µs/request; {} failures",
        tally.operations,
        tally.requests,
        tally.operations as f64 / seconds,
        tally.requests as f64 / seconds,
        cpu * 1e6 / tally.requests.max(1) as f64,
        tally.failures.len(),
    );
    for (op, latencies) in &tally.latencies {
        println!(
            "  {:<18} {:>7} ops  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
            format!("{op:?}"),
            latencies.len(),
            percentile(latencies, 0.5).as_secs_f64() * 1e3,
            percentile(latencies, 0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
    }
    for failure in tally.failures.iter().take(5) {
        println!("  failure: {failure}");
    }
}

/// `sanus-bench soak`: saturation of the mix, then `minutes` at `load` of it.
pub async fn soak(options: &Options, minutes: f64, load: f64) -> Result<bool, String> {
    let server = super::start_server(options).await?;
    let pid = server.child.id();
    println!("sanus-bench soak: {CLIENTS} clients, loopback, server pid {pid}");
    println!("idle RSS after start-up: {:.1} MiB", rss_kib(pid).unwrap_or(0) as f64 / 1024.0);

    let cpu = cpu_seconds(pid)?;
    let started = Instant::now();
    let saturation = mix(&server.base, started + SATURATION, None).await?;
    let wall = started.elapsed();
    println!("saturation ({} s unpaced):", SATURATION.as_secs());
    print_tally(&saturation, wall, cpu_seconds(pid)? - cpu);
    let saturated = saturation.operations as f64 / wall.as_secs_f64();
    let target = saturated * load;
    println!("soak: {minutes} min at {:.0} % = {target:.0} operations/s", load * 100.0);
    let target_per_second = target;

    let length = Duration::from_secs_f64(minutes * 60.0);
    let cpu = cpu_seconds(pid)?;
    let started = Instant::now();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut every = tokio::time::interval(Duration::from_secs(10));
            while sampling.load(Ordering::Relaxed) {
                every.tick().await;
                samples.push((started.elapsed().as_secs(), rss_kib(pid).unwrap_or(0)));
            }
            samples
        })
    };
    let tally = mix(&server.base, started + length, Some(target / CLIENTS as f64)).await?;
    let wall = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let samples = sampler.await.map_err(|e| e.to_string())?;
    print_tally(&tally, wall, cpu_seconds(pid)? - cpu);
    let achieved = tally.operations as f64 / wall.as_secs_f64();
    println!(
        "  achieved {achieved:.0} operations/s: {:.0} % of the target, {:.0} % of saturation",
        achieved / target_per_second * 100.0,
        achieved / saturated * 100.0
    );
    let rss: Vec<String> = samples.iter().map(|(at, kib)| format!("{at}s {:.1}", *kib as f64 / 1024.0)).collect();
    println!("  RSS (MiB) every 10 s: {}", rss.join(", "));
    // Growth after the first minute (allocator arenas and caches fill then),
    // or after the first half of a shorter run.
    let warm = 60.min(length.as_secs() / 2);
    let after_warmup = samples.iter().find(|(at, _)| *at >= warm).map_or(0, |(_, kib)| *kib);
    let last = samples.last().map_or(0, |(_, kib)| *kib);
    let growth = last as f64 / after_warmup.max(1) as f64 - 1.0;
    println!(
        "  RSS after the first minute {:.1} MiB, at the end {:.1} MiB: {:+.1} %",
        after_warmup as f64 / 1024.0,
        last as f64 / 1024.0,
        growth * 100.0
    );
    let passed = tally.failures.is_empty() && growth < 0.10;
    println!("soak {}", if passed { "passed: no errors, RSS within 10 % after the first minute" } else { "FAILED" });
    Ok(passed)
}

/// What a client knew of its refresh chain when the server died.
enum Chain {
    /// The last answer it got: this token is live, and its access token.
    Known { refresh: String, access: String },
    /// A refresh was on its way: the server may or may not have rotated.
    InFlight { refresh: String },
}

/// `sanus-bench crash`: refreshes and tokens from `CLIENTS` clients, a
/// kill -9 after `seconds`, a restart on the same database; then every
/// refresh token the clients were given works exactly once, and every
/// access token they hold is still active.
pub async fn crash(options: &Options, seconds: u64) -> Result<bool, String> {
    let mut server = super::start_server(options).await?;
    let base = server.base.clone();
    let port: u16 = base.rsplit(':').next().and_then(|p| p.parse().ok()).ok_or("no port")?;
    println!("sanus-bench crash: {CLIENTS} clients refreshing and exchanging, kill -9 after {seconds} s");
    let killed = Arc::new(AtomicBool::new(false));
    let refreshed = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for index in 0..CLIENTS {
        let mut mixer = Mixer::new(&base).await?;
        let (killed, refreshed) = (killed.clone(), refreshed.clone());
        workers.push(tokio::spawn(async move {
            let mut turn = index;
            loop {
                // Mostly refreshes: they are what a crash must not lose or duplicate.
                let op = [Op::Refresh, Op::Refresh, Op::ClientCredentials, Op::Refresh, Op::CodeFlow][turn % 5];
                turn += 1;
                let before = mixer.refresh.clone();
                match mixer.run(op).await {
                    Ok(_) => {
                        if op == Op::Refresh {
                            refreshed.fetch_add(1, Ordering::Relaxed);
                        }
                        if killed.load(Ordering::Relaxed) {
                            // Answered after the kill signal was sent: the
                            // answer raced it and is known all the same.
                            continue;
                        }
                    }
                    Err(failure) if killed.load(Ordering::Relaxed) => {
                        let _ = failure;
                        // Only a refresh changes the chain; a new grant leaves it as it was.
                        return if op == Op::Refresh {
                            Chain::InFlight { refresh: before }
                        } else {
                            Chain::Known { refresh: before, access: mixer.access }
                        };
                    }
                    Err(failure) => return Chain::InFlight { refresh: format!("failed before the kill: {failure}") },
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    killed.store(true, Ordering::Relaxed);
    let _ = std::process::Command::new("kill").arg("-KILL").arg(server.child.id().to_string()).status();
    let _ = server.child.wait();
    let mut chains = Vec::new();
    for worker in workers {
        chains.push(worker.await.map_err(|e| e.to_string())?);
    }
    println!("killed after {} refreshes; restarting on the same database", refreshed.load(Ordering::Relaxed));

    let restarted = Instant::now();
    // The new process replaces the dead one: dropping the server stops it.
    server.child = spawn_serve(options, &server._data.0, port)?;
    wait_ready(&base).await?;
    let restart = restarted.elapsed();
    let result = verify(&base, &chains).await;
    println!("restart to ready: {:.2} s", restart.as_secs_f64());
    let passed = result?;
    println!("crash {}", if passed { "passed" } else { "FAILED" });
    Ok(passed)
}

async fn verify(base: &str, chains: &[Chain]) -> Result<bool, String> {
    let client = no_redirects(false)?;
    let mut passed = true;
    let (mut known, mut in_flight, mut rotated, mut not_rotated) = (0, 0, 0, 0);
    // Access tokens first: the exactly-once checks below end their grants.
    for chain in chains {
        if let Chain::Known { access, .. } = chain {
            let answer = introspect(&client, base, access).await?;
            if answer["active"] != true {
                println!("  an access token given before the kill is inactive: {answer}");
                passed = false;
            }
        }
    }
    for chain in chains {
        match chain {
            Chain::Known { refresh, .. } => {
                known += 1;
                let first = refresh_once(&client, base, refresh).await?.status();
                let second = refresh_once(&client, base, refresh).await?.status();
                if first != 200 || second != 400 {
                    println!(
                        "  a refresh token given before the kill answered {first}, then {second} (want 200, then 400)"
                    );
                    passed = false;
                }
            }
            Chain::InFlight { refresh } if refresh.starts_with("failed before the kill") => {
                println!("  {refresh}");
                passed = false;
            }
            Chain::InFlight { refresh } => {
                in_flight += 1;
                // Committed before the kill (then this is a reuse) or not: either, never a 5xx.
                match refresh_once(&client, base, refresh).await?.status().as_u16() {
                    200 => not_rotated += 1,
                    400 => rotated += 1,
                    other => {
                        println!("  a refresh token in flight at the kill answered {other}");
                        passed = false;
                    }
                }
            }
        }
    }
    println!(
        "  {known} chains known at the kill: each refresh token worked exactly once, each access token active: {}",
        if passed { "yes" } else { "NO" }
    );
    println!(
        "  {in_flight} refreshes in flight at the kill: {not_rotated} had not been committed (the token works), \
         {rotated} had (the token counts as reused), none half-written"
    );
    Ok(passed)
}
