//! `sanus`: command line → settings → telemetry → application.

use std::process::ExitCode;

use clap::Parser as _;
use sanus::cli::{AdminCommand, Cli, Command, KeysCommand};
use sanus::{Application, Settings, config, startup, telemetry};

/// mimalloc rather than glibc's malloc: a request allocates and frees many
/// small buffers across the worker threads. Profiled with `sanus-bench
/// --only client_credentials` (bench/README.md), glibc's malloc and free took
/// about a tenth of a token request's CPU; server-rendered pages got twice
/// as fast with mimalloc. It keeps about 16 MiB more resident when idle.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match config::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("sanus: {error}");
            return ExitCode::from(2);
        }
    };
    // Declared before the runtime: dropped after it, sending the last traces.
    let _telemetry = telemetry::init_with_traces(&settings.log, &settings.traces);
    let runtime = match sanus::runtime::build(settings.server.pin_workers) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("sanus: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.subcommand(), settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sanus: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), startup::StartupError> {
    match command {
        Command::Migrate => startup::migrate(&settings).await,
        Command::Import { file } => {
            let report = startup::import(&settings, &file).await?;
            print_line(&format!("imported {}: {report}", file.display()));
            Ok(())
        }
        Command::Export { file } => {
            let text = startup::export(&settings, &file).await?;
            if file.as_os_str() == "-" {
                print_line(text.trim_end());
            } else {
                print_line(&format!("exported the directory to {}", file.display()));
            }
            Ok(())
        }
        Command::Backup { file } => {
            startup::backup(&settings, &file).await?;
            print_line(&format!("backed up the database to {}", file.display()));
            Ok(())
        }
        Command::Outbox { limit } => {
            let mails =
                startup::read_store(&settings, async |store| sanus_core::mail::outbox(store, i64::from(limit)).await);
            for mail in mails.await? {
                let at = mail.created_at;
                print_line(&format!(
                    "--- unix time {at}\nTo: {}\nSubject: {}\n\n{}",
                    mail.recipient, mail.subject, mail.text_body
                ));
            }
            Ok(())
        }
        Command::Audit { limit } => {
            let events =
                startup::read_store(&settings, async |store| sanus_core::audit::latest(store, i64::from(limit)).await);
            for event in events.await? {
                let show = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
                print_line(&format!(
                    "{} {:<26} user={} client={} address={} request={} {}",
                    event.at,
                    event.kind,
                    show(&event.user_id),
                    show(&event.client_id),
                    show(&event.address),
                    show(&event.request_id),
                    event.detail
                ));
            }
            Ok(())
        }
        Command::Keys { action: KeysCommand::Rotate } => {
            startup::rotate_keys(&settings).await?;
            let title = format!(
                "rotated: the new keys are published now and sign in {} seconds, once every instance has read them",
                sanus_core::keys::PUBLISH_AHEAD_SECONDS
            );
            print_keys(&title, &startup::list_keys(&settings).await?);
            Ok(())
        }
        Command::Keys { action: KeysCommand::List } => {
            let keys = startup::list_keys(&settings).await?;
            print_keys("signing keys, newest first", &keys);
            Ok(())
        }
        Command::Admin { action } => admin(&settings, action).await,
        Command::Serve => {
            let app = Application::build(settings).await?;
            app.run_until_stopped(startup::shutdown_signal()).await
        }
    }
}

/// `sanus admin …`: platform roles are given and taken only here.
async fn admin(settings: &Settings, action: AdminCommand) -> Result<(), startup::StartupError> {
    use sanus_core::platform_roles::{self, Role};
    let usage = startup::StartupError::Usage;
    let email = |typed: &str| {
        sanus_core::users::Email::parse(typed)
            .map_err(|error| usage(format!("{typed:?} is not an e-mail address: {error}")))
    };
    let role = |typed: &str| Role::parse(typed).ok_or_else(|| usage(format!("{typed:?} is not a role")));
    let now = sanus_core::Clock::now(&sanus_core::SystemClock);
    match action {
        AdminCommand::Grant { email: typed, role: named } => {
            let (address, role) = (email(&typed)?, role(&named)?);
            let granted =
                startup::read_store(settings, async |store| platform_roles::grant(store, &address, role, now).await);
            match granted.await? {
                Some(user) => print_line(&format!("{} is {} now", user.email, role.as_str())),
                None => return Err(usage(format!("no account with a confirmed address {typed}"))),
            }
        }
        AdminCommand::Revoke { email: typed, role: named } => {
            let (address, role) = (email(&typed)?, role(&named)?);
            let revoked =
                startup::read_store(settings, async |store| platform_roles::revoke(store, &address, role).await);
            let line = if revoked.await? { "is no longer" } else { "was not" };
            print_line(&format!("{typed} {line} {}", role.as_str()));
        }
        AdminCommand::List => {
            let roles = startup::read_store(settings, async |store| platform_roles::list(store).await).await?;
            for (email, role, granted_at) in roles {
                print_line(&format!("{email} {role} (since unix time {})", granted_at.seconds()));
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_keys(title: &str, keys: &[sanus_core::keys::KeyStatus]) {
    let now = sanus_core::Clock::now(&sanus_core::SystemClock);
    println!("{title}:");
    println!("{:<24} {:<6} {:>12}  state", "kid", "alg", "age (days)");
    let states = sanus_core::keys::key_states(keys, now);
    for (key, state) in keys.iter().zip(states) {
        use sanus_core::keys::KeyState;
        let age_days = (now.seconds() - key.created_at.seconds()) / 86_400;
        let state = match state {
            KeyState::Signs => "signs".to_string(),
            KeyState::HandsOver { until } => format!("signs until unix time {}", until.seconds()),
            KeyState::Announced { from } => format!("published, signs from unix time {}", from.seconds()),
            KeyState::Published { until } => format!("published until unix time {}", until.seconds()),
            KeyState::Retired => "retired".to_string(),
        };
        println!("{:<24} {:<6} {:>12}  {state}", key.kid, key.alg.as_str(), age_days);
    }
}

#[allow(clippy::print_stdout)]
fn print_line(line: &str) {
    println!("{line}");
}
