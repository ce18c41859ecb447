//! The Intraday server: command line, database, HTTP routes; serves the SSR'd app.

pub mod actions;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod history;
pub mod http;
pub mod ingest;
pub mod live;
pub mod metrics;
pub mod panels;
pub mod read_api;
pub mod ready;
pub mod replica;
pub mod retention;
pub mod serve;
pub mod simulate;
pub mod simulator;
pub mod status;
pub mod store;
pub mod stream;
pub mod telemetry;
pub mod token;
