//! Connectors: other systems' webhooks turned into Intraday's events (Chatwoot first). A
//! connector's settings, its recent deliveries (what the admin page counts and lists) and the
//! payloads it could not place, kept with their reason until the admin retries or discards them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Connectors::Table)
                    .if_not_exists()
                    .col(string_len(Connectors::Key, 32).primary_key())
                    .col(string_len(Connectors::Kind, 16))
                    .col(string_len(Connectors::Name, 128))
                    .col(string_len(Connectors::Secret, 256))
                    .col(boolean(Connectors::Unsigned))
                    .col(string_len(Connectors::QueueBy, 8))
                    .col(string_len(Connectors::BaseUrl, 512))
                    .col(big_integer_null(Connectors::AccountId))
                    .col(string_len(Connectors::ApiToken, 256))
                    .col(big_integer(Connectors::CreatedMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConnectorDeliveries::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ConnectorDeliveries::Id))
                    .col(string_len(ConnectorDeliveries::ConnectorKey, 32))
                    .col(string_len(ConnectorDeliveries::DeliveryId, 64))
                    .col(string_len(ConnectorDeliveries::Event, 64))
                    .col(string_len(ConnectorDeliveries::Outcome, 16))
                    .col(integer(ConnectorDeliveries::Accepted))
                    .col(integer(ConnectorDeliveries::Duplicates))
                    .col(text(ConnectorDeliveries::Detail))
                    .col(big_integer(ConnectorDeliveries::ReceivedMs))
                    .to_owned(),
            )
            .await?;
        // The page's questions: a connector's newest deliveries, its counts since a time.
        manager
            .create_index(
                Index::create()
                    .name("idx_connector_deliveries_key")
                    .table(ConnectorDeliveries::Table)
                    .col(ConnectorDeliveries::ConnectorKey)
                    .col(ConnectorDeliveries::ReceivedMs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConnectorDeadLetters::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ConnectorDeadLetters::Id))
                    .col(string_len(ConnectorDeadLetters::ConnectorKey, 32))
                    .col(string_len(ConnectorDeadLetters::DeliveryId, 64))
                    .col(string_len(ConnectorDeadLetters::Event, 64))
                    .col(text(ConnectorDeadLetters::Reason))
                    .col(text(ConnectorDeadLetters::Payload))
                    .col(big_integer(ConnectorDeadLetters::ReceivedMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connector_dead_letters_key")
                    .table(ConnectorDeadLetters::Table)
                    .col(ConnectorDeadLetters::ConnectorKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConnectorDeadLetters::Table.into_iden(),
            ConnectorDeliveries::Table.into_iden(),
            Connectors::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Connectors {
    Table,
    Key,
    Kind,
    Name,
    Secret,
    Unsigned,
    QueueBy,
    BaseUrl,
    AccountId,
    ApiToken,
    CreatedMs,
}

#[derive(DeriveIden)]
enum ConnectorDeliveries {
    Table,
    Id,
    ConnectorKey,
    DeliveryId,
    Event,
    Outcome,
    Accepted,
    Duplicates,
    Detail,
    ReceivedMs,
}

#[derive(DeriveIden)]
enum ConnectorDeadLetters {
    Table,
    Id,
    ConnectorKey,
    DeliveryId,
    Event,
    Reason,
    Payload,
    ReceivedMs,
}
