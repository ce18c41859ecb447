//! The outbox: each supervisor or agent action, written in the transaction of its events, kept
//! until it is delivered to the admin's webhook (or given up on), so delivery survives
//! restarts and is shared by the replicas of one database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Outbox::Id))
                    .col(string_len(Outbox::Action, 64))
                    .col(string_len(Outbox::ConversationId, 128))
                    .col(string_len(Outbox::Actor, 128))
                    .col(big_integer(Outbox::AtMs))
                    .col(text(Outbox::Payload))
                    .col(integer(Outbox::Attempts))
                    .col(big_integer(Outbox::NextAttemptMs))
                    .col(big_integer_null(Outbox::DeliveredMs))
                    .col(boolean(Outbox::Failed))
                    .col(integer_null(Outbox::LastStatus))
                    .col(text_null(Outbox::LastError))
                    .col(big_integer(Outbox::CreatedMs))
                    .to_owned(),
            )
            .await?;
        // The delivery round's question: not delivered, not failed, due, in id order.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::DeliveredMs)
                    .col(Outbox::Failed)
                    .col(Outbox::NextAttemptMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Action,
    ConversationId,
    Actor,
    AtMs,
    Payload,
    Attempts,
    NextAttemptMs,
    DeliveredMs,
    Failed,
    LastStatus,
    LastError,
    CreatedMs,
}
