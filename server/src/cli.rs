//! The command line of `intraday`, as DESIGN.md lists it.

use clap::{Args, Parser, Subcommand};

/// Intraday: a live console for running a contact center's day.
#[derive(Debug, Parser)]
#[command(name = "intraday", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the app and its API.
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DbArgs),
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH[?mode=rwc] or postgres://USER@HOST:PORT/DB.
    /// Defaults to INTRADAY_DB, then DATABASE_URL, then sqlite://data/intraday.db?mode=rwc.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

impl DbArgs {
    /// The database URL after the documented fallbacks.
    pub fn url(&self) -> String {
        resolve_db_url(
            self.db.clone(),
            std::env::var("INTRADAY_DB").ok(),
            std::env::var("DATABASE_URL").ok(),
        )
    }
}

/// The default database: an SQLite file under `./data/`, created when missing.
pub const DEFAULT_DB_URL: &str = "sqlite://data/intraday.db?mode=rwc";

/// `--db`, then `INTRADAY_DB`, then `DATABASE_URL`, then [`DEFAULT_DB_URL`]; empty values skip.
pub fn resolve_db_url(
    flag: Option<String>,
    intraday_db: Option<String>,
    database_url: Option<String>,
) -> String {
    [flag, intraday_db, database_url]
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
    /// Listen address HOST:PORT. Defaults to INTRADAY_ADDR, then site-addr in Leptos.toml.
    #[arg(long, value_name = "HOST:PORT", env = "INTRADAY_ADDR")]
    pub addr: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_url_prefers_flag_then_intraday_db_then_database_url() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(resolve_db_url(s("a"), s("b"), s("c")), "a");
        assert_eq!(resolve_db_url(None, s("b"), s("c")), "b");
        assert_eq!(resolve_db_url(None, s(" "), s("c")), "c");
        assert_eq!(resolve_db_url(None, None, None), DEFAULT_DB_URL);
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
