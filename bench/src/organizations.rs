//! Organisations at scale: 10,000 tenants (500 organisations of 20), the
//! bench user a member of 200 of them (an Admin of one organisation with
//! 2,000 members, a Reader with an application role in one department of
//! 199 others). Measures token issuance with every organisation scope
//! against the same flow without them, and the member pages.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::{Options, Run, Server, code_flow_with_sso, cpu_seconds, gather, no_redirects, report, sign_in, succeeded};

const ORGANISATIONS: usize = 500;
const TENANTS_PER_ORGANISATION: usize = 20;
const MEMBERSHIPS: usize = 200;
const MEMBERS_OF_THE_LARGE_ONE: usize = 2_000;

/// The scopes that add every organisation claim.
pub const ALL_SCOPES: &str = "openid tenant_ids tenants permissions_core permissions_app licenses";

/// The import file that builds it (appended to the bench's own).
pub fn import_toml() -> String {
    let mut toml = String::with_capacity(4 << 20);
    toml.push_str(
        "\n[[applications]]\ntenant = \"bench\"\nshort_key = \"benchorg\"\nname = \"Bench org app\"\n\
         permissions = [\"benchorg_data.read\"]\n\
         roles = [{ name = \"benchorg_viewer\", permissions = [\"benchorg_data.read\"] }]\n",
    );
    for org in 0..ORGANISATIONS {
        let _ = write!(
            toml,
            "\n[[tenants]]\nid = \"org-{org:04}\"\nname = \"Organisation {org}\"\nkind = \"organization\"\n"
        );
        for department in 1..TENANTS_PER_ORGANISATION {
            let _ = write!(
                toml,
                "\n[[tenants]]\nid = \"org-{org:04}-{department:02}\"\nname = \"Department {department}\"\n\
                 kind = \"organization\"\nparent = \"org-{org:04}\"\n"
            );
        }
    }
    let _ =
        write!(toml, "\n[[memberships]]\ntenant = \"org-0000\"\nuser = \"bench@bench.example\"\nroles = [\"admin\"]\n");
    for org in 1..MEMBERSHIPS {
        let _ = write!(
            toml,
            "\n[[memberships]]\ntenant = \"org-{org:04}-01\"\nuser = \"bench@bench.example\"\n\
             roles = [\"reader\", \"benchorg_viewer\"]\n"
        );
    }
    for member in 0..MEMBERS_OF_THE_LARGE_ONE {
        let _ = write!(
            toml,
            "\n[[users]]\nemail = \"member{member:04}@bench.example\"\ngiven_name = \"Member {member}\"\n\
             \n[[memberships]]\ntenant = \"org-0000\"\nuser = \"member{member:04}@bench.example\"\nroles = [\"reader\"]\n"
        );
    }
    let _ = write!(
        toml,
        "\n[[licenses]]\nid = \"org-0000-benchorg\"\ntenant = \"org-0000\"\napplication = \"benchorg\"\nplan = \"bench\"\nseats = 100\n"
    );
    toml
}

/// Signed-in browsers repeating one GET page.
async fn page_load(server: &Server, options: &Options, path: &str) -> Result<Run, String> {
    let requests = (options.requests / 20).max(200);
    let mut clients = Vec::new();
    for _ in 0..options.concurrency.min(8) {
        let client = no_redirects(true)?;
        sign_in(&client, &server.base).await?;
        clients.push(client);
    }
    let url = Arc::new(format!("{}{path}", server.base));
    let next = Arc::new(AtomicUsize::new(0));
    let pid = server.child.id();
    let cpu_before = cpu_seconds(pid)?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for client in clients {
        let (url, next) = (url.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let t = Instant::now();
                failures += usize::from(
                    !succeeded(client.get(url.as_str()).header("accept-encoding", "gzip").send().await).await,
                );
                latencies.push(t.elapsed());
            }
            (latencies, failures)
        }));
    }
    let (mut latencies, failures) = gather(workers).await?;
    let (wall, cpu) = (started.elapsed(), cpu_seconds(pid)? - cpu_before);
    latencies.sort();
    Ok(Run { wall, cpu, latencies, failures })
}

pub async fn run(server: &Server, options: &Options) -> Result<(), String> {
    println!();
    println!(
        "organisations: {} tenants, the user in {MEMBERSHIPS} of them, {MEMBERS_OF_THE_LARGE_ONE} members in one",
        ORGANISATIONS * TENANTS_PER_ORGANISATION
    );
    code_flow_with_sso(server, options, "bench-spa-es", "openid", "code flow, 200 tenants, openid only").await?;
    code_flow_with_sso(server, options, "bench-spa-es", ALL_SCOPES, "code flow, 200 tenants, all org scopes").await?;
    for (name, path) in [
        ("GET /orgs (200 memberships)", "/orgs"),
        ("GET /orgs/{id} (2,001 members)", "/orgs/org-0000"),
        ("GET /orgs/{id}?q= (member search)", "/orgs/org-0000?q=member19"),
        ("GET /orgs/{id}?page=80 (last page)", "/orgs/org-0000?page=80"),
    ] {
        page_load(server, options, path).await?; // warm-up
        let result = page_load(server, options, path).await?;
        report(name, (options.requests / 20).max(200), &result, None);
    }
    Ok(())
}
