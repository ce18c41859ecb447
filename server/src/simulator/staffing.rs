//! Agents' working day: shifts, a break mid-shift, occasional busy spells, and presence changes
//! that wait until the agent has no work holding capacity.

use serde_json::json;

use super::Simulator;
use super::model::{Action, Drain, Presence};
use super::roster::{AGENTS, SHIFT_HOURS};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

impl Simulator {
    /// Agents whose shift covers `start` begin it now; the others are offline until theirs.
    pub(super) fn init_agents(&mut self, start: i64) {
        let midnight = start - start.rem_euclid(DAY);
        for (a, def) in AGENTS.iter().enumerate() {
            let today = midnight + i64::from(def.shift_start) * HOUR;
            let current = [today - DAY, today]
                .into_iter()
                .find(|&nominal| nominal <= start && start < nominal + SHIFT_HOURS * HOUR);
            if let Some(nominal) = current {
                self.begin_shift(a, nominal, start);
            } else {
                self.set_presence(a, Presence::Offline, start);
                let next = if today > start { today } else { today + DAY };
                self.schedule_shift_start(a, next);
            }
        }
    }

    /// Agents log in up to ten minutes early or a few minutes late.
    fn login_jitter(&mut self) -> i64 {
        (self.rng.range(-10.0, 3.0) * MINUTE as f64) as i64
    }

    /// Schedules the shift planned for `nominal`, the agent logging in a little before or after.
    fn schedule_shift_start(&mut self, a: usize, nominal: i64) {
        let jitter = self.login_jitter();
        self.schedule(nominal + jitter, Action::ShiftStart { agent: a, nominal });
    }

    /// Starts the shift planned for `nominal`: available now, a break and busy spells planned,
    /// the end and the next day's shift scheduled.
    pub(super) fn begin_shift(&mut self, a: usize, nominal: i64, t: i64) {
        let agent = &mut self.agents[a];
        agent.on_shift = true;
        agent.shift_no += 1;
        agent.drain = None;
        let shift_no = agent.shift_no;
        if agent.presence != Presence::Available {
            self.set_presence(a, Presence::Available, t);
        }
        let end =
            nominal + SHIFT_HOURS * HOUR + (self.rng.range(-5.0, 12.0) * MINUTE as f64) as i64;
        self.schedule(end.max(t + MINUTE), Action::ShiftEnd { agent: a });

        let break_at = nominal + (self.rng.range(3.5, 4.5) * HOUR as f64) as i64;
        let minutes = self.rng.range(15.0, 30.0);
        let duration = self.span(minutes * 60.0);
        if break_at > t {
            let presence = Presence::Away;
            self.schedule(
                break_at,
                Action::Spell {
                    agent: a,
                    shift_no,
                    presence,
                    duration,
                },
            );
        }
        for _ in 0..self.rng.poisson(1.3) {
            let at = nominal + (self.rng.range(0.5, 7.3) * HOUR as f64) as i64;
            let (presence, minutes) = if self.rng.chance(0.6) {
                (Presence::Busy, self.rng.lognormal(10.0, 0.4))
            } else {
                (Presence::BusyDnd, self.rng.range(5.0, 15.0))
            };
            let duration = self.span(minutes * 60.0);
            if at > t {
                self.schedule(
                    at,
                    Action::Spell {
                        agent: a,
                        shift_no,
                        presence,
                        duration,
                    },
                );
            }
        }
        self.schedule_shift_start(a, nominal + DAY);
        self.route_agent(a, t);
    }

    /// The shift is over: no more offers; offline once the last conversation is done.
    pub(super) fn end_shift(&mut self, a: usize, t: i64) {
        let agent = &mut self.agents[a];
        agent.on_shift = false;
        agent.drain = Some(Drain {
            presence: Presence::Offline,
            back_after: None,
        });
        self.settle(a, t);
    }

    /// The agent asks for a break or a busy spell; a break asked for during a spell is retried.
    pub(super) fn request_spell(
        &mut self,
        a: usize,
        shift_no: u32,
        presence: Presence,
        duration: i64,
        t: i64,
    ) {
        let agent = &self.agents[a];
        if !agent.on_shift || agent.shift_no != shift_no {
            return;
        }
        if agent.presence != Presence::Available || agent.drain.is_some() {
            if presence == Presence::Away {
                self.schedule(
                    t + 5 * MINUTE,
                    Action::Spell {
                        agent: a,
                        shift_no,
                        presence,
                        duration,
                    },
                );
            }
            return;
        }
        self.agents[a].drain = Some(Drain {
            presence,
            back_after: Some(duration),
        });
        self.settle(a, t);
    }

    /// Back from a break or spell, unless something changed the presence since.
    pub(super) fn back(&mut self, a: usize, epoch: u32, t: i64) {
        let agent = &self.agents[a];
        if agent.epoch != epoch || !agent.on_shift || agent.drain.is_some() {
            return;
        }
        let at = self.set_presence(a, Presence::Available, t);
        self.route_agent(a, at);
    }

    /// Applies a pending presence change once the agent holds no capacity.
    pub(super) fn settle(&mut self, a: usize, t: i64) {
        let agent = &self.agents[a];
        let Some(drain) = agent.drain else { return };
        if agent.load > 0 {
            return;
        }
        self.agents[a].drain = None;
        let at = self.set_presence(a, drain.presence, t);
        if let Some(after) = drain.back_after {
            let epoch = self.agents[a].epoch;
            self.schedule(at + after, Action::Back { agent: a, epoch });
        }
    }

    /// Changes and announces a presence; returns the event's stamp.
    fn set_presence(&mut self, a: usize, presence: Presence, t: i64) -> i64 {
        let agent = &mut self.agents[a];
        let at = t.max(agent.last_at + 1);
        agent.last_at = at;
        agent.presence = presence;
        agent.epoch += 1;
        let body = json!({ "agent_id": AGENTS[a].id, "presence": presence.as_str() });
        self.emit(at, "agent.presence", body);
        at
    }
}
