//! `intraday backup PATH`: a consistent copy of a live SQLite database (`VACUUM INTO`).

use sea_orm::{ConnectionTrait, Statement};

use crate::cli::BackupArgs;
use crate::config::Config;
use crate::db::{self, DbKind};
use crate::error::StartError;

/// Writes the copy; refuses to overwrite a file and explains PostgreSQL's tool.
pub async fn run(args: BackupArgs, config: &Config) -> Result<(), StartError> {
    let url = args.db.url(config);
    if DbKind::of(&url)? == DbKind::Postgres {
        return Err(StartError::Invalid(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)".into(),
        ));
    }
    let path = args.path.trim();
    if path.is_empty() {
        return Err(StartError::Invalid(
            "give the file to write the backup to".into(),
        ));
    }
    if std::path::Path::new(path).exists() {
        return Err(StartError::Invalid(format!(
            "{path} already exists; choose a new file name"
        )));
    }
    let db = db::connect(&url).await?;
    // VACUUM INTO reads one consistent snapshot while writers go on (WAL).
    let quoted = path.replace('\'', "''");
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!("VACUUM INTO '{quoted}'"),
    ))
    .await
    .map_err(StartError::Database)?;
    println!("backed up {} to {path}", db::redact(&url));
    Ok(())
}
