//! Offers to people time out: an offer to an agent a person works in Intraday (a user linked to
//! that agent) that is not answered within its queue's countdown (the admin's desk setting,
//! 30 s by default) becomes `conversation.rejected` with `reason: timed_out`, as the My
//! dashboard's countdown shows. Offers to agents no person works here are left to the system
//! that made them (it has its own timers). The same tick lets the people's presence follow
//! their capacity whatever changed their work.
//!
//! The event's id derives from the conversation and the offer's instant, so replicas sharing a
//! log write it once (the second is a duplicate).

use std::collections::HashSet;
use std::time::Duration;

use app::model::ledger::ConversationStatus;
use chrono::{DateTime, SecondsFormat, Utc};

use super::{Acted, Actions, Performed};

/// How often the people's agents and the desk settings are read again from the database.
const PEOPLE_EVERY: Duration = Duration::from_secs(3);

/// Times out unanswered offers to people, checking every second; runs until the server stops.
pub async fn expire(actions: Actions) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut people: HashSet<String> = HashSet::new();
    let mut read_at: Option<tokio::time::Instant> = None;
    loop {
        tick.tick().await;
        if read_at.is_none_or(|t| t.elapsed() >= PEOPLE_EVERY) {
            match crate::store::users::list(actions.ingestor.db()).await {
                Ok(users) => {
                    people = users.into_iter().filter_map(|u| u.agent_id).collect();
                    read_at = Some(tokio::time::Instant::now());
                }
                Err(e) => tracing::warn!(error = %e, "reading the people's agents failed"),
            }
            actions.desk.reload(actions.ingestor.db()).await;
        }
        if people.is_empty() {
            continue;
        }
        actions.settle_people(&people).await;
        for (conversation, agent, at) in due(&actions, &people, Utc::now()).await {
            let event = serde_json::json!({
                "id": format!("offer-timeout-{conversation}-{}", at.timestamp_millis()),
                "type": "conversation.rejected",
                "at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "conversation_id": conversation,
                "agent_id": agent,
                "reason": "timed_out",
            });
            match actions.ingestor.submit(vec![event]).await {
                Ok(_) => {
                    actions.settle_presence(&agent).await;
                    let _ = actions.performed.send(Performed {
                        conversation_id: conversation,
                        action: Acted::OfferTimedOut { agent_id: agent },
                    });
                }
                // Answered or changed meanwhile: nothing to time out.
                Err(crate::ingest::IngestError::Invalid(_)) => {}
                Err(e) => tracing::warn!(error = %e, "an offer's time-out could not be stored"),
            }
        }
    }
}

/// The offers to `people` unanswered for their queue's countdown at `now`: conversation, agent and
/// the instant the countdown ran out (never before the conversation's latest event).
async fn due(
    actions: &Actions,
    people: &HashSet<String>,
    now: DateTime<Utc>,
) -> Vec<(String, String, DateTime<Utc>)> {
    let hub = &actions.hub;
    let desk = actions.desk.get();
    actions
        .ingestor
        .with_ledger(|l| {
            let board = hub.board();
            l.live_conversations()
                .filter(|c| c.status == ConversationStatus::Active && c.awaiting_acceptance)
                .filter_map(|c| {
                    let agent = c.agent_id.as_ref().filter(|a| people.contains(*a))?;
                    let since = board.get(&c.id).status_since.unwrap_or(c.updated_at);
                    let ends = since
                        + chrono::TimeDelta::seconds(i64::from(
                            desk.offer_seconds_for(&c.queue_id),
                        ));
                    (ends <= now).then(|| (c.id.clone(), agent.clone(), ends.max(c.updated_at)))
                })
                .collect()
        })
        .await
}
