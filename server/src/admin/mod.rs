//! The admin pages' data access ([`AdminStore`]): users, queues' supervisors, settings, tokens,
//! report panels, the audit log and the webhook. Every change is validated (errors name the field) and
//! recorded in the audit log with the admin's login.

use std::sync::Arc;

use app::auth::Role;
use app::model::admin::*;
use app::model::panel::ReportPanel;
use app::model::problem::Problem;
use app::server_fns::admin::{AdminStore, Fut, UserForm};
use sea_orm::{DatabaseConnection, DbErr};
use serde_json::json;

use crate::live::thresholds::LimitsCache;
use crate::store::users::{self, NewUser};
use crate::store::{audit, reference, settings, tokens};

mod forms;
pub mod panels;
mod webhook;
use forms::{new_token, new_user, user_detail, user_error};

/// The server's [`AdminStore`].
pub struct Admin {
    /// The database.
    pub db: DatabaseConnection,
    /// The configured retention days (the default of the setting).
    pub retention_default: u32,
    /// The thresholds the KPI answers use (reloaded after a change).
    pub thresholds: Arc<LimitsCache>,
    /// The live streams, told when a user, session or token changes (they check their caller).
    pub hub: Arc<crate::stream::Hub>,
    /// The outbox's delivery, woken when the webhook changes or a row is redelivered.
    pub outbox: Arc<crate::outbox::Outbox>,
    /// The agents' desk settings in force (replaced after a change).
    pub desk: Arc<crate::actions::desk::Desk>,
}

/// Which supervisor actions are enabled (all when the setting is absent or unreadable): the
/// accessor server-side supervisor actions call before acting.
pub async fn supervisor_actions(db: &DatabaseConnection) -> SupervisorActions {
    match settings::get(db, SUPERVISOR_ACTIONS).await {
        Ok(v) => v
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "reading the supervisor actions failed; all enabled");
            SupervisorActions::default()
        }
    }
}

/// Logs a storage error and says so without details.
/// A storage failure as the admin's answer (the cause goes to the log).
pub(crate) fn internal(e: DbErr) -> AdminError {
    tracing::error!(error = %e, "an admin change could not be stored");
    AdminError::internal()
}

/// A stored instant (ms) as the admin pages show it (RFC 3339, seconds, UTC).
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Admin {
    async fn record(&self, actor: &str, action: &str, target: &str, detail: serde_json::Value) {
        if let Err(e) = audit::record(&self.db, actor, action, target, detail).await {
            tracing::error!(error = %e, action, "auditing an admin change failed");
        }
    }

    async fn setting<T: serde::de::DeserializeOwned + Default>(
        &self,
        key: &str,
    ) -> Result<T, AdminError> {
        Ok(settings::get(&self.db, key)
            .await
            .map_err(internal)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    async fn set_setting(
        &self,
        key: &str,
        value: &impl serde::Serialize,
    ) -> Result<(), AdminError> {
        let text = serde_json::to_string(value).map_err(|e| {
            tracing::error!(error = %e, "serialising a setting failed");
            AdminError::internal()
        })?;
        settings::set(&self.db, key, &text).await.map_err(internal)
    }

    /// Admins other than `login`.
    async fn other_admins(&self, login: &str) -> Result<usize, AdminError> {
        Ok(users::list(&self.db)
            .await
            .map_err(internal)?
            .iter()
            .filter(|u| u.role == "admin" && u.login != login)
            .count())
    }
}

impl AdminStore for Admin {
    fn users(&self) -> Fut<'_, Vec<UserRow>> {
        Box::pin(async move {
            let rows = users::list(&self.db).await.map_err(internal)?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    let v = users::viewer(r)?;
                    Some(UserRow {
                        login: v.login,
                        role: v.role,
                        queues: v.queues,
                        agent_id: v.agent_id,
                        created_at: rfc3339(r.created_at_ms),
                    })
                })
                .collect())
        })
    }

    fn add_user(&self, actor: String, user: UserForm, password: String) -> Fut<'_, ()> {
        Box::pin(async move {
            let new = new_user(user)?;
            users::insert(&self.db, &new, &password)
                .await
                .map_err(user_error)?;
            self.record(&actor, "user.add", &new.login, user_detail(&new))
                .await;
            Ok(())
        })
    }

    fn update_user(&self, actor: String, user: UserForm) -> Fut<'_, ()> {
        Box::pin(async move {
            let new = new_user(user)?;
            if new.role != Role::Admin && self.other_admins(&new.login).await? == 0 {
                let was_admin = users::find(&self.db, &new.login)
                    .await
                    .map_err(internal)?
                    .is_some_and(|u| u.role == "admin");
                if was_admin {
                    return Err(AdminError::field(
                        "role",
                        Problem::new("problem.last_admin", &[&new.login]),
                    ));
                }
            }
            users::update(&self.db, &new).await.map_err(user_error)?;
            self.hub.callers_changed();
            self.record(&actor, "user.update", &new.login, user_detail(&new))
                .await;
            Ok(())
        })
    }

    fn reset_password(&self, actor: String, login: String, password: String) -> Fut<'_, ()> {
        Box::pin(async move {
            users::set_password(&self.db, &login, &password)
                .await
                .map_err(user_error)?;
            if let Some(u) = users::find(&self.db, &login).await.map_err(internal)? {
                // A new password ends the sessions signed in with the old one.
                crate::store::sessions::end_all_of(&self.db, u.id)
                    .await
                    .map_err(internal)?;
            }
            self.hub.callers_changed();
            self.record(&actor, "user.password", &login, json!({}))
                .await;
            Ok(())
        })
    }

    fn delete_user(&self, actor: String, login: String) -> Fut<'_, ()> {
        Box::pin(async move {
            if login == actor {
                return Err(AdminError::field(
                    "login",
                    Problem::new("problem.delete_self", &[]),
                ));
            }
            let Some(row) = users::find(&self.db, &login).await.map_err(internal)? else {
                return Err(AdminError::not_found(Problem::new(
                    "problem.no_user",
                    &[&format!("{login:?}")],
                )));
            };
            if row.role == "admin" && self.other_admins(&login).await? == 0 {
                return Err(AdminError::field(
                    "login",
                    Problem::new("problem.last_admin_delete", &[&login]),
                ));
            }
            users::delete(&self.db, &login).await.map_err(internal)?;
            self.hub.callers_changed();
            self.record(&actor, "user.delete", &login, json!({"role": row.role}))
                .await;
            Ok(())
        })
    }

    fn queues(&self) -> Fut<'_, Vec<QueueInfo>> {
        Box::pin(async move {
            let queues = reference::queues(&self.db).await.map_err(internal)?;
            let people = self.users().await?;
            Ok(queues
                .into_iter()
                .map(|q| QueueInfo {
                    supervisors: people
                        .iter()
                        .filter(|u| u.role == Role::Supervisor && u.queues.contains(&q.queue_id))
                        .map(|u| u.login.clone())
                        .collect(),
                    channels: serde_json::from_str(&q.channels).unwrap_or_default(),
                    service_level_seconds: u32::try_from(q.service_level_seconds).unwrap_or(0),
                    queue_id: q.queue_id,
                    name: q.name,
                })
                .collect())
        })
    }

    fn set_queue_supervisor(
        &self,
        actor: String,
        queue_id: String,
        login: String,
        assigned: bool,
    ) -> Fut<'_, ()> {
        Box::pin(async move {
            let queues = reference::queues(&self.db).await.map_err(internal)?;
            if !queues.iter().any(|q| q.queue_id == queue_id) {
                return Err(AdminError::field(
                    "queue_id",
                    Problem::new("problem.no_queue", &[&format!("{queue_id:?}")]),
                ));
            }
            let Some(row) = users::find(&self.db, &login).await.map_err(internal)? else {
                return Err(AdminError::field(
                    "login",
                    Problem::new("problem.no_user", &[&format!("{login:?}")]),
                ));
            };
            let Some(mut viewer) = users::viewer(&row).filter(|v| v.role == Role::Supervisor)
            else {
                return Err(AdminError::field(
                    "login",
                    Problem::new("problem.not_supervisor", &[&login]),
                ));
            };
            viewer.queues.retain(|q| *q != queue_id);
            if assigned {
                viewer.queues.push(queue_id.clone());
            }
            let new = NewUser {
                login: viewer.login,
                role: viewer.role,
                queues: viewer.queues,
                agent_id: viewer.agent_id,
            };
            users::update(&self.db, &new).await.map_err(user_error)?;
            let action = if assigned {
                "queue.assign_supervisor"
            } else {
                "queue.unassign_supervisor"
            };
            self.hub.callers_changed();
            self.record(&actor, action, &queue_id, json!({"login": login}))
                .await;
            Ok(())
        })
    }

    fn agents(&self) -> Fut<'_, Vec<AgentInfo>> {
        Box::pin(async move {
            Ok(reference::agents(&self.db)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|a| AgentInfo {
                    queues: serde_json::from_str(&a.queues).unwrap_or_default(),
                    skills: serde_json::from_str(&a.skills).unwrap_or_default(),
                    capacity: u32::try_from(a.capacity).unwrap_or(0),
                    agent_id: a.agent_id,
                    name: a.name,
                })
                .collect())
        })
    }

    fn settings(&self) -> Fut<'_, AdminSettings> {
        Box::pin(async move {
            Ok(AdminSettings {
                actions: self.setting(SUPERVISOR_ACTIONS).await?,
                thresholds: self.setting(THRESHOLDS).await?,
                retention_days: self.setting(RETENTION_DAYS).await?,
                retention_default: self.retention_default,
                embed_origins: self.setting(crate::auth::security::EMBED_ORIGINS).await?,
                stuck_minutes: self
                    .setting::<Option<u32>>(app::model::admin::STUCK_MINUTES)
                    .await?
                    .unwrap_or(app::model::admin::DEFAULT_STUCK_MINUTES),
                desk: self.setting(app::model::desk::DESK).await?,
            })
        })
    }

    fn set_actions(&self, actor: String, actions: SupervisorActions) -> Fut<'_, ()> {
        Box::pin(async move {
            self.set_setting(SUPERVISOR_ACTIONS, &actions).await?;
            self.record(
                &actor,
                "settings.supervisor_actions",
                SUPERVISOR_ACTIONS,
                json!(actions),
            )
            .await;
            Ok(())
        })
    }

    fn set_thresholds(
        &self,
        actor: String,
        queue: Option<String>,
        thresholds: Option<Thresholds>,
    ) -> Fut<'_, ()> {
        Box::pin(async move {
            let mut all: ThresholdSettings = self.setting(THRESHOLDS).await?;
            let target = match (&queue, thresholds) {
                (None, Some(t)) => {
                    all.default = t;
                    "default".to_owned()
                }
                (Some(q), Some(t)) => {
                    check_id("queue_id", q)?;
                    all.queues.insert(q.clone(), t);
                    q.clone()
                }
                (Some(q), None) => {
                    if all.queues.remove(q).is_none() {
                        return Err(AdminError::field(
                            "queue_id",
                            Problem::new("problem.own_thresholds", &[&format!("{q:?}")]),
                        ));
                    }
                    q.clone()
                }
                (None, None) => {
                    return Err(AdminError::field(
                        "queue_id",
                        Problem::new("problem.name_queue", &[]),
                    ));
                }
            };
            self.set_setting(THRESHOLDS, &all).await?;
            if let Err(e) = self.thresholds.reload().await {
                tracing::warn!(error = %e, "reloading the thresholds failed; they apply within seconds");
            }
            let action = if thresholds.is_some() {
                "settings.thresholds"
            } else {
                "settings.thresholds_clear"
            };
            self.record(&actor, action, &target, json!(thresholds))
                .await;
            Ok(())
        })
    }

    fn set_retention(&self, actor: String, days: Option<u32>) -> Fut<'_, ()> {
        Box::pin(async move {
            match days {
                Some(d) => self.set_setting(RETENTION_DAYS, &d).await?,
                None => settings::remove(&self.db, RETENTION_DAYS)
                    .await
                    .map_err(internal)?,
            }
            self.record(
                &actor,
                "settings.retention_days",
                RETENTION_DAYS,
                json!({"days": days}),
            )
            .await;
            Ok(())
        })
    }

    fn set_stuck_minutes(&self, actor: String, minutes: u32) -> Fut<'_, ()> {
        Box::pin(async move {
            let key = app::model::admin::STUCK_MINUTES;
            self.set_setting(key, &minutes).await?;
            self.record(
                &actor,
                "settings.stuck_minutes",
                key,
                json!({"minutes": minutes}),
            )
            .await;
            Ok(())
        })
    }

    fn set_desk(
        &self,
        actor: String,
        change: &'static str,
        desk: app::model::desk::DeskSettings,
    ) -> Fut<'_, ()> {
        Box::pin(async move {
            let key = app::model::desk::DESK;
            self.set_setting(key, &desk).await?;
            self.desk.set(desk.clone());
            self.record(&actor, change, key, json!(desk)).await;
            Ok(())
        })
    }

    fn set_embed_origins(&self, actor: String, origins: Vec<String>) -> Fut<'_, ()> {
        Box::pin(async move {
            let mut checked = Vec::new();
            for o in &origins {
                let o = check_origin(o).map_err(|e| AdminError::field("embed_origins", e))?;
                if !crate::auth::embed::valid_origin(&o) {
                    return Err(AdminError::field(
                        "embed_origins",
                        Problem::new("problem.not_origin", &[&format!("{o:?}")]),
                    ));
                }
                checked.push(o);
            }
            // The same path as `intraday embed allow`: stored and audited there.
            crate::auth::embed::set_origins(&self.db, &checked, &actor)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "storing the embedding origins failed");
                    AdminError::internal()
                })
        })
    }

    fn tokens(&self) -> Fut<'_, Vec<TokenRow>> {
        Box::pin(async move {
            Ok(tokens::list(&self.db)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|t| TokenRow {
                    id: t.id,
                    name: t.name,
                    scopes: t
                        .scopes
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    queues: t.queues.and_then(|q| serde_json::from_str(&q).ok()),
                    created_at: rfc3339(t.created_at_ms),
                    revoked_at: t.revoked_at_ms.map(rfc3339),
                })
                .collect())
        })
    }

    fn create_token(
        &self,
        actor: String,
        name: String,
        scopes: Vec<String>,
        queues: Vec<String>,
    ) -> Fut<'_, String> {
        Box::pin(async move {
            let (name, parsed, queues) = new_token(&name, &scopes, queues)?;
            let secret = tokens::generate().map_err(|e| {
                tracing::error!(error = %e, "no randomness for a token");
                AdminError::internal()
            })?;
            let scope_queues = (!queues.is_empty()).then_some(queues.as_slice());
            let id = tokens::insert(&self.db, &name, &secret, &parsed, scope_queues)
                .await
                .map_err(internal)?;
            let scopes: Vec<&str> = parsed.iter().map(|s| s.as_str()).collect();
            self.record(
                &actor,
                "token.create",
                &format!("token:{id}"),
                json!({"name": name, "scopes": scopes, "queues": scope_queues}),
            )
            .await;
            Ok(secret)
        })
    }

    fn revoke_token(&self, actor: String, id: i32) -> Fut<'_, ()> {
        Box::pin(async move {
            if !tokens::revoke(&self.db, id).await.map_err(internal)? {
                return Err(AdminError::not_found(Problem::new(
                    "problem.no_token",
                    &[&id],
                )));
            }
            self.hub.callers_changed();
            self.record(&actor, "token.revoke", &format!("token:{id}"), json!({}))
                .await;
            Ok(())
        })
    }

    fn embedded_sessions(&self) -> Fut<'_, Vec<EmbeddedSessionRow>> {
        Box::pin(async move {
            let rows = crate::store::sessions::embedded(&self.db, 500)
                .await
                .map_err(internal)?;
            Ok(rows
                .into_iter()
                .map(|s| EmbeddedSessionRow {
                    id: s.id,
                    login: s.viewer.login,
                    role: s.viewer.role.as_str().to_owned(),
                    queues: s.viewer.queues,
                    created_at: rfc3339(s.created_at_ms),
                    expires_at: rfc3339(s.expires_at_ms),
                })
                .collect())
        })
    }

    fn revoke_embedded_session(&self, actor: String, id: String) -> Fut<'_, ()> {
        Box::pin(async move {
            let gone = crate::store::sessions::revoke_embedded(&self.db, &id)
                .await
                .map_err(internal)?;
            if !gone {
                return Err(AdminError::not_found(Problem::new(
                    "problem.no_session",
                    &[],
                )));
            }
            self.hub.callers_changed();
            self.record(&actor, "session.embed_revoke", &id, json!({}))
                .await;
            Ok(())
        })
    }

    fn panels(&self) -> Fut<'_, Vec<ReportPanel>> {
        Box::pin(async move { crate::admin::panels::list(&self.db).await.map_err(internal) })
    }

    fn add_panel(&self, actor: String, title: String, url: String, view: String) -> Fut<'_, u32> {
        Box::pin(async move {
            let url = Some(url.trim()).filter(|u| !u.is_empty());
            let view = Some(view.trim()).filter(|v| !v.is_empty());
            if url.is_some() && view.is_some() {
                return Err(AdminError::field(
                    "view",
                    Problem::new("problem.url_or_view", &[]),
                ));
            }
            crate::admin::panels::add(&self.db, &actor, &title, url, view)
                .await
                .map_err(internal)?
                .map_err(|(field, message)| AdminError::field(field, message))
        })
    }

    fn remove_panel(&self, actor: String, id: u32) -> Fut<'_, ()> {
        Box::pin(async move {
            if crate::admin::panels::remove(&self.db, &actor, id)
                .await
                .map_err(internal)?
            {
                Ok(())
            } else {
                Err(AdminError::not_found(Problem::new(
                    "problem.no_panel",
                    &[&id],
                )))
            }
        })
    }

    fn audit(&self, page: u32, per_page: u32) -> Fut<'_, AuditPage> {
        Box::pin(async move {
            let per_page = u64::from(per_page.clamp(1, 500));
            let rows = audit::page(&self.db, u64::from(page) * per_page, per_page + 1)
                .await
                .map_err(internal)?;
            let has_more = rows.len() as u64 > per_page;
            Ok(AuditPage {
                entries: rows
                    .into_iter()
                    .take(per_page as usize)
                    .map(|r| AuditRow {
                        at: rfc3339(r.at_ms),
                        actor: r.actor,
                        action: r.action,
                        target: r.target,
                        detail: r.detail,
                    })
                    .collect(),
                page,
                has_more,
            })
        })
    }
    fn webhook(&self) -> Fut<'_, WebhookSettings> {
        Box::pin(self.webhook_settings())
    }

    fn set_webhook_url(&self, actor: String, url: String) -> Fut<'_, ()> {
        Box::pin(async move { self.store_webhook_url(&actor, &url).await })
    }

    fn set_webhook_secret(&self, actor: String, secret: String) -> Fut<'_, ()> {
        Box::pin(async move { self.store_webhook_secret(&actor, &secret).await })
    }

    fn outbox(
        &self,
        filter: app::model::outbox::OutboxFilter,
    ) -> Fut<'_, Vec<app::model::outbox::OutboxRow>> {
        Box::pin(self.outbox_rows(filter))
    }

    fn redeliver(&self, actor: String, id: i64) -> Fut<'_, ()> {
        Box::pin(async move { self.redeliver_row(&actor, id).await })
    }
}
