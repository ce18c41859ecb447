//! The append-only event log: a global sequence, a unique event id, the event as received.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Events::Seq))
                    .col(string_len_uniq(Events::EventId, 64))
                    .col(string_len(Events::EventType, 64))
                    .col(big_integer(Events::AtMs))
                    .col(string_len_null(Events::ConversationId, 128))
                    .col(string_len_null(Events::AgentId, 128))
                    .col(text(Events::Payload))
                    .col(big_integer(Events::ReceivedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_at_ms")
                    .table(Events::Table)
                    .col(Events::AtMs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_conversation")
                    .table(Events::Table)
                    .col(Events::ConversationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Seq,
    EventId,
    EventType,
    AtMs,
    ConversationId,
    AgentId,
    Payload,
    ReceivedAtMs,
}
