//! The Insights page's data: every KPI and the agents table for the page's filters.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kpi::KpiReport;
use crate::kpi::agents::AgentRow;

/// What the Insights page shows for one set of filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightsData {
    /// Every KPI, breakdowns and alerts.
    pub report: KpiReport,
    /// The agents table.
    pub agents: Vec<AgentRow>,
    /// The newest event time the server has applied (RFC 3339), for the replay slider.
    pub newest: Option<String>,
    /// The charts of the report.
    pub charts: Vec<crate::charts::Chart>,
}

/// Where [`get_insights`] reads the live state; the server provides one through Leptos context.
#[cfg(feature = "ssr")]
pub trait LiveSource: Send + Sync + 'static {
    /// Runs `f` with the engine.
    fn with_engine(&self, f: &mut dyn FnMut(&crate::kpi::Engine));
}

/// The KPIs and agents for the page's query-string filters (`window`, `tz`, `queue`, `channel`,
/// `agent`, `skill`, `status`, `at`, `sl`).
#[server(endpoint = "insights")]
pub async fn get_insights(filters: Vec<(String, String)>) -> Result<InsightsData, ServerFnError> {
    use std::sync::Arc;

    use crate::kpi::{Limits, Query};

    let source = use_context::<Arc<dyn LiveSource>>()
        .ok_or_else(|| ServerFnError::new("the server is starting; try again in a moment"))?;
    let pairs = filters.iter().filter(|(k, v)| {
        !v.is_empty() && crate::routes::insights::FILTER_KEYS.contains(&k.as_str())
    });
    let q = Query::from_pairs(pairs.map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ServerFnError::new(format!("{}: {}", e.field, e.message)))?;
    let now = chrono::Utc::now();
    let mut out = None;
    source.with_engine(&mut |engine| {
        let report = engine.report(&q, now, &Limits::default());
        out = Some(InsightsData {
            charts: crate::charts::insights_charts(&report, 640, 280),
            report,
            agents: engine.agent_rows(&q, now),
            newest: engine
                .newest()
                .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                .map(|t| t.to_rfc3339()),
        });
    });
    out.ok_or_else(|| ServerFnError::new("the live state is not available"))
}
