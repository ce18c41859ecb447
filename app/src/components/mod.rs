//! Components shared by several pages.

pub mod access;
pub mod agents_table;
pub mod alerts;
pub mod charts_grid;
pub mod errors;
#[cfg(feature = "hydrate")]
pub mod event_stream;
pub mod filter_bar;
pub mod kpi_tiles;
pub mod language_switch;
pub mod live_clock;
pub mod live_feed;
pub mod queue_table;
pub mod replay;
pub mod report_panels;
pub mod saved_views;
pub mod theme_switch;
pub mod ticker;
pub mod top_bar;
