//! The server's [`MySource`]: a person's own work as the agent they are linked to, for the My
//! dashboard's server functions — the lists, one conversation's events and their actions.

use std::future::Future;
use std::pin::Pin;

use app::auth::Viewer;
use app::error::AppError;
use app::model::desk::DeskSettings;
use app::model::event::MonitorMode;
use app::model::ledger::{Conversation, ConversationStatus, Ledger};
use app::ongoing::agent::visible_to;
use app::ongoing::row::RowOut;
use app::ongoing::{AgentRequest, OngoingRow};
use app::server_fns::MySource;
use app::server_fns::my::{MAX_CLOSED_ITEMS, MAX_OPEN_ITEMS, MyWork};
use app::server_fns::ongoing::{ActionOutcome, ConversationDetail, QueueInfo};

use super::source::outcome;
use super::{Actions, Actor};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>;

impl MySource for Actions {
    fn act(
        &self,
        viewer: Viewer,
        agent_id: String,
        id: String,
        request: AgentRequest,
    ) -> Boxed<'_, ActionOutcome> {
        Box::pin(async move {
            let actor = Actor {
                audit_name: viewer.actor(),
                login: viewer.login,
                scope: None,
            };
            outcome(self.perform_agent(&actor, &agent_id, &id, request).await)
        })
    }

    fn presence(
        &self,
        viewer: Viewer,
        agent_id: String,
        presence: app::model::event::Presence,
    ) -> Boxed<'_, ()> {
        Box::pin(async move {
            let now = chrono::Utc::now();
            let event = serde_json::json!({
                "id": format!("{}{agent_id}-{}", super::presence::PERSON_PREFIX, now.timestamp_micros()),
                "type": "agent.presence",
                "at": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "agent_id": agent_id,
                "presence": presence.as_str(),
            });
            // The same write and audit as a supervisor's presence change.
            let sink = crate::ingest::actions::Actions {
                ingestor: self.ingestor.clone(),
            };
            app::server_fns::ActionSink::act(
                &sink,
                viewer.actor(),
                "agent.presence",
                agent_id.clone(),
                vec![event],
            )
            .await?;
            let _ = self.performed.send(super::Performed {
                conversation_id: String::new(),
                action: super::Acted::Presence { agent_id, presence },
            });
            Ok(())
        })
    }

    fn work(&self, agent_id: String) -> Boxed<'_, MyWork> {
        Box::pin(async move {
            let now = chrono::Utc::now();
            let board = &self.hub;
            let desk = self.desk.get();
            Ok(self
                .ingestor
                .with_ledger(|l| work(l, &board.board(), &desk, &agent_id, now))
                .await)
        })
    }

    fn detail(&self, agent_id: String, id: String) -> Boxed<'_, ConversationDetail> {
        Box::pin(async move {
            let today = chrono::Utc::now().date_naive();
            let visible = self
                .ingestor
                .with_ledger(|l| {
                    let Some(c) = l.conversation(&id) else {
                        return false;
                    };
                    match candidate(l, &agent_id) {
                        Some(me) => visible_to(&c, &me) || closed_by(&c, &agent_id, today),
                        None => false,
                    }
                })
                .await;
            if !visible {
                return Err(super::source::no_conversation(id));
            }
            let mut detail = self.read_detail(id).await?;
            // A silent monitor stays silent unless the admin tells agents; a supervisor who
            // joins is seen by their notice.
            if !self.desk.get().tell_monitoring {
                detail
                    .events
                    .retain(|e| !matches!(e.kind.as_str(), "monitored" | "monitor_ended"));
            }
            Ok(detail)
        })
    }
}

fn candidate(l: &Ledger, agent: &str) -> Option<app::ongoing::action::Candidate> {
    super::candidate(l, agent)
}

/// Whether `agent` closed (was the last agent of) `c` on day `today` (UTC).
fn closed_by(c: &Conversation, agent: &str, today: chrono::NaiveDate) -> bool {
    c.status == ConversationStatus::Closed
        && c.agent_id.as_deref() == Some(agent)
        && c.closed_at.is_some_and(|t| t.date_naive() == today)
}

/// The agent's work as the ledger and the grid's extras hold it now.
fn work(
    l: &Ledger,
    board: &crate::stream::rows::Rows,
    desk: &DeskSettings,
    agent: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> MyWork {
    let me = candidate(l, agent);
    let known = l.agent(agent);
    let queues: Vec<String> = me.as_ref().map(|m| m.queues.clone()).unwrap_or_default();
    let row = |c: &Conversation| -> Option<OngoingRow> {
        let out = RowOut {
            conversation: c,
            extras: board.get(&c.id),
        };
        let mut row: OngoingRow = serde_json::to_value(&out)
            .and_then(serde_json::from_value)
            .ok()?;
        // A silent monitor stays silent unless the admin tells agents; one who joined is seen.
        if !desk.tell_monitoring {
            row.monitors.retain(|m| m.mode == MonitorMode::Joined);
        }
        Some(row)
    };
    let mut mine = Vec::new();
    let mut open: Vec<&Conversation> = Vec::new();
    for c in l.live_conversations() {
        match c.status {
            ConversationStatus::Open if queues.contains(&c.queue_id) => open.push(c),
            ConversationStatus::Active
            | ConversationStatus::Waiting
            | ConversationStatus::WrapUp
                if c.agent_id.as_deref() == Some(agent) =>
            {
                mine.extend(row(c));
            }
            _ => {}
        }
    }
    let open_total = open.len();
    open.sort_by_key(|c| (c.entered_queue_at.unwrap_or(c.created_at), c.id.clone()));
    let open = open
        .into_iter()
        .take(MAX_OPEN_ITEMS)
        .filter_map(row)
        .collect();
    mine.sort_by_key(|r| std::cmp::Reverse(r.updated_at));
    let mut closed_today = board.closed_by(agent, now.date_naive());
    closed_today.truncate(MAX_CLOSED_ITEMS);
    let mut queue_info: Vec<QueueInfo> = queues
        .iter()
        .filter_map(|q| l.queue(q))
        .map(|q| QueueInfo {
            id: q.id.clone(),
            name: q.name.clone(),
            service_level_seconds: q.service_level_seconds,
        })
        .collect();
    queue_info.sort_by(|a, b| a.name.cmp(&b.name));
    // Their queues' countdowns, and those of offers from other queues (a colleague's transfer).
    let offer_seconds = queues
        .iter()
        .chain(mine.iter().map(|r| &r.queue_id))
        .map(|q| (q.clone(), desk.offer_seconds_for(q)))
        .collect();
    MyWork {
        agent_id: agent.to_owned(),
        name: known.map_or_else(|| agent.to_owned(), |a| a.name.clone()),
        presence: me
            .as_ref()
            .map_or("offline", |m| m.presence.as_str())
            .to_owned(),
        capacity: me.as_ref().map_or(0, |m| m.capacity),
        used: me.as_ref().map_or(0, |m| m.used),
        queues: queue_info,
        mine,
        open,
        open_total,
        closed_today,
        as_of: now.to_rfc3339(),
        offer_seconds,
        offer_default: desk.offer_seconds,
    }
}
