#!/usr/bin/env bash
# Installs what `make run` / `make test` need, idempotently: fast when everything is present.
# Nothing here downloads a prebuilt binary: Rust tools come from crates.io, wasm-opt and
# Playwright from npm, Chromium from Debian.
#   scripts/ensure-tools.sh build   # toolchain, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/ensure-tools.sh test    # the same, plus Chromium and a reachable PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}

CARGO_LEPTOS_VERSION=0.3.2
say() { printf '==> %s\n' "$*"; }

rust_version=$(rustc --version | awk '{print $2}')
case "$rust_version" in
  1.95.*) ;;
  *) say "warning: rustc $rust_version found; Intraday is built and tested with Rust 1.95" ;;
esac

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once per machine, about 14 minutes on 2 cores)"
  cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (matches Cargo.lock)"
  # Not --locked: that release's own lock file pins a crate the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# npm packages of end2end/: Playwright (test runner only, no browser download) and binaryen,
# whose wasm-opt understands what rustc 1.95 emits (Debian's binaryen 108 does not).
stamp=end2end/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ end2end/package-lock.json -nt "$stamp" ]; then
  say "installing end2end npm packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "$what" = test ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get install -y chromium || { $sudo_cmd apt-get update && $sudo_cmd apt-get install -y chromium; }
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "error: PostgreSQL is not reachable at 127.0.0.1:5432; the tests need it (see README, Troubleshooting)" >&2
    exit 1
  fi
fi
