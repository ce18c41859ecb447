//! Supervisor actions from the app: submitted through the ingest path like any event (same
//! validation, same log, same live state) and recorded in the audit log.

use app::error::AppError;
use app::model::problem::Problem;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use app::server_fns::ActionSink;

use crate::ingest::{IngestError, Ingestor};

/// The server's [`ActionSink`].
pub struct Actions {
    /// The single writer.
    pub ingestor: Arc<Ingestor>,
}

impl ActionSink for Actions {
    fn act(
        &self,
        actor: String,
        action: &'static str,
        target: String,
        events: Vec<serde_json::Value>,
    ) -> Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + '_>> {
        Box::pin(async move {
            let detail = serde_json::Value::Array(events.clone());
            match self.ingestor.submit(events).await {
                Ok(_) => {}
                Err(IngestError::Invalid(errors)) => {
                    return Err(AppError::unexpected(
                        errors
                            .into_iter()
                            .map(|e| e.message)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ));
                }
                Err(e) => {
                    tracing::error!(error = %e, action, "a supervisor action could not be stored");
                    return Err(AppError::problem(
                        None,
                        &Problem::new("problem.action_internal", &[]),
                    ));
                }
            }
            if let Err(e) =
                crate::store::audit::record(self.ingestor.db(), &actor, action, &target, detail)
                    .await
            {
                tracing::error!(error = %e, action, "auditing a supervisor action failed");
            }
            Ok(())
        })
    }
}
