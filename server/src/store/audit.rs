//! The audit log: every administrative change, who made it and when.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use super::entities::audit_entry;

/// Records one change.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &str,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        at_ms: Set(super::now_ms()),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        target: Set(target.to_owned()),
        detail: Set(detail.to_string()),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}

/// The newest `limit` records, newest first.
pub async fn recent<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<audit_entry::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// `limit` records after skipping the `offset` newest, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    offset: u64,
    limit: u64,
) -> Result<Vec<audit_entry::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await
}
