//! The server's [`OngoingSource`]: the grid's setup, one conversation's events and the actions,
//! for the Ongoing tab's server functions.

use std::future::Future;
use std::pin::Pin;

use app::auth::Viewer;
use app::error::AppError;
use app::model::event::{EventBody, parse_stored};
use app::ongoing::ActionRequest;
use app::server_fns::OngoingSource;
use app::server_fns::ongoing::{
    ActionOutcome, ConversationDetail, EventLine, MAX_EVENT_LINES, OngoingSetup, QueueInfo,
};

use super::{Actions, Actor, Failure};

use app::model::admin::{DEFAULT_STUCK_MINUTES, STUCK_MINUTES};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>;

impl OngoingSource for Actions {
    fn setup(
        &self,
        login: String,
        user_id: Option<i32>,
        scope: Option<Vec<String>>,
    ) -> Boxed<'_, OngoingSetup> {
        Box::pin(async move {
            let switches = self.switches().await.map_err(|_| AppError::database())?;
            let columns = match user_id {
                Some(id) => crate::store::users::get(self.ingestor.db(), id)
                    .await
                    .map_err(|_| AppError::database())?
                    .and_then(|u| u.ongoing_columns)
                    .map(|list| list.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let stuck_minutes = stuck_minutes(self.ingestor.db()).await?;
            let queues = self
                .ingestor
                .with_ledger(|l| {
                    let mut queues: Vec<QueueInfo> = l
                        .queues()
                        .filter(|q| super::in_scope(scope.as_deref(), &q.id))
                        .map(|q| QueueInfo {
                            id: q.id.clone(),
                            name: q.name.clone(),
                            service_level_seconds: q.service_level_seconds,
                        })
                        .collect();
                    queues.sort_by(|a, b| a.name.cmp(&b.name));
                    queues
                })
                .await;
            Ok(OngoingSetup {
                login,
                queues,
                stuck_minutes,
                negative_at: app::model::admin::Thresholds::default().sentiment,
                switches,
                columns,
            })
        })
    }

    fn open_escalations(&self, scope: Option<Vec<String>>) -> Boxed<'_, u32> {
        Box::pin(async move {
            let n = self
                .ingestor
                .with_ledger(|l| {
                    l.live_conversations()
                        .filter(|c| {
                            c.open_escalation && super::in_scope(scope.as_deref(), &c.queue_id)
                        })
                        .count()
                })
                .await;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
    }

    fn detail(&self, id: String, scope: Option<Vec<String>>) -> Boxed<'_, ConversationDetail> {
        Box::pin(async move {
            // Its queue now decides who sees it (a closed one is unfolded: the panel may
            // stay open on a conversation that just closed).
            let visible = self
                .ingestor
                .with_ledger(|l| {
                    l.conversation(&id)
                        .is_some_and(|c| super::in_scope(scope.as_deref(), &c.queue_id))
                })
                .await;
            if !visible {
                return Err(no_conversation(id));
            }
            self.read_detail(id).await
        })
    }

    fn act(
        &self,
        viewer: Viewer,
        scope: Option<Vec<String>>,
        id: String,
        request: ActionRequest,
    ) -> Boxed<'_, ActionOutcome> {
        Box::pin(async move {
            let actor = Actor {
                audit_name: viewer.actor(),
                login: viewer.login,
                scope,
            };
            outcome(self.perform(&actor, &id, request).await)
        })
    }
}

impl Actions {
    /// Conversation `id`'s stored events as the panels show them (the caller checked that the
    /// person may see it).
    pub(super) async fn read_detail(&self, id: String) -> Result<ConversationDetail, AppError> {
        let payloads = crate::store::events::read_conversations(
            self.ingestor.db(),
            std::slice::from_ref(&id),
            i64::MAX,
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading a conversation's events failed");
            AppError::database()
        })?;
        let mut events: Vec<_> = payloads
            .iter()
            .filter_map(|p| parse_stored(p).ok())
            .collect();
        events.sort_by_key(|e| e.at);
        let truncated = events.len() > MAX_EVENT_LINES;
        let skip = events.len().saturating_sub(MAX_EVENT_LINES);
        Ok(ConversationDetail {
            id,
            events: events[skip..].iter().map(line).collect(),
            truncated,
        })
    }
}

/// The 404 of a conversation the person may not see (or that does not exist).
pub(super) fn no_conversation(id: String) -> AppError {
    app::auth::fail(
        404,
        AppError {
            args: vec![id],
            ..AppError::key("problem.action_no_conversation")
        },
    )
}

/// What the pages are told of an action.
pub(super) fn outcome(result: Result<super::Done, Failure>) -> Result<ActionOutcome, AppError> {
    match result {
        Ok(done) => Ok(ActionOutcome {
            after: done.after,
            over_capacity: done.over_capacity,
        }),
        Err(Failure::Refused(r)) => Err(app::auth::fail(
            r.kind.status(),
            AppError::problem(None, &r.problem),
        )),
        Err(Failure::Unavailable) => Err(AppError::database()),
    }
}

/// The admin's stuck time, or the default.
async fn stuck_minutes(db: &sea_orm::DatabaseConnection) -> Result<u32, AppError> {
    match crate::store::settings::get(db, STUCK_MINUTES).await {
        Ok(v) => Ok(v
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_STUCK_MINUTES)),
        Err(e) => {
            tracing::error!(error = %e, "reading the stuck time failed");
            Err(AppError::database())
        }
    }
}

/// A value's JSON name (`routing`, `force_closed`).
fn name<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// An event as the panel shows it.
fn line(e: &app::model::event::Event) -> EventLine {
    use EventBody as B;
    let kind = e.type_name().trim_start_matches("conversation.").to_owned();
    let mut l = EventLine {
        at: e.at.to_rfc3339(),
        kind,
        ..EventLine::default()
    };
    match &e.body {
        B::ConversationOffered(o) => {
            l.agent_id = Some(o.agent_id.clone());
            l.by = name(&o.by);
        }
        B::ConversationAccepted(a) | B::ConversationReleased(a) => {
            l.agent_id = Some(a.agent_id.clone());
        }
        B::ConversationRejected(r) => {
            l.agent_id = Some(r.agent_id.clone());
            l.detail = name(&r.reason);
        }
        B::ConversationTransferred(t) => {
            l.agent_id = Some(t.from_agent_id.clone());
            l.to_agent_id = t.to_agent_id.clone();
            l.to_queue_id = t.to_queue_id.clone();
            l.by = name(&t.by);
        }
        B::ConversationResumed(r) => l.by = name(&r.by),
        B::ConversationClosed(c) => l.detail = name(&c.reason),
        B::ConversationMessage(m) => {
            l.from = name(&m.from);
            l.agent_id = m.agent_id.clone();
            l.supervisor_id = m.supervisor_id.clone();
            l.text = m.text.clone();
            l.sentiment = m.sentiment;
            l.agents_only = m.visibility == app::model::event::Visibility::Agents;
        }
        B::ConversationEscalated(x) => {
            l.detail = name(&x.kind);
            l.text = x.note.clone();
        }
        B::ConversationEscalationResolved(x) => l.supervisor_id = Some(x.by_user.clone()),
        B::ConversationMonitored(m) => {
            l.supervisor_id = Some(m.supervisor_id.clone());
            l.detail = name(&m.mode);
        }
        B::ConversationMonitorEnded(m) => l.supervisor_id = m.supervisor_id.clone(),
        _ => {}
    }
    l
}
