//! A signed-in person's own settings, saved for the pages' server functions.

use sea_orm::DatabaseConnection;

/// Saves preferences in the users table.
pub struct Preferences(pub DatabaseConnection);

impl app::server_fns::Preferences for Preferences {
    fn set_locale(
        &self,
        user_id: i32,
        locale: Option<String>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            crate::store::users::set_locale(&self.0, user_id, locale.as_deref())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "saving a language failed");
                    "the language could not be saved; try again".to_owned()
                })
        })
    }

    fn set_ongoing_columns(
        &self,
        user_id: i32,
        columns: Option<String>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            crate::store::users::set_ongoing_columns(&self.0, user_id, columns.as_deref())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "saving the grid's columns failed");
                    "the columns could not be saved; try again".to_owned()
                })
        })
    }
}
