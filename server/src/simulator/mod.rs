//! The built-in traffic simulator: a deterministic discrete-event simulation of a contact-center
//! day whose output is events exactly as EVENTS.md defines them.
//!
//! Actions (an arrival, an agent answering, a break) are kept in a time-ordered agenda and run in
//! `(instant, scheduling order)` order, so the result never depends on how the caller slices
//! time. Every event naming a conversation or an agent is stamped at least 1 ms after that
//! conversation's or agent's previous event; events are held back until their stamp is reached.

mod curve;
pub mod drive;
mod handling;
mod incidents;
mod lifecycle;
mod model;
mod person;
mod rng;
mod roster;
mod routing;
mod staffing;
mod texts;

#[cfg(test)]
mod checker;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use model::{Action, Agent, Conversation, Scheduled};
use rng::Rng;
use roster::{AGENTS, CAPACITY, QUEUES};

/// How the simulator runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// Seed of every random choice; also part of every id.
    pub seed: u64,
    /// Live-phase acceleration: durations are divided by it and arrival rates multiplied.
    pub speed: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            speed: 1.0,
        }
    }
}

/// An event waiting for the clock to reach its stamp.
#[derive(Debug)]
struct Pending {
    at: i64,
    seq: u64,
    event: Value,
}

/// A running simulation of one contact center.
#[derive(Debug)]
pub struct Simulator {
    config: SimConfig,
    live: bool,
    rng: Rng,
    /// The latest instant `advance` was asked for, Unix milliseconds.
    clock: i64,
    /// The instant of the action being run.
    running_at: i64,
    agenda: BinaryHeap<Reverse<Scheduled>>,
    scheduled: u64,
    pending: Vec<Pending>,
    emitted: u64,
    created: u64,
    conversations: BTreeMap<u64, Conversation>,
    /// Open conversations by `(open_since, number)`: the longest-waiting first.
    open: BTreeSet<(i64, u64)>,
    agents: Vec<Agent>,
    /// Agent indices of each queue.
    queue_agents: Vec<Vec<usize>>,
    /// Conversations routed to a person working an agent, by public id: their agent and the
    /// capacity they hold until the person is done with them.
    with_people: BTreeMap<String, (usize, u32)>,
}

impl Simulator {
    /// A simulation whose clock starts at `start`. The first call to `advance` emits the
    /// reference data (`queue.upserted`, `agent.upserted`) stamped at `start`.
    pub fn new(config: SimConfig, start: DateTime<Utc>) -> Self {
        let start = start.timestamp_millis();
        let agents = AGENTS
            .iter()
            .map(|def| Agent {
                queues: def
                    .queues
                    .iter()
                    .filter_map(|q| roster::queue_index(q))
                    .collect(),
                presence: model::Presence::Offline,
                on_shift: false,
                shift_no: 0,
                drain: None,
                load: 0,
                last_at: start,
                last_offer_at: i64::MIN,
                epoch: 0,
                person: false,
            })
            .collect::<Vec<_>>();
        let queue_agents = (0..QUEUES.len())
            .map(|q| {
                (0..agents.len())
                    .filter(|&a| agents[a].queues.contains(&q))
                    .collect()
            })
            .collect();
        let mut sim = Simulator {
            config,
            live: false,
            rng: Rng::new(config.seed),
            clock: start,
            running_at: start,
            agenda: BinaryHeap::new(),
            scheduled: 0,
            pending: Vec::new(),
            emitted: 0,
            created: 0,
            conversations: BTreeMap::new(),
            open: BTreeSet::new(),
            agents,
            queue_agents,
            with_people: BTreeMap::new(),
        };
        sim.emit_reference_data(start);
        sim.init_agents(start);
        sim.schedule(start, Action::Tick);
        sim
    }

    /// Runs the simulation up to and including `until` and returns every event with
    /// `at <= until`, in `at` order.
    pub fn advance(&mut self, until: DateTime<Utc>) -> Vec<Value> {
        let until = until.timestamp_millis();
        while let Some(Reverse(next)) = self.agenda.peek().copied() {
            if next.at > until {
                break;
            }
            self.agenda.pop();
            self.running_at = next.at;
            self.run(next.at, next.action);
        }
        self.clock = self.clock.max(until);
        // Stable and nearly sorted already: stamps are bumped by a few ms at most.
        self.pending.sort_by_key(|p| (p.at, p.seq));
        let ready = self.pending.partition_point(|p| p.at <= until);
        self.pending.drain(..ready).map(|p| p.event).collect()
    }

    /// Switches the live phase on: from now on, newly sampled durations are divided by `speed`
    /// and arrival rates multiplied by it (the backfill before this call always uses realistic
    /// 1× timings).
    pub fn set_live(&mut self) {
        self.live = true;
    }

    /// Stops simulating the conversation of public id `id` (its events were refused: someone
    /// else — a supervisor's action — changed it): it leaves the model, its agent's capacity is
    /// given back, and its pending events are dropped. `false` when it is not one of ours.
    pub fn hand_over(&mut self, id: &str) -> bool {
        let prefix = format!("c-{}-", self.config.seed);
        let Some(conv) = id
            .rsplit_once(&prefix)
            .and_then(|(_, n)| n.parse::<u64>().ok())
        else {
            return false;
        };
        let Some(c) = self.conversations.remove(&conv) else {
            return false;
        };
        if c.status == model::Status::Open {
            self.open.remove(&(c.open_since, conv));
        }
        if let (true, Some(a)) = (c.status.holds_capacity(), c.agent) {
            self.unload(a, c.channel.cost());
            self.agent_freed(a, self.clock);
        }
        let public = self.conversation_id(conv);
        self.pending.retain(|p| {
            p.event.get("conversation_id").and_then(Value::as_str) != Some(public.as_str())
        });
        true
    }

    /// The simulation clock: the latest instant it was advanced to.
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.clock).unwrap_or_default()
    }

    fn run(&mut self, t: i64, action: Action) {
        match action {
            Action::Tick => self.tick(t),
            Action::Arrive { queue } => self.arrive(queue, t),
            Action::Answer {
                conv,
                generation,
                outcome,
            } => self.answer(conv, generation, outcome, t),
            Action::Abandon { conv, generation } => self.abandon(conv, generation, t),
            Action::Message {
                conv,
                generation,
                from,
            } => self.message(conv, generation, from, t),
            Action::Escalate { conv, generation } => self.escalate(conv, generation, t),
            Action::ResolveEscalation { conv } => {
                self.resolve_escalation(conv, t);
            }
            Action::Interrupt {
                conv,
                generation,
                incident,
            } => self.interrupt(conv, generation, incident, t),
            Action::End { conv, generation } => self.end(conv, generation, t),
            Action::Close { conv, generation } => self.finish_wrap_up(conv, generation, t),
            Action::Resume { conv, generation } => self.resume(conv, generation, t),
            // A person's working day is theirs.
            Action::ShiftStart { agent, .. }
            | Action::ShiftEnd { agent }
            | Action::Spell { agent, .. }
            | Action::Back { agent, .. }
                if self.agents[agent].person => {}
            Action::ShiftStart { agent, nominal } => self.begin_shift(agent, nominal, t),
            Action::ShiftEnd { agent } => self.end_shift(agent, t),
            Action::Spell {
                agent,
                shift_no,
                presence,
                duration,
            } => self.request_spell(agent, shift_no, presence, duration, t),
            Action::Back { agent, epoch } => self.back(agent, epoch, t),
        }
    }

    /// Puts an action on the agenda; never before the action being run.
    fn schedule(&mut self, at: i64, action: Action) {
        self.scheduled += 1;
        let at = at.max(self.running_at);
        self.agenda.push(Reverse(Scheduled {
            at,
            seq: self.scheduled,
            action,
        }));
    }

    /// Current speed factor: 1 until the live phase.
    fn speed(&self) -> f64 {
        if self.live && self.config.speed.is_finite() && self.config.speed > 0.0 {
            self.config.speed
        } else {
            1.0
        }
    }

    /// A sampled duration in seconds as milliseconds of simulation time (at least 1).
    fn span(&self, seconds: f64) -> i64 {
        ((seconds * 1000.0 / self.speed()).round() as i64).max(1)
    }

    /// A lognormal duration (median and log-spread in seconds) as simulation milliseconds.
    fn lognormal_span(&mut self, median: f64, sigma: f64) -> i64 {
        let seconds = self.rng.lognormal(median, sigma);
        self.span(seconds)
    }

    /// Appends one event; `body` holds the type's own fields.
    fn emit(&mut self, at: i64, kind: &str, body: Value) {
        self.emitted += 1;
        let seq = self.emitted;
        let mut event = json!({
            "id": format!("sim-{}-{seq}", self.config.seed),
            "type": kind,
            "at": format_at(at),
        });
        if let (Some(event), Value::Object(fields)) = (event.as_object_mut(), body) {
            event.extend(fields);
        }
        self.pending.push(Pending { at, seq, event });
    }

    /// Emits an event of conversation `conv` that also names `agents`, stamped no earlier than
    /// `t` and strictly after the previous event of each; returns the stamp.
    fn emit_conversation(
        &mut self,
        conv: u64,
        agents: &[usize],
        t: i64,
        kind: &str,
        mut body: Value,
    ) -> i64 {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return t;
        };
        let mut at = t.max(c.last_at + 1);
        for &a in agents {
            at = at.max(self.agents[a].last_at + 1);
        }
        c.last_at = at;
        for &a in agents {
            self.agents[a].last_at = at;
        }
        if let Value::Object(fields) = &mut body {
            fields.insert(
                "conversation_id".into(),
                Value::String(self.conversation_id(conv)),
            );
        }
        self.emit(at, kind, body);
        at
    }

    /// The public id of conversation number `conv`.
    fn conversation_id(&self, conv: u64) -> String {
        format!("c-{}-{conv}", self.config.seed)
    }

    fn emit_reference_data(&mut self, start: i64) {
        for q in QUEUES {
            let channels: Vec<&str> = q.channels.iter().map(|(c, _)| c.as_str()).collect();
            let body = json!({
                "queue_id": q.id,
                "name": q.name,
                "channels": channels,
                "service_level_seconds": q.service_level_seconds,
            });
            self.emit(start, "queue.upserted", body);
        }
        for a in AGENTS {
            let body = json!({
                "agent_id": a.id,
                "name": a.name,
                "queues": a.queues,
                "skills": a.skills,
                "capacity": CAPACITY,
            });
            self.emit(start, "agent.upserted", body);
        }
    }
}

/// RFC 3339 in UTC with milliseconds and `Z`: `2026-11-25T10:00:00.123Z`.
fn format_at(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}
