//! The connectors as the admin manages them, from the page ([`ConnectorStore`]) and the
//! command line: added (checked, with a new random key), listed, removed, their deliveries
//! read, a test delivery sent, payloads kept aside mapped again or discarded. Audited.

use std::sync::Arc;

use app::model::admin::AdminError;
use app::model::connector::{
    ConnectorActivity, ConnectorForm, ConnectorInfo, DEAD_LETTER_ROWS, DELIVERY_ROWS,
    DeadLetterRow, DeliveryRow, EventCount, MAX_CONNECTORS, check_connector,
};
use app::model::problem::Problem;
use app::server_fns::admin::Fut;
use app::server_fns::connectors::ConnectorStore;
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::admin::{internal, rfc3339};
use crate::ingest::Ingestor;
use crate::store::{self, audit, entities::connector};

/// The connectors' side of the admin: the database and the writer test deliveries and retries
/// go through.
#[derive(Clone)]
pub struct Connectors {
    /// The database.
    pub db: DatabaseConnection,
    /// The one writer.
    pub ingestor: Arc<Ingestor>,
}

fn no_connector() -> AdminError {
    AdminError::not_found(Problem::new("problem.no_connector", &[]))
}

/// What the page shows of a connector.
pub fn info(c: &connector::Model, dead_letters: u64) -> ConnectorInfo {
    ConnectorInfo {
        key: c.key.clone(),
        name: c.name.clone(),
        kind: c.kind.clone(),
        queue_by: c.queue_by.clone(),
        unsigned: c.unsigned,
        base_url: c.base_url.clone(),
        account_id: c.account_id,
        api_token_set: !c.api_token.is_empty(),
        prefix: super::prefix(&c.key),
        created: rfc3339(c.created_ms),
        dead_letters,
    }
}

async fn record(
    db: &DatabaseConnection,
    actor: &str,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) {
    if let Err(e) = audit::record(db, actor, action, target, detail).await {
        tracing::error!(error = %e, action, "auditing a connector change failed");
    }
}

async fn find(db: &DatabaseConnection, key: &str) -> Result<connector::Model, AdminError> {
    store::connectors::by_key(db, key)
        .await
        .map_err(internal)?
        .ok_or_else(no_connector)
}

/// Every connector.
pub async fn all(db: &DatabaseConnection) -> Result<Vec<ConnectorInfo>, AdminError> {
    let mut out = Vec::new();
    for c in store::connectors::all(db).await.map_err(internal)? {
        let dead = store::connectors::dead_letter_count(db, &c.key)
            .await
            .map_err(internal)?;
        out.push(info(&c, dead));
    }
    Ok(out)
}

/// Checks and adds a Chatwoot connector with a new key.
pub async fn create(
    db: &DatabaseConnection,
    actor: &str,
    form: &ConnectorForm,
) -> Result<ConnectorInfo, AdminError> {
    let checked = check_connector(form)?;
    let existing = store::connectors::all(db).await.map_err(internal)?;
    if existing.len() >= MAX_CONNECTORS {
        return Err(AdminError::field(
            "name",
            Problem::new("problem.connector_count", &[&MAX_CONNECTORS]),
        ));
    }
    if existing.iter().any(|c| c.name == checked.name) {
        return Err(AdminError::field(
            "name",
            Problem::new("problem.connector_name_taken", &[]),
        ));
    }
    // A new key whose prefix no other connector has, so their ids can never meet.
    let key = loop {
        let key = super::new_key().map_err(|e| {
            tracing::error!(error = %e, "no randomness for a connector key");
            AdminError::internal()
        })?;
        let prefix = super::prefix(&key);
        if !existing.iter().any(|c| super::prefix(&c.key) == prefix) {
            break key;
        }
    };
    let row = connector::Model {
        key,
        kind: "chatwoot".into(),
        name: checked.name,
        secret: checked.secret,
        unsigned: checked.unsigned,
        queue_by: checked.queue_by.into(),
        base_url: checked.base_url,
        account_id: checked.account_id,
        api_token: checked.api_token,
        created_ms: store::now_ms(),
    };
    store::connectors::insert(db, row.clone())
        .await
        .map_err(internal)?;
    record(
        db,
        actor,
        "connector.add",
        &format!("connector:{}", row.name),
        json!({"kind": row.kind, "queue_by": row.queue_by, "unsigned": row.unsigned,
                   "base_url": row.base_url, "account_id": row.account_id,
                   "prefix": super::prefix(&row.key)}),
    )
    .await;
    Ok(info(&row, 0))
}

/// Removes a connector by key.
pub async fn delete(db: &DatabaseConnection, actor: &str, key: &str) -> Result<(), AdminError> {
    let c = find(db, key).await?;
    store::connectors::remove(db, key).await.map_err(internal)?;
    record(
        db,
        actor,
        "connector.remove",
        &format!("connector:{}", c.name),
        json!({"prefix": super::prefix(key)}),
    )
    .await;
    Ok(())
}

impl Connectors {
    async fn audit(&self, actor: &str, action: &str, target: &str, detail: serde_json::Value) {
        record(&self.db, actor, action, target, detail).await;
    }

    async fn find(&self, key: &str) -> Result<connector::Model, AdminError> {
        find(&self.db, key).await
    }

    /// Counts of the last days, newest deliveries, payloads kept aside.
    pub async fn received(&self, key: &str) -> Result<ConnectorActivity, AdminError> {
        self.find(key).await?;
        let since = store::now_ms() - super::KEEP_DELIVERIES_DAYS * 86_400_000;
        let counts = store::connectors::counts(&self.db, key, since)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|c| EventCount {
                event: c.event,
                outcome: c.outcome,
                count: c.n,
            })
            .collect();
        let deliveries = store::connectors::recent(&self.db, key, DELIVERY_ROWS)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|d| DeliveryRow {
                received: rfc3339(d.received_ms),
                delivery_id: d.delivery_id,
                event: d.event,
                outcome: d.outcome,
                accepted: d.accepted,
                duplicates: d.duplicates,
                detail: d.detail,
            })
            .collect();
        let dead_letters = store::connectors::dead_letters(&self.db, key, DEAD_LETTER_ROWS)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|d| DeadLetterRow {
                id: d.id,
                received: rfc3339(d.received_ms),
                event: d.event,
                reason: d.reason,
                excerpt: d.payload.chars().take(300).collect(),
            })
            .collect();
        Ok(ConnectorActivity {
            counts,
            deliveries,
            dead_letters,
        })
    }

    /// A test delivery through the connector's mapping and delivery log: an event Intraday
    /// ignores, so it changes nothing but shows on the page.
    pub async fn test_delivery(&self, actor: &str, key: &str) -> Result<String, AdminError> {
        let c = self.find(key).await?;
        let value = json!({"event": "intraday_test_delivery", "sent_by": actor});
        let receipt = super::deliver_chatwoot(
            &self.ingestor,
            &self.db,
            &c,
            "test",
            &value.to_string(),
            &value,
            true,
        )
        .await
        .map_err(internal)?;
        Ok(receipt.outcome.to_owned())
    }

    /// Maps a payload kept aside again: placed (or now ignored), it leaves the list; still
    /// unplaceable, it stays with the new reason.
    pub async fn retry(&self, actor: &str, key: &str, id: i64) -> Result<String, AdminError> {
        let c = self.find(key).await?;
        let Some(dead) = store::connectors::dead_letter(&self.db, key, id)
            .await
            .map_err(internal)?
        else {
            return Err(AdminError::not_found(Problem::new(
                "problem.no_dead_letter",
                &[&id],
            )));
        };
        let value: serde_json::Value = serde_json::from_str(&dead.payload).unwrap_or_default();
        let receipt = super::deliver_chatwoot(
            &self.ingestor,
            &self.db,
            &c,
            &dead.delivery_id,
            &dead.payload,
            &value,
            false,
        )
        .await
        .map_err(internal)?;
        if receipt.outcome == "dead_letter" {
            store::connectors::set_reason(&self.db, id, &receipt.detail)
                .await
                .map_err(internal)?;
        } else {
            store::connectors::discard(&self.db, key, id)
                .await
                .map_err(internal)?;
        }
        self.audit(
            actor,
            "connector.retry",
            &format!("connector:{}", c.name),
            json!({"dead_letter": id, "outcome": receipt.outcome, "accepted": receipt.accepted}),
        )
        .await;
        Ok(receipt.outcome.to_owned())
    }

    /// Deletes a payload kept aside.
    pub async fn discard(&self, actor: &str, key: &str, id: i64) -> Result<(), AdminError> {
        let c = self.find(key).await?;
        if !store::connectors::discard(&self.db, key, id)
            .await
            .map_err(internal)?
        {
            return Err(AdminError::not_found(Problem::new(
                "problem.no_dead_letter",
                &[&id],
            )));
        }
        self.audit(
            actor,
            "connector.discard",
            &format!("connector:{}", c.name),
            json!({"dead_letter": id}),
        )
        .await;
        Ok(())
    }
}

impl ConnectorStore for Connectors {
    fn list(&self) -> Fut<'_, Vec<ConnectorInfo>> {
        Box::pin(all(&self.db))
    }

    fn add(&self, actor: String, form: ConnectorForm) -> Fut<'_, ConnectorInfo> {
        Box::pin(async move { create(&self.db, &actor, &form).await })
    }

    fn remove(&self, actor: String, key: String) -> Fut<'_, ()> {
        Box::pin(async move { delete(&self.db, &actor, &key).await })
    }

    fn activity(&self, key: String) -> Fut<'_, ConnectorActivity> {
        Box::pin(async move { self.received(&key).await })
    }

    fn test(&self, actor: String, key: String) -> Fut<'_, String> {
        Box::pin(async move { self.test_delivery(&actor, &key).await })
    }

    fn retry(&self, actor: String, key: String, id: i64) -> Fut<'_, String> {
        Box::pin(async move { Connectors::retry(self, &actor, &key, id).await })
    }

    fn discard(&self, actor: String, key: String, id: i64) -> Fut<'_, ()> {
        Box::pin(async move { Connectors::discard(self, &actor, &key, id).await })
    }
}

/// Runs `intraday connector …`.
pub async fn run(
    command: crate::cli::ConnectorCommand,
    config: &crate::config::Config,
) -> Result<(), crate::error::StartError> {
    use crate::cli::{ConnectorCommand, ConnectorKind};
    use crate::error::StartError;
    let db_args = match &command {
        ConnectorCommand::Add {
            kind: ConnectorKind::Chatwoot(a),
        } => &a.db,
        ConnectorCommand::List(d) => d,
        ConnectorCommand::Remove { db, .. } => db,
    };
    let db = crate::db::connect_and_migrate(&db_args.url(config)).await?;
    let refused = |e: AdminError| {
        let flag = |f: String| match f.as_str() {
            "account_id" => "account".to_owned(),
            other => other.replace('_', "-"),
        };
        let field = e
            .field
            .map(|f| format!("--{}: ", flag(f)))
            .unwrap_or_default();
        StartError::Invalid(format!("{field}{}", e.problem))
    };
    match command {
        ConnectorCommand::Add {
            kind: ConnectorKind::Chatwoot(a),
        } => {
            let form = ConnectorForm {
                name: a.name,
                secret: a.secret,
                unsigned: a.unsigned,
                queue_by: a.queue_by,
                base_url: a.base_url,
                account_id: a.account,
                api_token: a.api_token,
            };
            let c = create(&db, "cli", &form).await.map_err(refused)?;
            println!("name\t{}", c.name);
            println!("key\t{}", c.key);
            println!("queues by\t{}", c.queue_by);
            println!("ids start with\t{}", c.prefix);
            println!("{}", app::model::connector::webhook_path(&c.key));
        }
        ConnectorCommand::List(_) => {
            for c in all(&db).await.map_err(refused)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.key,
                    c.kind,
                    c.name,
                    c.queue_by,
                    app::model::connector::webhook_path(&c.key)
                );
            }
        }
        ConnectorCommand::Remove { key, .. } => {
            delete(&db, "cli", &key).await.map_err(|e| {
                if e.status == 404 {
                    StartError::Invalid(format!(
                        "there is no connector {key}; see intraday connector list"
                    ))
                } else {
                    refused(e)
                }
            })?;
        }
    }
    Ok(())
}
