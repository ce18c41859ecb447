//! Server functions: thin, they check the caller and ask the server's state.

mod insights;
mod status;

pub use insights::{InsightsData, get_insights};
pub use status::get_server_status;

#[cfg(feature = "ssr")]
pub use insights::LiveSource;
#[cfg(feature = "ssr")]
pub use status::StatusSource;
