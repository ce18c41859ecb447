//! The Insights charts: well-formed scalable SVGs, exact data tables, click targets in x order,
//! the empty state; `properties`: no panic on any report.

mod properties;

use super::labels::NO_VALUE;
use super::{Chart, ChartTarget, insights_charts, insights_charts_in};
use crate::i18n::Locale;

/// What an empty chart says (in English, the language without a context).
const NO_DATA: &str = "No data in this window";
/// What a chart that could not be drawn says.
const UNAVAILABLE: &str = "This chart could not be drawn; its data is in the table";
use crate::kpi::domain::report::{
    Capacity, ChannelRow, HourRow, KpiReport, Ongoing, QueueRow, Windowed,
};

fn hour(h: u32, incoming: i64, closed: i64, service_level: Option<f64>) -> HourRow {
    HourRow {
        hour: format!("2025-03-04T{h:02}:00:00+01:00"),
        kpis: Windowed {
            incoming,
            closed,
            service_level,
            ..Windowed::default()
        },
    }
}

fn queue(id: &str, name: &str, incoming: i64) -> QueueRow {
    QueueRow {
        queue_id: id.into(),
        name: name.into(),
        kpis: Windowed {
            incoming,
            ..Windowed::default()
        },
        ..QueueRow::default()
    }
}

fn channel(c: &str, incoming: i64) -> ChannelRow {
    ChannelRow {
        channel: c.into(),
        kpis: Windowed {
            incoming,
            ..Windowed::default()
        },
        ..ChannelRow::default()
    }
}

fn sample() -> KpiReport {
    KpiReport {
        ongoing: Ongoing {
            open: 4,
            active: 7,
            waiting: 1,
            wrap_up: 2,
        },
        agents_by_presence: [
            ("available", 3),
            ("busy", 2),
            ("busy_dnd", 0),
            ("away", 1),
            ("offline", 5),
        ]
        .map(|(p, n)| (p.to_owned(), n))
        .into(),
        capacity: Capacity {
            total: 12,
            used: 9,
            free: 3,
        },
        sentiment: [(-2, 1), (0, 9), (1, 3)].into(),
        by_queue: vec![queue("q2", "Billing & Co", 17), queue("q1", "Support", 40)],
        by_channel: vec![
            channel("chat", 30),
            channel("voice", 20),
            channel("email", 7),
        ],
        hourly: vec![
            hour(9, 12, 10, Some(0.75)),
            hour(10, 30, 28, None),
            hour(11, 15, 17, Some(0.9)),
        ],
        ..KpiReport::default()
    }
}

fn chart<'a>(charts: &'a [Chart], id: &str) -> &'a Chart {
    charts
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no chart {id}"))
}

fn rows(c: &Chart) -> Vec<Vec<&str>> {
    c.rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect()
}

fn targets(c: &Chart) -> Vec<(&str, &str, &str)> {
    c.targets
        .iter()
        .map(|t| (t.label.as_str(), t.param.as_str(), t.value.as_str()))
        .collect()
}

/// Tags open and close in order (a stack check; enough for plotters' output).
fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg"), "{svg}");
    let mut stack = Vec::new();
    for tag in svg
        .split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').expect("unclosed tag")])
    {
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name.trim()), "{svg}");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or(""));
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[test]
fn every_chart_renders_a_scalable_svg_in_current_color() {
    let charts = insights_charts(&sample(), 640, 320);
    assert_eq!(charts.len(), 8);
    for c in &charts {
        assert_well_formed(&c.svg);
        assert!(
            c.svg
                .contains(r#"width="640" height="320" viewBox="0 0 640 320""#),
            "{}",
            c.id
        );
        assert!(
            c.svg.contains("currentColor") && !c.svg.contains("#010203"),
            "{}",
            c.id
        );
        assert!(
            !c.svg.contains(NO_DATA) && !c.svg.contains(UNAVAILABLE),
            "{}",
            c.id
        );
        assert!(!c.title.is_empty());
        assert!(
            c.rows.iter().all(|r| r.len() == c.columns.len()),
            "{}",
            c.id
        );
        let (left, right) = c.plot_x;
        assert!(
            0.0 < left && left < right && right < 1.0,
            "{}: {left} {right}",
            c.id
        );
    }
}

#[test]
fn hourly_charts_hold_the_exact_numbers_and_skip_missing_service_levels() {
    let charts = insights_charts(&sample(), 640, 320);
    let c = chart(&charts, "incoming_closed_hourly");
    assert_eq!(c.columns, ["Hour", "Incoming", "Closed"]);
    assert_eq!(
        rows(c),
        [
            ["2025-03-04T09:00:00+01:00", "12", "10"],
            ["2025-03-04T10:00:00+01:00", "30", "28"],
            ["2025-03-04T11:00:00+01:00", "15", "17"],
        ]
    );
    assert_eq!(targets(c)[0], ("09:00", "", "2025-03-04T09:00:00+01:00"));
    assert!(c.targets.iter().all(|t| !t.is_filterable()));

    let sl = chart(&charts, "service_level_hourly");
    let cells: Vec<&str> = sl.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(cells, ["75.0%", NO_VALUE, "90.0%"]);
    assert_eq!(
        sl.svg.matches("<circle").count(),
        2,
        "one point per hour with a value"
    );
    assert!(sl.svg.contains("Target 80%"));
}

#[test]
fn category_charts_hold_the_exact_numbers_and_filter_in_x_order() {
    let charts = insights_charts(&sample(), 640, 320);
    let q = chart(&charts, "by_queue");
    assert_eq!(rows(q), [["Billing & Co", "17"], ["Support", "40"]]);
    assert_eq!(
        targets(q),
        [("Billing & Co", "queue", "q2"), ("Support", "queue", "q1")]
    );
    assert!(q.svg.contains("Billing &amp; Co"));

    let ch = chart(&charts, "by_channel");
    assert_eq!(rows(ch), [["Chat", "30"], ["Voice", "20"], ["Email", "7"]]);
    assert_eq!(targets(ch)[1], ("Voice", "channel", "voice"));

    let on = chart(&charts, "ongoing_by_status");
    assert_eq!(
        rows(on),
        [
            ["Open", "4"],
            ["Active", "7"],
            ["Waiting", "1"],
            ["Wrap-up", "2"]
        ]
    );
    let statuses: Vec<&str> = on.targets.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(statuses, ["open", "active", "waiting", "wrap_up"]);
    assert!(on.targets.iter().all(|t| t.param == "status"));

    let ag = chart(&charts, "agents_by_presence");
    let expected = [
        ["Available", "3"],
        ["Busy", "2"],
        ["Busy (DND)", "0"],
        ["Away", "1"],
        ["Offline", "5"],
    ];
    assert_eq!(rows(ag), expected);

    let cap = chart(&charts, "capacity");
    assert_eq!(rows(cap), [["Used", "9"], ["Free", "3"]]);

    let se = chart(&charts, "sentiment");
    let counts: Vec<&str> = se.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(counts, ["0", "1", "0", "9", "3", "0", "0"]);
    assert_eq!(se.rows[0][0], "−3");
    assert_eq!(se.rows[6][0], "+3");
}

#[test]
fn a_click_maps_to_the_category_under_it() {
    let charts = insights_charts(&sample(), 640, 320);
    let q = chart(&charts, "by_queue");
    let (left, right) = q.plot_x;
    let at = |f: f64| {
        q.target_at(left + f * (right - left))
            .map(|t| t.value.as_str())
    };
    assert_eq!(
        (at(0.1), at(0.49), at(0.51), at(0.99)),
        (Some("q2"), Some("q2"), Some("q1"), Some("q1"))
    );
    assert_eq!(q.target_at(left / 2.0), None);
    assert_eq!(q.target_at(f64::NAN), None);
}

#[test]
fn the_empty_report_gives_the_empty_state_everywhere() {
    for c in insights_charts(&KpiReport::default(), 400, 200) {
        assert_well_formed(&c.svg);
        assert!(
            c.svg.contains(NO_DATA) && c.svg.contains(r#"viewBox="0 0 400 200""#),
            "{}",
            c.id
        );
        assert!(c.rows.is_empty() && c.targets.is_empty(), "{}", c.id);
        assert!(!c.columns.is_empty());
    }
}

#[test]
fn huge_counts_and_negative_free_capacity_are_exact_and_drawn() {
    let report = KpiReport {
        capacity: Capacity {
            total: 2,
            used: 5,
            free: -3,
        },
        by_queue: vec![queue("q1", "", i64::MAX)],
        sentiment: [(3, u64::MAX)].into(),
        ..KpiReport::default()
    };
    let charts = insights_charts(&report, 640, 320);
    assert_eq!(
        rows(chart(&charts, "capacity")),
        [["Used", "5"], ["Free", "-3"]]
    );
    assert_eq!(
        rows(chart(&charts, "by_queue")),
        [["q1", &i64::MAX.to_string()]]
    );
    assert_eq!(chart(&charts, "sentiment").rows[6][1], u64::MAX.to_string());
    for id in ["capacity", "by_queue", "sentiment"] {
        let svg = &chart(&charts, id).svg;
        assert!(!svg.contains(NO_DATA) && !svg.contains(UNAVAILABLE), "{id}");
    }
}

#[test]
fn csv_quotes_what_needs_quoting() {
    let c = Chart {
        id: "x".into(),
        title: "X".into(),
        svg: String::new(),
        columns: vec!["Queue".into(), "Incoming".into()],
        rows: vec![vec!["Billing, \"VIP\"".into(), "3".into()]],
        targets: vec![ChartTarget::default()],
        plot_x: (0.1, 0.9),
    };
    assert_eq!(
        c.to_csv(),
        "Queue,Incoming\r\n\"Billing, \"\"VIP\"\"\",3\r\n"
    );
}

#[test]
fn charts_speak_polish_when_asked() {
    let charts = insights_charts_in(Locale::Pl, &sample(), 640, 320);
    let c = chart(&charts, "incoming_closed_hourly");
    assert_eq!(c.title, "Przychodzące i zamknięte w podziale na godziny");
    assert_eq!(c.columns, ["Godzina", "Przychodzące", "Zamknięte"]);
    assert!(c.svg.contains("Przychodzące"), "legend");

    let sl = chart(&charts, "service_level_hourly");
    let cells: Vec<&str> = sl.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(cells, ["75,0\u{a0}%", NO_VALUE, "90,0\u{a0}%"]);
    assert_eq!(sl.columns, ["Godzina", "Poziom obsługi"]);

    let on = chart(&charts, "ongoing_by_status");
    assert_eq!(on.rows[0], ["Otwarte", "4"]);
    assert_eq!(on.targets[0].value, "open", "filters keep their values");
    assert_eq!(chart(&charts, "by_channel").rows[0], ["Czat", "30"]);
    assert_eq!(chart(&charts, "capacity").rows[1], ["Wolne", "3"]);
    assert_eq!(
        chart(&charts, "agents_by_presence").rows[0],
        ["Dostępny", "3"]
    );
    assert!(
        chart(&charts, "by_queue")
            .to_csv()
            .starts_with("Kolejka,Przychodzące\r\n")
    );

    for c in insights_charts_in(Locale::Pl, &KpiReport::default(), 400, 200) {
        assert!(c.svg.contains("Brak danych w tym oknie"), "{}", c.id);
    }
}

#[test]
fn csv_writes_formulas_as_text() {
    let c = Chart {
        id: "x".into(),
        title: "X".into(),
        svg: String::new(),
        columns: vec!["Queue".into(), "Incoming".into()],
        rows: vec![vec!["=HYPERLINK(\"http://evil\")".into(), "-2".into()]],
        targets: vec![ChartTarget::default()],
        plot_x: (0.1, 0.9),
    };
    assert_eq!(
        c.to_csv(),
        "Queue,Incoming\r\n\"'=HYPERLINK(\"\"http://evil\"\")\",-2\r\n"
    );
}
