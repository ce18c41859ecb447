//! The narrow forms of the sums kept per minute ([`super::minutes`]): counts in 16 bits and
//! summed times in signed 32, which hold almost every minute's sums. A sum that does not fit
//! (over 65,535 of a count, ~24 days of summed time, a negative count) has no narrow form, and
//! the minute keeps it wide.

use std::fmt::Debug;
use std::ops::{AddAssign, SubAssign};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::kpi::domain::agent_sums::AgentSums;
use crate::kpi::domain::sums::Sums;

/// Sums with a narrow form, which holds most of them.
pub trait Narrowing:
    Clone + Default + PartialEq + for<'a> AddAssign<&'a Self> + for<'a> SubAssign<&'a Self>
{
    /// The narrow form.
    type Narrow: Copy + Debug + Serialize + DeserializeOwned;
    /// The sums narrow, if they fit.
    fn narrow(&self) -> Option<Self::Narrow>;
    /// The narrow sums wide again.
    fn widen(n: &Self::Narrow) -> Self;
    /// Adds narrow sums, as adding them widened would.
    fn add_narrow(&mut self, n: &Self::Narrow) {
        *self += &Self::widen(n);
    }
}

/// An agent's sums in one minute, narrow. `covered_ms` is not kept per minute (always 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarrowAgent {
    /// Offers, accepted, declined, timed out, closed.
    counts: [u16; 5],
    acceptance_ms: i32,
    handle_ms: i32,
}

impl Narrowing for AgentSums {
    type Narrow = NarrowAgent;

    fn narrow(&self) -> Option<NarrowAgent> {
        let count = |n: i64| u16::try_from(n).ok();
        Some(NarrowAgent {
            counts: [
                count(self.offers)?,
                count(self.offers_accepted)?,
                count(self.offers_declined)?,
                count(self.offers_timed_out)?,
                count(self.closed)?,
            ],
            acceptance_ms: self.acceptance_ms.try_into().ok()?,
            handle_ms: self.handle_ms.try_into().ok()?,
        })
        .filter(|_| self.covered_ms == 0)
    }

    fn widen(n: &NarrowAgent) -> AgentSums {
        let c = n.counts.map(i64::from);
        AgentSums {
            offers: c[0],
            offers_accepted: c[1],
            offers_declined: c[2],
            offers_timed_out: c[3],
            closed: c[4],
            acceptance_ms: n.acceptance_ms.into(),
            handle_ms: n.handle_ms.into(),
            covered_ms: 0,
        }
    }
}

/// One minute's [`Sums`] of one cell, narrow: the counts in 16 bits, the summed times in 32,
/// 84 bytes where the sums take 288.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NarrowSums {
    counts: [u16; 31],
    ms: [i32; 5],
}

/// Lists the counts and the summed times of [`Sums`] in [`NarrowSums`]' order, to `$each`
/// (`$each!(counts: [...], ms: [...])`), so the two conversions cannot disagree.
macro_rules! narrow_fields {
    ($each:ident) => {
        $each!(
            counts: [
                incoming, accepted, abandoned, decided,
                sl_met[0], sl_met[1], sl_met[2], sl_met[3], sl_met[4], sl_met[5], sl_met[6],
                sl_abandoned_over[0], sl_abandoned_over[1], sl_abandoned_over[2],
                sl_abandoned_over[3], sl_abandoned_over[4], sl_abandoned_over[5],
                sl_abandoned_over[6],
                first_wait_over_5min, transferred, escalated, first_response_n, closed, handle_n,
                handle_over_5min, wrap_up_over_5min, wrap_up_n, offers, offers_accepted,
                offers_declined, offers_timed_out
            ],
            ms: [first_wait_ms, first_response_ms, handle_ms, wrap_up_ms, acceptance_ms]
        )
    };
}

impl Narrowing for Sums {
    type Narrow = NarrowSums;

    fn narrow(&self) -> Option<NarrowSums> {
        macro_rules! to_narrow {
            (counts: [$($c:ident $([$ci:literal])?),*], ms: [$($m:ident),*]) => {
                NarrowSums {
                    counts: [$(u16::try_from(self.$c $([$ci])?).ok()?),*],
                    ms: [$(i32::try_from(self.$m).ok()?),*],
                }
            };
        }
        Some(narrow_fields!(to_narrow))
    }

    fn widen(n: &NarrowSums) -> Sums {
        let mut s = Sums::default();
        macro_rules! to_wide {
            (counts: [$($c:ident $([$ci:literal])?),*], ms: [$($m:ident),*]) => {
                let mut counts = n.counts.iter();
                $(s.$c $([$ci])? = i64::from(*counts.next().expect("31 counts"));)*
                let mut ms = n.ms.iter();
                $(s.$m = i64::from(*ms.next().expect("5 times"));)*
            };
        }
        narrow_fields!(to_wide);
        s
    }

    fn add_narrow(&mut self, n: &NarrowSums) {
        macro_rules! add {
            (counts: [$($c:ident $([$ci:literal])?),*], ms: [$($m:ident),*]) => {
                let mut counts = n.counts.iter();
                $(self.$c $([$ci])? += i64::from(*counts.next().expect("31 counts"));)*
                let mut ms = n.ms.iter();
                $(self.$m += i64::from(*ms.next().expect("5 times"));)*
            };
        }
        narrow_fields!(add);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::kpi::domain::sums::SL_SLOTS;
    use crate::kpi::store::conv::Cell;

    /// Sums whose fields are told apart: field `i` holds `values[i]`.
    fn sums(values: &[i64; 36]) -> Sums {
        let mut v = values.iter().copied();
        let mut next = || v.next().expect("36 values");
        let mut s = Sums {
            incoming: next(),
            accepted: next(),
            first_wait_ms: next(),
            abandoned: next(),
            decided: next(),
            ..Sums::default()
        };
        for i in 0..SL_SLOTS {
            s.sl_met[i] = next();
            s.sl_abandoned_over[i] = next();
        }
        s.first_wait_over_5min = next();
        s.transferred = next();
        s.escalated = next();
        s.first_response_ms = next();
        s.first_response_n = next();
        s.closed = next();
        s.handle_ms = next();
        s.handle_n = next();
        s.handle_over_5min = next();
        s.wrap_up_over_5min = next();
        s.wrap_up_ms = next();
        s.wrap_up_n = next();
        s.offers = next();
        s.offers_accepted = next();
        s.offers_declined = next();
        s.offers_timed_out = next();
        s.acceptance_ms = next();
        s
    }

    #[test]
    fn a_narrow_agent_sum_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<(u32, NarrowAgent)>(), 24);
    }

    #[test]
    fn a_minute_cell_takes_92_bytes_narrow() {
        assert_eq!(std::mem::size_of::<(Cell, NarrowSums)>(), 92);
    }

    proptest! {
        /// Every field comes back from the narrow form, each to its place; a sum that does not
        /// fit (a count below 0 or over 65,535, a time beyond 32 bits) has no narrow form.
        #[test]
        fn narrow_sums_widen_to_the_same_sums(
            values in prop::array::uniform32(prop_oneof![
                8 => 0..1_000i64,
                1 => 60_000..70_000i64,
                1 => -3..0i64,
                1 => 2_000_000_000..3_000_000_000i64,
            ]),
            more in prop::array::uniform4(0..70_000i64),
        ) {
            let mut all = [0i64; 36];
            all[..32].copy_from_slice(&values);
            all[32..].copy_from_slice(&more);
            let s = sums(&all);
            let fits = |n: i64, wide: bool| {
                if wide { i32::try_from(n).is_ok() } else { u16::try_from(n).is_ok() }
            };
            // The summed times' places in `sums`' order; every other value is a count.
            const TIMES: [usize; 5] = [2, 22, 25, 29, 35];
            let times = [s.first_wait_ms, s.first_response_ms, s.handle_ms, s.wrap_up_ms, s.acceptance_ms];
            prop_assert_eq!(TIMES.map(|i| all[i]), times);
            let time_fit = times.iter().all(|&t| fits(t, true));
            let count_fit = (0..36).filter(|i| !TIMES.contains(i)).all(|i| fits(all[i], false));
            match s.narrow() {
                Some(n) => {
                    prop_assert_eq!(Sums::widen(&n), s.clone());
                    // Added in place to other sums: as if widened first.
                    let mut base = sums(&more.map(|m| m * 3).repeat(9).try_into().expect("36"));
                    let mut want = base.clone();
                    want += &s;
                    base.add_narrow(&n);
                    prop_assert_eq!(base, want);
                }
                None => prop_assert!(!(time_fit && count_fit), "{:?} fits", s),
            }
        }
    }
}
