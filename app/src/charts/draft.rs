//! One chart before drawing (its data table, click targets and what to draw), and drawing it
//! into a [`Chart`] with its title in the page's language.

use super::labels;
use super::render::{self, Plot};
use super::types::{Chart, ChartTarget};
use crate::i18n::{Locale, tr};

/// One chart before drawing.
pub(super) struct Draft {
    /// Chart id (its title comes from [`labels::title`]).
    pub id: &'static str,
    /// Data table header, already in the chart's language.
    pub columns: Vec<&'static str>,
    /// Data table, one row per category.
    pub rows: Vec<Vec<String>>,
    /// Click targets, one per category.
    pub targets: Vec<ChartTarget>,
    /// What to draw.
    pub plot: Plot,
}

/// `d` drawn at `width` × `height` px, its words in `locale`; an empty plot, or one that could
/// not be drawn, says so.
pub(super) fn finish(d: Draft, locale: Locale, width: u32, height: u32) -> Chart {
    let title = labels::title(d.id)
        .map_or(d.id, |k| tr(locale, k))
        .to_owned();
    let columns = d.columns.iter().map(|c| (*c).to_owned()).collect();
    let (svg, rows, targets, plot_x) = if d.plot.is_empty() {
        let svg = render::empty_svg(&title, tr(locale, labels::NO_DATA), width, height);
        (svg, Vec::new(), Vec::new(), (0.0, 1.0))
    } else {
        match render::render(&d.plot, &title, width, height) {
            Ok((svg, plot_x)) => (svg, d.rows, d.targets, plot_x),
            // The data table still holds the numbers; only the picture is missing.
            Err(_) => {
                let svg = render::empty_svg(&title, tr(locale, labels::UNAVAILABLE), width, height);
                (svg, d.rows, Vec::new(), (0.0, 1.0))
            }
        }
    };
    Chart {
        id: d.id.to_owned(),
        title,
        svg,
        columns,
        rows,
        targets,
        plot_x,
    }
}

/// A category and its filter.
pub(super) fn target(label: &str, param: &str, value: &str) -> ChartTarget {
    ChartTarget {
        label: label.to_owned(),
        param: param.to_owned(),
        value: value.to_owned(),
    }
}
