//! The `sanus` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Configuration comes from defaults, then the TOML file (--config, or ./sanus.toml when it
exists), then environment variables named SANUS__SECTION__KEY, e.g.
  SANUS__SERVER__PUBLIC_URL=https://id.example.org
  SANUS__SERVER__BIND=0.0.0.0:3000
  SANUS__DATABASE__URL=postgres://sanus:secret@db:5432/sanus
  SANUS__LOG__FORMAT=json
Every key is described in docs/configuration.md.";

/// Sanus: an OpenID Connect identity provider for digital health.
#[derive(Debug, Parser)]
#[command(name = "sanus", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Path of the TOML configuration file. Without it, ./sanus.toml is read
    /// when it exists; a file named here must exist.
    #[arg(long, short = 'c', global = true, env = "SANUS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending database migrations, then serve HTTP until SIGTERM or
    /// Ctrl-C (the default command). In-flight requests are allowed to finish
    /// within server.shutdown_grace_seconds.
    Serve,
    /// Apply pending database migrations and exit. Migrations are forward
    /// only; `serve` runs them too, so this is for deployments that migrate
    /// in a separate step.
    Migrate,
    /// Create or update tenants, users, applications and clients from a
    /// TOML or JSON file (see docs/import.md). Idempotent: importing the same
    /// file again changes nothing. Client secrets are stored hashed and are
    /// never printed. The whole file is checked before anything is written.
    Import {
        /// The file: *.toml or *.json.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Write what the directory holds (tenants, users, applications with
    /// their permissions and roles, clients, memberships, licenses) in the
    /// import format to FILE (*.toml or *.json; `-`: TOML to standard
    /// output). Never secrets or passwords: importing into the same database
    /// keeps them; a new one needs a `secret` per confidential client.
    Export {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Write a consistent copy of the embedded SQLite database to FILE while
    /// Sanus keeps running (restore: stop Sanus, put the copy in place of
    /// sanus.db, start). FILE must not exist. Keep the key-encryption key
    /// (keys.kek, or the file `kek` in the data directory) apart from it: a
    /// backup is useless without it. PostgreSQL: use pg_dump.
    Backup {
        /// Where the copy goes, e.g. /var/backups/sanus-2026-11-22.db.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Show the newest mails in the development outbox (kept instead of
    /// sent while mail.smtp_url is unset), e.g. to open a password reset
    /// link while trying Sanus out. Mails hold links that act for their
    /// recipients: this is for operators only.
    Outbox {
        /// How many mails, newest first.
        #[arg(long, default_value_t = 5, value_name = "N")]
        limit: u32,
    },
    /// Show the newest events of the audit log: sign-ins, failures,
    /// throttling, password resets; with time, user, client, address and
    /// request id (never secrets).
    Audit {
        /// How many events, newest first.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: u32,
    },
    /// Manage the token signing keys (ES256, RS256, EdDSA).
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Manage platform roles: operator (runs Sanus: the /admin pages) and
    /// verifier (decides health-professional verifications).
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AdminCommand {
    /// Give the account with this e-mail address a role (operator or
    /// verifier). The account must exist (register it, or import it, first).
    Grant {
        #[arg(value_name = "EMAIL")]
        email: String,
        #[arg(value_name = "ROLE", value_parser = ["operator", "verifier"])]
        role: String,
    },
    /// Take a role from the account with this e-mail address.
    Revoke {
        #[arg(value_name = "EMAIL")]
        email: String,
        #[arg(value_name = "ROLE", value_parser = ["operator", "verifier"])]
        role: String,
    },
    /// Show every role given: address, role, since when.
    List,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum KeysCommand {
    /// Make a new key for every algorithm; it signs from now on. The old keys
    /// stop signing but stay in the JWKS for keys.publish_retired_seconds,
    /// so tokens they signed still verify. Running instances pick the new
    /// keys up within a minute.
    Rotate,
    /// Show every signing key: id, algorithm, age, and whether it signs,
    /// is only published, or is gone from the JWKS. Never private parts.
    List,
}

impl Cli {
    pub fn subcommand(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default_command() {
        let cli = Cli::try_parse_from(["sanus"]).unwrap();
        assert_eq!(cli.subcommand(), Command::Serve);
        let cli = Cli::try_parse_from(["sanus", "migrate", "--config", "x.toml"]).unwrap();
        assert_eq!(cli.subcommand(), Command::Migrate);
        assert_eq!(cli.config, Some(PathBuf::from("x.toml")));
        let cli = Cli::try_parse_from(["sanus", "keys", "rotate"]).unwrap();
        assert_eq!(cli.subcommand(), Command::Keys { action: KeysCommand::Rotate });
    }
}
