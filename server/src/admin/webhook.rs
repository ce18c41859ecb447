//! The webhook page's side of [`super::Admin`]: the URL and secret (checked, stored, audited,
//! the secret never shown), the outbox's newest rows as the admin reads them, and redelivery.

use app::model::admin::{
    AdminError, WEBHOOK_SECRET, WEBHOOK_URL, WebhookSettings, check_webhook_secret,
    check_webhook_url,
};
use app::model::outbox::{OutboxFilter, OutboxRow, OutboxState};
use app::model::problem::Problem;
use app::server_fns::admin::OUTBOX_ROWS;
use serde_json::json;

use super::{Admin, internal, rfc3339};
use crate::store::{self, entities::outbox};

impl Admin {
    /// The URL, and whether a secret is set.
    pub(super) async fn webhook_settings(&self) -> Result<WebhookSettings, AdminError> {
        let secret: String = self.setting(WEBHOOK_SECRET).await?;
        Ok(WebhookSettings {
            url: self.setting(WEBHOOK_URL).await?,
            secret_set: !secret.is_empty(),
        })
    }

    /// Checks and stores the URL (empty clears it), then wakes the delivery.
    pub(super) async fn store_webhook_url(&self, actor: &str, url: &str) -> Result<(), AdminError> {
        let url = check_webhook_url(url)?;
        if url.is_empty() {
            store::settings::remove(&self.db, WEBHOOK_URL)
                .await
                .map_err(internal)?;
        } else {
            self.set_setting(WEBHOOK_URL, &url).await?;
        }
        self.record(
            actor,
            "settings.webhook_url",
            WEBHOOK_URL,
            json!({"url": url}),
        )
        .await;
        self.outbox.wake();
        Ok(())
    }

    /// Checks and stores the secret (audited without it), then wakes the delivery.
    pub(super) async fn store_webhook_secret(
        &self,
        actor: &str,
        secret: &str,
    ) -> Result<(), AdminError> {
        let secret = check_webhook_secret(secret)?;
        self.set_setting(WEBHOOK_SECRET, &secret).await?;
        self.record(actor, "settings.webhook_secret", WEBHOOK_SECRET, json!({}))
            .await;
        self.outbox.wake();
        Ok(())
    }

    /// The newest rows `filter` lets through.
    pub(super) async fn outbox_rows(
        &self,
        filter: OutboxFilter,
    ) -> Result<Vec<OutboxRow>, AdminError> {
        let rows = store::outbox::recent(&self.db, filter, OUTBOX_ROWS)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(row).collect())
    }

    /// Sends row `id` again from now, then wakes the delivery.
    pub(super) async fn redeliver_row(&self, actor: &str, id: i64) -> Result<(), AdminError> {
        let found = store::outbox::redeliver(&self.db, id, store::now_ms())
            .await
            .map_err(internal)?;
        if !found {
            return Err(AdminError::not_found(Problem::new(
                "problem.no_outbox_row",
                &[&id],
            )));
        }
        self.record(
            actor,
            "outbox.redeliver",
            &format!("outbox:{id}"),
            json!({}),
        )
        .await;
        self.outbox.wake();
        Ok(())
    }
}

/// A stored row as the page shows it.
fn row(r: outbox::Model) -> OutboxRow {
    let state = if r.delivered_ms.is_some() {
        OutboxState::Delivered
    } else if r.failed {
        OutboxState::Failed
    } else if r.attempts > 0 {
        OutboxState::Failing
    } else {
        OutboxState::Pending
    };
    let waiting = matches!(state, OutboxState::Pending | OutboxState::Failing);
    // A connector's call is named with where it goes: `assign → Chatwoot assignments`.
    let action = match &r.destination {
        Some(_) => {
            let call: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
            let endpoint = call["path"].as_str().and_then(|p| p.rsplit('/').next());
            format!("{} → Chatwoot {}", r.action, endpoint.unwrap_or(""))
        }
        None => r.action,
    };
    OutboxRow {
        id: r.id,
        action,
        conversation_id: r.conversation_id,
        actor: r.actor,
        at: rfc3339(r.at_ms),
        attempts: u32::try_from(r.attempts).unwrap_or(0),
        state,
        delivered_at: r.delivered_ms.map(rfc3339),
        next_attempt: waiting.then(|| rfc3339(r.next_attempt_ms)),
        last_status: r.last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: r.last_error,
    }
}
