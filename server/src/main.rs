//! `sanus`: command line → settings → telemetry → application.

use std::process::ExitCode;

use clap::Parser as _;
use sanus::cli::{Cli, Command};
use sanus::{Application, Settings, config, startup, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match config::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("sanus: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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
        Command::Serve => {
            let app = Application::build(settings).await?;
            app.run_until_stopped(startup::shutdown_signal()).await
        }
    }
}
