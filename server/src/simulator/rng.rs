//! A small deterministic random source: xoshiro256** seeded through SplitMix64, with the few
//! distributions the simulation samples from.

/// xoshiro256** — fast, statistically sound, and the same on every platform for a given seed.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    /// Expands `seed` with SplitMix64, as the xoshiro authors recommend.
    pub fn new(seed: u64) -> Rng {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
            spare_normal: None,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in `[0, n)`; `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with probability proportional to its weight.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Poisson with mean `lambda`: Knuth's product method, on chunks of at most 30 so that
    /// `exp(-lambda)` never underflows (a sum of independent Poissons is Poisson).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        let mut remaining = lambda.max(0.0);
        let mut count = 0;
        while remaining > 0.0 {
            let chunk = remaining.min(30.0);
            remaining -= chunk;
            let limit = (-chunk).exp();
            let mut product = self.uniform();
            while product > limit {
                count += 1;
                product *= self.uniform();
            }
        }
        count
    }

    /// Standard normal by Box–Muller; the second value of each pair is kept for the next call.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // in (0, 1], so ln is finite
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = std::f64::consts::TAU * u2;
        self.spare_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// Lognormal given its median and the standard deviation of its logarithm.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(values: impl Iterator<Item = f64>) -> f64 {
        let v: Vec<f64> = values.collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn same_seed_gives_the_same_stream_and_different_seeds_differ() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(9);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(9);
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(10);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn uniform_stays_in_the_unit_interval_and_centres_on_a_half() {
        let mut r = Rng::new(1);
        let values: Vec<f64> = (0..20_000).map(|_| r.uniform()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let m = mean(values.into_iter());
        assert!((m - 0.5).abs() < 0.01, "mean {m}");
    }

    #[test]
    fn distributions_have_their_textbook_means() {
        let mut r = Rng::new(2);
        let exp = mean((0..20_000).map(|_| r.exponential(3.0)));
        assert!((exp - 3.0).abs() < 0.15, "exponential mean {exp}");
        let small = mean((0..20_000).map(|_| f64::from(r.poisson(0.7))));
        assert!((small - 0.7).abs() < 0.03, "poisson(0.7) mean {small}");
        let large = mean((0..5_000).map(|_| f64::from(r.poisson(75.0))));
        assert!((large - 75.0).abs() < 0.6, "poisson(75) mean {large}");
        let normal = mean((0..20_000).map(|_| r.normal()));
        assert!(normal.abs() < 0.03, "normal mean {normal}");
        let mut logs: Vec<f64> = (0..20_001).map(|_| r.lognormal(240.0, 0.6)).collect();
        logs.sort_by(f64::total_cmp);
        let median = logs[10_000];
        assert!((median - 240.0).abs() < 10.0, "lognormal median {median}");
    }

    #[test]
    fn below_and_weighted_cover_their_range() {
        let mut r = Rng::new(3);
        let mut seen = [0usize; 5];
        for _ in 0..5_000 {
            seen[r.below(5)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 850), "{seen:?}");
        let mut picks = [0usize; 3];
        for _ in 0..10_000 {
            picks[r.weighted(&[1.0, 0.0, 3.0])] += 1;
        }
        assert_eq!(picks[1], 0);
        assert!(picks[2] > picks[0] * 2, "{picks:?}");
    }
}
