//! Server functions: thin, they check the caller and ask the server's state.

pub mod admin;
mod agent;
pub mod connectors;
mod insights;
pub mod my;
pub mod ongoing;
mod profile;
mod status;

pub use agent::{GetAgentDetail, SetAgentPresence, get_agent_detail, set_agent_presence};
pub use insights::{InsightsData, PanelData, get_insights};
pub use profile::{SetMyLanguage, SetMyOngoingColumns, set_my_language, set_my_ongoing_columns};
pub use status::get_server_status;

#[cfg(feature = "ssr")]
pub use agent::ActionSink;
#[cfg(feature = "ssr")]
pub use insights::{LiveSource, PanelSource};
#[cfg(feature = "ssr")]
pub use my::MySource;
#[cfg(feature = "ssr")]
pub use ongoing::OngoingSource;
#[cfg(feature = "ssr")]
pub use profile::Preferences;
#[cfg(feature = "ssr")]
pub use status::StatusSource;
