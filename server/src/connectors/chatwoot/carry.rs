//! Actions taken in Intraday on a Chatwoot conversation, carried out in Chatwoot through its
//! application API: read from the events the action wrote (so a supervisor's and an agent's
//! actions are carried alike), one call per outbox row, since Chatwoot's POSTs are not
//! idempotent and each is retried on its own.
//!
//! | Intraday event | Chatwoot call (`/api/v1/accounts/{account}/conversations/{id}/…`) |
//! |---|---|
//! | `offered` to, or `transferred` to, a Chatwoot user | `assignments` `{"assignee_id"}` |
//! | `transferred` to a team's queue | `assignments` `{"team_id"}` |
//! | `rejected`, `released` | `assignments` `{"assignee_id": null}` |
//! | `waiting` / `resumed` | `toggle_status` `snoozed` / `open` |
//! | `closed` | `toggle_status` `resolved` |
//! | `message` by an agent or supervisor | `messages` (a whisper `private: true`) |
//!
//! `accepted` and `ended` have no Chatwoot counterpart. Each message carries the Intraday
//! event's id (`content_attributes.intraday_event_id`, and `source_id`), so the webhook
//! Chatwoot sends back for it is recognised as its echo; the other calls' echoes find the
//! conversation already as they say, and add nothing.

use serde_json::{Value, json};

/// A connector's calls are due to `chatwoot:{key}`.
pub fn destination(key: &str) -> String {
    format!("chatwoot:{key}")
}

/// The `source_id` prefix of the messages Intraday writes into Chatwoot.
pub const SOURCE_PREFIX: &str = "intraday:";

/// The calls carrying out `events` (written by one action on conversation `id`) in account
/// `account`: `{"method", "path", "body"}` each, in order. Empty when `id` is not one of this
/// connector's conversations.
pub fn calls(events: &[Value], id: &str, prefix: &str, account: i64) -> Vec<Value> {
    let Some(number) = id
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .map(|rest| rest.split('.').next().unwrap_or(rest))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    else {
        return Vec::new();
    };
    let base = format!("/api/v1/accounts/{account}/conversations/{number}");
    let user = |agent: &Value| {
        agent
            .as_str()
            .and_then(|a| a.strip_prefix(&format!("{prefix}-user-")))
            .and_then(|n| n.parse::<u64>().ok())
    };
    let team = |queue: &Value| {
        queue
            .as_str()
            .and_then(|q| q.strip_prefix(&format!("{prefix}-team-")))
            .and_then(|n| n.parse::<u64>().ok())
    };
    let call = |path: &str, body: Value| json!({"method": "POST", "path": format!("{base}/{path}"), "body": body});
    let status = |s: &str| call("toggle_status", json!({"status": s}));
    let mut out = Vec::new();
    for e in events {
        match e["type"].as_str().unwrap_or_default() {
            "conversation.offered" => {
                if let Some(u) = user(&e["agent_id"]) {
                    out.push(call("assignments", json!({"assignee_id": u})));
                }
            }
            "conversation.transferred" => {
                if let Some(u) = user(&e["to_agent_id"]) {
                    out.push(call("assignments", json!({"assignee_id": u})));
                } else if let Some(t) = team(&e["to_queue_id"]) {
                    out.push(call("assignments", json!({"team_id": t})));
                    out.push(call("assignments", json!({"assignee_id": null})));
                } else if !e["to_queue_id"].is_null() {
                    // An inbox cannot be changed in Chatwoot: the conversation is unassigned
                    // there and waits in its inbox.
                    out.push(call("assignments", json!({"assignee_id": null})));
                }
            }
            "conversation.rejected" | "conversation.released" => {
                out.push(call("assignments", json!({"assignee_id": null})));
            }
            "conversation.waiting" => out.push(status("snoozed")),
            "conversation.resumed" => out.push(status("open")),
            "conversation.closed" => out.push(status("resolved")),
            "conversation.message" => {
                let Some(text) = e["text"].as_str().filter(|t| !t.is_empty()) else {
                    continue;
                };
                if !matches!(e["from"].as_str(), Some("agent" | "supervisor")) {
                    continue;
                }
                let event_id = e["id"].as_str().unwrap_or_default();
                out.push(call(
                    "messages",
                    json!({
                        "content": text,
                        "message_type": "outgoing",
                        "private": e["visibility"] == "agents",
                        "source_id": format!("{SOURCE_PREFIX}{event_id}"),
                        "content_attributes": {"intraday_event_id": event_id},
                    }),
                ));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "cw01234567";

    #[test]
    fn each_action_becomes_chatwoots_calls() {
        let events = [
            json!({"type": "conversation.offered", "agent_id": "cw01234567-user-8", "by": "supervisor"}),
            json!({"type": "conversation.accepted", "agent_id": "cw01234567-user-8"}),
            json!({"id": "sv-1", "type": "conversation.message", "from": "supervisor", "visibility": "agents", "text": "check the refund"}),
            json!({"id": "sv-2", "type": "conversation.message", "from": "agent", "text": "Hello!"}),
            json!({"type": "conversation.transferred", "from_agent_id": "cw01234567-user-8", "to_queue_id": "cw01234567-team-2"}),
            json!({"type": "conversation.ended"}),
            json!({"type": "conversation.closed", "reason": "force_closed"}),
        ];
        let calls = calls(&events, "cw01234567-42.2", P, 3);
        let path = |c: &Value| c["path"].as_str().unwrap_or_default().to_owned();
        assert!(calls.iter().all(|c| c["method"] == "POST"));
        assert_eq!(
            calls.iter().map(path).collect::<Vec<_>>(),
            [
                "/api/v1/accounts/3/conversations/42/assignments",
                "/api/v1/accounts/3/conversations/42/messages",
                "/api/v1/accounts/3/conversations/42/messages",
                "/api/v1/accounts/3/conversations/42/assignments",
                "/api/v1/accounts/3/conversations/42/assignments",
                "/api/v1/accounts/3/conversations/42/toggle_status",
            ]
        );
        assert_eq!(calls[0]["body"], json!({"assignee_id": 8}));
        assert_eq!(calls[1]["body"]["private"], true);
        assert_eq!(
            calls[1]["body"]["content_attributes"]["intraday_event_id"],
            "sv-1"
        );
        assert_eq!(calls[1]["body"]["source_id"], "intraday:sv-1");
        assert_eq!(calls[2]["body"]["private"], false);
        assert_eq!(calls[3]["body"], json!({"team_id": 2}));
        assert_eq!(calls[4]["body"], json!({"assignee_id": null}));
        assert_eq!(calls[5]["body"], json!({"status": "resolved"}));
    }

    #[test]
    fn a_conversation_or_agent_not_of_the_connector_is_not_carried() {
        let offer = [json!({"type": "conversation.offered", "agent_id": "ann"})];
        assert!(calls(&offer, "cw01234567-42", P, 3).is_empty());
        let close = [json!({"type": "conversation.closed"})];
        assert!(calls(&close, "c-42", P, 3).is_empty());
        assert!(calls(&close, "cw99999999-42", P, 3).is_empty());
        assert!(calls(&close, "cw01234567-abc", P, 3).is_empty());
        assert_eq!(calls(&close, "cw01234567-42", P, 3).len(), 1);
    }
}
