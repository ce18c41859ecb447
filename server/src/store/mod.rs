//! Data access: SeaORM entities and small `async fn(db, …)` functions, one file per table.

pub mod audit;
pub mod connectors;
pub mod entities;
pub mod events;
pub mod history;
pub mod outbox;
pub mod reference;
pub mod sessions;
pub mod settings;
pub mod tokens;
pub mod users;

/// Milliseconds since the Unix epoch, the unit of every `*_ms` column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
