//! `/metrics` after a simulated burst and a few refusals: every counter moved by exactly what
//! happened, on SQLite and PostgreSQL.

use serde_json::json;
use server::simulator::drive::{LocalSink, SimPlan, drive};

use crate::helpers::{request, spawn_app};

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in\n{text}"))
}

each_backend! {
    async fn counters_move_by_exactly_what_was_ingested_and_refused(kind) {
        let app = spawn_app(kind).await;
        let plan = SimPlan {
            seed: 5,
            speed: 1.0,
            backfill: std::time::Duration::from_secs(2 * 3600),
            live: false,
        };
        drive(&plan, &LocalSink(app.ingestor.clone()), None)
            .await
            .expect("simulated burst");
        let burst = app.stored().await;
        assert!(
            burst >= 85,
            "{kind:?}: burst of {burst} lacks the reference data"
        );

        let at = chrono::Utc::now().to_rfc3339();
        let ok = json!([{"id": "m1", "type": "agent.presence", "at": at, "agent_id": "a99", "presence": "away"}]).to_string();
        assert_eq!(app.ingest(&ok).await.0, 200);
        assert_eq!(app.ingest(&ok).await.0, 200, "duplicate");
        let bad = json!([
            {"id": "m2", "type": "agent.presence", "at": at, "agent_id": "a99", "presence": "sleeping"},
            {"id": "m3", "type": "nope", "at": at},
            {"id": "m4", "type": "agent.presence", "at": at, "agent_id": "a98", "presence": "away"}
        ])
        .to_string();
        assert_eq!(app.ingest(&bad).await.0, 422);
        let (status, _) = request(
            &app.base,
            "POST",
            "/api/v1/events",
            Some(&app.token),
            Some("text/csv"),
            b"x",
        )
        .await;
        assert_eq!(status, 415);
        let (status, _) = request(
            &app.base,
            "POST",
            "/api/v1/events",
            None,
            Some("application/json"),
            b"[]",
        )
        .await;
        assert_eq!(status, 401);
        let (status, _) = app.ingest("[{").await;
        assert_eq!(status, 400);

        let (status, text) = app.metrics().await;
        assert_eq!(status, 200);
        assert_eq!(
            value(&text, "intraday_ingest_events_total{result=\"accepted\"}"),
            (burst + 1) as f64,
            "{kind:?}"
        );
        assert_eq!(
            value(&text, "intraday_ingest_events_total{result=\"duplicate\"}"),
            1.0
        );
        assert_eq!(
            value(&text, "intraday_ingest_events_total{result=\"invalid\"}"),
            2.0
        );
        for (reason, n) in [
            ("invalid", 1.0),
            ("unsupported_media_type", 1.0),
            ("unauthorized", 1.0),
            ("unparsable", 1.0),
            ("forbidden", 0.0),
            ("rate_limited", 0.0),
        ] {
            assert_eq!(
                value(
                    &text,
                    &format!("intraday_ingest_refused_total{{reason=\"{reason}\"}}")
                ),
                n,
                "{reason}"
            );
        }
        let batches = value(&text, "intraday_ingest_batch_seconds_count");
        assert_eq!(
            value(&text, "intraday_ingest_batch_seconds_bucket{le=\"+Inf\"}"),
            batches
        );
        assert!(batches >= 3.0, "{batches}");
        let max_seq = server::store::events::max_seq(&app.db).await.expect("seq");
        assert_eq!(value(&text, "intraday_log_sequence"), max_seq as f64);
        let (live, agents) = app
            .ingestor
            .with_ledger(|l| (l.live_conversations().count(), l.agents().count()))
            .await;
        assert_eq!(value(&text, "intraday_live_conversations"), live as f64);
        assert_eq!(value(&text, "intraday_agents"), agents as f64);
        assert!(value(&text, "intraday_db_pool_connections") >= 1.0);
    }
}

each_backend! {
    async fn kpi_queries_and_server_functions_are_timed(kind) {
        let app = spawn_app(kind).await;
        let scrape = || async { app.metrics().await.1 };
        let before = scrape().await;
        assert_eq!(value(&before, "intraday_kpi_query_seconds_count"), 0.0);
        assert_eq!(value(&before, "intraday_server_fn_seconds_count"), 0.0);
        for _ in 0..2 {
            let (status, _) = request(
                &app.base,
                "GET",
                "/api/v1/kpis",
                Some(&app.token),
                None,
                b"",
            )
            .await;
            assert_eq!(status, 200);
        }
        let admin = app.session("admin", &[], None).await;
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/agent_presence",
                Some(&admin),
                Some("agent_id=a1&presence=asleep"),
            )
            .await;
        // A refused call is a call too: the function ran and answered.
        assert_eq!(status, 400, "{body}");
        let after = scrape().await;
        assert_eq!(value(&after, "intraday_kpi_query_seconds_count"), 2.0);
        assert_eq!(value(&after, "intraday_server_fn_seconds_count"), 1.0);
        assert!(value(&after, "intraday_kpi_query_seconds_bucket{le=\"+Inf\"}") >= 2.0);
    }
}
