//! Errors of the server's start-up and commands, each with a message a person can act on.

use thiserror::Error;

/// Why a command could not do its work.
#[derive(Debug, Error)]
pub enum StartError {
    /// The database URL is not one Intraday understands.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedDatabase(String),
    /// The database could not be opened or reached.
    #[error("cannot open the database {url}: {source}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// What the driver said.
        source: sea_orm::DbErr,
    },
    /// A migration failed.
    #[error("migrating the database failed: {0}")]
    Migrate(sea_orm::DbErr),
    /// A file or directory could not be created or read.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `Leptos.toml` is missing or invalid.
    #[error("cannot read the site settings (Leptos.toml in the working directory): {0}")]
    SiteConfig(String),
    /// A database operation failed.
    #[error("database error: {0}")]
    Database(sea_orm::DbErr),
    /// An argument or setting is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The listen address is not `HOST:PORT`.
    #[error("invalid listen address {0:?}: expected HOST:PORT, e.g. 127.0.0.1:3000")]
    Address(String),
}
