//! The command line of `intraday`, as DESIGN.md lists it.

pub mod backup;
pub mod serve;
pub mod token;
pub mod users;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::store::tokens::Scope;

/// Intraday: a live console for running a contact center's day.
#[derive(Debug, Parser)]
#[command(name = "intraday", version, about, propagate_version = true)]
pub struct Cli {
    /// Log lines as human-readable text or as JSON objects (one per line).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "INTRADAY_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Settings file (TOML); default intraday.toml when present. INTRADAY_* variables override it.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the app and its API.
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DbArgs),
    /// Generate a realistic contact-center day and send it to a running server.
    Simulate(SimulateArgs),
    /// Copy a running SQLite database consistently to PATH.
    Backup(BackupArgs),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the people who sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// Embedding in a portal's iframe: allowed origins and sign-in tokens.
    #[command(subcommand)]
    Embed(EmbedCommand),
    /// Inspect the settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage the extra report panels of the Insights tab.
    #[command(subcommand)]
    Panel(PanelCommand),
    /// Manage connectors: other systems' webhooks turned into events (Chatwoot).
    #[command(subcommand)]
    Connector(ConnectorCommand),
}

/// `intraday connector …`.
#[derive(Debug, Subcommand)]
pub enum ConnectorCommand {
    /// Add a connector; prints its settings, and its webhook path as the last line.
    Add {
        /// What it connects.
        #[command(subcommand)]
        kind: ConnectorKind,
    },
    /// List the connectors: key, kind, name, queues by, webhook path (tab-separated).
    List(DbArgs),
    /// Remove a connector by key (the events it stored stay).
    Remove {
        /// The connector's key (the webhook path's last segment).
        key: String,
        /// The database.
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The kinds of connector.
#[derive(Debug, Subcommand)]
pub enum ConnectorKind {
    /// A Chatwoot account's webhook.
    Chatwoot(ChatwootArgs),
}

/// Options of `intraday connector add chatwoot`.
#[derive(Debug, Clone, Args)]
pub struct ChatwootArgs {
    /// The connector's name.
    pub name: String,
    /// The webhook's secret, as Chatwoot shows it (16 to 256 characters).
    #[arg(long, env = "INTRADAY_CHATWOOT_SECRET", hide_env_values = true)]
    pub secret: String,
    /// Also accept unsigned deliveries (Chatwoot before 4.12): the path's key is then the only secret.
    #[arg(long)]
    pub unsigned: bool,
    /// What becomes a queue: each inbox, or each team.
    #[arg(long, value_parser = ["inbox", "team"], default_value = "inbox")]
    pub queue_by: String,
    /// Chatwoot's plain-HTTP address (or a TLS-terminating proxy's), for actions carried back (e.g. http://chatwoot.internal:3000).
    #[arg(long, default_value = "")]
    pub base_url: String,
    /// The Chatwoot account id, for actions carried back.
    #[arg(long, default_value = "")]
    pub account: String,
    /// A Chatwoot access token, for actions carried back.
    #[arg(
        long,
        env = "INTRADAY_CHATWOOT_API_TOKEN",
        hide_env_values = true,
        default_value = ""
    )]
    pub api_token: String,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `intraday panel …`.
#[derive(Debug, Subcommand)]
pub enum PanelCommand {
    /// Add a panel (prints its id): an external report (--url) or a saved KPI view (--view).
    Add(PanelAddArgs),
    /// List the panels: id, title, kind, value (tab-separated).
    List(DbArgs),
    /// Remove a panel by id.
    Remove {
        /// The panel's id.
        id: u32,
        /// The database.
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Options of `intraday panel add`.
#[derive(Debug, Clone, Args)]
pub struct PanelAddArgs {
    /// The title shown above the panel.
    pub title: String,
    /// An http(s) address of an external report, shown in a sandboxed frame.
    #[arg(long, conflicts_with = "view")]
    pub url: Option<String>,
    /// An Insights query string (e.g. queue=billing&window=4h): that view's key figures.
    #[arg(long)]
    pub view: Option<String>,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `intraday config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings (secrets masked); exit 1 naming any invalid value.
    Check,
}

/// Options of `intraday backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The new file to write (it must not exist).
    pub path: String,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `intraday embed …`.
#[derive(Debug, Subcommand)]
pub enum EmbedCommand {
    /// Set the origins allowed to frame /embed/… (e.g. https://portal.example.com); none: no
    /// portal may.
    Allow {
        /// Origins: scheme://host[:port].
        origins: Vec<String>,
        /// The database.
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a sign-in token signed with embed_secret (what a portal's backend makes).
    Sign(EmbedSignArgs),
}

/// Options of `intraday embed sign`.
#[derive(Debug, Clone, Args)]
pub struct EmbedSignArgs {
    /// The person's login.
    pub login: String,
    /// agent, supervisor or admin.
    #[arg(long, value_parser = parse_role)]
    pub role: app::auth::Role,
    /// Comma-separated queue ids a supervisor may see.
    #[arg(long, value_name = "Q1,Q2", value_delimiter = ',')]
    pub queues: Vec<String>,
    /// The agent id they work as.
    #[arg(long)]
    pub agent: Option<String>,
    /// Their language: en or pl.
    #[arg(long)]
    pub locale: Option<String>,
    /// Seconds the token is valid (at most 600).
    #[arg(long, default_value_t = 300)]
    pub ttl: i64,
}

/// `intraday user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from stdin (one line).
    Add(UserAddArgs),
    /// List the users: login, role, queues, agent (tab-separated).
    List(DbArgs),
}

/// Options of `intraday user add`.
#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    /// The login (letters, digits, '.', '_', '@', '-').
    pub login: String,
    /// agent, supervisor or admin.
    #[arg(long, value_parser = parse_role)]
    pub role: app::auth::Role,
    /// Comma-separated queue ids a supervisor is assigned.
    #[arg(long, value_name = "Q1,Q2", value_delimiter = ',')]
    pub queues: Vec<String>,
    /// The agent id this person works as (agents, and supervisors who take conversations).
    #[arg(long, value_name = "AGENT_ID")]
    pub agent: Option<String>,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

fn parse_role(value: &str) -> Result<app::auth::Role, String> {
    app::auth::Role::parse(value)
        .ok_or_else(|| format!("unknown role {value:?}: use agent, supervisor or admin"))
}

/// `intraday token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it on stdout (nothing else).
    Create(TokenCreateArgs),
}

/// Options of `intraday token create`.
#[derive(Debug, Clone, Args)]
pub struct TokenCreateArgs {
    /// A name saying who uses the token (e.g. the ACD's name).
    pub name: String,
    /// Comma-separated scopes: ingest, read, metrics.
    #[arg(long, value_name = "SCOPES", default_value = "ingest,read", value_parser = parse_scopes)]
    pub scope: Scopes,
    /// Comma-separated queue ids the token may read and write events of; default all queues.
    #[arg(long, value_name = "Q1,Q2", value_delimiter = ',')]
    pub queues: Option<Vec<String>>,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// A non-empty list of scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(pub Vec<Scope>);

fn parse_scopes(value: &str) -> Result<Scopes, String> {
    let mut scopes = Vec::new();
    for part in value.split(',').filter(|p| !p.trim().is_empty()) {
        let scope = Scope::parse(part).ok_or_else(|| {
            format!(
                "unknown scope {:?}: use ingest, read, act, metrics or several",
                part.trim()
            )
        })?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err("give at least one scope: ingest, read, act, metrics".into());
    }
    Ok(Scopes(scopes))
}

/// A duration in hours for `--backfill`: `24h`, `90m`, or a bare number of hours.
pub fn parse_hours(value: &str) -> Result<std::time::Duration, String> {
    let v = value.trim();
    let (number, unit_secs) = if let Some(n) = v.strip_suffix('h') {
        (n, 3600.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60.0)
    } else {
        (v, 3600.0)
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{value:?} is not a duration: use e.g. 24h, 90m or 2"))?;
    if !(0.0..=48.0 * 3600.0 / unit_secs).contains(&n) {
        return Err(format!(
            "{value:?} is out of range: backfill between 0 and 48 hours"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(n * unit_secs))
}

fn parse_speed(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 10_000.0 => Ok(x),
        _ => Err(format!(
            "{value:?} is not a speed: use a number from 0.1 to 10000 (1 = real time)"
        )),
    }
}

/// How the simulator runs, shared by `serve --simulate` and `simulate`.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Random seed: the same seed and start time give the same day.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated history to generate at start, as fast as possible (e.g. 24h, 90m).
    #[arg(long, value_name = "HOURS", value_parser = parse_hours)]
    pub backfill: Option<std::time::Duration>,
}

/// Options of `intraday simulate`.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Seed and backfill.
    #[command(flatten)]
    pub sim: SimArgs,
    /// After the backfill, run the live day this many times faster than real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Stop after the backfill instead of continuing live.
    #[arg(long)]
    pub no_live: bool,
    /// The server to send to, e.g. http://127.0.0.1:3000.
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// An API token with the ingest scope.
    #[arg(long, env = "INTRADAY_TOKEN", hide_env_values = true)]
    pub token: String,
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH[?mode=rwc] or postgres://USER@HOST:PORT/DB.
    /// Defaults to INTRADAY_DB, then DATABASE_URL, then database_url in the settings file,
    /// then sqlite://data/intraday.db?mode=rwc.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

impl DbArgs {
    /// The database URL: `--db`, else the settings' (environment, then file), else the default.
    pub fn url(&self, config: &Config) -> String {
        resolve_db_url(self.db.clone(), config.database_url.clone())
    }
}

/// The default database: an SQLite file under `./data/`, created when missing.
pub const DEFAULT_DB_URL: &str = "sqlite://data/intraday.db?mode=rwc";

/// `--db`, then the settings' URL, then [`DEFAULT_DB_URL`]; empty values skip.
pub fn resolve_db_url(flag: Option<String>, settings: Option<String>) -> String {
    [flag, settings]
        .into_iter()
        .flatten()
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DB_URL.to_owned())
}

/// Options of `intraday serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
    /// Listen address HOST:PORT. Defaults to INTRADAY_ADDR, then addr in the settings file,
    /// then site-addr in Leptos.toml.
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Run the built-in traffic simulator; a SPEED above 1 makes the live day that many times busier
    /// (arrivals more frequent, durations shorter). Default 1: real time.
    #[arg(long, value_name = "SPEED", num_args = 0..=1, default_missing_value = "1",
          value_parser = parse_speed, conflicts_with = "no_simulate")]
    pub simulate: Option<f64>,
    /// Do not run the simulator (the default without --simulate).
    #[arg(long)]
    pub no_simulate: bool,
    /// Simulator seed and backfill.
    #[command(flatten)]
    pub sim: SimArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_url_prefers_flag_then_settings_then_default() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(resolve_db_url(s("a"), s("b")), "a");
        assert_eq!(resolve_db_url(None, s("b")), "b");
        assert_eq!(resolve_db_url(s(" "), s("b")), "b");
        assert_eq!(resolve_db_url(None, None), DEFAULT_DB_URL);
    }

    #[test]
    fn scopes_and_durations_parse_with_clear_errors() {
        assert_eq!(parse_scopes("read").unwrap(), Scopes(vec![Scope::Read]));
        assert_eq!(parse_scopes("ingest,read,ingest").unwrap().0.len(), 2);
        assert!(parse_scopes("admin").unwrap_err().contains("unknown scope"));
        assert_eq!(parse_hours("24h").unwrap().as_secs(), 86_400);
        assert_eq!(parse_hours("90m").unwrap().as_secs(), 5_400);
        assert_eq!(parse_hours("2").unwrap().as_secs(), 7_200);
        assert!(parse_hours("49h").is_err());
        assert!(parse_hours("soon").unwrap_err().contains("not a duration"));
        assert!(parse_speed("0").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
