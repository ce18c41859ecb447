//! The built site's files as the browser gets them: names with a content hash, read from the
//! site's own `hash.txt` (so a server built by plain `cargo build` serves the same pages as one
//! built by cargo-leptos), cached for a year since a new build has new names, while pages are
//! revalidated on every visit. The brotli and gzip copies written at build time are served by
//! the static file handler when the browser accepts them.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::LeptosOptions;

/// What the hashed files' responses say: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Points `options` at the site's `hash.txt`, which `make site` puts beside the files it names,
/// else the one beside the running binary (where cargo-leptos writes it, and where Leptos alone
/// would look: right only for the binary cargo-leptos built with that site). Without either
/// the names are left unhashed, and the start says so.
pub fn find_hashes(options: &mut LeptosOptions) {
    if !options.hash_files {
        return;
    }
    let in_site = std::path::Path::new(&*options.site_root).join(&*options.hash_file);
    let by_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&*options.hash_file)));
    let found = std::iter::once(in_site.clone())
        .chain(by_binary)
        .filter_map(|p| std::path::absolute(p).ok())
        .find(|p| p.is_file());
    match found {
        Some(path) => options.hash_file = path.to_string_lossy().into(),
        None => {
            tracing::warn!(
                path = %in_site.display(),
                "the site has no hash file, so the pages name unhashed files; build the site with `make site`"
            );
            options.hash_files = false;
        }
    }
}

/// Sets how long browsers keep a response: the site's hashed files for a year, pages not without
/// asking again. Other answers keep what their handler said.
pub async fn cache_headers(State(hashed): State<bool>, request: Request, next: Next) -> Response {
    let pkg = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let ok = response.status().is_success();
    let headers = response.headers_mut();
    if headers.contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if pkg && ok {
        // The same name answers brotli, gzip or plain bytes: caches must key on what was asked.
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if pkg && hashed && ok {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    } else if html {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    response
}
