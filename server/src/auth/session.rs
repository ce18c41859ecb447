//! Sign-in for people: the session cookie (or a portal's embedded session header), the sign-in
//! and sign-out endpoints with a failed-login limit, cross-site request checks and the security
//! headers of every answer.

use std::time::Duration;

use axum::Form;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use crate::state::AppState;
use crate::store::{self, sessions, users};

/// The session cookie's name on plain HTTP (a loopback server, or `secure_cookies = false`).
pub const COOKIE: &str = "intraday_session";
/// Its name when cookies are `Secure`: the `__Host-` prefix makes the browser refuse one set
/// by another host or over plain HTTP, or with a `Domain`.
pub const SECURE_COOKIE: &str = "__Host-intraday_session";

/// The session cookie's name under these settings.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}
/// The header an embedded page sends its session in (no third-party cookie needed).
pub const EMBED_HEADER: &str = "x-intraday-session";
/// The query parameter an embedded page's EventSource sends its session in.
pub const EMBED_QUERY: &str = "session";

/// The session token a request carries: the cookie (named `cookie_name`), else the embed
/// header, else (for the page's EventSource, which cannot set headers) the `session` query
/// parameter.
pub fn presented(request: &Request, cookie_name: &str) -> Option<(String, Carrier)> {
    if let Some(token) = cookie(request.headers(), cookie_name) {
        return Some((token, Carrier::Cookie));
    }
    if let Some(token) = request
        .headers()
        .get(EMBED_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return Some((token.trim().to_owned(), Carrier::Header));
    }
    request
        .uri()
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == EMBED_QUERY)
        .map(|(_, v)| (v.to_owned(), Carrier::Header))
}

/// The session token of a signed-in request (request extension), for what must check the
/// session again later: a live stream.
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// How the session came: a cookie is sent by the browser on its own, so state-changing requests
/// that rely on it must prove they come from our own pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// The `intraday_session` cookie.
    Cookie,
    /// A header (or query parameter) the page's own code added.
    Header,
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the request says it comes from a page of this same site: its `Origin` (or, when a
/// browser sends none, its `Referer`) names the host the request was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    source.is_some_and(|s| {
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or("");
        rest.split('/').next() == Some(host)
    })
}

/// Paths of the app's pages that need a signed-in person.
fn is_private_page(path: &str) -> bool {
    path == "/"
        || ["/my", "/insights", "/wallboard", "/ongoing", "/admin"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Identifies the person of every request (into the request's extensions, where pages and
/// server functions read it), refuses cross-site state changes, sends signed-out visitors of a
/// page to the sign-in page, and adds the security headers.
pub async fn identify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let https = crate::http::client::over_https(&request, &state.config.trusted_proxies);
    let nonce = crate::auth::security::Nonce::new();
    // Every answer carries the security headers, refusals and redirects included.
    let mut response = identified(&state, &path, nonce.clone(), request, next).await;
    crate::auth::security::add_headers(&state, &path, &nonce, https, response.headers_mut()).await;
    response
}

/// [`identify`] up to the answer, whose headers it adds.
async fn identified(
    state: &AppState,
    path: &str,
    nonce: crate::auth::security::Nonce,
    mut request: Request,
    next: Next,
) -> Response {
    let embed_path = path == "/embed" || path.starts_with("/embed/");
    if embed_path
        && request.method() == Method::GET
        && let Some(token) = query_param(request.uri(), "token")
    {
        let locale = {
            let headers = request.headers();
            let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
            app::i18n::resolve_locale(
                header(header::COOKIE),
                header(header::ACCEPT_LANGUAGE),
                None,
            )
        };
        match embed_sign_in(state, &token, locale).await {
            Ok((session, viewer)) => {
                request
                    .extensions_mut()
                    .insert(app::auth::EmbedSession(session));
                request.extensions_mut().insert(viewer);
                request.extensions_mut().insert(nonce);
                return next.run(request).await;
            }
            Err(response) => return response,
        }
    }
    // The site's static files (WASM, JS, CSS, icons) are the same for everyone: no lookup.
    let asset = path.starts_with("/pkg/") || path == "/favicon.svg";
    let presented = if asset {
        None
    } else {
        presented(&request, state.cookie_name(&request))
    };
    let viewer = match &presented {
        Some((token, _)) => match sessions::find(&state.db, token).await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(axum::http::header::RETRY_AFTER, "1")],
                    "the session store is unavailable; retry",
                )
                    .into_response();
            }
        },
        None => None,
    };
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // Only a request the browser adds credentials to on its own can be forged from another
    // site: one with the session cookie, or the sign-in form (which would sign the victim in
    // as the attacker). A bearer token or the embed header is added by the caller's own code,
    // but an `Authorization` header beside the cookie excuses nothing: the cookie still
    // identifies the caller to the pages' server functions.
    let ambient =
        matches!(presented, Some((_, Carrier::Cookie))) || request.uri().path() == "/auth/signin";
    if unsafe_method && ambient && !same_origin(request.headers()) {
        return (
            StatusCode::FORBIDDEN,
            "cross-site request refused: this request must come from Intraday's own pages",
        )
            .into_response();
    }
    if viewer.is_none() && request.method() == Method::GET && is_private_page(path) {
        let next = request
            .uri()
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned());
        return Redirect::to(&format!("/signin?next={}", encode(&next))).into_response();
    }
    if let Some(viewer) = viewer {
        if let Some((token, _)) = &presented {
            request.extensions_mut().insert(SessionToken(token.clone()));
        }
        if let (true, Some((token, Carrier::Header))) = (embed_path, &presented) {
            // An embedded page reloaded with its session: it keeps sending it.
            request
                .extensions_mut()
                .insert(app::auth::EmbedSession(token.clone()));
        }
        request.extensions_mut().insert(viewer);
    }
    request.extensions_mut().insert(nonce);
    next.run(request).await
}

/// A query parameter's (percent-decoded) value.
fn query_param(uri: &axum::http::Uri, name: &str) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| decode(v))
        .filter(|v| !v.is_empty())
}

/// Undoes percent-encoding (and `+` for space) of a query value.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks a portal's sign-in token and starts an embed session; the refusal page otherwise.
async fn embed_sign_in(
    state: &AppState,
    token: &str,
    locale: app::i18n::Locale,
) -> Result<(String, app::auth::Viewer), Response> {
    use crate::auth::embed::EmbedError;
    let now = store::now_ms();
    let refused = |e: EmbedError| {
        tracing::info!(error = %e, "embedded sign-in refused");
        embed_refused(&e, locale)
    };
    let unavailable = |e: sea_orm::DbErr| {
        tracing::error!(error = %e, "embedded sign-in could not be stored");
        embed_refused(&EmbedError::Malformed, locale)
    };
    let signed =
        crate::auth::embed::verify_signed(state.config.embed_secret.as_deref(), token, now / 1000)
            .map_err(refused)?;
    // A token signs in once: a leaked link (history, logs, a shared screen) is spent.
    let first_use = sessions::use_embed_token(&state.db, &signed.once_key, signed.exp * 1000)
        .await
        .map_err(unavailable)?;
    if !first_use {
        return Err(refused(EmbedError::Replayed));
    }
    let viewer = signed.viewer;
    let lifetime = i64::from(state.config.embed_session_minutes) * 60_000;
    let session = sessions::start(&state.db, &viewer, now + lifetime)
        .await
        .map_err(unavailable)?;
    tracing::info!(login = %viewer.login, role = viewer.role.as_str(), "signed in from a portal");
    let _ = store::audit::record(
        &state.db,
        &format!("portal:{}", viewer.login),
        "session.embed",
        &viewer.login,
        serde_json::json!({"role": viewer.role.as_str(), "queues": viewer.queues}),
    )
    .await;
    Ok((session, viewer))
}

/// The page a refused embedded sign-in shows inside the portal's frame.
fn embed_refused(error: &crate::auth::embed::EmbedError, locale: app::i18n::Locale) -> Response {
    use crate::auth::embed::EmbedError;
    let key = match error {
        EmbedError::Expired => "signin.error_expired",
        EmbedError::Replayed => "embed.replayed",
        EmbedError::NotConfigured => "embed.not_configured",
        _ => "embed.invalid",
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>Intraday</title></head>\
         <body><p role=\"alert\" data-testid=\"embed-refused\">{}</p></body></html>",
        locale.as_str(),
        app::i18n::tr(locale, key)
    );
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// Forgets expired sessions and used portal tokens every hour.
pub async fn purge(db: sea_orm::DatabaseConnection) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match sessions::purge_expired(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "expired sessions forgotten"),
            Err(e) => tracing::error!(error = %e, "purging expired sessions failed"),
        }
        if let Err(e) = sessions::purge_used_embed_tokens(&db).await {
            tracing::error!(error = %e, "purging used portal tokens failed");
        }
    }
}

/// What a `next=` value keeps as it is: letters, digits, `-_.~` and `/` (a path stays
/// readable). Every other byte is percent-encoded.
const NEXT_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, NEXT_VALUE).to_string()
}

/// Where to go after signing in: a path of this site only (never another site).
fn safe_next(next: Option<&str>) -> String {
    app::auth::safe_next(next.unwrap_or("/"))
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    /// Login.
    #[serde(default)]
    pub login: String,
    /// Password.
    #[serde(default)]
    pub password: String,
    /// Where to go next.
    pub next: Option<String>,
}

/// The largest sign-in form accepted (login, password, next and their names).
pub const MAX_SIGNIN_BYTES: usize = 4 * 1024;
/// The longest login accepted at sign-in (in characters).
pub const MAX_LOGIN_CHARS: usize = 128;
/// The longest password accepted at sign-in (in characters).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// `POST /auth/signin`: checks the password (at most [`MAX_FAILURES`] failures per login from
/// one address in [`FAILURE_WINDOW`], each address slowed down after many), starts a session,
/// ends the one the browser had and sets the cookie. A form over [`MAX_SIGNIN_BYTES`] is a 413
/// and a login or password over its limit a 400, before any lookup or hashing.
///
/// [`MAX_FAILURES`]: crate::auth::login_limit::MAX_FAILURES
/// [`FAILURE_WINDOW`]: crate::auth::login_limit::FAILURE_WINDOW
pub async fn sign_in(State(state): State<AppState>, request: Request) -> Response {
    use crate::auth::login_limit::loggable;
    let too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_SIGNIN_BYTES);
    if too_large {
        return too_large_form();
    }
    let address = crate::http::client::address(&request, &state.config.trusted_proxies);
    let secure = state.secure_cookies(&request);
    let previous = presented(&request, state.cookie_name(&request))
        .filter(|(_, carrier)| *carrier == Carrier::Cookie)
        .map(|(token, _)| token);
    let form = match Form::<SignInForm>::from_request(request, &()).await {
        Ok(Form(form)) => form,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large_form(),
        Err(_) => return back("invalid", None),
    };
    let next = safe_next(form.next.as_deref());
    let login = form.login.trim().to_owned();
    if login.chars().count() > MAX_LOGIN_CHARS || form.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return (
            StatusCode::BAD_REQUEST,
            format!(
                "a login has at most {MAX_LOGIN_CHARS} characters and a password at most {MAX_PASSWORD_CHARS}"
            ),
        )
            .into_response();
    }
    if let Some(wait) = state.logins.wait(&login, address) {
        tracing::warn!(login = %loggable(&login), "sign-in refused: too many failures");
        return back(
            &format!("locked&wait={}", wait.as_secs().div_ceil(60)),
            Some(&next),
        );
    }
    // No login longer than a valid one exists: no lookup and no password check for it.
    let user = if crate::store::users::valid_login(&login) {
        match users::find(&state.db, &login).await {
            Ok(u) => u,
            Err(e) => {
                tracing::error!(error = %e, "user lookup failed");
                return back("unavailable", Some(&next));
            }
        }
    } else {
        None
    };
    let stored = user
        .as_ref()
        .map_or(users::decoy_hash(), |u| &u.password_hash)
        .to_owned();
    let Some(matches) = state.passwords.verify(form.password, stored).await else {
        tracing::warn!("sign-in refused: too many sign-ins waiting for a password check");
        return back("unavailable", Some(&next));
    };
    let viewer = match (matches, user.as_ref().and_then(users::viewer)) {
        (true, Some(v)) => v,
        _ => {
            state.logins.failed(&login, address);
            tracing::info!(login = %loggable(&login), "sign-in failed");
            return back("invalid", Some(&next));
        }
    };
    state.logins.succeeded(&login, address);
    // Signing in again ends the session this browser had (whoever it was).
    if let Some(previous) = previous
        && let Err(e) = sessions::end(&state.db, &previous).await
    {
        tracing::error!(error = %e, "ending the previous session failed");
    }
    let expires = store::now_ms() + sessions::SESSION_MS;
    let token = match sessions::start(&state.db, &viewer, expires).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "session start failed");
            return back("unavailable", Some(&next));
        }
    };
    tracing::info!(login = %viewer.login, role = viewer.role.as_str(), "signed in");
    let _ = store::audit::record(
        &state.db,
        &viewer.login,
        "session.sign_in",
        &viewer.login,
        serde_json::json!({}),
    )
    .await;
    // An agent asked for no page in particular starts at their own work.
    let next = if next == "/" && viewer.role == app::auth::Role::Agent && viewer.agent_id.is_some()
    {
        "/my".to_owned()
    } else {
        next
    };
    let mut response = Redirect::to(&next).into_response();
    set_cookie(&mut response, secure, &token, sessions::SESSION_MS / 1000);
    response
}

fn too_large_form() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the sign-in form may be at most {MAX_SIGNIN_BYTES} bytes"),
    )
        .into_response()
}

/// Sets (or, with `max_age` 0, clears) the session cookie.
fn set_cookie(response: &mut Response, secure: bool, token: &str, max_age: i64) {
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `POST /auth/signout`: ends the session and clears its cookie.
pub async fn sign_out(State(state): State<AppState>, request: Request) -> Response {
    if let Some((token, _)) = presented(&request, state.cookie_name(&request)) {
        match sessions::end(&state.db, &token).await {
            Ok(()) => state.hub.callers_changed(),
            Err(e) => tracing::error!(error = %e, "session end failed"),
        }
    }
    let mut response = Redirect::to("/signin?error=signed_out").into_response();
    set_cookie(&mut response, state.secure_cookies(&request), "", 0);
    response
}

use axum::extract::FromRequest;

/// Back to the sign-in page saying why.
fn back(error: &str, next: Option<&str>) -> Response {
    let next = next
        .map(|n| format!("&next={}", encode(n)))
        .unwrap_or_default();
    Redirect::to(&format!("/signin?error={error}{next}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn next_values_keep_only_paths_readable() {
        assert_eq!(
            encode("/insights?queue=a b&window=4h#x"),
            "/insights%3Fqueue%3Da%20b%26window%3D4h%23x"
        );
        assert_eq!(encode("/a,b:c"), "/a%2Cb%3Ac");
        assert_eq!(encode("100%"), "100%25");
        assert_eq!(
            encode("/zażółć €"),
            "/za%C5%BC%C3%B3%C5%82%C4%87%20%E2%82%AC"
        );
        // Every ASCII character as the hand-written encoder before it did.
        for b in 0u8..128 {
            let c = char::from(b);
            let kept = c.is_ascii_alphanumeric() || "-_.~/".contains(c);
            let want = if kept {
                c.to_string()
            } else {
                format!("%{b:02X}")
            };
            assert_eq!(encode(&c.to_string()), want, "{b}");
        }
    }

    #[test]
    fn only_our_own_pages_count_as_same_origin() {
        let ok = headers(&[
            ("host", "a.example:3000"),
            ("origin", "http://a.example:3000"),
        ]);
        assert!(same_origin(&ok));
        let referer = headers(&[
            ("host", "a.example"),
            ("referer", "https://a.example/insights"),
        ]);
        assert!(same_origin(&referer));
        let other = headers(&[("host", "a.example"), ("origin", "https://evil.example")]);
        assert!(!same_origin(&other));
        let suffix = headers(&[("host", "a.example"), ("origin", "https://a.example.evil")]);
        assert!(!same_origin(&suffix));
        assert!(!same_origin(&headers(&[("host", "a.example")])));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/insights?queue=a")), "/insights?queue=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; intraday_session=ses_x; b=2")]);
        assert_eq!(cookie(&h, COOKIE).as_deref(), Some("ses_x"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
