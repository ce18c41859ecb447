//! The committed corpus: inputs that once broke a parser somewhere, or sit on an edge, each
//! replayed through its target's checker on every run (`tests/fuzz-corpus/<target>/`).

use std::path::Path;

use serde_json::Value;

use crate::targets;

fn files(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| {
            let path = f.expect("entry").path();
            (
                path.display().to_string(),
                std::fs::read(&path).expect("read"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{} holds no case", dir.display());
    out
}

fn json(name: &str, bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_corpus_replays() {
    let check = |name: &str, r: Result<(), proptest::test_runner::TestCaseError>| {
        if let Err(e) = r {
            panic!("{name}: {e}");
        }
    };
    for (name, bytes) in files("body") {
        check(&name, targets::body(&bytes, false));
        check(&name, targets::body(&bytes, true));
    }
    for (name, bytes) in files("event") {
        check(&name, targets::event(&json(&name, &bytes)));
    }
    for (name, bytes) in files("ledger") {
        let batches: Vec<Vec<Value>> =
            serde_json::from_value(json(&name, &bytes)).expect("batches");
        check(&name, targets::ledger(&batches));
    }
    for (name, bytes) in files("query") {
        let text = String::from_utf8_lossy(&bytes);
        let pairs: Vec<(String, String)> = text
            .trim_end_matches('\n')
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        check(&name, targets::query(&pairs));
    }
    for (name, bytes) in files("embed") {
        for line in String::from_utf8_lossy(&bytes).lines() {
            check(&name, targets::embed(&(line.to_owned(), false)));
        }
    }
    for (name, bytes) in files("chatwoot") {
        let case = json(&name, &bytes);
        let history: Vec<Value> =
            serde_json::from_value(case["history"].clone()).unwrap_or_default();
        check(&name, targets::chatwoot(&case["payload"], &history));
    }
}
