//! Integration tests of the server: real listener, real database (SQLite and PostgreSQL).

mod cli;
mod health;
mod helpers;
mod migrate;
mod site_config;
