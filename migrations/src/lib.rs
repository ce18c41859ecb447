//! The schema of Intraday's database, as SeaORM migrations that run unchanged on SQLite and
//! PostgreSQL. `intraday serve` applies them at start; `intraday migrate` applies them alone.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_event_log;
mod m20261125_000002_create_reference_and_admin_tables;
mod m20261125_000003_create_kpi_hourly;
mod m20261125_000004_create_sessions;
mod m20261207_000001_create_embed_tokens_used;
mod m20261207_000002_create_outbox;
mod m20261207_000003_add_user_ongoing_columns;
mod m20261207_000004_create_connectors;
mod m20261207_000005_add_outbox_destination;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_event_log::Migration),
            Box::new(m20261125_000002_create_reference_and_admin_tables::Migration),
            Box::new(m20261125_000003_create_kpi_hourly::Migration),
            Box::new(m20261125_000004_create_sessions::Migration),
            Box::new(m20261207_000001_create_embed_tokens_used::Migration),
            Box::new(m20261207_000002_create_outbox::Migration),
            Box::new(m20261207_000003_add_user_ongoing_columns::Migration),
            Box::new(m20261207_000004_create_connectors::Migration),
            Box::new(m20261207_000005_add_outbox_destination::Migration),
        ]
    }
}
