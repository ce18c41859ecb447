//! What a server function answers when it fails: the text key a page shows, the values that fill
//! it and the form field or filter it concerns, as data, so that no page parses a sentence back
//! into words of its own language. Its `Display` is the English sentence (logs, and callers of
//! the server functions that are not pages).

use serde::{Deserialize, Serialize};

use crate::model::problem::Problem;

/// A server function's failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    /// The text key: `error.*`, `auth.*` or a form's `problem.*`.
    pub key: String,
    /// The values the text names, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The form field or filter parameter it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    /// The text `key` with no values.
    pub fn key(key: &str) -> AppError {
        AppError {
            key: key.to_owned(),
            args: Vec::new(),
            field: None,
        }
    }

    /// The server is still starting (what the pages need is not provided yet).
    pub fn starting() -> AppError {
        AppError::key("error.starting")
    }

    /// The database did not answer (the cause is in the server's log).
    pub fn database() -> AppError {
        AppError::key("error.database")
    }

    /// The live state is not available.
    pub fn live_unavailable() -> AppError {
        AppError::key("error.live_unavailable")
    }

    /// No agent `id` the caller may see.
    pub fn no_agent(id: &str) -> AppError {
        AppError {
            args: vec![id.to_owned()],
            ..AppError::key("error.no_agent")
        }
    }

    /// Something the pages have no text for: the English `detail` after a lead-in.
    pub fn unexpected(detail: impl std::fmt::Display) -> AppError {
        AppError {
            args: vec![detail.to_string()],
            ..AppError::key("error.unexpected")
        }
    }

    /// A problem with the input (of `field`, when it names one).
    pub fn problem(field: Option<&str>, problem: &Problem) -> AppError {
        AppError {
            key: problem.key.to_owned(),
            args: problem.args.clone(),
            field: field.map(str::to_owned),
        }
    }

    /// A filter parameter that is wrong ([`crate::kpi::QueryError`]'s field): the filter's own
    /// text, or "unknown parameter" for a parameter no filter has.
    pub fn filter(field: &str) -> AppError {
        AppError {
            field: Some(field.to_owned()),
            ..AppError::key(filter_key(field))
        }
    }
}

/// The text key of a wrong filter parameter `field` (one for a parameter no filter has).
pub fn filter_key(field: &str) -> &'static str {
    match field {
        "window" => "error.filter_window",
        "tz" => "error.filter_tz",
        "queue" => "error.filter_queue",
        "channel" => "error.filter_channel",
        "agent" => "error.filter_agent",
        "skill" => "error.filter_skill",
        "status" => "error.filter_status",
        "at" => "error.filter_at",
        "sl" => "error.filter_sl",
        _ => "error.filter_unknown",
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text_in(crate::i18n::Locale::En))
    }
}

impl std::error::Error for AppError {}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // The request never reached the server, or its answer never came back.
            E::Request(_) | E::Response(_) => AppError::key("error.network"),
            other => AppError::unexpected(other),
        }
    }
}

impl From<crate::model::admin::AdminError> for AppError {
    fn from(e: crate::model::admin::AdminError) -> Self {
        AppError::problem(e.field.as_deref(), &e.problem)
    }
}
