//! What a signed-in person sets for themselves: their language.

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
