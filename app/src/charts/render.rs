//! Draws one chart's data with plotters into an SVG string: grouped bars or lines with a target,
//! a legend, category labels, and `currentColor` text; or the empty state.

use std::error::Error;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{self, INK, INK_HEX};

/// Rendered text size in px (plotters writes `font-size` as the size / 1.24).
const FONT_PX: f64 = 12.0;
/// A rough mean glyph advance at [`FONT_PX`], for spacing labels (the browser lays out the text).
const CHAR_PX: f64 = 7.0;
/// Category labels longer than this are cut with an ellipsis (the data table has them whole).
const MAX_LABEL_CHARS: usize = 16;
/// Labels are cut to what their slot holds, but never below this (then some are skipped).
const MIN_LABEL_CHARS: usize = 6;

/// One series of values, one per category; `None` draws nothing there.
pub struct Series {
    /// Its legend name.
    pub name: &'static str,
    /// Its colour (unless [`Plot::bar_colours`] colours each bar).
    pub colour: RGBColor,
    /// A value per category.
    pub values: Vec<Option<f64>>,
}

/// How the series are drawn.
pub enum Kind {
    /// Bars side by side within each category.
    Bars,
    /// Lines broken where a value is missing, with a dashed target line at this value.
    Line {
        /// The target's value.
        target: f64,
        /// The target's legend name.
        name: &'static str,
    },
}

/// What to draw.
pub struct Plot {
    /// Category labels in x order.
    pub labels: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
    /// Each category's own bar colour (status, presence…); empty to use the series colour.
    pub bar_colours: Vec<RGBColor>,
    /// Bars or line.
    pub kind: Kind,
    /// Values are percentages (0…100): fixed 0–100 % axis.
    pub percent: bool,
}

type Drawn<T> = Result<T, Box<dyn Error>>;

impl Plot {
    /// Whether there is nothing to draw: no category, or no finite non-zero value.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() || !self.finite_values().any(|v| v != 0.0)
    }

    fn finite_values(&self) -> impl Iterator<Item = f64> + '_ {
        let values = self.series.iter().flat_map(|s| s.values.iter().flatten());
        values.copied().filter(|v| v.is_finite())
    }

    /// The y range: always includes 0, with a little headroom.
    fn y_range(&self) -> (f64, f64) {
        let (lo, hi) = self
            .finite_values()
            .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (lo, hi) = if self.percent {
            (lo, hi.max(100.0))
        } else {
            // Small counts still get whole-number ticks.
            (lo, hi.max(4.0))
        };
        let pad = (hi - lo) * 0.08;
        (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad)
    }
}

/// Renders `plot` at `width` × `height`: the SVG and the plot area's left and right as fractions
/// of the width.
pub fn render(plot: &Plot, title: &str, width: u32, height: u32) -> Drawn<(String, (f64, f64))> {
    let mut svg = String::new();
    let plot_x = draw(&mut svg, plot, width, height)?;
    let svg = svg.replace(INK_HEX, "currentColor").replacen(
        "<svg ",
        &format!(r#"<svg role="img" aria-label="{}" "#, escape(title)),
        1,
    );
    Ok((svg, plot_x))
}

fn draw(buf: &mut String, plot: &Plot, width: u32, height: u32) -> Drawn<(f64, f64)> {
    let root = SVGBackend::with_string(buf, (width, height)).into_drawing_area();
    let (lo, hi) = plot.y_range();
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(format!("no finite y range for {lo}…{hi}").into());
    }
    let y_label = |v: &f64| y_label(*v, plot.percent);
    // The widest tick label is at an end of the axis, or a compact one (`-999.5k`) in between.
    let compact = if hi.max(-lo) >= 1e4 { 7 } else { 0 };
    let y_area = [lo.floor(), hi.ceil()]
        .iter()
        .map(|v| y_label(v).chars().count())
        .fold(compact, usize::max);
    let legend = plot.series.len() > 1 || matches!(plot.kind, Kind::Line { .. });
    let n = plot.labels.len();
    let mut chart = ChartBuilder::on(&root)
        .margin_top(if legend { 28 } else { 10 })
        .margin_right(12)
        .margin_left(4)
        .x_label_area_size(24)
        .y_label_area_size((y_area as f64 * CHAR_PX) as u32 + 12)
        .build_cartesian_2d(0f64..n as f64, lo..hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&y_label)
        .max_light_lines(0)
        .axis_style(INK.mix(0.5))
        .bold_line_style(INK.mix(0.12))
        .label_style(text_style())
        .draw()?;
    match plot.kind {
        Kind::Bars => draw_bars(&mut chart, plot)?,
        Kind::Line { target, .. } => draw_lines(&mut chart, plot, target)?,
    }
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    draw_categories(&root, &plot.labels, (xr.start, xr.end), yr.end + 6)?;
    if legend {
        draw_legend(&root, plot, xr.start)?;
    }
    root.present()?;
    let w = f64::from(width);
    Ok((f64::from(xr.start) / w, f64::from(xr.end) / w))
}

type Cartesian<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn draw_bars(chart: &mut Cartesian<'_, '_>, plot: &Plot) -> Drawn<()> {
    let m = plot.series.len().max(1) as f64;
    let width = 0.7 / m;
    for (k, s) in plot.series.iter().enumerate() {
        let bars = s.values.iter().enumerate().filter_map(|(i, v)| {
            let v = v.filter(|v| v.is_finite())?;
            let colour = plot.bar_colours.get(i).copied().unwrap_or(s.colour);
            let x0 = i as f64 + 0.15 + k as f64 * width;
            Some(Rectangle::new(
                [(x0, 0.0), (x0 + width, v)],
                colour.filled(),
            ))
        });
        chart.draw_series(bars)?;
    }
    Ok(())
}

fn draw_lines(chart: &mut Cartesian<'_, '_>, plot: &Plot, target: f64) -> Drawn<()> {
    let n = plot.labels.len() as f64;
    let dashed = DashedLineSeries::new(
        [(0.0, target), (n, target)],
        6,
        4,
        palette::AMBER.stroke_width(2),
    );
    chart.draw_series(dashed)?;
    for s in &plot.series {
        let points: Vec<Option<(f64, f64)>> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i as f64 + 0.5, v)))
            .collect();
        for run in points.split(Option::is_none) {
            chart.draw_series(LineSeries::new(
                run.iter().flatten().copied(),
                s.colour.stroke_width(2),
            ))?;
        }
        chart.draw_series(
            points
                .iter()
                .flatten()
                .map(|&p| Circle::new(p, 3, s.colour.filled())),
        )?;
    }
    Ok(())
}

/// Category labels centred under their slots, every `step`-th one when they would overlap.
fn draw_categories(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    labels: &[String],
    (left, right): (i32, i32),
    y: i32,
) -> Drawn<()> {
    let n = labels.len().max(1);
    let slot = f64::from(right - left) / n as f64;
    // Cut labels to what a slot holds (at least MIN_LABEL_CHARS), then skip labels if even
    // those would overlap.
    let fits = ((slot - 8.0) / CHAR_PX).floor().max(0.0) as usize;
    let max_chars = fits.clamp(MIN_LABEL_CHARS, MAX_LABEL_CHARS);
    let longest = labels
        .iter()
        .map(|l| l.chars().count().min(max_chars))
        .max()
        .unwrap_or(0);
    let step = ((longest as f64 * CHAR_PX + 8.0) / slot.max(1.0))
        .ceil()
        .max(1.0) as usize;
    let style = text_style().pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in labels.iter().enumerate().step_by(step) {
        let x = f64::from(left) + (i as f64 + 0.5) * slot;
        root.draw(&Text::new(
            shorten(label, max_chars),
            (x.round() as i32, y),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// A swatch and name per series (and the target), above the plot.
fn draw_legend(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    plot: &Plot,
    left: i32,
) -> Drawn<()> {
    let mut entries: Vec<(&str, RGBColor, bool)> = plot
        .series
        .iter()
        .map(|s| (s.name, s.colour, false))
        .collect();
    if let Kind::Line { name, .. } = plot.kind {
        entries.push((name, palette::AMBER, true));
    }
    let style = text_style().pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = left;
    for (name, colour, line) in entries {
        let swatch = if line {
            [(x, 9), (x + 12, 11)]
        } else {
            [(x, 4), (x + 12, 16)]
        };
        root.draw(&Rectangle::new(swatch, colour.filled()))?;
        root.draw(&Text::new(name, (x + 17, 10), style.clone()))?;
        x += 17 + (name.chars().count() as f64 * CHAR_PX) as i32 + 16;
    }
    Ok(())
}

fn text_style() -> TextStyle<'static> {
    ("sans-serif", FONT_PX * 1.24).into_font().color(&INK)
}

fn shorten(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        return label.to_owned();
    }
    let cut: String = label.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A y-axis label: `80%`, or a count (`12`, `12.5k`, `3.1M`…); nothing at fractional counts.
fn y_label(v: f64, percent: bool) -> String {
    let v = v + 0.0; // no "-0"
    if percent {
        return format!("{v:.0}%");
    }
    if (v - v.round()).abs() > 1e-9 {
        return String::new();
    }
    let a = v.abs();
    let (div, unit) = match a {
        a if a >= 1e12 => return format!("{v:.1e}"),
        a if a >= 1e9 => (1e9, "B"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= 1e4 => (1e3, "k"),
        _ => return format!("{v:.0}"),
    };
    let label = format!("{:.1}", v / div);
    format!("{}{unit}", label.trim_end_matches(".0"))
}

/// The empty state: a sentence in the middle, in the card's text colour.
pub fn empty_svg(title: &str, message: &str, width: u32, height: u32) -> String {
    let (t, m) = (escape(title), escape(message));
    format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}: {m}"><text x="{}" y="{}" text-anchor="middle" dominant-baseline="middle" font-family="sans-serif" font-size="14" fill="currentColor" opacity="0.75">{m}</text></svg>"#,
        width / 2,
        height / 2
    )
}

/// Escapes text for XML content and attribute values.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
