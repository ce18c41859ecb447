//! Supervisors' actions on conversations, from the Ongoing tab (a server function) and from
//! integrations (`POST /api/v1/conversations/{id}/actions`, `http.rs`): the same checks and the
//! same write for both.
//!
//! An action is planned (`app::ongoing::action::plan`) under the writer's lock against the
//! ledger and the grid's extras as they are at that moment, then written as events through the
//! ingest path with its audit record in the same transaction. Two supervisors acting on one
//! conversation at once are thus served one after the other: the second is checked against
//! what the first did and, if it named the state it saw, refused as changed.

pub mod desk;
pub mod http;
mod my;
pub mod offers;
pub mod presence;
mod source;

use std::sync::Arc;

use app::model::admin::{SUPERVISOR_ACTIONS, SupervisorActions};
use app::model::ledger::Ledger;
use app::model::problem::Problem;
use app::ongoing::action::{Candidate, Planned, Situation, plan};
use app::ongoing::agent::{AgentSituation, plan_agent};
use app::ongoing::row::conversation_token;
use app::ongoing::{Action, ActionRequest, AgentAction, AgentRequest, Refusal, RefusalKind};
use serde::Serialize;
use serde_json::json;

use crate::ingest::{IngestError, Ingestor, Side};
use crate::stream::Hub;

/// Who acts.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The login monitors and messages name (`supervisor_id`).
    pub login: String,
    /// The name the audit log records (a portal's sign-in as `portal:…`, a token as `token:…`).
    pub audit_name: String,
    /// The queues they may act in (`None`: every queue).
    pub scope: Option<Vec<String>>,
}

/// What an accepted action did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Done {
    /// The action's name.
    pub action: String,
    /// The conversation.
    pub conversation_id: String,
    /// Its state token before.
    pub before: String,
    /// Its state token after.
    pub after: String,
    /// The events written (their ids).
    pub events: Vec<String>,
    /// The agent it went to has no free capacity for it (allowed, and said).
    pub over_capacity: bool,
}

/// Why an action was not carried out.
#[derive(Debug)]
pub enum Failure {
    /// Refused by its rules: nothing changed.
    Refused(Refusal),
    /// The settings or the log could not be read or written: nothing changed.
    Unavailable,
}

/// An action carried out, as the in-process listeners (the simulator playing the system that
/// owns the channel) hear of it.
#[derive(Debug, Clone)]
pub struct Performed {
    /// The conversation.
    pub conversation_id: String,
    /// The action.
    pub action: Acted,
}

/// Whose action it was, and which.
#[derive(Debug, Clone)]
pub enum Acted {
    /// A supervisor's (or an integration's).
    Supervisor(Action),
    /// The agent's own.
    Agent {
        /// The agent.
        agent_id: String,
        /// What they did.
        action: AgentAction,
    },
    /// An offer to a person went unanswered and timed out.
    OfferTimedOut {
        /// The agent it was offered to.
        agent_id: String,
    },
    /// A person working as an agent set its presence (`conversation_id` is empty).
    Presence {
        /// The agent.
        agent_id: String,
        /// The presence now.
        presence: app::model::event::Presence,
    },
}

/// The actions' entry point, shared by the server function and the HTTP API.
#[derive(Clone)]
pub struct Actions {
    /// The single writer.
    pub ingestor: Arc<Ingestor>,
    /// The stream hub, which keeps the grid's extras.
    pub hub: Arc<Hub>,
    /// Told of every action carried out (nobody listening is fine).
    pub performed: tokio::sync::broadcast::Sender<Performed>,
    /// The outbound webhook's delivery, woken when an action is written.
    pub outbox: Arc<crate::outbox::Outbox>,
    /// Agents whose presence this server set because their capacity filled (`presence.rs`).
    pub made_busy: Arc<presence::MadeBusy>,
    /// The admin's agents' desk settings.
    pub desk: Arc<desk::Desk>,
}

/// The most characters of an action's JSON body (a 4,000-character text with room to spare).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

impl Actions {
    /// Carries out a supervisor's `request` on conversation `id` as `actor`.
    pub async fn perform(
        &self,
        actor: &Actor,
        id: &str,
        request: ActionRequest,
    ) -> Result<Done, Failure> {
        let switches = self.switches().await?;
        let hub = &self.hub;
        let heard = Acted::Supervisor(request.action.clone());
        let shown = json!(request);
        self.write(
            actor,
            id,
            request.action.name(),
            "sv",
            shown,
            heard,
            |ledger, now, prefix| {
                let conversation = ledger
                    .live_conversation(id)
                    .filter(|c| in_scope(actor.scope.as_deref(), &c.queue_id))
                    .ok_or_else(|| not_found(id))?;
                let board = hub.board();
                let agent = |a: &str| candidate(ledger, a);
                let queue_exists = |q: &str| ledger.queue(q).is_some();
                let situation = Situation {
                    conversation,
                    extras: board.get(id),
                    switches,
                    login: &actor.login,
                    scope: actor.scope.as_deref(),
                    agent: &agent,
                    queue_exists: &queue_exists,
                    now,
                    id_prefix: prefix,
                };
                plan(&request, &situation)
            },
        )
        .await
    }

    /// Carries out agent `agent_id`'s `request` on conversation `id` (their own, or an open one
    /// of their queues to take) as `actor`, the person signed in as that agent.
    pub async fn perform_agent(
        &self,
        actor: &Actor,
        agent_id: &str,
        id: &str,
        request: AgentRequest,
    ) -> Result<Done, Failure> {
        let heard = Acted::Agent {
            agent_id: agent_id.to_owned(),
            action: request.action.clone(),
        };
        let shown = json!(request);
        let done = self
            .write(
                actor,
                id,
                request.action.name(),
                "ag",
                shown,
                heard,
                |ledger, now, prefix| {
                    let conversation = ledger.live_conversation(id).ok_or_else(|| not_found(id))?;
                    // An agent the log does not know has no work yet: nothing is theirs.
                    let me = candidate(ledger, agent_id).ok_or_else(|| not_found(id))?;
                    let agent = |a: &str| candidate(ledger, a);
                    let queue_exists = |q: &str| ledger.queue(q).is_some();
                    let situation = AgentSituation {
                        conversation,
                        me: &me,
                        agent: &agent,
                        queue_exists: &queue_exists,
                        now,
                        id_prefix: prefix,
                    };
                    plan_agent(&request, &situation)
                },
            )
            .await;
        if done.is_ok() {
            self.settle_presence(agent_id).await;
        }
        done
    }

    /// Plans an action under the writer's lock with `planner`, then writes its events, its
    /// audit record and its outbox entry in one transaction; `shown` is the request as the
    /// audit log and the webhook show it.
    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        actor: &Actor,
        id: &str,
        name: &'static str,
        tag: &str,
        shown: serde_json::Value,
        heard: Acted,
        planner: impl FnOnce(&Ledger, chrono::DateTime<chrono::Utc>, &str) -> Result<Planned, Refusal>
        + Send,
    ) -> Result<Done, Failure> {
        let now = chrono::Utc::now();
        let prefix = action_prefix(tag, now);
        // A conversation a connector brought is carried out in its system too.
        let carrier = crate::connectors::carrier(self.ingestor.db(), id)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading the connectors failed");
                Failure::Unavailable
            })?;
        // The state token after the action, read under the writer's lock with the batch applied.
        let after_action = std::sync::Mutex::new(String::new());
        let planned = self
            .ingestor
            .submit_planned(
                |ledger: &Ledger| {
                    let planned = planner(ledger, now, &prefix)?;
                    Ok((planned.events.clone(), planned))
                },
                |ledger: &Ledger, planned: &Planned| {
                    let after = ledger
                        .conversation(id)
                        .map(|c| conversation_token(&c))
                        .unwrap_or_default();
                    if let Ok(mut a) = after_action.lock() {
                        a.clone_from(&after);
                    }
                    // What the system owning the channel must carry out: the request with the
                    // events written for it, delivered by the outbox after this commit.
                    let mut payload = json!({
                        "action": name,
                        "conversation_id": id,
                        "by": actor.audit_name,
                        "at": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        "before": planned.before,
                        "after": after,
                        "events": planned.events,
                    });
                    if let (Some(map), serde_json::Value::Object(fields)) =
                        (payload.as_object_mut(), &shown)
                    {
                        for (k, v) in fields {
                            map.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    Side {
                        audit: Some((
                            actor.audit_name.clone(),
                            format!("conversation.{name}"),
                            id.to_owned(),
                            json!({
                                "before": planned.before,
                                "after": after,
                                "request": shown,
                                "events": planned.events,
                            }),
                        )),
                        outbox: std::iter::once(crate::store::outbox::OutboxEntry {
                            action: name.to_owned(),
                            conversation_id: id.to_owned(),
                            actor: actor.audit_name.clone(),
                            at_ms: now.timestamp_millis(),
                            payload,
                            destination: None,
                        })
                        .chain(carrier.iter().flat_map(|c| {
                            c.entries(
                                &planned.events,
                                id,
                                name,
                                &actor.audit_name,
                                now.timestamp_millis(),
                            )
                        }))
                        .collect(),
                    }
                },
            )
            .await;
        match planned {
            Ok(Ok((planned, _))) => {
                self.outbox.wake();
                let _ = self.performed.send(Performed {
                    conversation_id: id.to_owned(),
                    action: heard,
                });
                let after = after_action
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(done(name, id, planned, after))
            }
            Ok(Err(refusal)) => Err(Failure::Refused(refusal)),
            Err(IngestError::Invalid(errors)) => {
                // The plan follows the ledger's rules, so this is a bug, not the person's doing.
                tracing::error!(
                    ?errors,
                    action = name,
                    "a planned action was refused by the ledger"
                );
                Err(Failure::Refused(Refusal {
                    kind: RefusalKind::Changed,
                    problem: Problem::new("problem.action_changed", &[&id, &"?"]),
                }))
            }
            Err(error) => {
                tracing::error!(%error, action = name, "an action could not be stored");
                Err(Failure::Unavailable)
            }
        }
    }
}

/// What an accepted action answers.
fn done(name: &str, id: &str, planned: Planned, after: String) -> Done {
    Done {
        action: name.to_owned(),
        conversation_id: id.to_owned(),
        before: planned.before,
        after,
        events: planned
            .events
            .iter()
            .filter_map(|e| e.get("id").and_then(|i| i.as_str()).map(str::to_owned))
            .collect(),
        over_capacity: planned.over_capacity,
    }
}

impl Actions {
    /// The admin's switches. Unlike the pages' display of them, an action does not go ahead
    /// when they cannot be read: a switched-off action must never run.
    async fn switches(&self) -> Result<SupervisorActions, Failure> {
        match crate::store::settings::get(self.ingestor.db(), SUPERVISOR_ACTIONS).await {
            Ok(Some(v)) => serde_json::from_str(&v).map_err(|e| {
                tracing::error!(error = %e, "the supervisor actions setting is unreadable");
                Failure::Unavailable
            }),
            Ok(None) => Ok(SupervisorActions::default()),
            Err(e) => {
                tracing::error!(error = %e, "reading the supervisor actions failed");
                Err(Failure::Unavailable)
            }
        }
    }
}

fn in_scope(scope: Option<&[String]>, queue: &str) -> bool {
    scope.is_none_or(|s| s.iter().any(|q| q == queue))
}

fn not_found(id: &str) -> Refusal {
    Refusal {
        kind: RefusalKind::NotFound,
        problem: Problem::new("problem.action_no_conversation", &[&id]),
    }
}

fn candidate(ledger: &Ledger, id: &str) -> Option<Candidate> {
    let a = ledger.agent(id)?;
    Some(Candidate {
        id: a.id.clone(),
        queues: a.queues.clone(),
        presence: a.presence,
        capacity: a.capacity,
        used: ledger.capacity_used(id),
    })
}

/// Event ids of one action: who acts (`sv` supervisor, `ag` agent), the instant and 64 random
/// bits, so two actions never share one.
fn action_prefix(tag: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut bytes = [0u8; 8];
    // A failing system RNG leaves zeros: the instant in microseconds still separates actions
    // unless two land in one microsecond, which the log's unique ids would then refuse.
    let _ = getrandom::fill(&mut bytes);
    format!(
        "{tag}-{}-{:016x}",
        now.timestamp_micros(),
        u64::from_le_bytes(bytes)
    )
}
