//! The Ongoing tab's server functions: what the grid needs besides the stream (queues and their
//! service levels, the admin's switches and stuck time), one conversation's timeline and
//! transcript, and the supervisor's actions.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::admin::SupervisorActions;
use crate::ongoing::ActionRequest;

/// A queue as the grid needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Service-level time (s).
    pub service_level_seconds: u32,
}

/// What the grid needs besides the stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OngoingSetup {
    /// The supervisor's login (monitors name it).
    pub login: String,
    /// The queues in the supervisor's scope.
    pub queues: Vec<QueueInfo>,
    /// Minutes without an event after which an active or waiting conversation is stuck.
    pub stuck_minutes: u32,
    /// The sentiment at or below which a conversation is negative.
    pub negative_at: i8,
    /// The admin's switches.
    pub switches: SupervisorActions,
    /// The grid's columns the supervisor chose (names of
    /// [`crate::ongoing::view::Column`]); empty: the default columns.
    pub columns: Vec<String>,
}

/// One event of a conversation, as the panel shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    /// When.
    pub at: String,
    /// The event type without `conversation.`.
    pub kind: String,
    /// Who did it, when the event says (`routing`, `supervisor`, `agent`, `customer`).
    pub by: Option<String>,
    /// The agent it names (offered, accepted, …), or the message's author.
    pub agent_id: Option<String>,
    /// The transfer's target agent.
    pub to_agent_id: Option<String>,
    /// The transfer's target queue.
    pub to_queue_id: Option<String>,
    /// A message's sender: customer, agent, bot, supervisor.
    pub from: Option<String>,
    /// The supervisor it names.
    pub supervisor_id: Option<String>,
    /// A message's text, an escalation's note.
    pub text: Option<String>,
    /// A whisper or internal note (never shown to the customer).
    pub agents_only: bool,
    /// A message's sentiment.
    pub sentiment: Option<i8>,
    /// A reason (rejected, closed), a mode (monitored) or a kind (escalated).
    pub detail: Option<String>,
}

/// One conversation's events, oldest first (the latest [`MAX_EVENT_LINES`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDetail {
    /// Its id.
    pub id: String,
    /// The events.
    pub events: Vec<EventLine>,
    /// Older events were left out.
    pub truncated: bool,
}

/// The most events the panel shows of one conversation.
pub const MAX_EVENT_LINES: usize = 2_000;

/// What an accepted action answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOutcome {
    /// The conversation's state token after it.
    pub after: String,
    /// The agent it went to has no free capacity for it.
    pub over_capacity: bool,
}

/// The Ongoing tab's data source and action path, provided by the server through context.
#[cfg(feature = "ssr")]
pub trait OngoingSource: Send + Sync + 'static {
    /// The grid's setup for a supervisor (stored user `user_id`, if any) of `scope` (`None`:
    /// every queue).
    fn setup(
        &self,
        login: String,
        user_id: Option<i32>,
        scope: Option<Vec<String>>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<OngoingSetup, AppError>> + Send + '_>>;

    /// How many unfinished conversations of `scope` have an open escalation.
    fn open_escalations(
        &self,
        scope: Option<Vec<String>>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<u32, AppError>> + Send + '_>>;

    /// One conversation of `scope`'s events.
    fn detail(
        &self,
        id: String,
        scope: Option<Vec<String>>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<ConversationDetail, AppError>> + Send + '_>>;

    /// Carries out an action as `viewer` in `scope`.
    fn act(
        &self,
        viewer: crate::auth::Viewer,
        scope: Option<Vec<String>>,
        id: String,
        request: ActionRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<ActionOutcome, AppError>> + Send + '_>>;
}

#[cfg(feature = "ssr")]
fn source() -> Result<std::sync::Arc<dyn OngoingSource>, AppError> {
    use_context::<std::sync::Arc<dyn OngoingSource>>().ok_or_else(AppError::starting)
}

/// The grid's setup.
#[server(endpoint = "ongoing_setup")]
pub async fn get_ongoing_setup() -> Result<OngoingSetup, AppError> {
    let (viewer, scope) = crate::auth::require_supervisor()?;
    source()?.setup(viewer.login, viewer.user_id, scope).await
}

/// How many conversations of the supervisor's queues have an open escalation (the top bar's
/// count on the live tabs other than Ongoing, asked again on each change).
#[server(endpoint = "open_escalations")]
pub async fn get_open_escalations() -> Result<u32, AppError> {
    let (_, scope) = crate::auth::require_supervisor()?;
    source()?.open_escalations(scope).await
}

/// One conversation's timeline and transcript.
#[server(endpoint = "ongoing_detail")]
pub async fn get_conversation_detail(id: String) -> Result<ConversationDetail, AppError> {
    let (_, scope) = crate::auth::require_supervisor()?;
    checked_id(&id)?;
    source()?.detail(id, scope).await
}

/// A supervisor's action on a conversation.
#[server(endpoint = "ongoing_act", input = leptos::server_fn::codec::Json)]
pub async fn ongoing_act(id: String, request: ActionRequest) -> Result<ActionOutcome, AppError> {
    let (viewer, scope) = crate::auth::require_supervisor()?;
    source()?.act(viewer, scope, id, request).await
}

/// A conversation id a person asks for: an empty or overlong one (the ingest path takes ids of
/// at most 128 characters) is not found, before anything is looked up.
#[cfg(feature = "ssr")]
pub(crate) fn checked_id(id: &str) -> Result<(), AppError> {
    if id.is_empty() || id.chars().count() > 128 {
        return Err(crate::auth::fail(
            404,
            AppError {
                args: vec![id.chars().take(128).collect()],
                ..AppError::key("problem.action_no_conversation")
            },
        ));
    }
    Ok(())
}

/// `at` as the panel shows it.
pub fn line_time(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
