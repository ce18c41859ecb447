//! Two things the app's code is built with: the texts of `locales/*.json` as static tables
//! (`OUT_DIR/texts.rs`, included by `src/i18n`), and a fingerprint of the source of the live
//! state's types (`src/kpi`, `src/model`) so that a snapshot written by one build is never read
//! by another whose types may differ: postcard is positional, and a changed field would read as
//! garbage rather than fail.

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use std::fmt;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(message) = write_texts() {
        // One line that cargo shows as the build's error.
        println!("cargo::error={message}");
        std::process::exit(1);
    }
    fingerprint_state();
}

/// Writes `OUT_DIR/texts.rs`: for each `locales/<tag>.json` a `pub const <TAG>: &[(&str, &str)]`
/// of its (key, text) pairs, sorted by key. The message names the file and the key when a file
/// cannot be read, is not a JSON object, has a text that is not a string, repeats a key or has
/// one out of order.
fn write_texts() -> Result<(), String> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?;
    let dir = Path::new(&manifest).join("locales");
    println!("cargo:rerun-if-changed={}", dir.display());
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = String::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let tag = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(format!(
                "{}: a locale file is named by its language tag in lowercase letters (pl.json)",
                file.display()
            ));
        }
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let Texts(texts) = serde_json::from_str(&text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => format!("{}: {e}", file.display()),
            _ => format!("{} is not valid JSON: {e}", file.display()),
        })?;
        out.push_str(&format!(
            "/// The texts of `locales/{tag}.json`: (key, text) pairs, sorted by key.\n\
             pub const {}: &[(&str, &str)] = &[\n",
            tag.to_ascii_uppercase()
        ));
        for (key, text) in &texts {
            // `{:?}` writes a Rust string literal: quotes, backslashes and newlines escaped.
            out.push_str(&format!("    ({key:?}, {text:?}),\n"));
        }
        out.push_str("];\n");
    }
    let out_dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let target = Path::new(&out_dir).join("texts.rs");
    std::fs::write(&target, out).map_err(|e| format!("{}: {e}", target.display()))
}

/// A locale file's (key, text) pairs; a text that is not a string, a key given twice or one out
/// of order is an error naming the key. Sorted files keep the languages side by side and the
/// diffs small.
struct Texts(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TextsVisitor).map(Texts)
    }
}

/// Reads a JSON object into [`Texts`], checking each entry as it comes.
struct TextsVisitor;

impl<'de> Visitor<'de> for TextsVisitor {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of \"key\": \"text\" pairs")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut texts: Vec<(String, String)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let serde_json::Value::String(text) = map.next_value()? else {
                return Err(A::Error::custom(format_args!(
                    "the text of \"{key}\" is not a string"
                )));
            };
            if texts.iter().any(|(k, _)| *k == key) {
                return Err(A::Error::custom(format_args!("\"{key}\" is given twice")));
            }
            if let Some((last, _)) = texts.last().filter(|(last, _)| *last > key) {
                return Err(A::Error::custom(format_args!(
                    "\"{key}\" is out of order: keep the keys sorted (it goes before \"{last}\")"
                )));
            }
            texts.push((key, text));
        }
        Ok(texts)
    }
}

/// Sets `INTRADAY_STATE_FINGERPRINT`: a hash of the `.rs` files of `src/kpi` and `src/model`.
fn fingerprint_state() {
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
