//! Fingerprints the source of the live state's types (`src/kpi`, `src/model`) so that a
//! snapshot written by one build is never read by another whose types may differ: postcard is
//! positional, and a changed field would read as garbage rather than fail.

use std::path::Path;

fn main() {
    let mut files = Vec::new();
    for dir in ["src/kpi", "src/model"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    files.sort();
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for f in &files {
        let text = std::fs::read(f).unwrap_or_default();
        for b in f.to_string_lossy().bytes().chain(text) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=INTRADAY_STATE_FINGERPRINT={hash:016x}");
}

/// The `.rs` files under `dir`, tests left out (they do not shape the state).
fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                collect(&path, out);
            }
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}
