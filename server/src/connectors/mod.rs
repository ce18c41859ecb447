//! Connectors: another system's webhook deliveries turned into Intraday's events, through the
//! same writer as any batch ([`crate::ingest::Ingestor::submit_planned`], so each payload is
//! mapped from the ledger exactly as its events will meet it). Every delivery is recorded with
//! what became of it; one that cannot be placed is kept aside with the reason, never dropped.

pub mod admin;
pub mod chatwoot;

use sea_orm::{DatabaseConnection, DbErr};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::ingest::{IngestError, Ingestor, Side};
use crate::store::{self, connectors::Delivery, entities::connector};
use chatwoot::map::{Mapped, QueueBy};

/// The largest delivery body accepted (Chatwoot's payloads are a few kilobytes).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How long deliveries are kept for the admin page's list and counts (days).
pub const KEEP_DELIVERIES_DAYS: i64 = 7;
/// The most payloads one connector keeps aside; past it, a delivery that cannot be placed is
/// still recorded (with this reason) but its body is not kept.
pub const MAX_DEAD_LETTERS: u64 = 10_000;

/// A new connector key: 24 random lowercase letters and digits (about 124 bits), the webhook
/// path's secret part.
pub fn new_key() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    // 252 = 7 × 36: a byte at or above it is drawn again, so every character is equally likely.
    let mut key = String::with_capacity(24);
    for mut b in bytes {
        while b >= 252 {
            let mut one = [0u8; 1];
            getrandom::fill(&mut one)?;
            b = one[0];
        }
        key.push(ALPHABET[usize::from(b % 36)] as char);
    }
    Ok(key)
}

/// The prefix of a connector's event ids and of the ids of what it creates (queues, agents,
/// customers, conversations): `cw` and 8 hex digits of the key's SHA-256, so ids never show
/// the key itself.
pub fn prefix(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("cw{hex}")
}

/// What became of a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// `mapped`, `ignored` or `dead_letter`.
    pub outcome: &'static str,
    /// Events newly stored.
    pub accepted: usize,
    /// Events already stored.
    pub duplicates: usize,
    /// Why it was ignored or kept aside (empty when mapped).
    pub detail: String,
}

/// Why a plan produced no batch.
enum NoBatch {
    Already,
    Ignored(String),
    Unplaceable(String),
}

/// Maps a parsed Chatwoot delivery from the ledger, ingests its events, and records it (and
/// keeps it aside when it cannot be placed and `keep_aside`). `Err` only when the database
/// failed: nothing of it was stored then.
pub async fn deliver_chatwoot(
    ingestor: &Ingestor,
    db: &DatabaseConnection,
    connector: &connector::Model,
    delivery_id: &str,
    raw: &str,
    body: &Value,
    keep_aside: bool,
) -> Result<Receipt, DbErr> {
    let event = body
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut receipt = if event.is_empty() {
        Receipt::ignored("the payload has no \"event\" name".into())
    } else {
        let prefix = prefix(&connector.key);
        let queue_by = if connector.queue_by == "team" {
            QueueBy::Team
        } else {
            QueueBy::Inbox
        };
        let now = chrono::Utc::now();
        let planned = ingestor
            .submit_planned(
                |ledger| match chatwoot::map::map(&event, body, &prefix, queue_by, ledger, now) {
                    Mapped::Events(events) if events.is_empty() => Err(NoBatch::Already),
                    Mapped::Events(events) => Ok((events, ())),
                    Mapped::Ignored(why) => Err(NoBatch::Ignored(why)),
                    Mapped::Unplaceable(why) => Err(NoBatch::Unplaceable(why)),
                },
                |_, _| Side::default(),
            )
            .await;
        match planned {
            Ok(Ok(((), outcome))) => Receipt {
                outcome: "mapped",
                accepted: outcome.accepted,
                duplicates: outcome.duplicates,
                detail: String::new(),
            },
            Ok(Err(NoBatch::Already)) => Receipt {
                outcome: "mapped",
                accepted: 0,
                duplicates: 0,
                detail: String::new(),
            },
            Ok(Err(NoBatch::Ignored(why))) => Receipt::ignored(why),
            Ok(Err(NoBatch::Unplaceable(why))) => Receipt::dead_letter(why),
            Err(IngestError::Invalid(errors)) => Receipt::dead_letter(
                errors
                    .iter()
                    .map(|e| {
                        format!(
                            "{}: {} {}",
                            e.id.as_deref().unwrap_or("?"),
                            e.field,
                            e.message
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Err(IngestError::Storage(e)) => return Err(e),
            Err(e) => Receipt::dead_letter(e.to_string()),
        }
    };
    let full = keep_aside
        && receipt.outcome == "dead_letter"
        && store::connectors::dead_letter_count(db, &connector.key).await? >= MAX_DEAD_LETTERS;
    if full {
        receipt.detail = format!(
            "{} (not kept: {MAX_DEAD_LETTERS} payloads are already kept aside; retry or discard them)",
            receipt.detail
        );
    } else if keep_aside && receipt.outcome == "dead_letter" {
        store::connectors::keep_aside(
            db,
            &store::connectors::DeadLetter {
                connector_key: &connector.key,
                delivery_id,
                event: &event,
                reason: &receipt.detail,
                payload: raw,
            },
            store::now_ms(),
        )
        .await?;
    }
    record(db, connector, delivery_id, &event, &receipt).await?;
    Ok(receipt)
}

/// Records a delivery's receipt.
pub async fn record(
    db: &DatabaseConnection,
    connector: &connector::Model,
    delivery_id: &str,
    event: &str,
    receipt: &Receipt,
) -> Result<(), DbErr> {
    store::connectors::record(
        db,
        &Delivery {
            connector_key: &connector.key,
            delivery_id,
            event: if event.is_empty() { "(none)" } else { event },
            outcome: receipt.outcome,
            accepted: receipt.accepted,
            duplicates: receipt.duplicates,
            detail: &receipt.detail,
        },
        store::now_ms(),
    )
    .await
}

impl Receipt {
    fn ignored(detail: String) -> Receipt {
        Receipt {
            outcome: "ignored",
            accepted: 0,
            duplicates: 0,
            detail,
        }
    }

    fn dead_letter(detail: String) -> Receipt {
        Receipt {
            outcome: "dead_letter",
            accepted: 0,
            duplicates: 0,
            detail,
        }
    }
}

/// Who carries out actions on a conversation in its own system: a Chatwoot connector with an
/// address, an account and a token, whose prefix the conversation's id has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Carrier {
    /// The connector's key.
    pub key: String,
    /// Its id prefix.
    pub prefix: String,
    /// The Chatwoot account.
    pub account: i64,
}

impl Carrier {
    /// The outbox entries carrying out `events`, written by an action on `conversation_id`.
    pub fn entries(
        &self,
        events: &[Value],
        conversation_id: &str,
        action: &str,
        actor: &str,
        at_ms: i64,
    ) -> Vec<store::outbox::OutboxEntry> {
        chatwoot::carry::calls(events, conversation_id, &self.prefix, self.account)
            .into_iter()
            .map(|call| store::outbox::OutboxEntry {
                action: action.to_owned(),
                conversation_id: conversation_id.to_owned(),
                actor: actor.to_owned(),
                at_ms,
                payload: call,
                destination: Some(chatwoot::carry::destination(&self.key)),
            })
            .collect()
    }
}

/// The carrier of `conversation_id`, if a connector made it and can carry actions out.
pub async fn carrier(
    db: &DatabaseConnection,
    conversation_id: &str,
) -> Result<Option<Carrier>, DbErr> {
    if !conversation_id.starts_with("cw") {
        return Ok(None);
    }
    Ok(store::connectors::all(db).await?.into_iter().find_map(|c| {
        let prefix = prefix(&c.key);
        let ours = conversation_id
            .strip_prefix(&prefix)
            .is_some_and(|rest| rest.starts_with('-'));
        let able = !c.base_url.is_empty() && !c.api_token.is_empty();
        match (ours && able, c.account_id) {
            (true, Some(account)) => Some(Carrier {
                key: c.key,
                prefix,
                account,
            }),
            _ => None,
        }
    }))
}
