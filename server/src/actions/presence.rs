//! Presence follows capacity for people working an agent here: when their conversations fill
//! their capacity an available agent goes busy (or busy-DND, as the admin's desk setting says)
//! by itself, and back to available when capacity frees — each an `agent.presence` event like
//! any other. Only a presence the server set is undone: a person who chose busy stays busy.
//!
//! Whether the server set the presence in force is read from the log (its event's id), so it
//! survives a restart and a change made meanwhile by another source is respected; the answer is
//! kept until the presence changes again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use app::model::event::Presence;
use app::model::ledger::{ConversationStatus, Ledger};
use chrono::{DateTime, Utc};

use super::{Acted, Actions, Performed};

/// The prefix of the ids of presence events this server writes.
const AUTO_PREFIX: &str = "auto-presence-";

/// Per agent: the instant (UTC ms) of the presence in force when it was looked at, and whether
/// this server set it.
#[derive(Debug, Default)]
pub struct MadeBusy(Mutex<HashMap<String, (i64, bool)>>);

impl MadeBusy {
    fn known(&self, agent: &str, since_ms: i64) -> Option<bool> {
        let m = self.0.lock().ok()?;
        m.get(agent)
            .filter(|(at, _)| *at == since_ms)
            .map(|(_, made)| *made)
    }

    fn remember(&self, agent: &str, since_ms: i64, made: bool) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(agent.to_owned(), (since_ms, made));
        }
    }
}

/// What an agent's presence and capacity call for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Available with full capacity: set the full-capacity presence.
    Fill,
    /// Busy with free capacity: back to available if the server set the busy.
    Free(Option<DateTime<Utc>>),
}

fn need(
    presence: Presence,
    since: Option<DateTime<Utc>>,
    used: u32,
    capacity: u32,
) -> Option<Need> {
    if capacity == 0 {
        return None;
    }
    match presence {
        Presence::Available if used >= capacity => Some(Need::Fill),
        Presence::Busy | Presence::BusyDnd if used < capacity => Some(Need::Free(since)),
        _ => None,
    }
}

/// Capacity used per agent in `agents`, in one pass over the live conversations.
fn used_by(l: &Ledger, agents: &HashSet<String>) -> HashMap<String, u32> {
    let mut used = HashMap::new();
    for c in l.live_conversations() {
        if !matches!(
            c.status,
            ConversationStatus::Active | ConversationStatus::WrapUp
        ) {
            continue;
        }
        if let Some(a) = c.agent_id.as_ref().filter(|a| agents.contains(*a)) {
            *used.entry(a.clone()).or_insert(0) += c.channel.cost();
        }
    }
    used
}

impl Actions {
    /// Sets `agent`'s presence from their capacity after a change of their work.
    pub(super) async fn settle_presence(&self, agent: &str) {
        let found = self
            .ingestor
            .with_ledger(|l| {
                let a = l.agent(agent)?;
                need(
                    a.presence,
                    a.presence_since,
                    l.capacity_used(agent),
                    a.capacity,
                )
            })
            .await;
        if let Some(n) = found {
            self.settle(agent, n).await;
        }
    }

    /// Settles the presence of every agent in `people` whose capacity calls for it: catches
    /// changes of work that came from elsewhere (routing, a supervisor, another source).
    pub(super) async fn settle_people(&self, people: &HashSet<String>) {
        let found: Vec<(String, Need)> = self
            .ingestor
            .with_ledger(|l| {
                let used = used_by(l, people);
                people
                    .iter()
                    .filter_map(|p| {
                        let a = l.agent(p)?;
                        let u = used.get(p).copied().unwrap_or(0);
                        Some((
                            p.clone(),
                            need(a.presence, a.presence_since, u, a.capacity)?,
                        ))
                    })
                    .collect()
            })
            .await;
        for (agent, n) in found {
            self.settle(&agent, n).await;
        }
    }

    async fn settle(&self, agent: &str, need: Need) {
        let next = match need {
            Need::Fill => self.desk.get().full_presence,
            Need::Free(since) => {
                if !self.server_set(agent, since).await {
                    return;
                }
                Presence::Available
            }
        };
        let at = Utc::now();
        let event = serde_json::json!({
            "id": format!("{AUTO_PREFIX}{agent}-{}", at.timestamp_micros()),
            "type": "agent.presence",
            "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "agent_id": agent,
            "presence": next.as_str(),
        });
        if let Err(e) = self.ingestor.submit(vec![event]).await {
            tracing::warn!(error = %e, agent, "presence could not follow capacity");
            return;
        }
        self.made_busy
            .remember(agent, at.timestamp_millis(), next != Presence::Available);
        let _ = self.performed.send(Performed {
            conversation_id: String::new(),
            action: Acted::Presence {
                agent_id: agent.to_owned(),
                presence: next,
            },
        });
    }

    /// Whether the presence `agent` has had since `since` was set by this server.
    async fn server_set(&self, agent: &str, since: Option<DateTime<Utc>>) -> bool {
        let Some(since_ms) = since.map(|t| t.timestamp_millis()) else {
            return false;
        };
        if let Some(made) = self.made_busy.known(agent, since_ms) {
            return made;
        }
        match crate::store::events::presence_ids_at(self.ingestor.db(), agent, since_ms).await {
            Ok(ids) => {
                let made = ids.iter().any(|id| id.starts_with(AUTO_PREFIX));
                self.made_busy.remember(agent, since_ms, made);
                made
            }
            Err(e) => {
                tracing::warn!(error = %e, agent, "reading who set a presence failed");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_full_or_freed_capacity_calls_for_a_change() {
        assert_eq!(need(Presence::Available, None, 1, 1), Some(Need::Fill));
        assert_eq!(need(Presence::Available, None, 0, 1), None);
        assert_eq!(need(Presence::Busy, None, 0, 2), Some(Need::Free(None)));
        assert_eq!(need(Presence::BusyDnd, None, 1, 2), Some(Need::Free(None)));
        assert_eq!(need(Presence::Busy, None, 2, 2), None);
        assert_eq!(need(Presence::Away, None, 0, 2), None);
        // No capacity at all is not a full capacity.
        assert_eq!(need(Presence::Available, None, 0, 0), None);
    }
}
