//! Per-caller request rate limiting: a token bucket per API token (ingest) or per reader (a
//! token's or a person's name, for the read API and the streams). Only authenticated callers
//! get a bucket, so the table is as large as the tokens and people, never as the requests.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per second per caller, with a burst of twice that. A rate of 0 disables the limit.
pub struct RateLimiter<K = i32> {
    per_second: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    /// A limiter allowing `per_second` requests per second per caller.
    pub fn new(per_second: u32) -> RateLimiter<K> {
        RateLimiter {
            per_second: f64::from(per_second),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the caller's bucket; `false` when it is empty.
    pub fn allow<Q>(&self, caller: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.allow_at(caller, Instant::now())
    }

    fn allow_at<Q>(&self, caller: &Q, now: Instant) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if self.per_second <= 0.0 {
            return true;
        }
        let burst = self.per_second * 2.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !buckets.contains_key(caller) {
            buckets.insert(caller.to_owned(), (burst, now));
        }
        let Some((tokens, last)) = buckets.get_mut(caller) else {
            return true;
        };
        let refill = now.saturating_duration_since(*last).as_secs_f64() * self.per_second;
        *tokens = (*tokens + refill).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_allows_burst_then_refills() {
        let limiter = RateLimiter::<i32>::new(2);
        let t0 = Instant::now();
        assert!((0..4).all(|_| limiter.allow_at(&1, t0)));
        assert!(!limiter.allow_at(&1, t0));
        assert!(limiter.allow_at(&2, t0), "buckets are per token");
        assert!(limiter.allow_at(&1, t0 + Duration::from_millis(500)));
        assert!(!limiter.allow_at(&1, t0 + Duration::from_millis(500)));
    }

    #[test]
    fn readers_are_kept_apart_by_name() {
        let limiter = RateLimiter::<String>::new(1);
        let t0 = Instant::now();
        assert!(limiter.allow_at("sup.a", t0) && limiter.allow_at("sup.a", t0));
        assert!(!limiter.allow_at("sup.a", t0));
        assert!(
            limiter.allow_at("sup.b", t0),
            "another reader has its own bucket"
        );
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = RateLimiter::<i32>::new(0);
        assert!((0..1000).all(|_| limiter.allow(&1)));
    }
}
