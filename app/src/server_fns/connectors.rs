//! The Connectors page's server functions: each checks the caller is an admin, then asks the
//! server's [`ConnectorStore`] (Leptos context), which validates, stores and audits.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::connector::ConnectorForm;
use crate::model::connector::{ConnectorActivity, ConnectorInfo};

#[cfg(feature = "ssr")]
pub use store::ConnectorStore;

#[cfg(feature = "ssr")]
mod store {
    use std::sync::Arc;

    use leptos::prelude::*;

    use crate::error::AppError;
    use crate::model::connector::*;
    use crate::server_fns::admin::Fut;

    /// The server's connectors: every change checked, stored and audited as `actor`.
    pub trait ConnectorStore: Send + Sync + 'static {
        /// Every connector, oldest first.
        fn list(&self) -> Fut<'_, Vec<ConnectorInfo>>;
        /// Adds a connector.
        fn add(&self, actor: String, form: ConnectorForm) -> Fut<'_, ConnectorInfo>;
        /// Removes a connector (its events stay in the log).
        fn remove(&self, actor: String, key: String) -> Fut<'_, ()>;
        /// What a connector received.
        fn activity(&self, key: String) -> Fut<'_, ConnectorActivity>;
        /// Sends a test delivery through the connector's mapping and delivery log; returns what
        /// became of it.
        fn test(&self, actor: String, key: String) -> Fut<'_, String>;
        /// Maps a payload kept aside again; returns what became of it.
        fn retry(&self, actor: String, key: String, id: i64) -> Fut<'_, String>;
        /// Deletes a payload kept aside.
        fn discard(&self, actor: String, key: String, id: i64) -> Fut<'_, ()>;
    }

    /// The store, or an error saying the server is not ready.
    pub(super) fn connectors() -> Result<Arc<dyn ConnectorStore>, AppError> {
        use_context::<Arc<dyn ConnectorStore>>().ok_or_else(AppError::starting)
    }
}

#[cfg(feature = "ssr")]
use crate::server_fns::admin::{answer, number};
#[cfg(feature = "ssr")]
use store::connectors;

/// Every connector.
#[server(endpoint = "admin_connectors")]
pub async fn admin_connectors() -> Result<Vec<ConnectorInfo>, AppError> {
    crate::auth::require_admin()?;
    connectors()?.list().await.map_err(answer)
}

/// Adds a Chatwoot connector.
#[server(endpoint = "admin_connector_add")]
pub async fn admin_connector_add(
    #[server(default)] name: String,
    #[server(default)] secret: String,
    #[server(default)] unsigned: Option<String>,
    #[server(default)] queue_by: String,
    #[server(default)] base_url: String,
    #[server(default)] account_id: String,
    #[server(default)] api_token: String,
) -> Result<ConnectorInfo, AppError> {
    let admin = crate::auth::require_admin()?;
    let form = ConnectorForm {
        name,
        secret,
        unsigned: unsigned.is_some(),
        queue_by,
        base_url,
        account_id,
        api_token,
    };
    connectors()?.add(admin.login, form).await.map_err(answer)
}

/// Removes a connector.
#[server(endpoint = "admin_connector_remove")]
pub async fn admin_connector_remove(key: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    connectors()?.remove(admin.login, key).await.map_err(answer)
}

/// What a connector received: counts, newest deliveries, payloads kept aside.
#[server(endpoint = "admin_connector_activity")]
pub async fn admin_connector_activity(key: String) -> Result<ConnectorActivity, AppError> {
    crate::auth::require_admin()?;
    connectors()?.activity(key).await.map_err(answer)
}

/// Sends a test delivery through a connector's mapping and delivery log.
#[server(endpoint = "admin_connector_test")]
pub async fn admin_connector_test(key: String) -> Result<String, AppError> {
    let admin = crate::auth::require_admin()?;
    connectors()?.test(admin.login, key).await.map_err(answer)
}

/// Maps a payload kept aside again.
#[server(endpoint = "admin_dead_letter_retry")]
pub async fn admin_dead_letter_retry(key: String, id: String) -> Result<String, AppError> {
    let admin = crate::auth::require_admin()?;
    let id = number::<i64>("id", &id)?;
    connectors()?
        .retry(admin.login, key, id)
        .await
        .map_err(answer)
}

/// Deletes a payload kept aside.
#[server(endpoint = "admin_dead_letter_discard")]
pub async fn admin_dead_letter_discard(key: String, id: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let id = number::<i64>("id", &id)?;
    connectors()?
        .discard(admin.login, key, id)
        .await
        .map_err(answer)
}
