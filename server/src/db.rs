//! Opening the database (SQLite or PostgreSQL) and applying the migrations.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::cli::DbArgs;
use crate::config::Config;
use crate::error::StartError;

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl DbKind {
    /// Recognises `sqlite:` and `postgres:`/`postgresql:` URLs.
    pub fn of(url: &str) -> Result<DbKind, StartError> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(StartError::UnsupportedDatabase(redact(url)))
        }
    }

    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

/// Opens the database. For SQLite the file's directory is created, and every connection uses
/// WAL with `synchronous=FULL`, so a committed (acknowledged) transaction survives a crash or a
/// power loss.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StartError> {
    let kind = DbKind::of(url)?;
    if kind == DbKind::Sqlite {
        create_sqlite_dir(url)?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if kind == DbKind::Sqlite { 4 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        })
        .map_sqlx_sqlite_pool_opts(|o| {
            o.after_release(|conn, _| Box::pin(outside_transaction(conn)))
        });
    Database::connect(options)
        .await
        .map_err(|source| StartError::Connect {
            url: redact(url),
            source,
        })
}

/// Whether a SQLite connection handed back to the pool is outside any transaction, so it may
/// serve again. When a COMMIT fails (`SQLITE_FULL` on a full disk), SQLite may keep the
/// transaction open, and the pool's own rollback may fail too: the next batch on that
/// connection would then be "committed" inside it, acknowledged but never durable (the
/// full-disk test saw it). Such a connection is closed instead, which ends its transaction.
async fn outside_transaction(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Executor;
    if conn.execute("BEGIN").await.is_err() {
        tracing::warn!("a database connection was left inside a transaction; it is closed");
        return Ok(false);
    }
    conn.execute("ROLLBACK").await?;
    Ok(true)
}

/// Opens the database and applies every pending migration.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, StartError> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await.map_err(StartError::Migrate)?;
    Ok(db)
}

/// `intraday migrate`.
pub async fn migrate_command(args: DbArgs, config: &Config) -> Result<(), StartError> {
    let url = args.url(config);
    let db = connect(&url).await?;
    let pending = Migrator::get_pending_migrations(&db)
        .await
        .map_err(StartError::Migrate)?
        .len();
    Migrator::up(&db, None).await.map_err(StartError::Migrate)?;
    println!(
        "{}: applied {pending} migration(s); schema is current",
        redact(&url)
    );
    Ok(())
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The file path of an SQLite URL (`sqlite://PATH?…`, `sqlite:PATH`), if it names a file.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

fn create_sqlite_dir(url: &str) -> Result<(), StartError> {
    let Some(dir) = sqlite_path(url).and_then(|p| std::path::Path::new(p).parent()) else {
        return Ok(());
    };
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|source| StartError::Io {
        context: format!("cannot create the database directory {}", dir.display()),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_engines_and_refuses_others() {
        assert_eq!(DbKind::of("sqlite://x.db").unwrap(), DbKind::Sqlite);
        assert_eq!(DbKind::of("postgres://u@h/db").unwrap(), DbKind::Postgres);
        assert!(
            DbKind::of("mysql://u:secret@h/db")
                .unwrap_err()
                .to_string()
                .contains("mysql://u:***@h/db")
        );
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://u:pw@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn finds_the_sqlite_file_path() {
        assert_eq!(
            sqlite_path("sqlite://data/intraday.db?mode=rwc"),
            Some("data/intraday.db")
        );
        assert_eq!(sqlite_path("sqlite:/tmp/a.db"), Some("/tmp/a.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
