//! The Intraday server: command line, database, HTTP routes; serves the SSR'd app.

/// mimalloc rather than glibc's malloc: a KPI report allocates and frees thousands of small
/// strings, and glibc then spent about half of a report's time in `_int_malloc` and
/// `malloc_consolidate` (`perf`, 1 M-conversation day). Declared here, in the library, so the
/// binary, the tests and the benches all run on the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives memory this thread freed back to the OS now rather than keeping it for later
/// allocations: after a large, short-lived use (reading a snapshot).
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions; it only returns free pages of the allocator
    // this crate installs above.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

pub mod actions;
pub mod admin;
pub mod auth;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod db;
pub mod error;
pub mod http;
pub mod ingest;
pub mod live;
pub mod ops;
pub mod outbox;
pub mod simulator;
pub mod state;
pub mod store;
pub mod stream;
pub mod tasks;
