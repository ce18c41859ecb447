//! The holes found when the server was tried as an attacker would (SECURITY.md): each test sends
//! the request that exploited one and checks it now gets the answer SECURITY.md names.

mod hardening;
mod scope;
mod sign_in;

use std::time::Duration;

use serde_json::json;
use server::config::Config;

use crate::auth::two_queues;
use crate::helpers::{TestApp, request, request_with, spawn_app, spawn_app_with};
use crate::sse::connect;

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A user with a password, for signing in through the form.
async fn user(app: &TestApp, login: &str, role: &str, queues: &[&str]) {
    let new = server::store::users::NewUser {
        login: login.into(),
        role: app::auth::Role::parse(role).expect("role"),
        queues: queues.iter().map(|q| q.to_string()).collect(),
        agent_id: None,
    };
    server::store::users::insert(&app.db, &new, "a long enough password")
        .await
        .expect("user");
}

/// Posts the sign-in form (from the site's own page) with extra headers.
async fn sign_in(app: &TestApp, form: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let mut headers = vec![
        ("Origin", app.base.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    headers.extend_from_slice(extra);
    let (status, head, _) =
        request_with(&app.base, "POST", "/auth/signin", &headers, form.as_bytes()).await;
    (status, head)
}

fn signed_in(head: &str) -> Option<String> {
    header(head, "set-cookie")
        .and_then(|c| c.split(';').next())
        .filter(|c| !c.ends_with('='))
        .map(str::to_owned)
}
