//! What every handler can reach ([`AppState`]): the database, the settings, the ingest path,
//! the stream's hub, the sign-in limits and the alert thresholds. Built once at start; the
//! background work on it is started by [`crate::tasks`].

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::db::DbKind;
use crate::ingest::{Ingestor, rate::RateLimiter};
use crate::stream::{Hub, StreamSettings};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The site's run-time settings (from Leptos.toml).
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: DatabaseConnection,
    /// Its engine.
    pub db_kind: DbKind,
    /// Intraday's own settings.
    pub config: Arc<Config>,
    /// The single writer of the event log.
    pub ingestor: Arc<Ingestor>,
    /// Ingest rate limits per token.
    pub limiter: Arc<RateLimiter>,
    /// Read-API questions and stream opens per reader (a token's or a person's name).
    pub read_limiter: Arc<RateLimiter<String>>,
    /// Webhook deliveries per connector key, at the ingest rate.
    pub connector_limiter: Arc<RateLimiter<String>>,
    /// The live stream's fan-out.
    pub hub: Arc<Hub>,
    /// Failed sign-ins per login and address.
    pub logins: Arc<crate::auth::login_limit::LoginLimiter>,
    /// The password checks in flight.
    pub passwords: Arc<crate::auth::login_limit::PasswordGate>,
    /// The admin's alert thresholds.
    pub thresholds: Arc<crate::live::thresholds::LimitsCache>,
    /// Supervisor actions carried out, for in-process listeners (the simulator).
    pub performed: tokio::sync::broadcast::Sender<crate::actions::Performed>,
    /// Agents whose presence the server set because their capacity filled.
    pub made_busy: Arc<crate::actions::presence::MadeBusy>,
    /// The admin's agents' desk settings.
    pub desk: Arc<crate::actions::desk::Desk>,
    /// The outbox's webhook delivery (wake it after enqueueing).
    pub outbox: Arc<crate::outbox::Outbox>,
}

impl AppState {
    /// Opens the ingest path over a migrated database (rebuilding the ledger from the log) and
    /// registers the live stream's hub on it. Starts nothing: [`crate::tasks::start`] does.
    pub async fn build(
        mut leptos_options: LeptosOptions,
        db: DatabaseConnection,
        db_kind: DbKind,
        config: Config,
    ) -> Result<AppState, sea_orm::DbErr> {
        crate::http::site::find_hashes(&mut leptos_options);
        let snapshot = config.snapshot_path.as_deref().map(std::path::Path::new);
        let ingestor = Arc::new(Ingestor::open_with(db.clone(), Vec::new(), snapshot).await?);
        let hub = Arc::new(Hub::new(StreamSettings {
            buffer: config.stream_buffer,
            client_buffer: config.stream_client_buffer,
        }));
        ingestor.add_projection(hub.clone()).await;
        backfill_board(&ingestor, &hub, &db).await?;
        let thresholds = crate::live::thresholds::LimitsCache::open(db.clone()).await?;
        let retry = crate::outbox::Retry::from_config(&config);
        let desk = Arc::new(crate::actions::desk::Desk::open(&db).await);
        Ok(AppState {
            performed: tokio::sync::broadcast::Sender::new(256),
            made_busy: Arc::default(),
            desk,
            outbox: Arc::new(crate::outbox::Outbox::new(db.clone(), retry)),
            thresholds,
            hub,
            leptos_options,
            db,
            db_kind,
            limiter: Arc::new(RateLimiter::new(config.ingest_rate_per_second)),
            read_limiter: Arc::new(RateLimiter::new(config.read_rate_per_second)),
            connector_limiter: Arc::new(RateLimiter::new(config.ingest_rate_per_second)),
            logins: Arc::default(),
            passwords: Arc::default(),
            config: Arc::new(config),
            ingestor,
        })
    }
}

impl AppState {
    /// The supervisors' actions on conversations.
    pub fn actions(&self) -> crate::actions::Actions {
        crate::actions::Actions {
            ingestor: self.ingestor.clone(),
            hub: self.hub.clone(),
            performed: self.performed.clone(),
            outbox: self.outbox.clone(),
            made_busy: self.made_busy.clone(),
            desk: self.desk.clone(),
        }
    }

    /// Whether the session cookie is `Secure` (with the `__Host-` prefix) for this request:
    /// the setting, by default on unless the server listens on a loopback address, or the
    /// request came over HTTPS through a proxy.
    pub fn secure_cookies(&self, request: &axum::extract::Request) -> bool {
        self.config
            .secure_cookies
            .unwrap_or(!self.leptos_options.site_addr.ip().is_loopback())
            || crate::http::client::over_https(request, &self.config.trusted_proxies)
    }

    /// The session cookie's name for this request.
    pub fn cookie_name(&self, request: &axum::extract::Request) -> &'static str {
        crate::auth::session::cookie_name(self.secure_cookies(request))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Fills the Ongoing grid's extras of the conversations open at start with their stored events
/// (a start from a snapshot replays only the events after it). Nothing is ingested yet, so the
/// ledger does not move meanwhile.
async fn backfill_board(
    ingestor: &Ingestor,
    hub: &Hub,
    db: &DatabaseConnection,
) -> Result<(), sea_orm::DbErr> {
    let (ids, upto) = ingestor
        .with_ledger_at(|ledger, seq| {
            let ids: Vec<String> = ledger.live_conversations().map(|c| c.id.clone()).collect();
            (ids, seq)
        })
        .await;
    if ids.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let payloads = crate::store::events::read_conversations(db, &ids, upto).await?;
    let events: Vec<_> = payloads
        .iter()
        .filter_map(|p| app::model::event::parse_stored(p).ok())
        .collect();
    ingestor
        .with_ledger(|ledger| hub.backfill(ledger, &events))
        .await;
    tracing::info!(
        conversations = ids.len(),
        events = events.len(),
        ms = started.elapsed().as_millis() as u64,
        "ongoing grid details loaded"
    );
    Ok(())
}
