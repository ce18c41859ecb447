//! Components shared by several pages.

pub mod live_clock;
pub mod theme_switch;
pub mod top_bar;
