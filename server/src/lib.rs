//! The Intraday server: command line, database, HTTP routes; serves the SSR'd app.

pub mod cli;
pub mod db;
pub mod error;
pub mod http;
pub mod serve;
pub mod status;
pub mod telemetry;
