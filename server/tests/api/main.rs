//! Integration tests of the server: real listener, real database (SQLite and PostgreSQL).
//!
//! Each test serves the app on a two-worker multi-thread runtime, as `intraday serve` runs on
//! these 2-core machines: on a current-thread runtime a Leptos SSR page stream could stall
//! before its first chunk now and then (seen for `GET /insights` in about one cold run in
//! three; cf. leptos-rs/leptos#4647, SSR streams hanging with a single tokio worker).

mod actions;
mod admin;
mod auth;
mod backup;
mod cli;
mod crash;
mod embed;
mod health;
mod helpers;
mod ingest;
mod kpi_stream;
mod language;
mod logs;
mod metrics;
mod migrate;
mod openapi;
mod page_stream;
mod panels;
mod read;
mod replicas;
mod retention;
mod simulate;
mod site_config;
mod sse;
mod stream;
