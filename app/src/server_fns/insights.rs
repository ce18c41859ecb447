//! The Insights page's data: every KPI and the agents table for the page's filters.

use leptos::prelude::*;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

use crate::kpi::KpiReport;
use crate::kpi::domain::agents::AgentRow;

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
    /// The oldest conversations in queue (up to 3 per queue), oldest first.
    pub oldest: Vec<crate::kpi::domain::rows::ConversationRow>,
    /// The admin's extra report panels, with the figures of the saved-view ones.
    pub panels: Vec<PanelData>,
    /// The thresholds the tiles are coloured against: the one queue's own when the view shows
    /// a single queue that has them, else the default.
    #[serde(default)]
    pub limits: crate::model::admin::Thresholds,
}

/// A report panel ready to show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelData {
    /// The panel.
    pub panel: crate::model::panel::ReportPanel,
    /// For a saved view: its report (or why it could not be computed).
    pub report: Option<Result<crate::kpi::KpiReport, AppError>>,
}

/// Where [`get_insights`] finds the report panels; the server provides one through context.
#[cfg(feature = "ssr")]
pub trait PanelSource: Send + Sync + 'static {
    /// The panels, in order.
    fn panels(
        &self,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<Vec<crate::model::panel::ReportPanel>, String>> + Send + '_>,
    >;
}

/// Up to `per_queue` in-queue rows per queue, longest waiting first.
#[cfg(any(feature = "ssr", test))]
pub fn oldest_in_queue(
    mut rows: Vec<crate::kpi::domain::rows::ConversationRow>,
    per_queue: usize,
) -> Vec<crate::kpi::domain::rows::ConversationRow> {
    rows.retain(|r| r.wait.is_some());
    rows.sort_by(|a, b| {
        (&a.queue_entry_at, &a.conversation_id).cmp(&(&b.queue_entry_at, &b.conversation_id))
    });
    let mut taken: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    rows.retain(|r| {
        let n = taken.entry(r.queue_id.clone()).or_default();
        *n += 1;
        *n <= per_queue
    });
    rows
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
pub async fn get_insights(
    #[server(default)] filters: Vec<(String, String)>,
) -> Result<InsightsData, AppError> {
    use std::sync::Arc;

    use crate::kpi::domain::query::FILTER_KEYS;
    use crate::kpi::{Limits, Query};

    let (_, scope) = crate::auth::require_supervisor()?;
    let source = use_context::<Arc<dyn LiveSource>>().ok_or_else(AppError::starting)?;
    let pairs = filters
        .iter()
        .filter(|(k, v)| !v.is_empty() && FILTER_KEYS.contains(&k.as_str()));
    let mut q = Query::from_pairs(pairs.map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| crate::auth::fail(400, AppError::filter(&e.field)))?;
    q.scope = scope;
    let now = chrono::Utc::now();
    // The admin's thresholds (per queue where a queue has its own), provided by the server.
    let limits = use_context::<Limits>().unwrap_or_default();
    // Charts are drawn here, so their words follow the language of the request.
    let locale = crate::i18n::request_locale();
    let panels = match use_context::<Arc<dyn PanelSource>>() {
        Some(p) => p.panels().await.unwrap_or_else(|e| {
            leptos::logging::error!("report panels: {e}");
            Vec::new()
        }),
        None => Vec::new(),
    };
    let mut out = None;
    source.with_engine(&mut |engine| {
        let report = engine.report(&q, now, &limits);
        let panels = panels
            .iter()
            .map(|p| PanelData {
                panel: p.clone(),
                report: match &p.kind {
                    crate::model::panel::PanelKind::Url(_) => None,
                    crate::model::panel::PanelKind::View(view) => Some(
                        Query::from_pairs(
                            view.split('&')
                                .filter(|x| !x.is_empty())
                                .map(|x| x.split_once('=').unwrap_or((x, ""))),
                        )
                        .map(|pq| Query {
                            scope: q.scope.clone(),
                            ..pq
                        })
                        .map(|pq| engine.report(&pq, now, &limits))
                        .map_err(|e| AppError::filter(&e.field)),
                    ),
                },
            })
            .collect();
        let shown = q.queue_set();
        let one_queue = shown.as_deref().and_then(|qs| match qs {
            [only] => Some(only.as_str()),
            _ => None,
        });
        out = Some(InsightsData {
            limits: one_queue
                .map_or(&limits, |queue| limits.for_queue(queue))
                .thresholds(),
            charts: crate::charts::insights_charts_in(locale, &report, 640, 280),
            panels,
            oldest: if q.at.is_some() {
                Vec::new()
            } else {
                oldest_in_queue(engine.conversation_rows(&q, now), 3)
            },
            report,
            agents: engine.agent_rows(&q, now),
            newest: engine
                .newest()
                .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                .map(|t| t.to_rfc3339()),
        });
    });
    out.ok_or_else(AppError::live_unavailable)
}

#[cfg(test)]
mod tests {
    use super::oldest_in_queue;
    use crate::kpi::domain::rows::ConversationRow;

    fn row(id: &str, queue: &str, entry: &str, in_queue: bool) -> ConversationRow {
        ConversationRow {
            conversation_id: id.into(),
            queue_id: queue.into(),
            channel: "chat".into(),
            status: if in_queue { "open" } else { "active" }.into(),
            awaiting_acceptance: false,
            agent_id: None,
            customer: "Ada".into(),
            skills: Vec::new(),
            created_at: entry.into(),
            queue_entry_at: entry.into(),
            wait: in_queue.then_some(1.0),
            first_accepted_at: None,
            sentiment: 0,
            open_escalation: false,
            updated_at: entry.into(),
        }
    }

    #[test]
    fn the_oldest_in_queue_come_first_a_few_per_queue() {
        let rows = vec![
            row("late", "q1", "2026-11-25T10:05:00Z", true),
            row("busy", "q1", "2026-11-25T09:00:00Z", false),
            row("first", "q1", "2026-11-25T10:00:00Z", true),
            row("third", "q1", "2026-11-25T10:03:00Z", true),
            row("second", "q1", "2026-11-25T10:01:00Z", true),
            row("other", "q2", "2026-11-25T10:02:00Z", true),
        ];
        let ids: Vec<String> = oldest_in_queue(rows, 3)
            .into_iter()
            .map(|r| r.conversation_id)
            .collect();
        assert_eq!(ids, ["first", "second", "other", "third"]);
    }
}
