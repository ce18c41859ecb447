# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export INTRADAY_TEST_PG ?= postgres://postgres@127.0.0.1:5432/test

LOGS := target/test-logs
SIMULATE ?= 1
SEED ?= 1
# The demo users' password (make run seeds them into an empty database).
DEMO_PASSWORD ?= intraday-demo

.PHONY: run test bench bench-ui faults fuzz soak tools tools-test site fmt-check clippy unit e2e summary

## Build the release site and serve it on the embedded SQLite database.
run: tools site
	INTRADAY_DEMO_PASSWORD='$(DEMO_PASSWORD)' ./target/release/intraday serve $(if $(filter 0,$(SIMULATE)),--no-simulate,--simulate --backfill 24h --seed $(SEED))

## Benchmarks (on demand; figures go in the README).
bench: tools-test
	cargo bench -p server --bench ingest
	ulimit -n 8192 2>/dev/null; cargo bench -p server --bench fanout
	ulimit -n 8192 2>/dev/null; cargo bench -p server --bench hostile
	cargo bench -p server --bench ongoing
	ulimit -n 8192 2>/dev/null; cargo bench -p server --bench desks

## The browser benchmarks (live updates, the 10,000-row grid) against the release server.
bench-ui: tools-test site
	cd end2end && npx playwright test -c bench.config.ts

## Fault trials on demand (RELIABILITY.md): TRIALS kill -9 trials per backend (make test runs 2),
## the PostgreSQL outage, SQLite's full disk, read-only disk and busy lock, late and repeated deliveries,
## damaged snapshots and upgrades.
TRIALS ?= 50
faults: tools-test
	time INTRADAY_FAULT_TRIALS=$(TRIALS) cargo test -p server --test api -- crash:: faults:: disk:: delivery:: snapshot:: migrate::

## The fuzz targets (tests/fuzz/) with CASES inputs each (default 1,000,000; make test runs
## 256): the ingest body, the event validator, the ledger, the read API's query, embed tokens,
## Chatwoot's signature and payloads. A failing case is saved to tests/fuzz-corpus/regressions.txt.
CASES ?= 1000000
fuzz:
	time INTRADAY_FUZZ_CASES=$(CASES) cargo test --release -p server --test fuzz

## The soak (RELIABILITY.md) on demand, in release: CLIENTS stream clients (grids, agents'
## dashboards, a few that never read) for MINUTES while RATE events a second and supervisor
## actions arrive; make test runs a short one. DB: a database URL (default a new SQLite file).
CLIENTS ?= 1000
RATE ?= 500
MINUTES ?= 30
soak: tools-test
	ulimit -n 8192 2>/dev/null; time INTRADAY_SOAK_CLIENTS=$(CLIENTS) INTRADAY_SOAK_RATE=$(RATE) \
		INTRADAY_SOAK_SECONDS=$$(( $(MINUTES) * 60 )) INTRADAY_SOAK_CLIENT_BUFFER=1024 $(if $(DB),INTRADAY_SOAK_DB='$(DB)') \
		cargo test --release -p server --test soak -- --nocapture

## Everything: formatting, clippy (server and browser feature sets), unit and integration tests
## on SQLite and PostgreSQL, and browser tests against the release server.
test: tools-test fmt-check clippy unit site e2e summary

tools:
	@scripts/ensure-tools.sh build

tools-test:
	@scripts/ensure-tools.sh test

## The release server binary and the size-optimised WASM, JS and CSS under target/site, with
## hashed names and brotli and gzip copies. Skipped when nothing it is built from changed since
## the last build (cargo-leptos itself would regenerate and re-optimise the same WASM); a
## server binary rebuilt since by `cargo bench` or `cargo build` counts as a change.
SITE_INPUTS := $(shell find app frontend server/src server/build.rs migrations style public -type f 2>/dev/null) \
	Cargo.toml Cargo.lock Leptos.toml app/Cargo.toml frontend/Cargo.toml server/Cargo.toml \
	migrations/Cargo.toml $(wildcard target/release/intraday)
SITE_STAMP := target/site/.built

site: $(SITE_STAMP)

$(SITE_STAMP): $(SITE_INPUTS)
	cargo leptos build --release --precompress
	cp target/release/hash.txt target/site/hash.txt
	touch $@

fmt-check:
	cargo fmt --all --check

clippy:
	cargo clippy -p server -p app -p migrations --all-targets -- -D warnings
	cargo clippy -p frontend -p app --all-targets --target wasm32-unknown-unknown -- -D warnings

unit:
	@mkdir -p $(LOGS)
	cargo test -p server -p app -p migrations 2>&1 | tee $(LOGS)/cargo-test.log

e2e:
	@mkdir -p $(LOGS)
	cd end2end && npx playwright test 2>&1 | tee ../$(LOGS)/playwright.log

summary:
	@echo "==> cargo test:"
	@awk '/^test result:/ {p+=$$4; f+=$$6; i+=$$8} END {printf "    %d passed; %d failed; %d ignored\n", p, f, i}' $(LOGS)/cargo-test.log
	@echo "==> playwright:"
	@grep -E '^\s+[0-9]+ (passed|failed|flaky|skipped)' $(LOGS)/playwright.log | sed 's/^ */    /'
