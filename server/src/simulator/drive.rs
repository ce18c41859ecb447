//! Driving the simulator: a backfill as fast as possible, then the live day, sent through the
//! same ingest path as any external source — in process for `serve --simulate`, over HTTP for
//! `intraday simulate`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::cli::SimulateArgs;
use crate::error::StartError;
use crate::ingest::{IngestError, Ingestor};
use crate::simulator::{SimConfig, Simulator};

/// Events per ingest batch.
const BATCH: usize = 1_000;
/// Simulated time generated per step of the backfill.
const BACKFILL_STEP: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// What the simulator should do.
#[derive(Debug, Clone)]
pub struct SimPlan {
    /// Random seed.
    pub seed: u64,
    /// Live-phase speed factor.
    pub speed: f64,
    /// Simulated history before now.
    pub backfill: Duration,
    /// Continue in real time after the backfill.
    pub live: bool,
}

/// Where simulated events go.
pub trait Sink {
    /// Sends one batch; `Err` carries a message for the log.
    fn send(&self, batch: Vec<Value>) -> impl Future<Output = Result<(), String>> + Send;
}

/// The in-process ingest path.
pub struct LocalSink(pub Arc<Ingestor>);

impl Sink for LocalSink {
    async fn send(&self, batch: Vec<Value>) -> Result<(), String> {
        match self.0.submit(batch).await {
            Ok(_) => Ok(()),
            Err(IngestError::Invalid(errors)) => Err(format!(
                "{} event(s) refused, first: {}",
                errors.len(),
                errors.first().map(|e| format!("{e:?}")).unwrap_or_default()
            )),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Runs the plan until it is done (no live phase) or forever. With `performed`, it plays the
/// system that owns the customers' channel in the live phase: a conversation a supervisor
/// assigns or transfers leaves the simulation and is carried out ([`Responder`]).
pub async fn drive(
    plan: &SimPlan,
    sink: &impl Sink,
    mut performed: Option<tokio::sync::broadcast::Receiver<crate::actions::Performed>>,
) -> Result<(), String> {
    let now = Utc::now();
    let start = now - chrono::TimeDelta::from_std(plan.backfill).map_err(|e| e.to_string())?;
    // The start time tags ids, so a restart over the same database never reuses an id.
    let run = format!("r{}", start.timestamp());
    let mut sim = Simulator::new(
        SimConfig {
            seed: plan.seed,
            speed: plan.speed,
        },
        start,
    );
    let mut t = start;
    let mut sent = 0usize;
    loop {
        t = (t + BACKFILL_STEP).min(now);
        sent += send_all(sink, sim.advance(t), &run).await?;
        if t >= now {
            break;
        }
    }
    tracing::info!(
        events = sent,
        hours = plan.backfill.as_secs_f64() / 3600.0,
        "simulator backfill done"
    );
    if !plan.live {
        return Ok(());
    }
    sim.set_live();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut responder = Responder::new(&run);
    loop {
        let heard = match performed.as_mut() {
            Some(rx) => tokio::select! {
                _ = tick.tick() => None,
                p = rx.recv() => p.ok(),
            },
            None => {
                tick.tick().await;
                None
            }
        };
        if let Some(p) = heard {
            responder.heard(&mut sim, p);
            continue;
        }
        for event in responder.due(Utc::now()) {
            if let Err(e) = sink.send(vec![event]).await {
                tracing::debug!(error = %e, "a simulated answer to an action no longer applies");
            }
        }
        let events = sim.advance(Utc::now());
        if let Err(e) = send_all(sink, events.clone(), &run).await {
            // Someone else changed a simulated conversation (a supervisor assigned or closed
            // it): its next events no longer apply. Send the second's events conversation by
            // conversation, and stop simulating those refused, so the rest of the day goes on.
            tracing::debug!(error = %e, "simulator batch refused; sending it conversation by conversation");
            for (conversation, group) in by_conversation(events) {
                if let Err(e) = send_all(sink, group, &run).await {
                    match conversation {
                        Some(id) if sim.hand_over(&id) => {
                            tracing::info!(conversation = %id, "simulator hands a conversation over: {e}");
                        }
                        _ => tracing::warn!(error = %e, "simulator events refused"),
                    }
                }
            }
        }
    }
}

/// Events grouped by their conversation (in order), the others (agents, queues) as one group.
fn by_conversation(events: Vec<Value>) -> Vec<(Option<String>, Vec<Value>)> {
    let mut groups: Vec<(Option<String>, Vec<Value>)> = Vec::new();
    for event in events {
        let key = event
            .get("conversation_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(event),
            None => groups.push((key, vec![event])),
        }
    }
    groups
}

async fn send_all(sink: &impl Sink, mut events: Vec<Value>, run: &str) -> Result<usize, String> {
    for event in &mut events {
        tag_ids(event, run);
    }
    let n = events.len();
    for chunk in events.chunks(BATCH) {
        sink.send(chunk.to_vec()).await?;
    }
    Ok(n)
}

/// Prefixes the event id and conversation id with the run tag.
fn tag_ids(event: &mut Value, run: &str) {
    for key in ["id", "conversation_id"] {
        if let Some(Value::String(s)) = event.get_mut(key) {
            *s = format!("{run}-{s}");
        }
    }
}

/// The start of a run whose backfill ends now, for logs.
pub fn backfill_start(backfill: Duration) -> DateTime<Utc> {
    Utc::now() - chrono::TimeDelta::from_std(backfill).unwrap_or_default()
}

/// `intraday simulate`: sends to a running server over HTTP.
pub async fn remote(args: SimulateArgs) -> Result<(), StartError> {
    let sink = HttpSink::new(&args.target, args.token.clone())?;
    let plan = SimPlan {
        seed: args.sim.seed,
        speed: args.speed,
        backfill: args.sim.backfill.unwrap_or_default(),
        live: !args.no_live,
    };
    eprintln!(
        "simulating from {} to {} (seed {}{})",
        backfill_start(plan.backfill).format("%Y-%m-%d %H:%M:%S UTC"),
        args.target,
        plan.seed,
        if plan.live {
            ", then live; Ctrl-C to stop"
        } else {
            ""
        }
    );
    drive(&plan, &sink, None).await.map_err(StartError::Invalid)
}

/// POSTs batches to `/api/v1/events` of an `http://` server with a bearer token.
pub struct HttpSink {
    host: String,
    token: String,
}

impl HttpSink {
    /// Checks the target URL.
    pub fn new(target: &str, token: String) -> Result<HttpSink, StartError> {
        let host = target
            .strip_prefix("http://")
            .map(|rest| rest.trim_end_matches('/').to_owned())
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .ok_or_else(|| {
                StartError::Invalid(format!(
                    "--target {target:?} must be http://HOST:PORT (put a TLS proxy in front for https)"
                ))
            })?;
        Ok(HttpSink { host, token })
    }

    async fn post(&self, body: &[u8]) -> Result<(u16, String), String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.host)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.host))?;
        let head = format!(
            "POST /api/v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.host,
            self.token,
            body.len()
        );
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        stream.write_all(body).await.map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&raw);
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| "the server's reply has no status line".to_owned())?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        Ok((status, body))
    }
}

impl Sink for HttpSink {
    async fn send(&self, batch: Vec<Value>) -> Result<(), String> {
        let body = serde_json::to_vec(&batch).map_err(|e| e.to_string())?;
        for attempt in 0..30 {
            match self.post(&body).await {
                Ok((200, _)) => return Ok(()),
                Ok((429 | 503, _)) => {}
                Ok((status, reply)) => {
                    return Err(format!("the server answered {status}: {reply}"));
                }
                Err(e) if attempt == 29 => return Err(e),
                Err(e) => tracing::warn!(error = %e, "retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Err("the server kept refusing the batch (429/503)".into())
    }
}

/// What the simulated channel owner does after an action on a simulated conversation: the agent
/// a supervisor assigns accepts within seconds and handles it (ended about a minute and a half
/// later, closed as resolved after wrap-up), a customer answers a supervisor who joined, a
/// conversation moved to a queue or force-closed is simply left to the supervisors. A person
/// working a simulated agent (the demo users) takes that agent over with their first presence
/// change; the customers answer what they write.
struct Responder {
    run: String,
    due: Vec<(DateTime<Utc>, Value)>,
    made: u64,
    /// Customer answers given to people so far (varies the next one).
    answers: u64,
}

impl Responder {
    fn new(run: &str) -> Responder {
        Responder {
            run: format!("{run}-"),
            due: Vec::new(),
            made: 0,
            answers: 0,
        }
    }

    fn heard(&mut self, sim: &mut Simulator, p: crate::actions::Performed) {
        use crate::actions::Acted;
        use app::ongoing::{Action, AgentAction};
        let now = Utc::now();
        let secs = chrono::TimeDelta::seconds;
        let action = match p.action {
            Acted::Supervisor(action) => action,
            // A person took over one of the simulated agents: theirs from now on.
            Acted::Presence { agent_id, presence } => {
                sim.person_presence(&agent_id, presence);
                return;
            }
            Acted::OfferTimedOut { .. } => {
                if let Some(own) = p.conversation_id.strip_prefix(&self.run) {
                    sim.person_done(own);
                }
                return;
            }
            Acted::Agent { action, .. } => {
                let Some(own) = p.conversation_id.strip_prefix(&self.run) else {
                    return;
                };
                let id = p.conversation_id.clone();
                match action {
                    // Taken from the queue: the person's now, not the simulation's.
                    AgentAction::Take => {
                        sim.hand_over(own);
                    }
                    AgentAction::Accept => {
                        let text = self.customer_line(0);
                        self.customer_says(now + secs(3), &id, text);
                    }
                    AgentAction::Send { .. } => {
                        // The customer answers in a plausible time and tone.
                        self.answers += 1;
                        let delay = 5 + (self.answers * 7) % 11;
                        let text = self.customer_line(self.answers);
                        self.customer_says(now + secs(delay as i64), &id, text);
                    }
                    AgentAction::Decline
                    | AgentAction::Close { .. }
                    | AgentAction::Transfer { .. } => {
                        sim.person_done(own);
                    }
                    _ => {}
                }
                return;
            }
        };
        let Some(own) = p.conversation_id.strip_prefix(&self.run) else {
            return;
        };
        let id = p.conversation_id.clone();
        match action {
            Action::Assign { agent_id } | Action::Transfer { agent_id: Some(agent_id), .. } => {
                sim.hand_over(own);
                let agent = serde_json::json!(agent_id);
                self.plan(now + secs(3), &id, "conversation.accepted", serde_json::json!({"agent_id": agent}));
                self.plan(now + secs(90), &id, "conversation.ended", serde_json::json!({}));
                self.plan(now + secs(110), &id, "conversation.closed", serde_json::json!({"reason": "resolved"}));
            }
            Action::Transfer { .. } | Action::ForceClose { .. } => {
                sim.hand_over(own);
            }
            Action::Join => self.plan(
                now + secs(4),
                &id,
                "conversation.message",
                serde_json::json!({"from": "customer", "text": "Thank you for stepping in.", "sentiment": 1}),
            ),
            _ => {}
        }
    }

    /// The customer's `n`th answer to a person: a line and its sentiment, from content through
    /// impatient to pleased, so the grid's sentiment moves as in a real chat.
    fn customer_line(&self, n: u64) -> (&'static str, i8) {
        const LINES: [(&str, i8); 6] = [
            ("Hi, thanks for picking this up.", 0),
            ("I have been waiting for this for a week now.", -1),
            ("OK, that makes sense.", 1),
            ("Could you check again? It still does not work.", -2),
            ("Great, that solved it. Thank you!", 2),
            ("One more question, if you have a minute.", 0),
        ];
        LINES[(n % LINES.len() as u64) as usize]
    }

    fn customer_says(&mut self, at: DateTime<Utc>, id: &str, (text, sentiment): (&str, i8)) {
        self.plan(
            at,
            id,
            "conversation.message",
            serde_json::json!({"from": "customer", "text": text, "sentiment": sentiment}),
        );
    }

    fn plan(&mut self, at: DateTime<Utc>, conversation: &str, kind: &str, mut fields: Value) {
        self.made += 1;
        if let Value::Object(map) = &mut fields {
            map.insert(
                "id".into(),
                format!("{}answer-{}", self.run, self.made).into(),
            );
            map.insert("type".into(), kind.into());
            map.insert("at".into(), at.to_rfc3339().into());
            map.insert("conversation_id".into(), conversation.into());
        }
        self.due.push((at, fields));
    }

    fn due(&mut self, now: DateTime<Utc>) -> Vec<Value> {
        let (ready, later): (Vec<_>, Vec<_>) = self.due.drain(..).partition(|(at, _)| *at <= now);
        self.due = later;
        ready.into_iter().map(|(_, e)| e).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_must_be_plain_http_host_port() {
        assert!(HttpSink::new("http://127.0.0.1:3000/", "t".into()).is_ok());
        assert!(HttpSink::new("https://x", "t".into()).is_err());
        assert!(HttpSink::new("http://x/api", "t".into()).is_err());
    }

    #[test]
    fn the_channel_owner_carries_out_a_supervisors_action_on_a_simulated_conversation() {
        use app::ongoing::Action;
        let mut sim = Simulator::new(
            crate::simulator::SimConfig {
                seed: 7,
                speed: 1.0,
            },
            Utc::now() - chrono::TimeDelta::hours(1),
        );
        let mut responder = Responder::new("r9");
        let heard = |r: &mut Responder, sim: &mut Simulator, id: &str, action: Action| {
            r.heard(
                sim,
                crate::actions::Performed {
                    conversation_id: id.to_owned(),
                    action: crate::actions::Acted::Supervisor(action),
                },
            )
        };
        heard(
            &mut responder,
            &mut sim,
            "r9-c-7-1",
            Action::Assign {
                agent_id: "a02".into(),
            },
        );
        heard(&mut responder, &mut sim, "r9-c-7-2", Action::Join);
        // Another run's conversation and an action nobody answers are left alone.
        heard(&mut responder, &mut sim, "r8-c-7-3", Action::Join);
        heard(&mut responder, &mut sim, "r9-c-7-4", Action::Monitor);
        let now = Utc::now();
        assert!(responder.due(now).is_empty(), "nothing at once");
        let kinds = |events: Vec<Value>| -> Vec<(String, String)> {
            events
                .iter()
                .map(|e| {
                    (
                        e["type"].as_str().unwrap_or_default().to_owned(),
                        e["conversation_id"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        };
        let soon = responder.due(now + chrono::TimeDelta::seconds(5));
        assert_eq!(soon[0]["agent_id"], "a02");
        assert_eq!(soon[1]["from"], "customer");
        assert_eq!(
            kinds(soon),
            [
                ("conversation.accepted".to_owned(), "r9-c-7-1".to_owned()),
                ("conversation.message".to_owned(), "r9-c-7-2".to_owned()),
            ]
        );
        let later = responder.due(now + chrono::TimeDelta::seconds(200));
        assert_eq!(later[1]["reason"], "resolved");
        assert_eq!(
            kinds(later),
            [
                ("conversation.ended".to_owned(), "r9-c-7-1".to_owned()),
                ("conversation.closed".to_owned(), "r9-c-7-1".to_owned()),
            ]
        );
        assert!(
            responder.due(now + chrono::TimeDelta::hours(1)).is_empty(),
            "each answer once"
        );
    }

    #[test]
    fn run_tag_prefixes_event_and_conversation_ids_only() {
        let mut e = serde_json::json!({"id": "e1", "conversation_id": "c1", "agent_id": "a01"});
        tag_ids(&mut e, "r5");
        assert_eq!(
            e,
            serde_json::json!({"id": "r5-e1", "conversation_id": "r5-c1", "agent_id": "a01"})
        );
    }
}
