//! What a signed-in person sets for themselves: their language, the Ongoing grid's columns.

use leptos::prelude::*;

use crate::error::AppError;

/// Where [`set_my_language`] saves a person's choice; the server provides one through context.
#[cfg(feature = "ssr")]
pub trait Preferences: Send + Sync + 'static {
    /// Saves user `user_id`'s language (`None`: follow the browser).
    fn set_locale(
        &self,
        user_id: i32,
        locale: Option<String>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;

    /// Saves user `user_id`'s Ongoing grid columns (comma-separated; `None`: the default).
    fn set_ongoing_columns(
        &self,
        user_id: i32,
        columns: Option<String>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;
}

/// Saves the signed-in person's language (`en`, `pl`), so every browser they use opens in it.
#[server(endpoint = "my_language")]
pub async fn set_my_language(locale: String) -> Result<(), AppError> {
    use std::sync::Arc;

    let viewer = crate::auth::require_signed_in()?;
    let Some(locale) = crate::i18n::Locale::parse(&locale) else {
        return Err(crate::auth::fail(
            400,
            AppError::unexpected(format!(
                "locale: {locale:?} is not a language of Intraday (en, pl)"
            )),
        ));
    };
    let Some(user_id) = viewer.user_id else {
        // A portal's embedded sign-in has no stored user; the cookie alone remembers it.
        return Ok(());
    };
    let store = use_context::<Arc<dyn Preferences>>().ok_or_else(AppError::starting)?;
    store
        .set_locale(user_id, Some(locale.as_str().to_owned()))
        .await
        .map_err(AppError::unexpected)
}

/// Saves the Ongoing grid's columns the signed-in supervisor chose (in the order of
/// [`crate::ongoing::view::Column::ALL`]), so every browser they use shows the same grid. An empty
/// list goes back to the default columns.
#[server(endpoint = "my_ongoing_columns", input = leptos::server_fn::codec::Json)]
pub async fn set_my_ongoing_columns(columns: Vec<String>) -> Result<(), AppError> {
    use std::sync::Arc;

    use crate::ongoing::view::Column;

    let (viewer, _) = crate::auth::require_supervisor()?;
    let all = Column::ALL.len();
    if columns.len() > all {
        return Err(crate::auth::fail(
            400,
            AppError::unexpected(format!(
                "columns: {} given, the grid has {all}",
                columns.len()
            )),
        ));
    }
    let mut chosen = Vec::with_capacity(columns.len());
    for name in &columns {
        let Some(c) = Column::parse(name) else {
            let shown: String = name.chars().take(32).collect();
            return Err(crate::auth::fail(
                400,
                AppError::unexpected(format!("columns: {shown:?} is not a column of the grid")),
            ));
        };
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    chosen.sort_by_key(|c| Column::ALL.iter().position(|x| x == c));
    let Some(user_id) = viewer.user_id else {
        // A portal's embedded sign-in has no stored user: its browser keeps the choice.
        return Ok(());
    };
    let list = (!chosen.is_empty()).then(|| {
        chosen
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    let store = use_context::<Arc<dyn Preferences>>().ok_or_else(AppError::starting)?;
    store
        .set_ongoing_columns(user_id, list)
        .await
        .map_err(AppError::unexpected)
}
