//! The server's status, for the start page.

use leptos::prelude::*;

use crate::error::AppError;

use crate::model::status::ServerStatus;

/// Where [`get_server_status`] gets its answer; the server provides one through Leptos context.
#[cfg(feature = "ssr")]
pub trait StatusSource: Send + Sync + 'static {
    /// The current status, or a message for the log when the database cannot answer.
    fn status(
        &self,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<ServerStatus, String>> + Send + '_>>;
}

/// Version, database kind and number of stored events.
#[server(endpoint = "server_status")]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    use std::sync::Arc;
    crate::auth::require_signed_in()?;
    let source = use_context::<Arc<dyn StatusSource>>().ok_or_else(AppError::starting)?;
    source.status().await.map_err(|message| {
        leptos::logging::error!("get_server_status: {message}");
        AppError::database()
    })
}
