//! The server's answer to the start page's status question.

use std::pin::Pin;

use app::model::status::ServerStatus;
use app::server_fns::StatusSource;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::db::DbKind;

/// Answers [`StatusSource`] from the database.
pub struct DbStatus {
    /// The database.
    pub db: DatabaseConnection,
    /// Its engine.
    pub kind: DbKind,
}

impl StatusSource for DbStatus {
    fn status(&self) -> Pin<Box<dyn Future<Output = Result<ServerStatus, String>> + Send + '_>> {
        Box::pin(async move {
            let events_stored = count_events(&self.db).await.map_err(|e| e.to_string())?;
            Ok(ServerStatus {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                database: self.kind.as_str().to_owned(),
                events_stored,
            })
        })
    }
}

/// How many events the log holds.
pub async fn count_events(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM events",
        ))
        .await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or_default())
}
