//! The security headers of every answer: a content security policy with a per-request script
//! nonce (the pages' own inline scripts carry it), no framing except by the admin's allowlisted
//! portals on `/embed/…`, no MIME sniffing, no referrer to other sites.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::state::AppState;

/// The settings key of the origins allowed to frame `/embed/…` (a JSON list).
pub const EMBED_ORIGINS: &str = "embed_origins";

/// This request's script nonce (request extension; the pages' inline scripts carry it).
#[derive(Clone, Debug)]
pub struct Nonce(pub String);

impl Nonce {
    /// 128 random bits, hex.
    pub fn new() -> Nonce {
        let mut bytes = [0u8; 16];
        // Without randomness the nonce is still unique enough per process start, and
        // getrandom failing means the OS is broken; keep serving.
        let _ = getrandom::fill(&mut bytes);
        Nonce(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl Default for Nonce {
    fn default() -> Self {
        Nonce::new()
    }
}

/// The origins allowed to frame `/embed/…`, as the admin set them.
pub async fn embed_origins(state: &AppState) -> Vec<String> {
    match crate::store::settings::get(&state.db, EMBED_ORIGINS).await {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_default(),
        Ok(None) => Vec::new(),
        Err(e) => {
            tracing::error!(error = %e, "reading the embedding origins failed");
            Vec::new()
        }
    }
}

/// The `frame-ancestors` source list for a path.
pub async fn frame_ancestors(state: &AppState, path: &str) -> String {
    if path == "/embed" || path.starts_with("/embed/") {
        let origins = embed_origins(state).await;
        if !origins.is_empty() {
            return origins.join(" ");
        }
    }
    "'none'".to_owned()
}

/// Adds the security headers to an answer for `path` (`https`: the browser came over HTTPS,
/// so it is told to keep doing so).
pub async fn add_headers(
    state: &AppState,
    path: &str,
    nonce: &Nonce,
    https: bool,
    headers: &mut HeaderMap,
) {
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let ancestors = frame_ancestors(state, path).await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-src http: https:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {ancestors}",
        nonce.0
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if ancestors == "'none'" {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
}
