//! Running the server: liveness and readiness, metrics, logs, retention and the start page's
//! status answer.

pub mod metrics;
pub mod ready;
pub mod retention;
pub mod status;
pub mod telemetry;
