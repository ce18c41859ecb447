//! What a rendered chart carries to the page: its SVG, its data table and its click targets.
//! Compiled on both sides so the page keeps using them after hydration.

use serde::{Deserialize, Serialize};

/// A rendered chart: SVG, its text alternative, and what clicking a category filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Stable identifier, e.g. `incoming_closed_hourly`.
    pub id: String,
    /// Title shown above the chart, in the request's language (see `charts::labels`).
    pub title: String,
    /// The SVG document: `width`/`height` from the arguments and a `viewBox`, so CSS can scale it.
    pub svg: String,
    /// The data table header (also the CSV header).
    pub columns: Vec<String>,
    /// The data table, one row per category (text alternative and CSV rows).
    pub rows: Vec<Vec<String>>,
    /// The clickable categories in x order.
    pub targets: Vec<ChartTarget>,
    /// Left and right of the plot area as fractions of the SVG width, so a click's x maps to a
    /// category (see [`Chart::target_at`]).
    pub plot_x: (f64, f64),
}

/// A category of a chart and the filter a click on it applies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartTarget {
    /// What the category is called on the chart, e.g. `Billing`.
    pub label: String,
    /// The filter's query parameter (`queue`, `channel`, `status`), empty if not filterable.
    pub param: String,
    /// The filter's value, e.g. the queue id.
    pub value: String,
}

impl ChartTarget {
    /// Whether clicking this category filters the page.
    pub fn is_filterable(&self) -> bool {
        !self.param.is_empty()
    }
}

impl Chart {
    /// The category under a click at `x`, a fraction (0..1) of the rendered SVG's width; `None`
    /// outside the plot area or when the chart has no categories.
    pub fn target_at(&self, x: f64) -> Option<&ChartTarget> {
        let (left, right) = self.plot_x;
        let n = self.targets.len();
        // `contains` is false for NaN, so a NaN x or plot edge never maps.
        if n == 0 || right <= left || !(left..=right).contains(&x) {
            return None;
        }
        let i = ((x - left) / (right - left) * n as f64).floor() as usize;
        self.targets.get(i.min(n - 1))
    }

    /// The data table as CSV (RFC 4180, formulas written as text: [`crate::csv::field`]).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(&self.columns).chain(&self.rows) {
            let fields: Vec<String> = row.iter().map(|f| crate::csv::field(f)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
        out
    }
}
