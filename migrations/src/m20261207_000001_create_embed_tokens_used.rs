//! Portal sign-in tokens already used: a token signs in once. Each is kept (by its `jti`, or
//! its signature when it has none) until it expires, so a replayed link is refused on every
//! replica of a shared database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmbedTokensUsed::Table)
                    .if_not_exists()
                    .col(string_len(EmbedTokensUsed::Key, 64).primary_key())
                    .col(big_integer(EmbedTokensUsed::ExpiresAtMs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmbedTokensUsed::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EmbedTokensUsed {
    Table,
    Key,
    ExpiresAtMs,
}
