//! KPI tiles and threshold alerts on the stream: once a second, for each distinct scope among
//! the subscribers, the 24 h KPIs are computed from the live engine; a `kpis` delta goes out
//! when the tiles changed, and an `alert` delta for each alert raised or cleared.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use app::kpi::Query;
use app::kpi::report::{Alert, KpiReport};
use serde_json::{Value, json};

use super::{Delta, Hub, Scope, Visibility};
use crate::ingest::Ingestor;

/// What was last sent to one scope.
#[derive(Default)]
struct Sent {
    tiles: Value,
    alerts: BTreeMap<String, Alert>,
}

/// The tiles of a report: everything but the breakdowns, the alerts and the instant.
pub fn tiles(r: &KpiReport) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for k in [
            "hourly",
            "by_queue",
            "by_channel",
            "alerts",
            "as_of",
            "window_start",
        ] {
            o.remove(k);
        }
    }
    v
}

/// The deltas for one scope's new report, given what it was last sent.
fn deltas(scope: &Scope, r: &KpiReport, seq: i64, sent: &mut Sent) -> Vec<Delta> {
    let visibility = Visibility::Scope(scope.clone());
    let mut out = Vec::new();
    let now_tiles = tiles(r);
    if now_tiles != sent.tiles {
        let mut data = now_tiles.clone();
        data["seq"] = json!(seq);
        data["as_of"] = json!(r.as_of);
        out.push(Delta {
            seq,
            kind: "kpis",
            visibility: visibility.clone(),
            data: data.to_string().into(),
        });
        sent.tiles = now_tiles;
    }
    let now: BTreeMap<String, Alert> = r
        .alerts
        .iter()
        .map(|a| (a.key.clone(), a.clone()))
        .collect();
    let alert = |state: &str, a: &Alert| Delta {
        seq,
        kind: "alert",
        visibility: visibility.clone(),
        data: json!({"state": state, "alert": a, "seq": seq, "as_of": r.as_of})
            .to_string()
            .into(),
    };
    for (key, a) in &now {
        if !sent.alerts.contains_key(key) {
            out.push(alert("raised", a));
        }
    }
    for (key, a) in &sent.alerts {
        if !now.contains_key(key) {
            out.push(alert("cleared", a));
        }
    }
    sent.alerts = now;
    out
}

/// Publishes tiles and alerts once a second until the hub shuts down.
pub fn spawn(
    hub: Arc<Hub>,
    ingestor: Arc<Ingestor>,
    thresholds: Arc<crate::thresholds::Thresholds>,
) {
    let mut shutdown = hub.shutdown_signal();
    tokio::spawn(async move {
        let mut sent: HashMap<Scope, Sent> = HashMap::new();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.changed() => return,
            }
            let scopes = hub.scopes();
            sent.retain(|s, _| scopes.contains(s));
            if scopes.is_empty() {
                continue;
            }
            let now = chrono::Utc::now();
            let seq = ingestor.applied_seq();
            let started = std::time::Instant::now();
            let limits = thresholds.current();
            let reports: Vec<(Scope, KpiReport)> = ingestor.live().read(|e| {
                scopes
                    .iter()
                    .map(|s| {
                        let q = Query {
                            scope: s.clone(),
                            ..Query::default()
                        };
                        (s.clone(), e.report(&q, now, &limits))
                    })
                    .collect()
            });
            ingestor.metrics().kpi_query.observe(started.elapsed());
            let mut out = Vec::new();
            for (scope, report) in reports {
                out.extend(deltas(
                    &scope,
                    &report,
                    seq,
                    sent.entry(scope.clone()).or_default(),
                ));
            }
            hub.publish_transient(out);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_go_out_when_they_change_and_alerts_when_raised_or_cleared() {
        let mut sent = Sent::default();
        let mut r = KpiReport {
            as_of: "t1".into(),
            ..KpiReport::default()
        };
        let first = deltas(&None, &r, 1, &mut sent);
        assert_eq!(first.iter().map(|d| d.kind).collect::<Vec<_>>(), ["kpis"]);
        r.as_of = "t2".into();
        assert!(
            deltas(&None, &r, 1, &mut sent).is_empty(),
            "only the instant moved"
        );
        r.kpis.incoming = 1;
        r.alerts.push(Alert {
            key: "longest_wait:q1".into(),
            kind: "longest_wait".into(),
            queue_id: "q1".into(),
            conversation_id: None,
            value: 400.0,
            limit: 300.0,
            message: "m".into(),
        });
        let next = deltas(&None, &r, 2, &mut sent);
        assert_eq!(
            next.iter().map(|d| d.kind).collect::<Vec<_>>(),
            ["kpis", "alert"]
        );
        assert!(next[1].data.contains("\"raised\""));
        r.alerts.clear();
        let cleared = deltas(&None, &r, 3, &mut sent);
        assert_eq!(cleared.len(), 1);
        assert!(cleared[0].data.contains("\"cleared\""));
        assert_eq!(cleared[0].visibility, Visibility::Scope(None));
    }
}
