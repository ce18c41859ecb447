//! What keeps sign-in from being guessed or used to exhaust the server: failed sign-ins
//! counted per (login, address) and per address in a table of bounded size, and the password
//! checks (19 MiB and tens of milliseconds of argon2 each) run a few at a time.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per login from one address in [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// The window failed sign-ins are counted over.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures one address may have in the window before each further attempt must wait.
pub const ADDRESS_FREE: usize = 20;
/// The longest an address is made to wait between attempts.
pub const ADDRESS_MAX_WAIT: Duration = Duration::from_secs(64);
/// Keys the table holds at most (each ~150 bytes: a hashed login, an address and at most
/// [`ADDRESS_KEEP`] instants), so a flood of new names costs ~15 MB at worst.
pub const MAX_KEYS: usize = 100_000;
/// Failures kept per address (enough to reach [`ADDRESS_MAX_WAIT`]).
const ADDRESS_KEEP: usize = ADDRESS_FREE + 7;

/// Whom a failure counts against. The login is kept as a keyed hash, never as its text: a
/// failure costs the same few bytes whatever was typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// One login from one address: locked after [`MAX_FAILURES`].
    Pair(u64, Option<IpAddr>),
    /// Every login from one address: slowed down after [`ADDRESS_FREE`].
    Address(IpAddr),
}

/// Failed sign-ins in memory (a restart forgets them).
pub struct LoginLimiter {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
    hasher: std::hash::RandomState,
    max_keys: usize,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::with_capacity(MAX_KEYS)
    }
}

impl LoginLimiter {
    /// A limiter holding at most `max_keys` keys.
    pub fn with_capacity(max_keys: usize) -> LoginLimiter {
        LoginLimiter {
            failures: Mutex::default(),
            hasher: std::hash::RandomState::new(),
            max_keys,
        }
    }

    fn keys(&self, login: &str, address: Option<IpAddr>) -> [Option<Key>; 2] {
        [
            Some(Key::Pair(self.hasher.hash_one(login), address)),
            address.map(Key::Address),
        ]
    }

    /// How long `login` from `address` must wait before trying again, if at all.
    pub fn wait(&self, login: &str, address: Option<IpAddr>) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        self.keys(login, address)
            .into_iter()
            .flatten()
            .filter_map(|key| map.get(&key).and_then(|times| wait_of(key, times, now)))
            .max()
    }

    /// Counts a failed sign-in of `login` from `address`.
    pub fn failed(&self, login: &str, address: Option<IpAddr>) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        for key in self.keys(login, address).into_iter().flatten() {
            if !map.contains_key(&key) && map.len() >= self.max_keys {
                // Full: forget whatever no longer holds anyone back; the locks stay.
                map.retain(|k, times| {
                    expire(times, now);
                    wait_of(*k, times, now).is_some()
                });
                if map.len() >= self.max_keys {
                    tracing::warn!("the failed sign-in table is full of active locks");
                    continue;
                }
            }
            let times = map.entry(key).or_default();
            expire(times, now);
            times.push_back(now);
            let keep = match key {
                Key::Pair(..) => MAX_FAILURES,
                Key::Address(_) => ADDRESS_KEEP,
            };
            while times.len() > keep {
                times.pop_front();
            }
        }
    }

    /// A successful sign-in: forgets the failures of `login` from `address` (the address's
    /// own count stays: one good password does not excuse guessing others').
    pub fn succeeded(&self, login: &str, address: Option<IpAddr>) {
        let [pair, _] = self.keys(login, address);
        if let Some(pair) = pair {
            self.failures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&pair);
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Whether no failure is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn expire(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= FAILURE_WINDOW)
    {
        times.pop_front();
    }
}

/// How long a key with these failures must wait at `now`.
fn wait_of(key: Key, times: &VecDeque<Instant>, now: Instant) -> Option<Duration> {
    let live: Vec<&Instant> = times
        .iter()
        .filter(|t| now.duration_since(**t) < FAILURE_WINDOW)
        .collect();
    match key {
        Key::Pair(..) => (live.len() >= MAX_FAILURES)
            .then(|| {
                live.first()
                    .map(|t| FAILURE_WINDOW - now.duration_since(**t))
            })
            .flatten(),
        Key::Address(_) => {
            let over = live.len().checked_sub(ADDRESS_FREE)?;
            let gap = Duration::from_secs(1 << over.min(6)).min(ADDRESS_MAX_WAIT);
            let since = now.duration_since(**live.last()?);
            gap.checked_sub(since).filter(|d| !d.is_zero())
        }
    }
}

/// Password checks in flight at once (the rest queue, up to [`MAX_QUEUED`]), so a queue of
/// sign-ins cannot take every core from ingest and the streams.
pub struct PasswordGate {
    permits: tokio::sync::Semaphore,
    queued: AtomicUsize,
}

/// Sign-ins that may wait for a password check; more are told to try again.
pub const MAX_QUEUED: usize = 32;

impl Default for PasswordGate {
    fn default() -> Self {
        // One core is left to the rest of the server.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PasswordGate {
            permits: tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1)),
            queued: AtomicUsize::new(0),
        }
    }
}

impl PasswordGate {
    /// Checks `password` against `stored` when a permit is free; `None` when too many
    /// sign-ins are already waiting.
    pub async fn verify(&self, password: String, stored: String) -> Option<bool> {
        // Counted out when dropped, also when the client goes away while it waits (the
        // request's future is dropped then): a leak would close sign-in for everyone.
        struct Queued<'a>(&'a AtomicUsize);
        impl Drop for Queued<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let queued = Queued(&self.queued);
        if self.queued.fetch_add(1, Ordering::AcqRel) >= MAX_QUEUED {
            return None;
        }
        let permit = self.permits.acquire().await;
        drop(queued);
        let _permit = permit.ok()?;
        let matches = tokio::task::spawn_blocking(move || {
            crate::store::users::verify_password(&password, &stored)
        })
        .await
        .unwrap_or(false);
        Some(matches)
    }
}

/// A login as the logs show it: escaped (no forged log lines) and at most 64 characters.
pub fn loggable(login: &str) -> String {
    let mut out: String = login
        .chars()
        .take(64)
        .flat_map(char::escape_debug)
        .collect();
    if login.chars().count() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn a_login_locks_from_one_address_only() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_FAILURES - 1 {
            l.failed("admin", ip("10.0.0.9"));
        }
        assert_eq!(l.wait("admin", ip("10.0.0.9")), None);
        l.failed("admin", ip("10.0.0.9"));
        assert!(
            l.wait("admin", ip("10.0.0.9"))
                .is_some_and(|d| d <= FAILURE_WINDOW)
        );
        // Someone else's guesses do not lock the admin out of their own address.
        assert_eq!(l.wait("admin", ip("10.0.0.1")), None);
        assert_eq!(l.wait("bob", ip("10.0.0.9")), None);
        l.succeeded("admin", ip("10.0.0.9"));
        assert_eq!(l.wait("admin", ip("10.0.0.9")), None);
    }

    #[test]
    fn an_address_guessing_many_logins_is_slowed_down() {
        let l = LoginLimiter::default();
        for n in 0..ADDRESS_FREE {
            l.failed(&format!("user{n}"), ip("10.0.0.9"));
        }
        assert!(l.wait("someone", ip("10.0.0.9")).is_some());
        assert_eq!(l.wait("someone", ip("10.0.0.8")), None);
    }

    #[test]
    fn a_full_table_forgets_what_holds_nobody_back_but_keeps_locks() {
        let l = LoginLimiter::with_capacity(50);
        for _ in 0..MAX_FAILURES {
            l.failed("admin", ip("10.0.0.9"));
        }
        for n in 0..500 {
            l.failed(
                &format!("x{n}"),
                ip(&format!("10.1.{}.{}", n / 200, n % 200)),
            );
        }
        assert!(l.len() <= 50, "{}", l.len());
        assert!(l.wait("admin", ip("10.0.0.9")).is_some(), "the lock stays");
    }

    #[tokio::test]
    async fn a_sign_in_that_gives_up_while_waiting_frees_its_place() {
        let gate = PasswordGate::default();
        let held = gate.permits.acquire().await.expect("permit");
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let others: Vec<_> = (1..cores.saturating_sub(1).max(1))
            .filter_map(|_| gate.permits.try_acquire().ok())
            .collect();
        // Many sign-ins start waiting and are dropped (their clients went away).
        for _ in 0..MAX_QUEUED * 2 {
            let waiting = gate.verify("x".into(), "y".into());
            let _ = tokio::time::timeout(Duration::from_millis(1), waiting).await;
        }
        assert_eq!(gate.queued.load(Ordering::Acquire), 0);
        drop(held);
        drop(others);
        assert_eq!(
            gate.verify("x".into(), "not a hash".into()).await,
            Some(false)
        );
    }

    #[test]
    fn logged_logins_are_escaped_and_cut() {
        assert_eq!(loggable("ann\nlevel=admin"), "ann\\nlevel=admin");
        assert_eq!(loggable(&"a".repeat(100)).chars().count(), 65);
    }
}
