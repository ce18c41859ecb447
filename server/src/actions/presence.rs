//! Presence follows capacity for people working an agent here: when their conversations fill
//! their capacity an available agent goes busy by itself, and back to available when capacity
//! frees — each a `agent.presence` event like any other. Only a busy the server set is undone:
//! a person who chose busy stays busy.
//!
//! Which agents the server made busy is kept in memory: after a restart such an agent stays
//! busy until the person changes it.

use app::model::event::Presence;

use super::{Acted, Actions, Performed};

impl Actions {
    /// Sets `agent`'s presence from their capacity after a change of their work.
    pub(super) async fn settle_presence(&self, agent: &str) {
        let now_state = self
            .ingestor
            .with_ledger(|l| {
                let a = l.agent(agent)?;
                Some((a.presence, l.capacity_used(agent), a.capacity))
            })
            .await;
        let Some((presence, used, capacity)) = now_state else {
            return;
        };
        let made = self
            .made_busy
            .lock()
            .map(|m| m.contains(agent))
            .unwrap_or(false);
        let next = if presence == Presence::Available && used >= capacity {
            Presence::Busy
        } else if presence == Presence::Busy && made && used < capacity {
            Presence::Available
        } else {
            return;
        };
        let at = chrono::Utc::now();
        let event = serde_json::json!({
            "id": format!("auto-presence-{agent}-{}", at.timestamp_micros()),
            "type": "agent.presence",
            "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "agent_id": agent,
            "presence": next.as_str(),
        });
        if let Err(e) = self.ingestor.submit(vec![event]).await {
            tracing::warn!(error = %e, agent, "presence could not follow capacity");
            return;
        }
        if let Ok(mut m) = self.made_busy.lock() {
            if next == Presence::Busy {
                m.insert(agent.to_owned());
            } else {
                m.remove(agent);
            }
        }
        let _ = self.performed.send(Performed {
            conversation_id: String::new(),
            action: Acted::Presence {
                agent_id: agent.to_owned(),
                presence: next,
            },
        });
    }
}
