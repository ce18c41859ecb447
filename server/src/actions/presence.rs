//! Presence follows capacity for people working an agent here: when their conversations fill
//! their capacity an available agent goes busy (or busy-DND, as the admin's desk setting says)
//! by itself, and back to available when capacity frees — each an `agent.presence` event like
//! any other. Only a presence the server set is undone: a person who chose busy stays busy.
//!
//! An agent is worked here once its person sets its presence on the My dashboard or acts on
//! their work; an agent whose presence another source sets (its own system, the simulation) is
//! left to it. Who set the presence in force is read from the log (its event's id), so it
//! survives a restart and a change made meanwhile by another source is respected; the answer is
//! kept until the presence changes again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use app::model::event::Presence;
use chrono::{DateTime, Utc};

use super::{Acted, Actions, Performed};

/// The prefix of the ids of presence events this server writes.
const AUTO_PREFIX: &str = "auto-presence-";
/// The prefix of the ids of presence events a person sets on the My dashboard.
pub(super) const PERSON_PREFIX: &str = "my-presence-";

/// Who set an agent's presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setter {
    /// This server, because capacity filled or freed.
    Server,
    /// The person, on the My dashboard.
    Person,
    /// Anyone else (the agent's own system, a supervisor, the simulation).
    Other,
}

impl Setter {
    fn of(ids: &[String]) -> Setter {
        if ids.iter().any(|id| id.starts_with(AUTO_PREFIX)) {
            Setter::Server
        } else if ids.iter().any(|id| id.starts_with(PERSON_PREFIX)) {
            Setter::Person
        } else {
            Setter::Other
        }
    }
}

/// Per agent: the instant (UTC ms) of the presence in force when it was looked at, and who set
/// it.
#[derive(Debug, Default)]
pub struct MadeBusy(Mutex<HashMap<String, (i64, Setter)>>);

impl MadeBusy {
    fn known(&self, agent: &str, since_ms: i64) -> Option<Setter> {
        let m = self.0.lock().ok()?;
        m.get(agent)
            .filter(|(at, _)| *at == since_ms)
            .map(|(_, s)| *s)
    }

    fn remember(&self, agent: &str, since_ms: i64, setter: Setter) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(agent.to_owned(), (since_ms, setter));
        }
    }
}

/// What an agent's presence and capacity call for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Available with full capacity: set the full-capacity presence.
    Fill(Option<DateTime<Utc>>),
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
        Presence::Available if used >= capacity => Some(Need::Fill(since)),
        Presence::Busy | Presence::BusyDnd if used < capacity => Some(Need::Free(since)),
        _ => None,
    }
}

impl Actions {
    /// Sets `agent`'s presence from their capacity after the person changed their work here.
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
            self.settle(agent, n, true).await;
        }
    }

    /// Settles the presence of every agent in `people` worked here whose capacity calls for it:
    /// catches changes of work that came from elsewhere (routing, a supervisor, another source).
    pub(super) async fn settle_people(&self, people: &HashSet<String>) {
        let found: Vec<(String, Need)> = self
            .ingestor
            .with_ledger(|l| {
                let used = crate::stream::views::capacity_by_agent(l);
                people
                    .iter()
                    .filter_map(|p| {
                        let a = l.agent(p)?;
                        let u = used.get(p.as_str()).copied().unwrap_or(0);
                        Some((
                            p.clone(),
                            need(a.presence, a.presence_since, u, a.capacity)?,
                        ))
                    })
                    .collect()
            })
            .await;
        for (agent, n) in found {
            self.settle(&agent, n, false).await;
        }
    }

    /// Carries out `need`; `acted` when the person just acted on their work here.
    async fn settle(&self, agent: &str, need: Need, acted: bool) {
        let next = match need {
            Need::Fill(since) => {
                if !acted && self.setter(agent, since).await == Setter::Other {
                    return;
                }
                self.desk.get().full_presence
            }
            Need::Free(since) => {
                if self.setter(agent, since).await != Setter::Server {
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
            .remember(agent, at.timestamp_millis(), Setter::Server);
        let _ = self.performed.send(Performed {
            conversation_id: String::new(),
            action: Acted::Presence {
                agent_id: agent.to_owned(),
                presence: next,
            },
        });
    }

    /// Who set the presence `agent` has had since `since`.
    async fn setter(&self, agent: &str, since: Option<DateTime<Utc>>) -> Setter {
        let Some(since_ms) = since.map(|t| t.timestamp_millis()) else {
            return Setter::Other;
        };
        if let Some(setter) = self.made_busy.known(agent, since_ms) {
            return setter;
        }
        match crate::store::events::presence_ids_at(self.ingestor.db(), agent, since_ms).await {
            Ok(ids) => {
                let setter = Setter::of(&ids);
                self.made_busy.remember(agent, since_ms, setter);
                setter
            }
            Err(e) => {
                tracing::warn!(error = %e, agent, "reading who set a presence failed");
                Setter::Other
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_full_or_freed_capacity_calls_for_a_change() {
        assert_eq!(
            need(Presence::Available, None, 1, 1),
            Some(Need::Fill(None))
        );
        assert_eq!(need(Presence::Available, None, 0, 1), None);
        assert_eq!(need(Presence::Busy, None, 0, 2), Some(Need::Free(None)));
        assert_eq!(need(Presence::BusyDnd, None, 1, 2), Some(Need::Free(None)));
        assert_eq!(need(Presence::Busy, None, 2, 2), None);
        assert_eq!(need(Presence::Away, None, 0, 2), None);
        // No capacity at all is not a full capacity.
        assert_eq!(need(Presence::Available, None, 0, 0), None);
    }

    #[test]
    fn the_setter_is_read_from_the_event_ids() {
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(Setter::of(&ids(&["auto-presence-a1-1"])), Setter::Server);
        assert_eq!(Setter::of(&ids(&["my-presence-a1-1"])), Setter::Person);
        assert_eq!(Setter::of(&ids(&["p1"])), Setter::Other);
        assert_eq!(Setter::of(&[]), Setter::Other);
    }
}
