//! Additive counters behind the windowed KPIs: one conversation's contribution to a time range,
//! and the sums of many. Integer milliseconds keep sums exact, so a contribution can be
//! subtracted again when a late event changes it.

use std::ops::{AddAssign, SubAssign};

use super::facts::{Facts, OfferOutcome};

/// Service-level thresholds kept for every conversation: index 0 is the conversation's own
/// queue's `service_level_seconds`, then the overrides the UI offers.
pub const SL_OVERRIDES: [u32; 6] = [10, 20, 30, 40, 60, 120];
/// Slots of [`Sums::sl_met`]: the queue's own threshold plus the overrides.
pub const SL_SLOTS: usize = 1 + SL_OVERRIDES.len();

/// Five minutes, the "over 5 min" limit of KPIS.md, in ms.
pub const FIVE_MIN_MS: i64 = 300_000;

/// Sums of contributions. Fields are named after KPIS.md.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sums {
    // Keyed by created time.
    /// Conversations created.
    pub incoming: i64,
    /// … that were accepted.
    pub accepted: i64,
    /// Sum of their first waits.
    pub first_wait_ms: i64,
    /// … closed `abandoned` before any accept.
    pub abandoned: i64,
    /// … closed or accepted (the abandon rate's denominator).
    pub decided: i64,
    /// Accepted with first wait ≤ N, per SL slot.
    pub sl_met: [i64; SL_SLOTS],
    /// Abandoned with first wait > N, per SL slot.
    pub sl_abandoned_over: [i64; SL_SLOTS],
    /// First wait known and over 5 min.
    pub first_wait_over_5min: i64,
    /// With at least one `transferred`.
    pub transferred: i64,
    /// With at least one `escalated`.
    pub escalated: i64,
    /// Sum of (first agent message after the first accept − first accept).
    pub first_response_ms: i64,
    /// How many had such a message.
    pub first_response_n: i64,
    // Keyed by close time.
    /// Conversations closed.
    pub closed: i64,
    /// Sum of handle times of closed conversations that were accepted.
    pub handle_ms: i64,
    /// How many.
    pub handle_n: i64,
    /// Closed with handle time over 5 min.
    pub handle_over_5min: i64,
    /// Closed with wrap-up time over 5 min.
    pub wrap_up_over_5min: i64,
    /// Sum of wrap-up times of closed conversations that had wrap-up.
    pub wrap_up_ms: i64,
    /// How many.
    pub wrap_up_n: i64,
    // Keyed by offer time.
    /// Offers.
    pub offers: i64,
    /// … accepted.
    pub offers_accepted: i64,
    /// … rejected `declined`.
    pub offers_declined: i64,
    /// … rejected `timed_out`.
    pub offers_timed_out: i64,
    /// Sum of acceptance times of accepted offers.
    pub acceptance_ms: i64,
}

macro_rules! each_field {
    ($a:ident, $b:ident, $op:tt) => {
        $a.incoming $op $b.incoming;
        $a.accepted $op $b.accepted;
        $a.first_wait_ms $op $b.first_wait_ms;
        $a.abandoned $op $b.abandoned;
        $a.decided $op $b.decided;
        for i in 0..SL_SLOTS {
            $a.sl_met[i] $op $b.sl_met[i];
            $a.sl_abandoned_over[i] $op $b.sl_abandoned_over[i];
        }
        $a.first_wait_over_5min $op $b.first_wait_over_5min;
        $a.transferred $op $b.transferred;
        $a.escalated $op $b.escalated;
        $a.first_response_ms $op $b.first_response_ms;
        $a.first_response_n $op $b.first_response_n;
        $a.closed $op $b.closed;
        $a.handle_ms $op $b.handle_ms;
        $a.handle_n $op $b.handle_n;
        $a.handle_over_5min $op $b.handle_over_5min;
        $a.wrap_up_over_5min $op $b.wrap_up_over_5min;
        $a.wrap_up_ms $op $b.wrap_up_ms;
        $a.wrap_up_n $op $b.wrap_up_n;
        $a.offers $op $b.offers;
        $a.offers_accepted $op $b.offers_accepted;
        $a.offers_declined $op $b.offers_declined;
        $a.offers_timed_out $op $b.offers_timed_out;
        $a.acceptance_ms $op $b.acceptance_ms;
    };
}

impl AddAssign<&Sums> for Sums {
    fn add_assign(&mut self, o: &Sums) {
        each_field!(self, o, +=);
    }
}

impl SubAssign<&Sums> for Sums {
    fn sub_assign(&mut self, o: &Sums) {
        each_field!(self, o, -=);
    }
}

/// Which offers count: all, or only those made to some agents (the agent filter).
#[derive(Clone, Copy, Debug)]
pub enum OfferScope<'a> {
    /// Every offer of the conversation.
    All,
    /// Offers to these agents.
    To(&'a [String]),
}

/// The sums a fold needs from the conversations it reads one by one (a grid's partial edge
/// minutes, a live agent filter's few): every sum, or only what the Erlang C inputs read (a
/// queue's arrivals of the last half hour, its handle times of the last hour), which skips the
/// service-level, wait and offer sums of ~2,000 conversations per edge minute on a busy day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SumsNeeded {
    /// Every sum ([`Sums::contribute`], every offer).
    All,
    /// `incoming` alone.
    Arrivals,
    /// `handle_ms` and `handle_n` alone.
    Handled,
}

impl Sums {
    /// Adds what `f` contributes to `[lo, hi)`: the `needed` sums of [`Sums::contribute`].
    pub fn contribute_needed(
        &mut self,
        f: &Facts,
        lo: i64,
        hi: i64,
        sl_own: u32,
        needed: SumsNeeded,
    ) {
        let within = |t: i64| lo <= t && t < hi;
        match needed {
            SumsNeeded::All => self.contribute(f, lo, hi, sl_own, OfferScope::All),
            SumsNeeded::Arrivals => self.incoming += i64::from(within(f.created)),
            SumsNeeded::Handled => {
                if f.closed.is_some_and(|(t, _)| within(t)) && f.first_accepted.is_some() {
                    self.handle_ms += f.handle_ms();
                    self.handle_n += 1;
                }
            }
        }
    }

    /// Adds what `f` contributes to the range `[lo, hi)` of key times: created-keyed facts if
    /// it was created in the range, close-keyed ones if it closed in it, and each offer made
    /// in it. `sl_own` is the conversation's queue's service-level threshold (seconds).
    pub fn contribute(&mut self, f: &Facts, lo: i64, hi: i64, sl_own: u32, offers: OfferScope) {
        let within = |t: i64| lo <= t && t < hi;
        if within(f.created) {
            self.created_keyed(f, sl_own);
        }
        if let Some((closed, _)) = f.closed.filter(|(t, _)| within(*t)) {
            let _ = closed;
            self.closed += 1;
            let handle = f.handle_ms();
            if f.first_accepted.is_some() {
                self.handle_ms += handle;
                self.handle_n += 1;
            }
            self.handle_over_5min += i64::from(handle > FIVE_MIN_MS);
            if let Some(w) = f.wrap_up_ms {
                self.wrap_up_ms += w;
                self.wrap_up_n += 1;
                self.wrap_up_over_5min += i64::from(w > FIVE_MIN_MS);
            }
        }
        for o in f.offers.iter().filter(|o| within(o.at)) {
            if let OfferScope::To(agents) = offers
                && !agents.iter().any(|a| *a == *o.agent)
            {
                continue;
            }
            self.offers += 1;
            match o.outcome {
                Some((OfferOutcome::Accepted, t)) => {
                    self.offers_accepted += 1;
                    self.acceptance_ms += t - o.at;
                }
                Some((OfferOutcome::Declined, _)) => self.offers_declined += 1,
                Some((OfferOutcome::TimedOut, _)) => self.offers_timed_out += 1,
                None => {}
            }
        }
    }

    fn created_keyed(&mut self, f: &Facts, sl_own: u32) {
        self.incoming += 1;
        let wait = f.first_wait();
        let abandoned = f.abandoned();
        if f.first_accepted.is_some() || f.closed.is_some() {
            self.decided += 1;
        }
        self.abandoned += i64::from(abandoned);
        if let (Some(_), Some(w)) = (f.first_accepted, wait) {
            self.accepted += 1;
            self.first_wait_ms += w;
        }
        if let Some(w) = wait {
            for (slot, n) in std::iter::once(sl_own).chain(SL_OVERRIDES).enumerate() {
                let limit = i64::from(n) * 1000;
                if f.first_accepted.is_some() && w <= limit {
                    self.sl_met[slot] += 1;
                }
                if abandoned && w > limit {
                    self.sl_abandoned_over[slot] += 1;
                }
            }
            self.first_wait_over_5min += i64::from(w > FIVE_MIN_MS);
        }
        self.transferred += i64::from(f.transferred.is_some());
        self.escalated += i64::from(f.escalated.is_some());
        if let (Some(r), Some(a)) = (f.first_response, f.first_accepted) {
            self.first_response_ms += r - a;
            self.first_response_n += 1;
        }
    }
}
