//! The admin's alert thresholds, kept in memory for the KPI answers (read API, pages, the
//! stream's alerts): loaded at start, reloaded after each admin change and every few seconds
//! (so a change made on another replica arrives too).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use app::kpi::Limits;
use app::model::admin::{THRESHOLDS, ThresholdSettings};
use sea_orm::{DatabaseConnection, DbErr};

use crate::store::settings;

/// How often the thresholds are re-read from the database.
const REFRESH: Duration = Duration::from_secs(5);

/// The thresholds as stored (defaults when none are).
pub async fn load(db: &DatabaseConnection) -> Result<ThresholdSettings, DbErr> {
    Ok(settings::get(db, THRESHOLDS)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// The stored thresholds as the engine's [`Limits`], kept in memory for every reader and
/// re-read from the database ([`LimitsCache::reload`], [`LimitsCache::refresh`]).
pub struct LimitsCache {
    db: DatabaseConnection,
    current: RwLock<Arc<Limits>>,
}

impl LimitsCache {
    /// Loads the stored thresholds.
    pub async fn open(db: DatabaseConnection) -> Result<Arc<LimitsCache>, DbErr> {
        let limits = Limits::from_settings(&load(&db).await?);
        Ok(Arc::new(LimitsCache {
            db,
            current: RwLock::new(Arc::new(limits)),
        }))
    }

    /// The limits now.
    pub fn current(&self) -> Arc<Limits> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Re-reads the stored thresholds.
    pub async fn reload(&self) -> Result<(), DbErr> {
        let limits = Arc::new(Limits::from_settings(&load(&self.db).await?));
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = limits;
        Ok(())
    }

    /// Re-reads them every few seconds, for as long as anyone else holds them (a weak
    /// reference, so a test's dropped server does not keep polling its database).
    pub async fn refresh(this: std::sync::Weak<Self>) {
        let mut tick = tokio::time::interval(REFRESH);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            let Some(this) = this.upgrade() else { return };
            if let Err(e) = this.reload().await {
                tracing::warn!(error = %e, "reloading the alert thresholds failed");
            }
        }
    }
}
