//! The event log: append a batch in one transaction, find stored ids, read in log order.

use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::event;

/// An event ready to be appended.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The sender's id.
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// When it happened (UTC ms).
    pub at_ms: i64,
    /// Its conversation, if any.
    pub conversation_id: Option<String>,
    /// Its agent, if any.
    pub agent_id: Option<String>,
    /// The JSON as received.
    pub payload: String,
}

impl NewEvent {
    /// The row of a parsed event, keeping the JSON as received.
    pub fn of(event: &app::model::event::Event, raw: &serde_json::Value) -> NewEvent {
        NewEvent {
            event_id: event.id.clone(),
            event_type: event.type_name().to_owned(),
            at_ms: event.at.timestamp_millis(),
            conversation_id: event.conversation_id().map(str::to_owned),
            agent_id: event.agent_id().map(str::to_owned),
            payload: raw.to_string(),
        }
    }
}

/// Rows per INSERT statement: 8 parameters a row stays far below SQLite's and PostgreSQL's limits.
const INSERT_CHUNK: usize = 1_000;

/// Appends events in the given order (their log sequence follows it). Call inside a transaction.
pub async fn append<C: ConnectionTrait>(db: &C, events: &[NewEvent]) -> Result<(), DbErr> {
    let received_at_ms = super::now_ms();
    for chunk in events.chunks(INSERT_CHUNK) {
        let rows = chunk.iter().map(|e| event::ActiveModel {
            seq: NotSet,
            event_id: Set(e.event_id.clone()),
            event_type: Set(e.event_type.clone()),
            at_ms: Set(e.at_ms),
            conversation_id: Set(e.conversation_id.clone()),
            agent_id: Set(e.agent_id.clone()),
            payload: Set(e.payload.clone()),
            received_at_ms: Set(received_at_ms),
        });
        event::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Which of `ids` are already in the log.
pub async fn existing_ids<C: ConnectionTrait>(db: &C, ids: &[&str]) -> Result<Vec<String>, DbErr> {
    let mut found = Vec::new();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let mut part: Vec<String> = event::Entity::find()
            .select_only()
            .column(event::Column::EventId)
            .filter(event::Column::EventId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.append(&mut part);
    }
    Ok(found)
}

/// Up to `limit` events with a sequence above `after`, in log order.
pub async fn read_after<C: ConnectionTrait>(
    db: &C,
    after: i64,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::Seq.gt(after))
        .order_by_asc(event::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// Up to `limit` stored payloads with a sequence above `after`, in log order, with their
/// sequence: all a replay reads (decoding the other columns of a million rows cost seconds).
pub async fn read_payloads_after<C: ConnectionTrait>(
    db: &C,
    after: i64,
    limit: u64,
) -> Result<Vec<(i64, String)>, DbErr> {
    event::Entity::find()
        .select_only()
        .columns([event::Column::Seq, event::Column::Payload])
        .filter(event::Column::Seq.gt(after))
        .order_by_asc(event::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// The stored payloads of the conversations `ids` up to sequence `upto`, in log order (the
/// conversation index finds them: no scan of the log).
pub async fn read_conversations<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
    upto: i64,
) -> Result<Vec<String>, DbErr> {
    let mut out = Vec::new();
    // Rows come back per chunk in log order; a conversation's events are all in its chunk.
    for chunk in ids.chunks(500) {
        let mut part: Vec<String> = event::Entity::find()
            .select_only()
            .column(event::Column::Payload)
            .filter(event::Column::ConversationId.is_in(chunk.iter().map(String::as_str)))
            .filter(event::Column::Seq.lte(upto))
            .order_by_asc(event::Column::Seq)
            .into_tuple()
            .all(db)
            .await?;
        out.append(&mut part);
    }
    Ok(out)
}

/// The event id stored at log sequence `seq`, if that row exists.
pub async fn event_id_at<C: ConnectionTrait>(db: &C, seq: i64) -> Result<Option<String>, DbErr> {
    event::Entity::find_by_id(seq)
        .select_only()
        .column(event::Column::EventId)
        .into_tuple()
        .one(db)
        .await
}

/// How many events the log holds.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    event::Entity::find().count(db).await
}

/// The highest log sequence, 0 for an empty log.
pub async fn max_seq<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let max: Option<Option<i64>> = event::Entity::find()
        .select_only()
        .column_as(event::Column::Seq.max(), "max_seq")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// The ids of `agent`'s presence events at instant `at_ms` (UTC ms): which source set the
/// presence the ledger holds (the log's time index finds them without a scan).
pub async fn presence_ids_at<C: ConnectionTrait>(
    db: &C,
    agent: &str,
    at_ms: i64,
) -> Result<Vec<String>, DbErr> {
    event::Entity::find()
        .select_only()
        .column(event::Column::EventId)
        .filter(event::Column::AtMs.eq(at_ms))
        .filter(event::Column::EventType.eq("agent.presence"))
        .filter(event::Column::AgentId.eq(agent))
        .into_tuple()
        .all(db)
        .await
}
