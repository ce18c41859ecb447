//! The agent drill-through's data and the supervisor's presence change.

use leptos::prelude::*;

use crate::error::AppError;
use crate::kpi::domain::detail::AgentDetail;

/// Where supervisor actions go: the server submits them through the ingest path (same
/// validation, same log) and audits them. Provided through Leptos context.
#[cfg(feature = "ssr")]
pub trait ActionSink: Send + Sync + 'static {
    /// Submits events as `actor` did; `Err` says why for the person.
    fn act(
        &self,
        actor: String,
        action: &'static str,
        target: String,
        events: Vec<serde_json::Value>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + '_>>;
}

/// One agent's day for the window in `filters`.
#[server(endpoint = "agent_detail")]
pub async fn get_agent_detail(
    agent_id: String,
    #[server(default)] filters: Vec<(String, String)>,
) -> Result<AgentDetail, AppError> {
    use std::sync::Arc;

    use crate::kpi::Query;
    use crate::server_fns::LiveSource;

    let (_, scope) = crate::auth::require_supervisor()?;
    let source = use_context::<Arc<dyn LiveSource>>().ok_or_else(AppError::starting)?;
    let pairs = filters
        .iter()
        .filter(|(k, v)| !v.is_empty() && matches!(k.as_str(), "window" | "tz" | "at"));
    let mut q = Query::from_pairs(pairs.map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| AppError::filter(&e.field))?;
    q.scope = scope.clone();
    let mut out = None;
    source.with_engine(&mut |e| {
        if agent_in_scope(e, &agent_id, scope.as_deref()) {
            out = e.agent_detail(&agent_id, &q, chrono::Utc::now());
        }
    });
    out.ok_or_else(|| crate::auth::fail(404, AppError::no_agent(&agent_id)))
}

/// Sets an agent's presence (a supervisor action): an `agent.presence` event through the
/// ingest path, audited.
#[server(endpoint = "agent_presence")]
pub async fn set_agent_presence(agent_id: String, presence: String) -> Result<(), AppError> {
    use std::sync::Arc;

    let (viewer, scope) = crate::auth::require_supervisor()?;
    let valid = ["available", "busy", "busy_dnd", "away", "offline"];
    if !valid.contains(&presence.as_str()) {
        return Err(crate::auth::fail(400, AppError::key("error.presence")));
    }
    let source =
        use_context::<Arc<dyn crate::server_fns::LiveSource>>().ok_or_else(AppError::starting)?;
    let mut visible = false;
    source.with_engine(&mut |e| visible = agent_in_scope(e, &agent_id, scope.as_deref()));
    if !visible {
        return Err(crate::auth::fail(404, AppError::no_agent(&agent_id)));
    }
    let sink = use_context::<Arc<dyn ActionSink>>().ok_or_else(AppError::starting)?;
    let now = chrono::Utc::now();
    let event = serde_json::json!({
        "id": format!("ui-presence-{agent_id}-{}", now.timestamp_micros()),
        "type": "agent.presence",
        "at": now.to_rfc3339(),
        "agent_id": agent_id,
        "presence": presence,
    });
    sink.act(viewer.actor(), "agent.presence", agent_id, vec![event])
        .await
}

/// Whether agent `id` exists and works in one of the `scope` queues (`None`: any queue).
#[cfg(feature = "ssr")]
fn agent_in_scope(engine: &crate::kpi::Engine, id: &str, scope: Option<&[String]>) -> bool {
    engine
        .agents()
        .find(|(agent, _)| agent.as_str() == id)
        .is_some_and(|(_, rec)| scope.is_none_or(|s| rec.queues.iter().any(|q| s.contains(q))))
}
