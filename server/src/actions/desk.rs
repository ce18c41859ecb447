//! The admin's agents' desk settings as the running server applies them: read at start, replaced
//! at once by an admin's change on this server, and read again every few seconds so that a
//! change made on another server sharing the database applies here too.

use std::sync::RwLock;

use app::model::desk::{DESK, DeskSettings};
use sea_orm::DatabaseConnection;

/// The settings in force.
#[derive(Debug, Default)]
pub struct Desk(RwLock<DeskSettings>);

impl Desk {
    /// Reads the stored settings (the defaults when absent or unreadable).
    pub async fn open(db: &DatabaseConnection) -> Desk {
        let desk = Desk::default();
        desk.reload(db).await;
        desk
    }

    /// The settings now.
    pub fn get(&self) -> DeskSettings {
        self.0.read().map(|d| d.clone()).unwrap_or_default()
    }

    /// Puts `settings` in force (after they are stored).
    pub fn set(&self, settings: DeskSettings) {
        if let Ok(mut d) = self.0.write() {
            *d = settings;
        }
    }

    /// Reads the stored settings again; keeps the current ones when the database fails.
    pub async fn reload(&self, db: &DatabaseConnection) {
        match crate::store::settings::get(db, DESK).await {
            Ok(v) => self.set(
                v.and_then(|v| serde_json::from_str(&v).ok())
                    .unwrap_or_default(),
            ),
            Err(e) => tracing::warn!(error = %e, "reading the agents' desk settings failed"),
        }
    }
}
