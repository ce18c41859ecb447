//! Fuzz targets on stable Rust: structure-aware generators (proptest) for every parser that
//! reads what a caller sends — the ingest body, the event validator, the ledger fed arbitrary
//! event sequences, the read API's query, the portal's embed token, Chatwoot's signature and
//! payloads. Each input must end in an answer (accepted, or refused naming the problem), never
//! a panic; the ledger must stay all or nothing.
//!
//! `INTRADAY_FUZZ_CASES` sets the inputs per target (default 256, as `make test` runs them;
//! `make fuzz CASES=1000000` for millions). A case proptest shrinks to is saved in
//! `tests/fuzz-corpus/regressions.txt` and tried first on every run; the hand-written corpus
//! beside it (`tests/fuzz-corpus/<target>/…`) is replayed by `the_corpus_replays`.

mod corpus;
mod targets;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// The runner's settings: the cases from `INTRADAY_FUZZ_CASES`, found cases kept.
pub fn config() -> Config {
    let cases = std::env::var("INTRADAY_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fuzz-corpus/regressions.txt"
        )))),
        // Shrinking a million-case run's failure can take long; a few thousand steps find it.
        max_shrink_iters: 4_096,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ingest_bodies_parse_or_say_where(bytes in targets::body_bytes(), ndjson in any::<bool>()) {
        targets::body(&bytes, ndjson)?;
    }

    #[test]
    fn events_are_accepted_or_refused_naming_a_field(event in targets::event_like()) {
        targets::event(&event)?;
    }

    #[test]
    fn the_ledger_takes_any_sequence_all_or_nothing(batches in targets::event_batches()) {
        targets::ledger(&batches)?;
    }

    #[test]
    fn read_queries_parse_or_name_the_filter(pairs in targets::query_pairs()) {
        targets::query(&pairs)?;
    }

    #[test]
    fn embed_tokens_are_refused_unless_signed(token in targets::embed_token()) {
        targets::embed(&token)?;
    }

    #[test]
    fn chatwoot_signatures_never_let_a_changed_body_in(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        signature in ".{0,80}",
        timestamp in "[0-9 +-]{0,14}",
    ) {
        targets::signature(&body, &signature, &timestamp)?;
    }

    #[test]
    fn chatwoot_payloads_map_to_valid_events_or_a_reason(
        payload in targets::chatwoot_payload(),
        history in targets::chatwoot_history(),
    ) {
        targets::chatwoot(&payload, &history)?;
    }
}
