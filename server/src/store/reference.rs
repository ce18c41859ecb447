//! Queues and agents as last upserted, kept in step with the log for queries and admin pages.

use app::model::ledger::{Agent, Queue};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder};

use super::entities::{agent, queue};

/// Writes (inserts or replaces) queues.
pub async fn upsert_queues<C: ConnectionTrait>(db: &C, queues: &[&Queue]) -> Result<(), DbErr> {
    for q in queues {
        let row = queue::ActiveModel {
            queue_id: Set(q.id.clone()),
            name: Set(q.name.clone()),
            channels: Set(serde_json::json!(q.channels).to_string()),
            service_level_seconds: Set(i32::try_from(q.service_level_seconds).unwrap_or(i32::MAX)),
            updated_at_ms: Set(super::now_ms()),
        };
        queue::Entity::insert(row)
            .on_conflict(
                OnConflict::column(queue::Column::QueueId)
                    .update_columns([
                        queue::Column::Name,
                        queue::Column::Channels,
                        queue::Column::ServiceLevelSeconds,
                        queue::Column::UpdatedAtMs,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Writes (inserts or replaces) agents.
pub async fn upsert_agents<C: ConnectionTrait>(db: &C, agents: &[&Agent]) -> Result<(), DbErr> {
    for a in agents {
        let row = agent::ActiveModel {
            agent_id: Set(a.id.clone()),
            name: Set(a.name.clone()),
            queues: Set(serde_json::json!(a.queues).to_string()),
            skills: Set(serde_json::json!(a.skills).to_string()),
            capacity: Set(i32::try_from(a.capacity).unwrap_or(i32::MAX)),
            updated_at_ms: Set(super::now_ms()),
        };
        agent::Entity::insert(row)
            .on_conflict(
                OnConflict::column(agent::Column::AgentId)
                    .update_columns([
                        agent::Column::Name,
                        agent::Column::Queues,
                        agent::Column::Skills,
                        agent::Column::Capacity,
                        agent::Column::UpdatedAtMs,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Every queue, by id.
pub async fn queues<C: ConnectionTrait>(db: &C) -> Result<Vec<queue::Model>, DbErr> {
    queue::Entity::find()
        .order_by_asc(queue::Column::QueueId)
        .all(db)
        .await
}

/// Every agent, by id.
pub async fn agents<C: ConnectionTrait>(db: &C) -> Result<Vec<agent::Model>, DbErr> {
    agent::Entity::find()
        .order_by_asc(agent::Column::AgentId)
        .all(db)
        .await
}
