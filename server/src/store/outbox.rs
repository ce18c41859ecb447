//! The outbox table: actions enqueued in their events' transaction, the delivery round's
//! claims and outcomes, and what the admin's webhook page lists and redelivers.

use app::model::outbox::OutboxFilter;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::outbox::{self, Column, Entity};

/// The longest `last_error` kept, in characters.
pub const ERROR_CHARS: usize = 500;

/// One action to deliver.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    /// What was done, e.g. `assign`, `force_close`.
    pub action: String,
    /// The conversation it was done to.
    pub conversation_id: String,
    /// Who did it (a login, or `token:NAME`).
    pub actor: String,
    /// When it was done (UTC, ms).
    pub at_ms: i64,
    /// The action's JSON as the webhook receives it: `{"action", "conversation_id", "by",
    /// "at", "events": [the events written], …the action's own fields}`; for a connector, the
    /// call to make (`{"method", "path", "body"}`).
    pub payload: serde_json::Value,
    /// Where it goes: `None` the admin's webhook, `chatwoot:{key}` a connector's system.
    pub destination: Option<String>,
}

/// Adds `entry`, due now. Called inside the transaction that writes the action's events, so
/// an action is delivered if and only if it happened.
pub async fn enqueue<C: ConnectionTrait>(db: &C, entry: &OutboxEntry) -> Result<(), DbErr> {
    let now = super::now_ms();
    Entity::insert(outbox::ActiveModel {
        action: Set(entry.action.clone()),
        conversation_id: Set(entry.conversation_id.clone()),
        actor: Set(entry.actor.clone()),
        at_ms: Set(entry.at_ms),
        payload: Set(entry.payload.to_string()),
        attempts: Set(0),
        next_attempt_ms: Set(now),
        delivered_ms: Set(None),
        failed: Set(false),
        last_status: Set(None),
        last_error: Set(None),
        created_ms: Set(now),
        destination: Set(entry.destination.clone()),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}

/// Up to `limit` rows to try now (not delivered, not given up on, due by `now_ms`), oldest
/// first.
pub async fn due<C: ConnectionTrait>(
    db: &C,
    now_ms: i64,
    limit: u64,
    webhook: bool,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut find = Entity::find();
    if !webhook {
        // No webhook to send to: only the rows a connector carries out.
        find = find.filter(Column::Destination.is_not_null());
    }
    find.filter(Column::DeliveredMs.is_null())
        .filter(Column::Failed.eq(false))
        .filter(Column::NextAttemptMs.lte(now_ms))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Claims `row` for one try until `until_ms`: true only for the one caller whose update
/// found it as it was read, so two replicas never send it at the same moment; a replica that
/// stops mid-try leaves it to be tried again after `until_ms`.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    row: &outbox::Model,
    until_ms: i64,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::NextAttemptMs, Expr::value(until_ms))
        .filter(Column::Id.eq(row.id))
        .filter(Column::DeliveredMs.is_null())
        .filter(Column::Failed.eq(false))
        .filter(Column::NextAttemptMs.eq(row.next_attempt_ms))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The receiver accepted row `id` at `at_ms` with `status`.
pub async fn delivered<C: ConnectionTrait>(
    db: &C,
    id: i64,
    at_ms: i64,
    status: u16,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::DeliveredMs, Expr::value(at_ms))
        .col_expr(Column::LastStatus, Expr::value(i32::from(status)))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// A try that did not succeed: what the row becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Tries so far, this one included.
    pub attempts: i32,
    /// When to try next.
    pub next_attempt_ms: i64,
    /// Whether to give up.
    pub failed: bool,
    /// The HTTP status, if the receiver answered.
    pub status: Option<u16>,
    /// What went wrong (cut to [`ERROR_CHARS`]).
    pub error: String,
}

/// Records a try of row `id` that did not succeed.
pub async fn attempt_failed<C: ConnectionTrait>(
    db: &C,
    id: i64,
    failure: &Failure,
) -> Result<(), DbErr> {
    let error: String = failure.error.chars().take(ERROR_CHARS).collect();
    Entity::update_many()
        .col_expr(Column::Attempts, Expr::value(failure.attempts))
        .col_expr(Column::NextAttemptMs, Expr::value(failure.next_attempt_ms))
        .col_expr(Column::Failed, Expr::value(failure.failed))
        .col_expr(
            Column::LastStatus,
            Expr::value(failure.status.map(i32::from)),
        )
        .col_expr(Column::LastError, Expr::value(Some(error)))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The newest `limit` rows that `filter` lets through, newest first.
pub async fn recent<C: ConnectionTrait>(
    db: &C,
    filter: OutboxFilter,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let query = match filter {
        OutboxFilter::All => Entity::find(),
        OutboxFilter::Pending => Entity::find()
            .filter(Column::DeliveredMs.is_null())
            .filter(Column::Failed.eq(false)),
        OutboxFilter::Failed => Entity::find().filter(Column::Failed.eq(true)),
    };
    query.order_by_desc(Column::Id).limit(limit).all(db).await
}

/// Rows not yet delivered and not given up on.
pub async fn pending<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find()
        .filter(Column::DeliveredMs.is_null())
        .filter(Column::Failed.eq(false))
        .count(db)
        .await
}

/// Sends row `id` again from now, delivered or given up on alike, with a fresh series of
/// tries; false when there is no such row.
pub async fn redeliver<C: ConnectionTrait>(db: &C, id: i64, now_ms: i64) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::DeliveredMs, Expr::value(Option::<i64>::None))
        .col_expr(Column::Failed, Expr::value(false))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptMs, Expr::value(now_ms))
        .col_expr(Column::LastStatus, Expr::value(Option::<i32>::None))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Deletes the rows enqueued before `cutoff_ms` that are done with (delivered or given up on);
/// pending ones stay, however old. Returns how many went.
pub async fn prune<C: ConnectionTrait>(db: &C, cutoff_ms: i64) -> Result<u64, DbErr> {
    let done = Condition::any()
        .add(Column::DeliveredMs.is_not_null())
        .add(Column::Failed.eq(true));
    Entity::delete_many()
        .filter(Column::CreatedMs.lt(cutoff_ms))
        .filter(done)
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
