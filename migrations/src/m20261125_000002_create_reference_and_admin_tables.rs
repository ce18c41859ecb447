//! Reference data (queues, agents), people and access (users, API tokens), settings and the
//! audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Queues::Table)
                    .if_not_exists()
                    .col(string_len(Queues::QueueId, 128).primary_key())
                    .col(string(Queues::Name))
                    .col(text(Queues::Channels))
                    .col(integer(Queues::ServiceLevelSeconds))
                    .col(big_integer(Queues::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Agents::Table)
                    .if_not_exists()
                    .col(string_len(Agents::AgentId, 128).primary_key())
                    .col(string(Agents::Name))
                    .col(text(Agents::Queues))
                    .col(text(Agents::Skills))
                    .col(integer(Agents::Capacity))
                    .col(big_integer(Agents::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(pk_auto(Users::Id))
                    .col(string_len_uniq(Users::Login, 128))
                    .col(string(Users::PasswordHash))
                    .col(string_len(Users::Role, 16))
                    .col(text(Users::Queues))
                    .col(string_len_null(Users::AgentId, 128))
                    .col(string_len_null(Users::Locale, 16))
                    .col(string_len_null(Users::TimeZone, 64))
                    .col(big_integer(Users::CreatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .if_not_exists()
                    .col(pk_auto(ApiTokens::Id))
                    .col(string_len(ApiTokens::Name, 128))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(string_len(ApiTokens::Scopes, 64))
                    .col(text_null(ApiTokens::Queues))
                    .col(big_integer(ApiTokens::CreatedAtMs))
                    .col(big_integer_null(ApiTokens::RevokedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .if_not_exists()
                    .col(string_len(Settings::Key, 128).primary_key())
                    .col(text(Settings::Value))
                    .col(big_integer(Settings::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer(AuditLog::AtMs))
                    .col(string_len(AuditLog::Actor, 128))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Target, 256))
                    .col(text(AuditLog::Detail))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Settings::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Users::Table.into_iden(),
            Agents::Table.into_iden(),
            Queues::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    QueueId,
    Name,
    Channels,
    ServiceLevelSeconds,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    AgentId,
    Name,
    Queues,
    Skills,
    Capacity,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Login,
    PasswordHash,
    Role,
    Queues,
    AgentId,
    Locale,
    TimeZone,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    TokenHash,
    Scopes,
    Queues,
    CreatedAtMs,
    RevokedAtMs,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    AtMs,
    Actor,
    Action,
    Target,
    Detail,
}
