//! The My dashboard's server functions: the signed-in person's own work as the agent they are
//! linked to — their actions on their conversations and their presence. Every one is events
//! through the ingest path with the same rules as any source, audited, and (the actions) sent
//! out through the outbound webhook like a supervisor's.

use leptos::prelude::*;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ongoing::{AgentRequest, OngoingRow};
use crate::server_fns::ongoing::{ActionOutcome, ConversationDetail, QueueInfo};

/// The most open conversations of the agent's queues listed (the longest waiting first).
pub const MAX_OPEN_ITEMS: usize = 200;
/// The most conversations listed under "Closed today" (the latest first).
pub const MAX_CLOSED_ITEMS: usize = 200;

/// A conversation the agent closed today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedItem {
    /// Id.
    pub id: String,
    /// Customer name.
    pub customer_name: String,
    /// Queue.
    pub queue_id: String,
    /// Channel (`chat`, …).
    pub channel: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Closed (RFC 3339).
    pub closed_at: String,
    /// Why (`resolved`, …).
    pub reason: String,
}

/// The signed-in person's work as their agent, as the My dashboard shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyWork {
    /// Their agent.
    pub agent_id: String,
    /// The agent's name (the id while the log does not know the agent).
    pub name: String,
    /// Presence now (`available`, …; `offline` while unknown).
    pub presence: String,
    /// Capacity units.
    pub capacity: u32,
    /// Units in use (KPIS.md's costs).
    pub used: u32,
    /// Their queues.
    pub queues: Vec<QueueInfo>,
    /// Their unfinished conversations: offered, active, waiting, wrap-up.
    pub mine: Vec<OngoingRow>,
    /// Open conversations of their queues they may take, the longest waiting first (at most
    /// [`MAX_OPEN_ITEMS`]).
    pub open: Vec<OngoingRow>,
    /// How many open conversations their queues hold in all.
    pub open_total: usize,
    /// What they closed today (server day, UTC), the latest first.
    pub closed_today: Vec<ClosedItem>,
    /// The server's clock when this was read (RFC 3339).
    pub as_of: String,
    /// How long an offer waits for an answer (s), per queue of theirs (the admin's desk setting).
    pub offer_seconds: std::collections::BTreeMap<String, u32>,
    /// How long an offer of any other queue waits (s).
    pub offer_default: u32,
}

impl MyWork {
    /// How long an offer of `queue` waits for an answer (s).
    pub fn offer_seconds_for(&self, queue: &str) -> u32 {
        self.offer_seconds
            .get(queue)
            .copied()
            .unwrap_or(self.offer_default)
    }
}

/// The agent's action path, provided by the server through context.
#[cfg(feature = "ssr")]
pub trait MySource: Send + Sync + 'static {
    /// Carries out `request` on conversation `id` as `viewer`, working as agent `agent_id`.
    fn act(
        &self,
        viewer: crate::auth::Viewer,
        agent_id: String,
        id: String,
        request: AgentRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<ActionOutcome, AppError>> + Send + '_>>;

    /// Sets agent `agent_id`'s presence as `viewer` (an `agent.presence` event, audited).
    fn presence(
        &self,
        viewer: crate::auth::Viewer,
        agent_id: String,
        presence: crate::model::event::Presence,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + '_>>;

    /// Agent `agent_id`'s work now.
    fn work(
        &self,
        agent_id: String,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<MyWork, AppError>> + Send + '_>>;

    /// The events of conversation `id` if agent `agent_id` may see it (theirs, or open in one
    /// of their queues, or closed by them).
    fn detail(
        &self,
        agent_id: String,
        id: String,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<ConversationDetail, AppError>> + Send + '_>>;
}

/// The signed-in person and the agent they work as; refused (403) for a person not linked to
/// an agent.
#[cfg(feature = "ssr")]
pub fn require_agent() -> Result<(crate::auth::Viewer, String), AppError> {
    let viewer = crate::auth::require_signed_in()?;
    match viewer.agent_id.clone() {
        Some(agent) => Ok((viewer, agent)),
        None => Err(crate::auth::fail(
            403,
            AppError::key("problem.my_not_agent"),
        )),
    }
}

/// An action of the signed-in agent on their own conversation (or "Assign to me" on an open
/// one of their queues).
#[server(endpoint = "my_act", input = leptos::server_fn::codec::Json)]
pub async fn my_act(id: String, request: AgentRequest) -> Result<ActionOutcome, AppError> {
    let (viewer, agent) = require_agent()?;
    crate::server_fns::ongoing::checked_id(&id)?;
    let source = use_context::<std::sync::Arc<dyn MySource>>().ok_or_else(AppError::starting)?;
    source.act(viewer, agent, id, request).await
}

/// The signed-in person's work as their agent.
#[server(endpoint = "my_work")]
pub async fn get_my_work() -> Result<MyWork, AppError> {
    let (_, agent) = require_agent()?;
    let source = use_context::<std::sync::Arc<dyn MySource>>().ok_or_else(AppError::starting)?;
    source.work(agent).await
}

/// One of the agent's conversations: its timeline and transcript.
#[server(endpoint = "my_conversation")]
pub async fn get_my_conversation(id: String) -> Result<ConversationDetail, AppError> {
    let (_, agent) = require_agent()?;
    crate::server_fns::ongoing::checked_id(&id)?;
    let source = use_context::<std::sync::Arc<dyn MySource>>().ok_or_else(AppError::starting)?;
    source.detail(agent, id).await
}

/// Sets the signed-in agent's presence: an `agent.presence` event through the ingest path,
/// audited.
#[server(endpoint = "my_presence")]
pub async fn set_my_presence(presence: String) -> Result<(), AppError> {
    let (viewer, agent) = require_agent()?;
    let Some(presence) = crate::model::event::Presence::ALL
        .into_iter()
        .find(|p| p.as_str() == presence)
    else {
        return Err(crate::auth::fail(400, AppError::key("error.presence")));
    };
    let source = use_context::<std::sync::Arc<dyn MySource>>().ok_or_else(AppError::starting)?;
    source.presence(viewer, agent, presence).await
}
