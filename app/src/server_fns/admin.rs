//! The admin pages' server functions: each checks the caller is an admin, then asks the
//! server's [`AdminStore`] (provided through Leptos context), which validates, stores and
//! audits the change. Agents' reference data goes through the ingest path ([`ActionSink`]), so
//! the event log stays the source of truth.

use leptos::prelude::*;

use crate::error::AppError;

use crate::model::admin::{
    AdminSettings, AgentInfo, AuditPage, EmbeddedSessionRow, QueueInfo, TokenRow, UserRow,
};
use crate::model::panel::ReportPanel;

#[cfg(feature = "ssr")]
pub use store::{AdminStore, Fut, UserForm, supervisor_actions};

#[cfg(feature = "ssr")]
mod store {
    use std::pin::Pin;
    use std::sync::Arc;

    use leptos::prelude::*;

    use crate::error::AppError;
    use crate::model::admin::*;
    use crate::model::panel::ReportPanel;

    /// What an [`AdminStore`] call returns.
    pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, AdminError>> + Send + 'a>>;

    /// A user's details from the add and edit forms.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct UserForm {
        /// Login.
        pub login: String,
        /// `agent`, `supervisor` or `admin`.
        pub role: String,
        /// Queues (supervisors).
        pub queues: Vec<String>,
        /// The agent they work as (empty: none).
        pub agent_id: String,
    }

    /// The server's admin data access: validates, stores, and audits every change as `actor`.
    pub trait AdminStore: Send + Sync + 'static {
        /// Every user, by login.
        fn users(&self) -> Fut<'_, Vec<UserRow>>;
        /// Adds a user with an initial password.
        fn add_user(&self, actor: String, user: UserForm, password: String) -> Fut<'_, ()>;
        /// Changes a user's role, queues and agent.
        fn update_user(&self, actor: String, user: UserForm) -> Fut<'_, ()>;
        /// Sets a user's password (their sessions end).
        fn reset_password(&self, actor: String, login: String, password: String) -> Fut<'_, ()>;
        /// Deletes a user; never the actor, never the last admin.
        fn delete_user(&self, actor: String, login: String) -> Fut<'_, ()>;
        /// Every queue with its supervisors.
        fn queues(&self) -> Fut<'_, Vec<QueueInfo>>;
        /// Assigns (or unassigns) a supervisor to a queue.
        fn set_queue_supervisor(
            &self,
            actor: String,
            queue_id: String,
            login: String,
            assigned: bool,
        ) -> Fut<'_, ()>;
        /// Every agent as last upserted.
        fn agents(&self) -> Fut<'_, Vec<AgentInfo>>;
        /// Every setting.
        fn settings(&self) -> Fut<'_, AdminSettings>;
        /// Sets the enabled supervisor actions.
        fn set_actions(&self, actor: String, actions: SupervisorActions) -> Fut<'_, ()>;
        /// Sets the default thresholds (`queue` `None`) or a queue's own; `thresholds` `None`
        /// removes a queue's own.
        fn set_thresholds(
            &self,
            actor: String,
            queue: Option<String>,
            thresholds: Option<Thresholds>,
        ) -> Fut<'_, ()>;
        /// Sets (or, `None`, clears) the retention days.
        fn set_retention(&self, actor: String, days: Option<u32>) -> Fut<'_, ()>;
        /// Sets the Ongoing grid's stuck time (minutes).
        fn set_stuck_minutes(&self, actor: String, minutes: u32) -> Fut<'_, ()>;
        /// Puts the agents' desk settings in force; `change` names the change for the audit log
        /// (`settings.agent_desk`, `settings.offer_queue`).
        fn set_desk(
            &self,
            actor: String,
            change: &'static str,
            desk: crate::model::desk::DeskSettings,
        ) -> Fut<'_, ()>;
        /// Sets the origins allowed to embed Intraday.
        fn set_embed_origins(&self, actor: String, origins: Vec<String>) -> Fut<'_, ()>;
        /// Every token, newest first.
        fn tokens(&self) -> Fut<'_, Vec<TokenRow>>;
        /// Creates a token; returns its secret (shown once).
        fn create_token(
            &self,
            actor: String,
            name: String,
            scopes: Vec<String>,
            queues: Vec<String>,
        ) -> Fut<'_, String>;
        /// Revokes a token.
        fn revoke_token(&self, actor: String, id: i32) -> Fut<'_, ()>;
        /// The portals' live embedded sessions, newest first.
        fn embedded_sessions(&self) -> Fut<'_, Vec<EmbeddedSessionRow>>;
        /// Ends a portal's embedded session.
        fn revoke_embedded_session(&self, actor: String, id: String) -> Fut<'_, ()>;
        /// The report panels, in order.
        fn panels(&self) -> Fut<'_, Vec<ReportPanel>>;
        /// Adds a panel (an http(s) `url` or a saved `view` query); returns its id.
        fn add_panel(
            &self,
            actor: String,
            title: String,
            url: String,
            view: String,
        ) -> Fut<'_, u32>;
        /// Removes a panel.
        fn remove_panel(&self, actor: String, id: u32) -> Fut<'_, ()>;
        /// A page of the audit log, newest first.
        fn audit(&self, page: u32, per_page: u32) -> Fut<'_, AuditPage>;
        /// The webhook: its URL, and whether a secret is set (never the secret).
        fn webhook(&self) -> Fut<'_, WebhookSettings>;
        /// Sets (or, empty, clears) the webhook's URL; `http://` only.
        fn set_webhook_url(&self, actor: String, url: String) -> Fut<'_, ()>;
        /// Sets the webhook's signing secret.
        fn set_webhook_secret(&self, actor: String, secret: String) -> Fut<'_, ()>;
        /// The newest outbox rows `filter` lets through, newest first.
        fn outbox(
            &self,
            filter: crate::model::outbox::OutboxFilter,
        ) -> Fut<'_, Vec<crate::model::outbox::OutboxRow>>;
        /// Sends outbox row `id` again, delivered or given up on alike.
        fn redeliver(&self, actor: String, id: i64) -> Fut<'_, ()>;
    }

    /// The store, or an error saying the server is not ready.
    pub(super) fn admin_store() -> Result<Arc<dyn AdminStore>, AppError> {
        use_context::<Arc<dyn AdminStore>>().ok_or_else(AppError::starting)
    }

    /// An [`AdminError`] as the server function's answer (its status set).
    pub(crate) fn answer(e: AdminError) -> AppError {
        crate::auth::fail(e.status, e.into())
    }

    /// A form's number field, or a 400 naming it.
    pub(crate) fn number<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, AppError> {
        s.trim().parse::<T>().map_err(|_| {
            answer(AdminError::field(
                field,
                crate::model::problem::Problem::new("problem.whole_number", &[]),
            ))
        })
    }

    /// A form's yes/no field (`true`/`on` or `false`/absent), or a 400 naming it.
    pub(super) fn flag(field: &str, s: &str) -> Result<bool, AppError> {
        match s.trim() {
            "true" | "on" => Ok(true),
            "" | "false" => Ok(false),
            _ => Err(answer(AdminError::field(
                field,
                crate::model::problem::Problem::new("problem.true_false", &[]),
            ))),
        }
    }

    /// Which supervisor actions are enabled: the accessor the supervisor action server
    /// functions call before acting (everything is enabled when no store is provided).
    pub async fn supervisor_actions() -> SupervisorActions {
        match use_context::<Arc<dyn AdminStore>>() {
            Some(store) => store
                .settings()
                .await
                .map(|s| s.actions)
                .unwrap_or_default(),
            None => SupervisorActions::default(),
        }
    }
}

#[cfg(feature = "ssr")]
use store::{admin_store, flag};
#[cfg(feature = "ssr")]
pub(crate) use store::{answer, number};

/// Every user.
#[server(endpoint = "admin_users")]
pub async fn admin_users() -> Result<Vec<UserRow>, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.users().await.map_err(answer)
}

/// Adds a user with an initial password.
#[server(endpoint = "admin_user_add")]
pub async fn admin_user_add(
    login: String,
    role: String,
    #[server(default)] queues: Vec<String>,
    #[server(default)] agent_id: String,
    password: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let user = UserForm {
        login,
        role,
        queues,
        agent_id,
    };
    admin_store()?
        .add_user(admin.login, user, password)
        .await
        .map_err(answer)
}

/// Changes a user's role, queues and agent.
#[server(endpoint = "admin_user_update")]
pub async fn admin_user_update(
    login: String,
    role: String,
    #[server(default)] queues: Vec<String>,
    #[server(default)] agent_id: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let user = UserForm {
        login,
        role,
        queues,
        agent_id,
    };
    admin_store()?
        .update_user(admin.login, user)
        .await
        .map_err(answer)
}

/// Sets a user's password.
#[server(endpoint = "admin_user_password")]
pub async fn admin_user_password(login: String, password: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    admin_store()?
        .reset_password(admin.login, login, password)
        .await
        .map_err(answer)
}

/// Deletes a user (not yourself, not the last admin).
#[server(endpoint = "admin_user_delete")]
pub async fn admin_user_delete(login: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    admin_store()?
        .delete_user(admin.login, login)
        .await
        .map_err(answer)
}

/// Every queue with its supervisors.
#[server(endpoint = "admin_queues")]
pub async fn admin_queues() -> Result<Vec<QueueInfo>, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.queues().await.map_err(answer)
}

/// Assigns a supervisor to a queue (`assigned` false: unassigns).
#[server(endpoint = "admin_queue_supervisor")]
pub async fn admin_queue_supervisor(
    queue_id: String,
    login: String,
    #[server(default)] assigned: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let assigned = flag("assigned", &assigned)?;
    admin_store()?
        .set_queue_supervisor(admin.login, queue_id, login, assigned)
        .await
        .map_err(answer)
}

/// Renames a queue or changes its service-level threshold: a `queue.upserted` event (its
/// channels kept) through the ingest path, audited.
#[server(endpoint = "admin_queue_save")]
pub async fn admin_queue_save(
    queue_id: String,
    name: String,
    service_level_seconds: String,
) -> Result<(), AppError> {
    use std::sync::Arc;

    use crate::model::admin::AdminError;

    let admin = crate::auth::require_admin()?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(answer(AdminError::field(
            "name",
            crate::model::problem::Problem::new("problem.characters", &[&120]),
        )));
    }
    let seconds = service_level_seconds
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|s| (1..=3600).contains(s))
        .ok_or_else(|| {
            answer(AdminError::field(
                "service_level_seconds",
                crate::model::problem::Problem::new("problem.seconds_range", &[&1, &3600]),
            ))
        })?;
    let queue = admin_store()?
        .queues()
        .await
        .map_err(answer)?
        .into_iter()
        .find(|q| q.queue_id == queue_id)
        .ok_or_else(|| {
            answer(AdminError::field(
                "queue_id",
                crate::model::problem::Problem::new(
                    "problem.no_queue",
                    &[&format!("{queue_id:?}")],
                ),
            ))
        })?;
    let sink =
        use_context::<Arc<dyn crate::server_fns::ActionSink>>().ok_or_else(AppError::starting)?;
    let now = chrono::Utc::now();
    let event = serde_json::json!({
        "id": format!("admin-queue-{queue_id}-{}", now.timestamp_micros()),
        "type": "queue.upserted",
        "at": now.to_rfc3339(),
        "queue_id": queue_id,
        "name": name,
        "channels": queue.channels,
        "service_level_seconds": seconds,
    });
    sink.act(admin.login, "queue.upserted", queue_id, vec![event])
        .await
        .map_err(|e| crate::auth::fail(400, e))
}

/// Every agent.
#[server(endpoint = "admin_agents")]
pub async fn admin_agents() -> Result<Vec<AgentInfo>, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.agents().await.map_err(answer)
}

/// Adds or changes an agent: an `agent.upserted` event through the ingest path, audited.
#[server(endpoint = "admin_agent_save")]
pub async fn admin_agent_save(
    agent_id: String,
    name: String,
    #[server(default)] queues: Vec<String>,
    #[server(default)] skills: String,
    capacity: String,
) -> Result<(), AppError> {
    use std::sync::Arc;

    use crate::model::admin::{AdminError, check_id, split_list};

    let admin = crate::auth::require_admin()?;
    let agent_id = agent_id.trim().to_owned();
    check_id("agent_id", &agent_id).map_err(answer)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(answer(AdminError::field(
            "name",
            crate::model::problem::Problem::new("problem.characters", &[&120]),
        )));
    }
    for q in &queues {
        check_id("queues", q).map_err(answer)?;
    }
    let capacity = capacity
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|c| (1..=100).contains(c))
        .ok_or_else(|| {
            answer(AdminError::field(
                "capacity",
                crate::model::problem::Problem::new("problem.whole_number_range", &[&1, &100]),
            ))
        })?;
    let sink =
        use_context::<Arc<dyn crate::server_fns::ActionSink>>().ok_or_else(AppError::starting)?;
    let now = chrono::Utc::now();
    let event = serde_json::json!({
        "id": format!("admin-agent-{agent_id}-{}", now.timestamp_micros()),
        "type": "agent.upserted",
        "at": now.to_rfc3339(),
        "agent_id": agent_id,
        "name": name,
        "queues": queues,
        "skills": split_list(&skills),
        "capacity": capacity,
    });
    sink.act(admin.login, "agent.upserted", agent_id, vec![event])
        .await
        .map_err(|e| crate::auth::fail(400, e))
}

/// Every setting.
#[server(endpoint = "admin_settings")]
pub async fn get_admin_settings() -> Result<AdminSettings, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.settings().await.map_err(answer)
}

/// Sets which supervisor actions are enabled (an absent one is off).
#[server(endpoint = "admin_actions_set")]
pub async fn admin_actions_set(
    #[server(default)] monitor: String,
    #[server(default)] join: String,
    #[server(default)] assign: String,
    #[server(default)] transfer: String,
    #[server(default)] force_close: String,
    #[server(default)] whisper: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let actions = crate::model::admin::SupervisorActions {
        monitor: flag("monitor", &monitor)?,
        join: flag("join", &join)?,
        assign: flag("assign", &assign)?,
        transfer: flag("transfer", &transfer)?,
        force_close: flag("force_close", &force_close)?,
        whisper: flag("whisper", &whisper)?,
    };
    admin_store()?
        .set_actions(admin.login, actions)
        .await
        .map_err(answer)
}

/// Sets the default thresholds (no `queue_id`) or a queue's own.
#[server(endpoint = "admin_thresholds_set")]
pub async fn admin_thresholds_set(
    #[server(default)] queue_id: String,
    service_level_target: String,
    longest_wait: String,
    abandon_rate: String,
    sentiment: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let t = crate::model::admin::Thresholds::parse(
        &service_level_target,
        &longest_wait,
        &abandon_rate,
        &sentiment,
    )
    .map_err(answer)?;
    let queue = Some(queue_id.trim().to_owned()).filter(|q| !q.is_empty());
    admin_store()?
        .set_thresholds(admin.login, queue, Some(t))
        .await
        .map_err(answer)
}

/// Removes a queue's own thresholds (it follows the default again).
#[server(endpoint = "admin_thresholds_clear")]
pub async fn admin_thresholds_clear(queue_id: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    if queue_id.trim().is_empty() {
        return Err(answer(crate::model::admin::AdminError::field(
            "queue_id",
            crate::model::problem::Problem::new("problem.name_queue", &[]),
        )));
    }
    admin_store()?
        .set_thresholds(admin.login, Some(queue_id.trim().to_owned()), None)
        .await
        .map_err(answer)
}

/// Sets the minutes without an event after which an ongoing conversation is stuck.
#[server(endpoint = "admin_stuck_set")]
pub async fn admin_stuck_set(minutes: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let minutes = crate::model::admin::parse_stuck_minutes(&minutes).map_err(answer)?;
    admin_store()?
        .set_stuck_minutes(admin.login, minutes)
        .await
        .map_err(answer)
}

/// Sets the agents' desk: the presence a full capacity sets (`busy`, `busy_dnd`), whether agents
/// see a silent monitor (`tell_monitoring`, a checkbox) and the default offer countdown (s).
#[server(endpoint = "admin_desk_set")]
pub async fn admin_desk_set(
    full_presence: String,
    #[server(default)] tell_monitoring: String,
    offer_seconds: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let tell = flag("tell_monitoring", &tell_monitoring)?;
    let store = admin_store()?;
    let current = store.settings().await.map_err(answer)?.desk;
    let desk = crate::model::desk::parse_desk(&current, &full_presence, tell, &offer_seconds)
        .map_err(answer)?;
    store
        .set_desk(admin.login, "settings.agent_desk", desk)
        .await
        .map_err(answer)
}

/// Sets a queue's own offer countdown (s); an empty `seconds` returns it to the default.
#[server(endpoint = "admin_offer_queue_set")]
pub async fn admin_offer_queue_set(
    queue_id: String,
    #[server(default)] seconds: String,
) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let store = admin_store()?;
    let current = store.settings().await.map_err(answer)?.desk;
    let desk =
        crate::model::desk::with_queue_offer(&current, &queue_id, &seconds).map_err(answer)?;
    store
        .set_desk(admin.login, "settings.offer_queue", desk)
        .await
        .map_err(answer)
}

/// Sets the retention days (empty: the configured default).
#[server(endpoint = "admin_retention_set")]
pub async fn admin_retention_set(#[server(default)] days: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let days = crate::model::admin::parse_retention_days(&days).map_err(answer)?;
    admin_store()?
        .set_retention(admin.login, days)
        .await
        .map_err(answer)
}

/// Sets the origins allowed to embed Intraday (one per line).
#[server(endpoint = "admin_origins_set")]
pub async fn admin_origins_set(#[server(default)] origins: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let origins = crate::model::admin::parse_origins(&origins).map_err(answer)?;
    admin_store()?
        .set_embed_origins(admin.login, origins)
        .await
        .map_err(answer)
}

/// Every API token (never their secrets).
#[server(endpoint = "admin_tokens")]
pub async fn admin_tokens() -> Result<Vec<TokenRow>, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.tokens().await.map_err(answer)
}

/// Creates an API token; the answer is its secret, shown once.
#[server(endpoint = "admin_token_create")]
pub async fn admin_token_create(
    name: String,
    #[server(default)] scopes: Vec<String>,
    #[server(default)] queues: Vec<String>,
) -> Result<String, AppError> {
    let admin = crate::auth::require_admin()?;
    admin_store()?
        .create_token(admin.login, name, scopes, queues)
        .await
        .map_err(answer)
}

/// Revokes an API token.
#[server(endpoint = "admin_token_revoke")]
pub async fn admin_token_revoke(id: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let id = number::<i32>("id", &id)?;
    admin_store()?
        .revoke_token(admin.login, id)
        .await
        .map_err(answer)
}

/// The portals' live embedded sessions.
#[server(endpoint = "admin_embedded_sessions")]
pub async fn admin_embedded_sessions() -> Result<Vec<EmbeddedSessionRow>, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.embedded_sessions().await.map_err(answer)
}

/// Ends a portal's embedded session (its open pages and streams stop at once).
#[server(endpoint = "admin_embedded_session_revoke")]
pub async fn admin_embedded_session_revoke(id: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let id = id.trim().to_owned();
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(crate::auth::fail(
            400,
            AppError::unexpected("id: not a session id"),
        ));
    }
    admin_store()?
        .revoke_embedded_session(admin.login, id)
        .await
        .map_err(answer)
}

/// The report panels.
#[server(endpoint = "admin_panels")]
pub async fn admin_panels() -> Result<Vec<ReportPanel>, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.panels().await.map_err(answer)
}

/// Adds a report panel: an external report `url` or a saved `view` (one of them).
#[server(endpoint = "admin_panel_add")]
pub async fn admin_panel_add(
    title: String,
    #[server(default)] url: String,
    #[server(default)] view: String,
) -> Result<u32, AppError> {
    let admin = crate::auth::require_admin()?;
    admin_store()?
        .add_panel(admin.login, title, url, view)
        .await
        .map_err(answer)
}

/// Removes a report panel.
#[server(endpoint = "admin_panel_remove")]
pub async fn admin_panel_remove(id: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let id = number::<u32>("id", &id)?;
    admin_store()?
        .remove_panel(admin.login, id)
        .await
        .map_err(answer)
}

/// Records of the audit log shown per page.
pub const AUDIT_PAGE: u32 = 50;

/// A page of the audit log (0 the newest).
#[server(endpoint = "admin_audit")]
pub async fn admin_audit(#[server(default)] page: String) -> Result<AuditPage, AppError> {
    crate::auth::require_admin()?;
    let page = if page.trim().is_empty() {
        0
    } else {
        number::<u32>("page", &page)?
    };
    admin_store()?.audit(page, AUDIT_PAGE).await.map_err(answer)
}

/// The webhook's settings (whether a secret is set, never the secret).
#[server(endpoint = "admin_webhook")]
pub async fn admin_webhook() -> Result<crate::model::admin::WebhookSettings, AppError> {
    crate::auth::require_admin()?;
    admin_store()?.webhook().await.map_err(answer)
}

/// Sets the webhook's URL (`http://` only; empty: no webhook, actions wait).
#[server(endpoint = "admin_webhook_url_set")]
pub async fn admin_webhook_url_set(#[server(default)] url: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    admin_store()?
        .set_webhook_url(admin.login, url)
        .await
        .map_err(answer)
}

/// Sets the webhook's signing secret (16 to 256 characters).
#[server(endpoint = "admin_webhook_secret_set")]
pub async fn admin_webhook_secret_set(#[server(default)] secret: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    admin_store()?
        .set_webhook_secret(admin.login, secret)
        .await
        .map_err(answer)
}

/// Outbox rows the webhook page lists at most.
pub const OUTBOX_ROWS: u64 = 100;

/// The newest outbox rows: all, `pending` or `failed` ones.
#[server(endpoint = "admin_outbox")]
pub async fn admin_outbox(
    #[server(default)] show: String,
) -> Result<Vec<crate::model::outbox::OutboxRow>, AppError> {
    crate::auth::require_admin()?;
    let filter = crate::model::outbox::OutboxFilter::parse(&show);
    admin_store()?.outbox(filter).await.map_err(answer)
}

/// Sends an outbox row to the webhook again.
#[server(endpoint = "admin_outbox_redeliver")]
pub async fn admin_outbox_redeliver(id: String) -> Result<(), AppError> {
    let admin = crate::auth::require_admin()?;
    let id = number::<i64>("id", &id)?;
    admin_store()?
        .redeliver(admin.login, id)
        .await
        .map_err(answer)
}
