//! One module per page.

pub mod admin;
pub mod agent;
pub mod home;
pub mod insights;
pub mod signin;
pub mod wallboard;
