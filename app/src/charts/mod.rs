//! Charts of the Insights page. The types travel to the browser; drawing them (plotters to SVG)
//! happens on the server only.
//!
//! - [`types`]: [`Chart`] and [`ChartTarget`], on both sides.
//! - [`labels`]: the i18n keys of every word the charts show (drawn in the request's language).
//! - `insights`, `hourly` (server): [`insights_charts_in`], from a [`crate::kpi::KpiReport`];
//!   `draft` (server): one chart before drawing, and drawing it.
//! - `render`, `palette` (server): plotters drawing and the accessible colours.

pub mod labels;
pub mod types;

#[cfg(feature = "ssr")]
mod draft;
#[cfg(feature = "ssr")]
mod hourly;
#[cfg(feature = "ssr")]
mod insights;
#[cfg(feature = "ssr")]
mod palette;
#[cfg(feature = "ssr")]
mod render;

#[cfg(all(test, feature = "ssr", not(target_arch = "wasm32")))]
mod tests;

#[cfg(feature = "ssr")]
pub use insights::{insights_charts, insights_charts_in};
pub use types::{Chart, ChartTarget};
