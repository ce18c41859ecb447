//! Charts of the Insights page. The types travel to the browser; drawing them (plotters to SVG)
//! happens on the server only.
//!
//! - [`types`]: [`Chart`] and [`ChartTarget`], on both sides.
//! - [`labels`]: every English word the charts show.
//! - `insights`, `hourly` (server): [`insights_charts`], from a [`crate::kpi::KpiReport`].
//! - `render`, `palette` (server): plotters drawing and the accessible colours.

pub mod labels;
pub mod types;

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
pub use insights::insights_charts;
pub use types::{Chart, ChartTarget};
