//! Delivery of the outbox: supervisor and agent actions, written to the `outbox` table in the
//! transaction of their events, POSTed to the admin's webhook by a background round (every
//! second, and at once when [`Outbox::wake`] is called). Everything is in the table, so
//! deliveries survive restarts and replicas of one database share them: each row is claimed
//! with a conditional update before it is sent. A failed try is retried after a doubling
//! wait, and given up on after a day of failures (an admin can redeliver it).

pub mod deliver;

use std::sync::Arc;
use std::time::Duration;

use app::model::admin::{WEBHOOK_SECRET, WEBHOOK_URL};
use axum::http::Uri;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::Notify;

use crate::ops::metrics::Metrics;
use crate::store::{self, entities::outbox, outbox::Failure};
use deliver::{Outcome, Sender, Target};

/// How often a round runs when nobody wakes it.
pub const ROUND_EVERY: Duration = Duration::from_secs(1);

/// Rows one round takes at most.
const BATCH: u64 = 50;

/// How long a claim holds a row: longer than a try can take, so only a replica that stopped
/// mid-try leaves the row to another (which tries it once this has passed).
const CLAIM: Duration = Duration::from_secs(60);

/// When a failing delivery is tried again, and when it is given up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// The wait after the first failure, doubled after each further one.
    pub first: Duration,
    /// The longest wait.
    pub longest: Duration,
    /// How long a delivery keeps failing (by its schedule) before it is given up on.
    pub give_up_after: Duration,
}

impl Default for Retry {
    /// 1 s, 2 s, 4 s … up to 10 minutes, for a day.
    fn default() -> Self {
        Retry {
            first: Duration::from_secs(1),
            longest: Duration::from_secs(600),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl Retry {
    /// The default schedule, starting from the configured first wait.
    pub fn from_config(config: &crate::config::Config) -> Retry {
        Retry {
            first: Duration::from_millis(config.webhook_retry_ms),
            ..Retry::default()
        }
    }

    /// The wait after the `attempts`th failure in a row (1: the first).
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(31);
        self.first.saturating_mul(1 << doublings).min(self.longest)
    }

    /// Whether to give up at the `attempts`th failure: the waits between it and the first
    /// failure add up to [`Retry::give_up_after`]. Counted by the schedule rather than the
    /// clock, so a server that was down does not give up on what it never tried.
    pub fn gives_up(&self, attempts: u32) -> bool {
        let mut failing = Duration::ZERO;
        for n in 1..attempts {
            failing += self.delay(n);
            if failing >= self.give_up_after {
                return true;
            }
        }
        false
    }
}

/// The outbox's delivery: the handle [`crate::state::AppState`] keeps, to wake it.
pub struct Outbox {
    db: DatabaseConnection,
    retry: Retry,
    wake: Notify,
    sender: Sender,
}

impl Outbox {
    /// The delivery over `db`, retrying on `retry`'s schedule. Starts nothing:
    /// [`crate::tasks::start`] runs [`Outbox::run`].
    pub fn new(db: DatabaseConnection, retry: Retry) -> Outbox {
        Outbox {
            db,
            retry,
            wake: Notify::new(),
            sender: Sender::default(),
        }
    }

    /// Runs a round now rather than within the second: after a commit that enqueued an
    /// action, or a change of the webhook. A wake during a round runs another after it.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers forever: a round, then waits for [`ROUND_EVERY`] or a wake. Counts each try
    /// in `ingestor`'s metrics.
    pub async fn run(self: Arc<Self>, ingestor: Arc<crate::ingest::Ingestor>) {
        loop {
            if let Err(e) = self.round(ingestor.metrics()).await {
                tracing::warn!(error = %e, "an outbox delivery round failed; trying again");
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(ROUND_EVERY) => {}
            }
        }
    }

    /// One round: up to [`BATCH`] due rows, oldest first, each claimed then tried. Without a
    /// webhook (a URL and a secret) rows wait. A receiver that cannot be reached ends the
    /// round, so a dead one costs one timeout per round, not one per row.
    async fn round(&self, metrics: &Metrics) -> Result<(), DbErr> {
        let target = target(&self.db).await?;
        let rows = store::outbox::due(&self.db, store::now_ms(), BATCH, target.is_some()).await?;
        // Destinations not to try again this round: one that did not answer, and a connector
        // whose call failed (its calls are carried out in order, so the next waits).
        let mut held: Vec<Option<String>> = Vec::new();
        let mut connectors = std::collections::HashMap::new();
        for row in rows {
            if held.contains(&row.destination) {
                continue;
            }
            let until = store::now_ms() + CLAIM.as_millis() as i64;
            if !store::outbox::claim(&self.db, &row, until).await? {
                continue; // another replica has it
            }
            let outcome = match (&row.destination, &target) {
                (None, Some(target)) => self.sender.post(target, row.id, &row.payload).await,
                (None, None) => continue, // not fetched: no webhook
                (Some(destination), _) => {
                    self.carry(destination, &row.payload, &mut connectors)
                        .await?
                }
            };
            metrics.webhook_attempt(outcome.delivered());
            let hold = match (&outcome, &row.destination) {
                (Outcome::Unreachable(_), _) => true,
                (o, Some(_)) => !o.delivered(),
                _ => false,
            };
            self.record(&row, outcome).await?;
            if hold {
                held.push(row.destination.clone());
            }
        }
        Ok(())
    }

    /// Makes a connector's call (`{"method", "path", "body"}`) into its system.
    async fn carry(
        &self,
        destination: &str,
        call: &str,
        connectors: &mut std::collections::HashMap<
            String,
            Option<store::entities::connector::Model>,
        >,
    ) -> Result<Outcome, DbErr> {
        let Some(key) = destination.strip_prefix("chatwoot:") else {
            return Ok(Outcome::Unreachable(format!(
                "unknown destination {destination:?}"
            )));
        };
        if !connectors.contains_key(key) {
            let found = store::connectors::by_key(&self.db, key).await?;
            connectors.insert(key.to_owned(), found);
        }
        let Some(c) = connectors.get(key).and_then(Option::as_ref) else {
            return Ok(Outcome::Unreachable("the connector was removed".into()));
        };
        let call: serde_json::Value = serde_json::from_str(call).unwrap_or_default();
        let path = call["path"].as_str().unwrap_or_default();
        let Ok(uri) = format!("{}{path}", c.base_url).parse::<Uri>() else {
            return Ok(Outcome::Unreachable(format!(
                "{}{path} is not an address",
                c.base_url
            )));
        };
        if uri.scheme_str() != Some("http") {
            return Ok(Outcome::Unreachable(
                "Intraday calls Chatwoot over plain HTTP only: give the http:// address of Chatwoot or of a TLS-terminating proxy in front of it".into(),
            ));
        }
        let headers = [("api_access_token", c.api_token.as_str())];
        Ok(self
            .sender
            .call(uri, &headers, &call["body"].to_string())
            .await)
    }

    /// Stores what became of a try of `row`.
    async fn record(&self, row: &outbox::Model, outcome: Outcome) -> Result<(), DbErr> {
        let now = store::now_ms();
        let (status, error) = match outcome {
            Outcome::Answered(status, _) if (200..300).contains(&status) => {
                return store::outbox::delivered(&self.db, row.id, now, status).await;
            }
            Outcome::Answered(status, body) => {
                let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
                (
                    Some(status),
                    format!("HTTP {status} {body}").trim_end().to_owned(),
                )
            }
            Outcome::Unreachable(e) => (None, e),
        };
        let attempts = u32::try_from(row.attempts).unwrap_or(0).saturating_add(1);
        let failed = self.retry.gives_up(attempts);
        let wait = self.retry.delay(attempts).as_millis() as i64;
        tracing::info!(id = row.id, attempts, failed, error = %error, "a webhook delivery failed");
        store::outbox::attempt_failed(
            &self.db,
            row.id,
            &Failure {
                attempts: i32::try_from(attempts).unwrap_or(i32::MAX),
                next_attempt_ms: now + wait,
                failed,
                status,
                error,
            },
        )
        .await
    }
}

/// The webhook deliveries go to: both a URL and a secret set, else none.
async fn target(db: &DatabaseConnection) -> Result<Option<Target>, DbErr> {
    let text = |v: Option<String>| {
        v.and_then(|v| serde_json::from_str::<String>(&v).ok())
            .unwrap_or_default()
    };
    let url = text(store::settings::get(db, WEBHOOK_URL).await?);
    let secret = text(store::settings::get(db, WEBHOOK_SECRET).await?);
    if url.is_empty() || secret.is_empty() {
        return Ok(None);
    }
    match url.parse::<Uri>() {
        Ok(uri) => Ok(Some(Target { uri, secret })),
        Err(e) => {
            tracing::warn!(error = %e, "the webhook URL does not parse; deliveries wait");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_first_up_to_ten_minutes() {
        let r = Retry::default();
        let waits: Vec<u64> = (1..=4).map(|n| r.delay(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8]);
        assert_eq!(r.delay(10).as_secs(), 512);
        assert_eq!(r.delay(11).as_secs(), 600);
        assert_eq!(r.delay(u32::MAX).as_secs(), 600);
        let fast = Retry {
            first: Duration::from_millis(10),
            ..r
        };
        assert_eq!(fast.delay(3), Duration::from_millis(40));
    }

    #[test]
    fn a_delivery_is_given_up_on_after_a_day_of_failures() {
        let r = Retry::default();
        // 1 + 2 + … + 512 s (1,023 s) over the first ten waits, then 600 s each.
        let span = |n: u32| (1..n).map(|k| r.delay(k).as_secs()).sum::<u64>();
        let last = (1..1_000).find(|&n| r.gives_up(n)).expect("gives up");
        assert!(span(last) >= 24 * 3600, "{}", span(last));
        assert!(span(last - 1) < 24 * 3600, "{}", span(last - 1));
        assert!(!r.gives_up(1));
        assert_eq!(last, 154);
    }
}
