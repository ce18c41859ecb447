//! Intraday's own run-time settings (beyond Leptos.toml), from `INTRADAY_*` variables.

/// Settings of the ingest API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Largest accepted request body (`INTRADAY_MAX_BODY_BYTES`, default 8 MiB).
    pub max_body_bytes: usize,
    /// Ingest requests per second per token (`INTRADAY_INGEST_RATE`, default 100; 0 = no limit).
    pub ingest_rate_per_second: u32,
    /// Days of events kept (`INTRADAY_RETENTION_DAYS`, default 35; at least 3, since late
    /// events may be 48 hours old).
    pub retention_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 8 * 1024 * 1024,
            ingest_rate_per_second: 100,
            retention_days: 35,
        }
    }
}

impl Config {
    /// Defaults overridden by the environment; an unparsable value is an error naming it.
    pub fn from_env() -> Result<Config, String> {
        let mut config = Config::default();
        if let Some(v) = var("INTRADAY_MAX_BODY_BYTES") {
            config.max_body_bytes = v
                .parse()
                .map_err(|_| format!("INTRADAY_MAX_BODY_BYTES={v:?} is not a number of bytes"))?;
        }
        if let Some(v) = var("INTRADAY_INGEST_RATE") {
            config.ingest_rate_per_second = v.parse().map_err(|_| {
                format!("INTRADAY_INGEST_RATE={v:?} is not a whole number of requests per second")
            })?;
        }
        if let Some(v) = var("INTRADAY_RETENTION_DAYS") {
            config.retention_days = v.parse().ok().filter(|d| *d >= 3).ok_or_else(|| {
                format!("INTRADAY_RETENTION_DAYS={v:?} must be a whole number of days, at least 3")
            })?;
        }
        Ok(config)
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
