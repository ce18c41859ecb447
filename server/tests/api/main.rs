//! Integration tests of the server: real listener, real database (SQLite and PostgreSQL).

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
