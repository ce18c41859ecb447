//! Per-token request rate limiting (a token bucket per API token).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per second per token, with a burst of twice that. A rate of 0 disables the limit.
pub struct RateLimiter {
    per_second: f64,
    buckets: Mutex<HashMap<i32, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_second` requests per second per token.
    pub fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the token's bucket; `false` when it is empty.
    pub fn allow(&self, token_id: i32) -> bool {
        self.allow_at(token_id, Instant::now())
    }

    fn allow_at(&self, token_id: i32, now: Instant) -> bool {
        if self.per_second <= 0.0 {
            return true;
        }
        let burst = self.per_second * 2.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets.entry(token_id).or_insert((burst, now));
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
        let limiter = RateLimiter::new(2);
        let t0 = Instant::now();
        assert!((0..4).all(|_| limiter.allow_at(1, t0)));
        assert!(!limiter.allow_at(1, t0));
        assert!(limiter.allow_at(2, t0), "buckets are per token");
        assert!(limiter.allow_at(1, t0 + Duration::from_millis(500)));
        assert!(!limiter.allow_at(1, t0 + Duration::from_millis(500)));
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = RateLimiter::new(0);
        assert!((0..1000).all(|_| limiter.allow(1)));
    }
}
