//! An agent's action on their own work (the My dashboard) and the events it becomes (EVENTS.md:
//! `by: "agent"`), planned like a supervisor's ([`super::action`]): pure, against the
//! conversation as the ledger holds it under the writer's lock, so an agent taking an open
//! conversation a moment after someone else is told it was taken.
//!
//! An agent sees and acts on their own conversations (active, waiting, wrap-up) and on the open
//! conversations of their queues (to take one); anything else is "not found", as another
//! queue's conversation is for a supervisor.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::action::{
    Candidate, MAX_TEXT_CHARS, Out, Planned, Refusal, RefusalKind, checked_text, eligible_agent,
    invalid, refuse, state_refusal,
};
use super::row::conversation_token;
use crate::model::conversation::{Conversation, ConversationStatus};
use crate::model::event::Presence;

/// The longest wrap-up note or escalation note.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// What an agent does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AgentAction {
    /// Accept the conversation offered to them.
    Accept,
    /// Decline it: back to its queue.
    Decline,
    /// Take an open conversation of their queue ("Assign to me"): offered to and accepted by
    /// them at once.
    Take,
    /// Write to the customer.
    Send {
        /// The text.
        text: String,
    },
    /// Park it (waiting uses no capacity).
    Wait,
    /// Take it up again.
    Resume,
    /// End the session: wrap-up begins.
    End,
    /// Close it after wrap-up, with notes for colleagues (never shown to the customer).
    Close {
        /// The wrap-up notes.
        #[serde(default)]
        notes: Option<String>,
    },
    /// Hand it to a colleague of its queue, or back to a queue.
    Transfer {
        /// The colleague, or
        #[serde(default)]
        agent_id: Option<String>,
        /// the queue.
        #[serde(default)]
        queue_id: Option<String>,
    },
    /// Ask a supervisor for help.
    Escalate {
        /// What the supervisor should know.
        #[serde(default)]
        note: Option<String>,
    },
}

impl AgentAction {
    /// Its name, as the audit log and the outbound webhook name it.
    pub fn name(&self) -> &'static str {
        match self {
            AgentAction::Accept => "accept",
            AgentAction::Decline => "decline",
            AgentAction::Take => "take",
            AgentAction::Send { .. } => "send",
            AgentAction::Wait => "wait",
            AgentAction::Resume => "resume",
            AgentAction::End => "end",
            AgentAction::Close { .. } => "close",
            AgentAction::Transfer { .. } => "transfer",
            AgentAction::Escalate { .. } => "escalate",
        }
    }
}

/// An agent's action with the state it was taken on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRequest {
    /// The action.
    #[serde(flatten)]
    pub action: AgentAction,
    /// The conversation's state token as the agent saw it; when given and the conversation
    /// has changed since, the action is refused.
    #[serde(default)]
    pub expected_state: Option<String>,
}

/// Everything an agent's action is checked against, read under the writer's lock.
pub struct AgentSituation<'a> {
    /// The conversation now.
    pub conversation: &'a Conversation,
    /// The acting agent now.
    pub me: &'a Candidate,
    /// Another agent by id (a transfer's target).
    pub agent: &'a dyn Fn(&str) -> Option<Candidate>,
    /// Whether a queue exists.
    pub queue_exists: &'a dyn Fn(&str) -> bool,
    /// The server clock.
    pub now: DateTime<Utc>,
    /// A prefix unique to this action for the events' ids.
    pub id_prefix: &'a str,
}

/// Whether `me` may see conversation `c`: their own unfinished work, or an open conversation of
/// one of their queues.
pub fn visible_to(c: &Conversation, me: &Candidate) -> bool {
    use ConversationStatus as S;
    match c.status {
        S::Open => me.queues.contains(&c.queue_id),
        S::Active | S::Waiting | S::WrapUp => c.agent_id.as_deref() == Some(me.id.as_str()),
        S::Closed => false,
    }
}

/// Checks an agent's action against the conversation as it is and writes its events.
pub fn plan_agent(request: &AgentRequest, s: &AgentSituation<'_>) -> Result<Planned, Refusal> {
    use ConversationStatus as S;
    let c = s.conversation;
    let me = s.me;
    if !visible_to(c, me) {
        // Taken by someone else meanwhile (or never theirs): say so plainly when they asked
        // to take it, else the same answer as for an unknown conversation.
        let taken = matches!(request.action, AgentAction::Take)
            && !matches!(c.status, S::Open | S::Closed)
            && me.queues.contains(&c.queue_id);
        return Err(if taken {
            refuse(RefusalKind::Changed, "problem.my_taken", &[&c.id])
        } else {
            refuse(
                RefusalKind::NotFound,
                "problem.action_no_conversation",
                &[&c.id],
            )
        });
    }
    let before = conversation_token(c);
    if let Some(expected) = &request.expected_state
        && *expected != before
    {
        return Err(refuse(
            RefusalKind::Changed,
            "problem.action_changed",
            &[&c.id, &c.state_name()],
        ));
    }
    let at = s.now.max(c.updated_at);
    let mut out = Out::new(s.id_prefix, &c.id, at, None);
    let mut over_capacity = false;
    let in_conversation = c.status == S::Active && !c.awaiting_acceptance;
    let agent = me.id.as_str();
    match &request.action {
        AgentAction::Accept | AgentAction::Decline => {
            if !(c.status == S::Active && c.awaiting_acceptance) {
                return Err(state_refusal(c, "active, awaiting acceptance"));
            }
            if matches!(request.action, AgentAction::Accept) {
                out.push("conversation.accepted", json!({"agent_id": agent}));
            } else {
                out.push(
                    "conversation.rejected",
                    json!({"agent_id": agent, "reason": "declined"}),
                );
            }
        }
        AgentAction::Take => {
            if c.status != S::Open {
                return Err(state_refusal(c, "open"));
            }
            if me.presence == Presence::Offline {
                return Err(invalid("problem.my_offline"));
            }
            let cost = c.channel.cost();
            if me.used + cost > me.capacity {
                return Err(refuse(
                    RefusalKind::Invalid,
                    "problem.my_no_capacity",
                    &[&cost, &me.capacity.saturating_sub(me.used)],
                ));
            }
            out.push(
                "conversation.offered",
                json!({"agent_id": agent, "by": "agent"}),
            );
            out.push("conversation.accepted", json!({"agent_id": agent}));
        }
        AgentAction::Send { text } => {
            if !(in_conversation || c.status == S::Waiting) {
                return Err(state_refusal(c, "active, in conversation; waiting"));
            }
            let text = checked_text(text, MAX_TEXT_CHARS)?;
            out.push(
                "conversation.message",
                json!({"from": "agent", "agent_id": agent, "text": text}),
            );
        }
        AgentAction::Wait => {
            if !in_conversation {
                return Err(state_refusal(c, "active, in conversation"));
            }
            out.push("conversation.waiting", json!({}));
        }
        AgentAction::Resume => {
            if c.status != S::Waiting {
                return Err(state_refusal(c, "waiting"));
            }
            over_capacity = me.used + c.channel.cost() > me.capacity;
            out.push("conversation.resumed", json!({"by": "agent"}));
        }
        AgentAction::End => {
            if !in_conversation {
                return Err(state_refusal(c, "active, in conversation"));
            }
            out.push("conversation.ended", json!({}));
        }
        AgentAction::Close { notes } => {
            if c.status != S::WrapUp {
                return Err(state_refusal(c, "wrap-up"));
            }
            if let Some(notes) = notes.as_deref().filter(|n| !n.trim().is_empty()) {
                let notes = checked_text(notes, MAX_NOTE_CHARS)?;
                out.push(
                    "conversation.message",
                    json!({"from": "agent", "agent_id": agent, "text": notes, "visibility": "agents"}),
                );
            }
            out.push("conversation.closed", json!({"reason": "resolved"}));
        }
        AgentAction::Transfer { agent_id, queue_id } => {
            if !(in_conversation || c.status == S::Waiting) {
                return Err(state_refusal(c, "active, in conversation; waiting"));
            }
            match (agent_id, queue_id) {
                (Some(to), None) => {
                    if to == agent {
                        return Err(invalid("problem.action_same_agent"));
                    }
                    over_capacity = eligible_agent(c, (s.agent)(to), to)?;
                    out.push(
                        "conversation.transferred",
                        json!({"from_agent_id": agent, "to_agent_id": to, "by": "agent"}),
                    );
                }
                (None, Some(to)) => {
                    // Back to its own queue, or to another queue the agent works.
                    if !(s.queue_exists)(to) || (*to != c.queue_id && !me.queues.contains(to)) {
                        return Err(refuse(
                            RefusalKind::Invalid,
                            "problem.action_no_queue",
                            &[to],
                        ));
                    }
                    out.push(
                        "conversation.transferred",
                        json!({"from_agent_id": agent, "to_queue_id": to, "by": "agent"}),
                    );
                }
                _ => return Err(invalid("problem.action_one_target")),
            }
        }
        AgentAction::Escalate { note } => {
            if !(c.status == S::Active || c.status == S::Waiting) {
                return Err(state_refusal(c, "active, waiting"));
            }
            if c.open_escalation {
                return Err(invalid("problem.my_escalated"));
            }
            let mut fields = json!({"kind": "agent"});
            if let Some(note) = note.as_deref().filter(|n| !n.trim().is_empty()) {
                fields["note"] = checked_text(note, MAX_NOTE_CHARS)?.into();
            }
            out.push("conversation.escalated", fields);
        }
    }
    Ok(Planned {
        events: out.events,
        before,
        over_capacity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::Channel;

    fn conversation(
        status: ConversationStatus,
        awaiting: bool,
        agent: Option<&str>,
    ) -> Conversation {
        let at = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        Conversation {
            id: "c1".into(),
            queue_id: "q1".into(),
            channel: Channel::Chat,
            customer_id: "u1".into(),
            customer_name: "Zoë".into(),
            skills: Vec::new(),
            status,
            awaiting_acceptance: awaiting,
            agent_id: agent.map(str::to_owned),
            created_at: at,
            entered_queue_at: None,
            first_accepted_at: None,
            closed_at: None,
            close_reason: None,
            open_escalation: false,
            updated_at: at,
        }
    }

    fn me(used: u32) -> Candidate {
        Candidate {
            id: "a1".into(),
            queues: vec!["q1".into()],
            presence: Presence::Available,
            capacity: 2,
            used,
        }
    }

    fn run(c: &Conversation, me: &Candidate, action: AgentAction) -> Result<Vec<String>, Refusal> {
        let colleague = |id: &str| {
            (id == "a2").then(|| Candidate {
                id: "a2".into(),
                queues: vec!["q1".into()],
                presence: Presence::Available,
                capacity: 3,
                used: 0,
            })
        };
        let s = AgentSituation {
            conversation: c,
            me,
            agent: &colleague,
            queue_exists: &|q: &str| q == "q1" || q == "q2",
            now: c.updated_at,
            id_prefix: "ag-1",
        };
        let request = AgentRequest {
            action,
            expected_state: None,
        };
        plan_agent(&request, &s).map(|p| {
            p.events
                .iter()
                .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
    }

    #[test]
    fn an_agent_works_their_conversation_from_offer_to_close() {
        use ConversationStatus as S;
        let offered = conversation(S::Active, true, Some("a1"));
        assert_eq!(
            run(&offered, &me(1), AgentAction::Accept).unwrap(),
            ["conversation.accepted"]
        );
        assert_eq!(
            run(&offered, &me(1), AgentAction::Decline).unwrap(),
            ["conversation.rejected"]
        );
        let talking = conversation(S::Active, false, Some("a1"));
        let send = AgentAction::Send {
            text: " hello ".into(),
        };
        assert_eq!(
            run(&talking, &me(1), send).unwrap(),
            ["conversation.message"]
        );
        assert_eq!(
            run(&talking, &me(1), AgentAction::Wait).unwrap(),
            ["conversation.waiting"]
        );
        assert_eq!(
            run(&talking, &me(1), AgentAction::End).unwrap(),
            ["conversation.ended"]
        );
        let parked = conversation(S::Waiting, false, Some("a1"));
        assert_eq!(
            run(&parked, &me(0), AgentAction::Resume).unwrap(),
            ["conversation.resumed"]
        );
        let wrap = conversation(S::WrapUp, false, Some("a1"));
        let close = AgentAction::Close {
            notes: Some("refund sent".into()),
        };
        assert_eq!(
            run(&wrap, &me(0), close).unwrap(),
            ["conversation.message", "conversation.closed"]
        );
        let escalate = AgentAction::Escalate {
            note: Some("angry".into()),
        };
        assert_eq!(
            run(&talking, &me(1), escalate).unwrap(),
            ["conversation.escalated"]
        );
        let to_colleague = AgentAction::Transfer {
            agent_id: Some("a2".into()),
            queue_id: None,
        };
        assert_eq!(
            run(&talking, &me(1), to_colleague).unwrap(),
            ["conversation.transferred"]
        );
        let back = AgentAction::Transfer {
            agent_id: None,
            queue_id: Some("q1".into()),
        };
        assert_eq!(
            run(&talking, &me(1), back).unwrap(),
            ["conversation.transferred"]
        );
    }

    #[test]
    fn taking_an_open_conversation_needs_capacity_and_a_queue_of_mine() {
        use ConversationStatus as S;
        let open = conversation(S::Open, false, None);
        assert_eq!(
            run(&open, &me(0), AgentAction::Take).unwrap(),
            ["conversation.offered", "conversation.accepted"]
        );
        let full = run(&open, &me(2), AgentAction::Take).unwrap_err();
        assert_eq!(full.problem.key, "problem.my_no_capacity");
        let mut offline = me(0);
        offline.presence = Presence::Offline;
        assert_eq!(
            run(&open, &offline, AgentAction::Take)
                .unwrap_err()
                .problem
                .key,
            "problem.my_offline"
        );
        let mut elsewhere = open.clone();
        elsewhere.queue_id = "q2".into();
        assert_eq!(
            run(&elsewhere, &me(0), AgentAction::Take).unwrap_err().kind,
            RefusalKind::NotFound
        );
        // Taken a moment ago by a colleague: said so.
        let taken = conversation(S::Active, true, Some("a2"));
        let refusal = run(&taken, &me(0), AgentAction::Take).unwrap_err();
        assert_eq!(
            (refusal.kind, refusal.problem.key),
            (RefusalKind::Changed, "problem.my_taken")
        );
    }

    #[test]
    fn another_agents_work_is_not_found_and_wrong_states_are_refused() {
        use ConversationStatus as S;
        let theirs = conversation(S::Active, false, Some("a2"));
        for action in [
            AgentAction::Accept,
            AgentAction::End,
            AgentAction::Send { text: "x".into() },
        ] {
            assert_eq!(
                run(&theirs, &me(0), action).unwrap_err().kind,
                RefusalKind::NotFound
            );
        }
        let talking = conversation(S::Active, false, Some("a1"));
        assert_eq!(
            run(&talking, &me(1), AgentAction::Accept)
                .unwrap_err()
                .problem
                .key,
            "problem.action_state"
        );
        let empty = AgentAction::Send { text: "   ".into() };
        assert_eq!(
            run(&talking, &me(1), empty).unwrap_err().problem.key,
            "problem.action_text_empty"
        );
        let far = AgentAction::Transfer {
            agent_id: None,
            queue_id: Some("q2".into()),
        };
        assert_eq!(
            run(&talking, &me(1), far).unwrap_err().problem.key,
            "problem.action_no_queue"
        );
        let myself = AgentAction::Transfer {
            agent_id: Some("a1".into()),
            queue_id: None,
        };
        assert_eq!(
            run(&talking, &me(1), myself).unwrap_err().problem.key,
            "problem.action_same_agent"
        );
        let mut escalated = talking.clone();
        escalated.open_escalation = true;
        let again = AgentAction::Escalate { note: None };
        assert_eq!(
            run(&escalated, &me(1), again).unwrap_err().problem.key,
            "problem.my_escalated"
        );
    }
}
