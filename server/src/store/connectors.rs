//! The connector tables: settings, recent deliveries (the admin page's list and counts) and
//! the payloads kept aside.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::{connector, connector_dead_letter as dead, connector_delivery as delivery};

/// The longest detail or reason kept, in characters.
pub const DETAIL_CHARS: usize = 500;

/// Adds a connector.
pub async fn insert<C: ConnectionTrait>(db: &C, row: connector::Model) -> Result<(), DbErr> {
    connector::Entity::insert(connector::ActiveModel::from(row))
        .exec(db)
        .await
        .map(|_| ())
}

/// Every connector, oldest first.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<connector::Model>, DbErr> {
    connector::Entity::find()
        .order_by_asc(connector::Column::CreatedMs)
        .all(db)
        .await
}

/// The connector with this key.
pub async fn by_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<connector::Model>, DbErr> {
    connector::Entity::find_by_id(key.to_owned()).one(db).await
}

/// Removes a connector with its deliveries and dead letters; false when there was none. The
/// events it stored stay in the log.
pub async fn remove<C: ConnectionTrait>(db: &C, key: &str) -> Result<bool, DbErr> {
    delivery::Entity::delete_many()
        .filter(delivery::Column::ConnectorKey.eq(key))
        .exec(db)
        .await?;
    dead::Entity::delete_many()
        .filter(dead::Column::ConnectorKey.eq(key))
        .exec(db)
        .await?;
    let gone = connector::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(gone.rows_affected > 0)
}

/// One delivery to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery<'a> {
    /// The connector.
    pub connector_key: &'a str,
    /// The sender's delivery id (empty: none).
    pub delivery_id: &'a str,
    /// The sender's event name.
    pub event: &'a str,
    /// `mapped`, `ignored`, `dead_letter` or `refused`.
    pub outcome: &'a str,
    /// Events newly stored.
    pub accepted: usize,
    /// Events already stored.
    pub duplicates: usize,
    /// Why (empty when mapped).
    pub detail: &'a str,
}

/// Records a delivery at `now_ms`.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    d: &Delivery<'_>,
    now_ms: i64,
) -> Result<(), DbErr> {
    delivery::Entity::insert(delivery::ActiveModel {
        connector_key: Set(d.connector_key.to_owned()),
        delivery_id: Set(clip(d.delivery_id, 64)),
        event: Set(clip(d.event, 64)),
        outcome: Set(d.outcome.to_owned()),
        accepted: Set(i32::try_from(d.accepted).unwrap_or(i32::MAX)),
        duplicates: Set(i32::try_from(d.duplicates).unwrap_or(i32::MAX)),
        detail: Set(clip(d.detail, DETAIL_CHARS)),
        received_ms: Set(now_ms),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}

/// A connector's newest `limit` deliveries, newest first.
pub async fn recent<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: u64,
) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::ConnectorKey.eq(key))
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// How many deliveries of each event name ended in each outcome since `since_ms`.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct Count {
    /// Event name.
    pub event: String,
    /// Outcome.
    pub outcome: String,
    /// Deliveries.
    pub n: i64,
}

/// The counts of a connector's deliveries since `since_ms`, by event and outcome.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    key: &str,
    since_ms: i64,
) -> Result<Vec<Count>, DbErr> {
    delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Event)
        .column(delivery::Column::Outcome)
        .column_as(Expr::col(delivery::Column::Id).count(), "n")
        .filter(delivery::Column::ConnectorKey.eq(key))
        .filter(delivery::Column::ReceivedMs.gte(since_ms))
        .group_by(delivery::Column::Event)
        .group_by(delivery::Column::Outcome)
        .order_by_asc(delivery::Column::Event)
        .order_by_asc(delivery::Column::Outcome)
        .into_model::<Count>()
        .all(db)
        .await
}

/// Deletes every connector's deliveries received before `before_ms`; returns how many.
pub async fn prune<C: ConnectionTrait>(db: &C, before_ms: i64) -> Result<u64, DbErr> {
    delivery::Entity::delete_many()
        .filter(delivery::Column::ReceivedMs.lt(before_ms))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

/// A payload to keep aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter<'a> {
    /// The connector.
    pub connector_key: &'a str,
    /// The sender's delivery id (empty: none).
    pub delivery_id: &'a str,
    /// The sender's event name.
    pub event: &'a str,
    /// Why it could not be placed.
    pub reason: &'a str,
    /// The body as received.
    pub payload: &'a str,
}

/// Keeps a payload aside at `now_ms`.
pub async fn keep_aside<C: ConnectionTrait>(
    db: &C,
    d: &DeadLetter<'_>,
    now_ms: i64,
) -> Result<(), DbErr> {
    dead::Entity::insert(dead::ActiveModel {
        connector_key: Set(d.connector_key.to_owned()),
        delivery_id: Set(clip(d.delivery_id, 64)),
        event: Set(clip(d.event, 64)),
        reason: Set(clip(d.reason, DETAIL_CHARS)),
        payload: Set(d.payload.to_owned()),
        received_ms: Set(now_ms),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}

/// A connector's payloads kept aside, oldest first, at most `limit`.
pub async fn dead_letters<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: u64,
) -> Result<Vec<dead::Model>, DbErr> {
    dead::Entity::find()
        .filter(dead::Column::ConnectorKey.eq(key))
        .order_by_asc(dead::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// How many payloads a connector keeps aside.
pub async fn dead_letter_count<C: ConnectionTrait>(db: &C, key: &str) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    dead::Entity::find()
        .filter(dead::Column::ConnectorKey.eq(key))
        .count(db)
        .await
}

/// The payload kept aside as `id` by connector `key`.
pub async fn dead_letter<C: ConnectionTrait>(
    db: &C,
    key: &str,
    id: i64,
) -> Result<Option<dead::Model>, DbErr> {
    dead::Entity::find_by_id(id)
        .filter(dead::Column::ConnectorKey.eq(key))
        .one(db)
        .await
}

/// Deletes the payload kept aside as `id`; false when there was none.
pub async fn discard<C: ConnectionTrait>(db: &C, key: &str, id: i64) -> Result<bool, DbErr> {
    dead::Entity::delete_many()
        .filter(dead::Column::Id.eq(id))
        .filter(dead::Column::ConnectorKey.eq(key))
        .exec(db)
        .await
        .map(|r| r.rows_affected > 0)
}

fn clip(s: &str, chars: usize) -> String {
    s.chars().take(chars).collect()
}

/// Replaces the reason of the payload kept aside as `id`.
pub async fn set_reason<C: ConnectionTrait>(db: &C, id: i64, reason: &str) -> Result<(), DbErr> {
    dead::Entity::update_many()
        .col_expr(
            dead::Column::Reason,
            Expr::value(clip(reason, DETAIL_CHARS)),
        )
        .filter(dead::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}
