//! KPI history past the live window: one row per hour and queue ('' for every queue) holding
//! that hour's KPIs as JSON. Kept when retention prunes the events.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KpiHourly::Table)
                    .if_not_exists()
                    .col(big_integer(KpiHourly::HourStartMs))
                    .col(string_len(KpiHourly::QueueId, 128))
                    .col(text(KpiHourly::Kpis))
                    .col(big_integer(KpiHourly::UpdatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(KpiHourly::HourStartMs)
                            .col(KpiHourly::QueueId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KpiHourly::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum KpiHourly {
    Table,
    HourStartMs,
    QueueId,
    Kpis,
    UpdatedAtMs,
}
