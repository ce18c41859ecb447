//! KPI tiles and threshold alerts on the stream: once a second, for each distinct scope among
//! the subscribers, the 24 h KPIs are computed from the live engine; a `kpis` delta goes out
//! when the tiles changed, and an `alert` delta for each alert raised or cleared.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::kpi::Query;
use app::kpi::domain::report::{Alert, KpiReport};
use serde_json::{Value, json};

use super::{Delta, Hub, Scope, Visibility};
use crate::ingest::Ingestor;

/// What was last sent to one scope.
#[derive(Default)]
struct Sent {
    tiles: Value,
    /// In key order, as a report has them.
    alerts: Vec<Arc<Alert>>,
}

/// What a report's tiles leave out: its breakdowns, its alerts and its instant.
const LEFT_OUT: [&str; 6] = [
    "hourly",
    "by_queue",
    "by_channel",
    "alerts",
    "as_of",
    "window_start",
];

/// The tiles of a report: everything but the breakdowns, the alerts and the instant. Those
/// are taken out while the rest is serialized and then put back, not serialized and dropped
/// (a busy day's unfiltered report has ~1,600 alerts).
pub fn tiles(r: &mut KpiReport) -> Value {
    let hourly = std::mem::take(&mut r.hourly);
    let by_queue = std::mem::take(&mut r.by_queue);
    let by_channel = std::mem::take(&mut r.by_channel);
    let alerts = std::mem::take(&mut r.alerts);
    let mut v = serde_json::to_value(&*r).unwrap_or(Value::Null);
    (r.hourly, r.by_queue, r.by_channel, r.alerts) = (hourly, by_queue, by_channel, alerts);
    if let Some(o) = v.as_object_mut() {
        for k in LEFT_OUT {
            o.remove(k);
        }
    }
    v
}

/// The deltas for one scope's new report, given what it was last sent.
fn deltas(scope: &Scope, r: &mut KpiReport, seq: i64, sent: &mut Sent) -> Vec<Delta> {
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
    let alert = |state: &str, a: &Alert| Delta {
        seq,
        kind: "alert",
        visibility: visibility.clone(),
        data: json!({"state": state, "alert": a, "seq": seq, "as_of": r.as_of})
            .to_string()
            .into(),
    };
    // Both in key order: one merge finds the raised and the cleared.
    let (now, before) = (&r.alerts, &sent.alerts);
    let (mut raised, mut cleared) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    loop {
        let order = match (now.get(i), before.get(j)) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => a.key.cmp(&b.key),
        };
        match order {
            Ordering::Less => {
                raised.push(alert("raised", &now[i]));
                i += 1;
            }
            Ordering::Greater => {
                cleared.push(alert("cleared", &before[j]));
                j += 1;
            }
            Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    out.extend(raised);
    out.extend(cleared);
    sent.alerts.clone_from(&r.alerts);
    out
}

/// Publishes tiles and alerts once a second until the hub shuts down.
pub async fn publish(
    hub: Arc<Hub>,
    ingestor: Arc<Ingestor>,
    thresholds: Arc<crate::live::thresholds::LimitsCache>,
) {
    let mut shutdown = hub.shutdown_signal();
    {
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
            ingestor.metrics().kpi_query.record(started.elapsed());
            let mut out = Vec::new();
            for (scope, mut report) in reports {
                out.extend(deltas(
                    &scope,
                    &mut report,
                    seq,
                    sent.entry(scope.clone()).or_default(),
                ));
            }
            hub.publish_transient(out);
        }
    }
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
        let first = deltas(&None, &mut r, 1, &mut sent);
        assert_eq!(first.iter().map(|d| d.kind).collect::<Vec<_>>(), ["kpis"]);
        r.as_of = "t2".into();
        assert!(
            deltas(&None, &mut r, 1, &mut sent).is_empty(),
            "only the instant moved"
        );
        r.kpis.incoming = 1;
        r.alerts.push(Arc::new(Alert {
            key: "longest_wait:q1".into(),
            kind: "longest_wait".into(),
            queue_id: "q1".into(),
            conversation_id: None,
            value: 400.0,
            limit: 300.0,
            message: "m".into(),
        }));
        let next = deltas(&None, &mut r, 2, &mut sent);
        assert_eq!(
            next.iter().map(|d| d.kind).collect::<Vec<_>>(),
            ["kpis", "alert"]
        );
        assert!(next[1].data.contains("\"raised\""));
        r.alerts.clear();
        let cleared = deltas(&None, &mut r, 3, &mut sent);
        assert_eq!(cleared.len(), 1);
        assert!(cleared[0].data.contains("\"cleared\""));
        assert_eq!(cleared[0].visibility, Visibility::Scope(None));
    }

    /// An alert keyed `kind:subject`.
    fn keyed(key: &str) -> Arc<Alert> {
        let (kind, subject) = key.split_once(':').expect("kind:subject");
        Arc::new(Alert {
            key: key.into(),
            kind: kind.into(),
            queue_id: "q1".into(),
            conversation_id: (kind == "sentiment").then(|| subject.into()),
            value: -3.0,
            limit: -2.0,
            message: key.into(),
        })
    }

    /// The states and keys of a scope's alert deltas, in the order they go out.
    fn alert_deltas(r: &mut KpiReport, sent: &mut Sent) -> Vec<(String, String)> {
        deltas(&None, r, 1, sent)
            .iter()
            .filter(|d| d.kind == "alert")
            .map(|d| {
                let v: Value = serde_json::from_str(&d.data).expect("JSON");
                let field = |f: &str| {
                    v.pointer(f)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                };
                (field("/state"), field("/alert/key"))
            })
            .collect()
    }

    #[test]
    fn interleaved_alerts_are_raised_and_cleared_once_each_in_key_order() {
        let mut sent = Sent::default();
        let mut r = KpiReport {
            alerts: [
                "abandon_rate:q1",
                "sentiment:c2",
                "sentiment:c4",
                "service_level:q1",
            ]
            .map(keyed)
            .into(),
            ..KpiReport::default()
        };
        assert_eq!(alert_deltas(&mut r, &mut sent).len(), 4, "all raised");
        r.alerts = [
            "longest_wait:q1",
            "sentiment:c2",
            "sentiment:c3",
            "sentiment:c5",
        ]
        .map(keyed)
        .into();
        let pair = |s: &str, k: &str| (s.to_owned(), k.to_owned());
        assert_eq!(
            alert_deltas(&mut r, &mut sent),
            [
                pair("raised", "longest_wait:q1"),
                pair("raised", "sentiment:c3"),
                pair("raised", "sentiment:c5"),
                pair("cleared", "abandon_rate:q1"),
                pair("cleared", "sentiment:c4"),
                pair("cleared", "service_level:q1"),
            ]
        );
        assert!(
            alert_deltas(&mut r, &mut sent).is_empty(),
            "nothing changed"
        );
        r.alerts.clear();
        assert_eq!(alert_deltas(&mut r, &mut sent).len(), 4, "all cleared");
    }

    #[test]
    fn tiles_leave_out_the_breakdowns_and_alerts_and_the_report_keeps_them() {
        let mut r = KpiReport {
            alerts: vec![keyed("sentiment:c1")],
            ..KpiReport::default()
        };
        r.kpis.incoming = 7;
        r.by_queue.push(Default::default());
        let before = r.clone();
        let t = tiles(&mut r);
        assert_eq!(r, before, "the report is as it was");
        assert_eq!(t["incoming"], 7);
        for k in LEFT_OUT {
            assert!(t.get(k).is_none(), "{k} left out");
        }
    }
}
