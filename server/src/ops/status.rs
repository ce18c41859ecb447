//! The server's answer to the start page's status question.

use std::pin::Pin;

use app::model::status::ServerStatus;
use app::server_fns::StatusSource;
use sea_orm::DatabaseConnection;

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
            let events_stored = crate::store::events::count(&self.db)
                .await
                .map_err(|e| e.to_string())?;
            Ok(ServerStatus {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                database: self.kind.as_str().to_owned(),
                events_stored,
            })
        })
    }
}
