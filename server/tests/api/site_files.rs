//! The built site as browsers get it: the pages name the hashed files the site's `hash.txt`
//! lists (whichever way the server binary was built), those files come brotli or gzip
//! compressed as the browser accepts, from the copies written at build time, and are cached for
//! a year, while pages are revalidated on each visit.

use crate::helpers::{header, spawn_app_with_site};

const HASH: &str = "0a1b2c3d4e5f";

/// A built site: hashed files, their compressed copies (distinct bytes, to see which one is
/// served) and the hash file.
fn site(kind: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("intraday-site-{kind}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    for (name, bytes) in [
        (format!("intraday.{HASH}.wasm"), &b"raw wasm"[..]),
        (format!("intraday.{HASH}.wasm.br"), b"brotli wasm"),
        (format!("intraday.{HASH}.wasm.gz"), b"gzip wasm"),
        (format!("intraday.{HASH}.js"), b"export default 1;"),
        (format!("intraday.{HASH}.css"), b"body{}"),
    ] {
        std::fs::write(pkg.join(name), bytes).expect("write");
    }
    let hashes = format!("js: {HASH}\nwasm: {HASH}\ncss: {HASH}\n");
    std::fs::write(dir.join("hash.txt"), hashes).expect("hash.txt");
    dir
}

each_backend! {
    async fn hashed_files_come_compressed_and_cached_and_pages_name_them(kind) {
        let dir = site(&format!("{kind:?}"));
        let app = spawn_app_with_site(kind, dir.to_str().expect("utf-8")).await;
        let wasm = format!("/pkg/intraday.{HASH}.wasm");
        for (accept, encoding, body) in [
            ("br, gzip", Some("br"), "brotli wasm"),
            ("gzip", Some("gzip"), "gzip wasm"),
            ("identity", None, "raw wasm"),
        ] {
            let (status, head, text) = crate::helpers::request_with(
                &app.base, "GET", &wasm, &[("Accept-Encoding", accept)], b"",
            )
            .await;
            assert_eq!(status, 200, "{accept}: {head}");
            assert_eq!(header(&head, "content-encoding"), encoding, "{accept}: {head}");
            assert_eq!(text, body, "{accept}");
            assert_eq!(
                header(&head, "cache-control"),
                Some("public, max-age=31536000, immutable"),
                "{head}"
            );
            assert!(
                header(&head, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{head}"
            );
        }
        // A page: revalidated each time, naming this build's files.
        let (status, head, page) = crate::helpers::request_with(&app.base, "GET", "/signin", &[], b"").await;
        assert_eq!(status, 200, "{head}");
        assert_eq!(header(&head, "cache-control"), Some("private, no-cache"), "{head}");
        for name in [format!("intraday.{HASH}.wasm"), format!("intraday.{HASH}.js"), format!("intraday.{HASH}.css")] {
            assert!(page.contains(&format!("/pkg/{name}")), "{name} not named in the page");
        }
        assert!(!page.contains("intraday_bg.wasm"), "an unhashed name");
        // A file the site does not have is not cached as if it were.
        let (status, head, _) = crate::helpers::request_with(&app.base, "GET", "/pkg/intraday.old.wasm", &[], b"").await;
        assert_eq!(status, 404);
        assert_ne!(header(&head, "cache-control"), Some("public, max-age=31536000, immutable"));
    }
}
