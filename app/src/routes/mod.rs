//! One module per page.

pub mod admin;
pub mod agent;
pub mod home;
pub mod insights;
pub mod my;
pub mod ongoing;
pub mod signin;
pub mod wallboard;

/// The path prefix of the app's own links: `/embed` inside a portal's frame, else none.
pub fn base() -> &'static str {
    if crate::auth::embed_session().is_some() {
        "/embed"
    } else {
        ""
    }
}
