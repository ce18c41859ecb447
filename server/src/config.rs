//! Intraday's own run-time settings (beyond Leptos.toml): one typed struct, read from a TOML
//! file (`--config PATH`, default `intraday.toml` when present) and then overridden by
//! `INTRADAY_*` environment variables. Every invalid value is an error naming it.

use serde::Deserialize;

/// The default settings file, read when present in the working directory.
pub const DEFAULT_FILE: &str = "intraday.toml";

/// The effective settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Database URL from the file or `INTRADAY_DB`/`DATABASE_URL` (`--db` wins over all).
    pub database_url: Option<String>,
    /// Listen address from the file or `INTRADAY_ADDR` (`--addr` wins; else Leptos.toml).
    pub addr: Option<String>,
    /// Largest accepted request body (`max_body_bytes`, `INTRADAY_MAX_BODY_BYTES`, default 8 MiB).
    pub max_body_bytes: usize,
    /// Ingest requests per second per token (`ingest_rate`, `INTRADAY_INGEST_RATE`, default
    /// 100; 0 = no limit).
    pub ingest_rate_per_second: u32,
    /// Read-API questions and live-stream opens per second per reader, a token or a person
    /// (`read_rate`, `INTRADAY_READ_RATE`, default 20, bursts of twice that; 0 = no limit).
    /// A page opens one stream and reads through it, so people using the app stay far below it;
    /// it bounds integrations and scripts.
    pub read_rate_per_second: u32,
    /// Days of events kept (`retention_days`, `INTRADAY_RETENTION_DAYS`, default 35; at least
    /// 3, since late events may be 48 hours old).
    pub retention_days: u32,
    /// Recent deltas the live stream keeps for resuming clients (`stream_buffer`,
    /// `INTRADAY_STREAM_BUFFER`, default 20,000).
    pub stream_buffer: usize,
    /// Publishes queued per stream client before it is resynced with a snapshot
    /// (`stream_client_buffer`, `INTRADAY_STREAM_CLIENT_BUFFER`, default 1,024).
    pub stream_client_buffer: usize,
    /// The secret a portal's backend signs embed sign-in tokens with (`embed_secret`,
    /// `INTRADAY_EMBED_SECRET`; at least 32 characters; none: embedding sign-in is off).
    pub embed_secret: Option<String>,
    /// Where the live state's snapshot is kept (`snapshot_path`, `INTRADAY_SNAPSHOT_PATH`;
    /// `off` for none). `intraday serve` resolves the default: beside an SQLite database file
    /// (`FILE.snapshot`), none on PostgreSQL or in memory. After resolving, `None` is off.
    pub snapshot_path: Option<String>,
    /// Minutes between snapshots while the log moves (`snapshot_minutes`,
    /// `INTRADAY_SNAPSHOT_MINUTES`, default 10; 0: only after start-up and at shutdown).
    pub snapshot_minutes: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`trusted_proxies`, a list of
    /// IP addresses; `INTRADAY_TRUSTED_PROXIES`, comma-separated; default none: the client is
    /// the connection's peer and the header is ignored).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Whether the session cookie is `Secure` with the `__Host-` prefix (`secure_cookies`,
    /// `INTRADAY_SECURE_COOKIES`; unset: on unless the server listens on a loopback address).
    pub secure_cookies: Option<bool>,
    /// Whether `/metrics` answers without a token with the `metrics` scope (`metrics_open`,
    /// `INTRADAY_METRICS_OPEN`, default false).
    pub metrics_open: bool,
    /// The longest a portal's embedded session lives, in minutes (`embed_session_minutes`,
    /// `INTRADAY_EMBED_SESSION_MINUTES`, default 60, at most 720).
    pub embed_session_minutes: u32,
    /// Live streams open at once on this server (`stream_max`, `INTRADAY_STREAM_MAX`, default
    /// 5,000) and per person or token (`stream_max_per_caller`,
    /// `INTRADAY_STREAM_MAX_PER_CALLER`, default 20); more are refused with 429.
    pub stream_max: usize,
    /// See [`Config::stream_max`].
    pub stream_max_per_caller: usize,
    /// The webhook's first retry after a failed delivery, in milliseconds, doubled after each
    /// further failure up to 10 minutes (`webhook_retry_ms`, `INTRADAY_WEBHOOK_RETRY_MS`,
    /// default 1,000; 10 to 600,000).
    pub webhook_retry_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            addr: None,
            max_body_bytes: 8 * 1024 * 1024,
            ingest_rate_per_second: 100,
            read_rate_per_second: 20,
            retention_days: 35,
            stream_buffer: 20_000,
            stream_client_buffer: 1_024,
            embed_secret: None,
            snapshot_path: None,
            snapshot_minutes: 10,
            trusted_proxies: Vec::new(),
            secure_cookies: None,
            metrics_open: false,
            embed_session_minutes: 60,
            stream_max: 5_000,
            stream_max_per_caller: 20,
            webhook_retry_ms: 1_000,
        }
    }
}

/// The settings file's keys; unknown keys are refused so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    addr: Option<String>,
    max_body_bytes: Option<usize>,
    ingest_rate: Option<u32>,
    read_rate: Option<u32>,
    retention_days: Option<u32>,
    stream_buffer: Option<usize>,
    stream_client_buffer: Option<usize>,
    embed_secret: Option<String>,
    snapshot_path: Option<String>,
    snapshot_minutes: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    secure_cookies: Option<bool>,
    metrics_open: Option<bool>,
    embed_session_minutes: Option<u32>,
    stream_max: Option<usize>,
    stream_max_per_caller: Option<usize>,
    webhook_retry_ms: Option<u64>,
}

impl Config {
    /// Defaults, then the file, then the environment. An explicit `path` must exist.
    pub fn load(path: Option<&str>) -> Result<Config, String> {
        Self::load_with(path, |name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment given (for tests).
    pub fn load_with(
        path: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let file = match path {
            Some(p) => Some(read_file(p)?),
            None if std::path::Path::new(DEFAULT_FILE).exists() => Some(read_file(DEFAULT_FILE)?),
            None => None,
        }
        .unwrap_or_default();
        let mut c = Config::default();
        c.database_url = file.database_url;
        c.addr = file.addr;
        c.max_body_bytes = file.max_body_bytes.unwrap_or(c.max_body_bytes);
        c.ingest_rate_per_second = file.ingest_rate.unwrap_or(c.ingest_rate_per_second);
        c.read_rate_per_second = file.read_rate.unwrap_or(c.read_rate_per_second);
        c.retention_days = file.retention_days.unwrap_or(c.retention_days);
        c.stream_buffer = file.stream_buffer.unwrap_or(c.stream_buffer);
        c.stream_client_buffer = file.stream_client_buffer.unwrap_or(c.stream_client_buffer);
        c.embed_secret = file.embed_secret.or(c.embed_secret);
        c.snapshot_path = file.snapshot_path;
        c.snapshot_minutes = file.snapshot_minutes.unwrap_or(c.snapshot_minutes);
        if let Some(list) = &file.trusted_proxies {
            c.trusted_proxies = parse_ips(list.iter().map(String::as_str), "trusted_proxies")?;
        }
        c.secure_cookies = file.secure_cookies;
        c.metrics_open = file.metrics_open.unwrap_or(c.metrics_open);
        c.embed_session_minutes = file
            .embed_session_minutes
            .unwrap_or(c.embed_session_minutes);
        c.stream_max = file.stream_max.unwrap_or(c.stream_max);
        c.stream_max_per_caller = file
            .stream_max_per_caller
            .unwrap_or(c.stream_max_per_caller);
        c.webhook_retry_ms = file.webhook_retry_ms.unwrap_or(c.webhook_retry_ms);

        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if let Some(v) = env("INTRADAY_DB").or_else(|| env("DATABASE_URL")) {
            c.database_url = Some(v);
        }
        if let Some(v) = env("INTRADAY_ADDR") {
            c.addr = Some(v);
        }
        if let Some(v) = env("INTRADAY_MAX_BODY_BYTES") {
            c.max_body_bytes = parse(&v, "INTRADAY_MAX_BODY_BYTES", "a number of bytes")?;
        }
        if let Some(v) = env("INTRADAY_INGEST_RATE") {
            c.ingest_rate_per_second = parse(
                &v,
                "INTRADAY_INGEST_RATE",
                "a whole number of requests per second",
            )?;
        }
        if let Some(v) = env("INTRADAY_READ_RATE") {
            c.read_rate_per_second = parse(
                &v,
                "INTRADAY_READ_RATE",
                "a whole number of questions per second",
            )?;
        }
        if let Some(v) = env("INTRADAY_RETENTION_DAYS") {
            c.retention_days = parse(&v, "INTRADAY_RETENTION_DAYS", "a whole number of days")?;
        }
        if let Some(v) = env("INTRADAY_STREAM_BUFFER") {
            c.stream_buffer = parse(&v, "INTRADAY_STREAM_BUFFER", "a number of deltas")?;
        }
        if let Some(v) = env("INTRADAY_STREAM_CLIENT_BUFFER") {
            c.stream_client_buffer =
                parse(&v, "INTRADAY_STREAM_CLIENT_BUFFER", "a number of publishes")?;
        }
        if let Some(v) = env("INTRADAY_EMBED_SECRET") {
            c.embed_secret = Some(v);
        }
        if let Some(v) = env("INTRADAY_SNAPSHOT_PATH") {
            c.snapshot_path = Some(v);
        }
        if let Some(v) = env("INTRADAY_SNAPSHOT_MINUTES") {
            c.snapshot_minutes =
                parse(&v, "INTRADAY_SNAPSHOT_MINUTES", "a whole number of minutes")?;
        }
        if let Some(v) = env("INTRADAY_TRUSTED_PROXIES") {
            c.trusted_proxies = parse_ips(v.split(','), "INTRADAY_TRUSTED_PROXIES")?;
        }
        if let Some(v) = env("INTRADAY_SECURE_COOKIES") {
            c.secure_cookies = Some(parse(&v, "INTRADAY_SECURE_COOKIES", "true or false")?);
        }
        if let Some(v) = env("INTRADAY_METRICS_OPEN") {
            c.metrics_open = parse(&v, "INTRADAY_METRICS_OPEN", "true or false")?;
        }
        if let Some(v) = env("INTRADAY_EMBED_SESSION_MINUTES") {
            c.embed_session_minutes = parse(
                &v,
                "INTRADAY_EMBED_SESSION_MINUTES",
                "a whole number of minutes",
            )?;
        }
        if let Some(v) = env("INTRADAY_STREAM_MAX") {
            c.stream_max = parse(&v, "INTRADAY_STREAM_MAX", "a number of streams")?;
        }
        if let Some(v) = env("INTRADAY_STREAM_MAX_PER_CALLER") {
            c.stream_max_per_caller =
                parse(&v, "INTRADAY_STREAM_MAX_PER_CALLER", "a number of streams")?;
        }
        if let Some(v) = env("INTRADAY_WEBHOOK_RETRY_MS") {
            c.webhook_retry_ms =
                parse(&v, "INTRADAY_WEBHOOK_RETRY_MS", "a number of milliseconds")?;
        }
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> Result<(), String> {
        if self.max_body_bytes < 1024 {
            return Err(format!(
                "max_body_bytes = {} is too small: at least 1024",
                self.max_body_bytes
            ));
        }
        if !(1..=720).contains(&self.embed_session_minutes) {
            return Err(format!(
                "embed_session_minutes = {} must be 1 to 720",
                self.embed_session_minutes
            ));
        }
        if self.stream_max == 0 || self.stream_max_per_caller == 0 {
            return Err("stream_max and stream_max_per_caller must be at least 1".to_owned());
        }
        if self.stream_buffer == 0 || self.stream_client_buffer == 0 {
            return Err("stream_buffer and stream_client_buffer must be at least 1".to_owned());
        }
        if !(10..=600_000).contains(&self.webhook_retry_ms) {
            return Err(format!(
                "webhook_retry_ms = {} must be 10 to 600000",
                self.webhook_retry_ms
            ));
        }
        if self.retention_days < 3 {
            return Err(format!(
                "retention_days = {} is too short: at least 3 (late events may be 48 hours old)",
                self.retention_days
            ));
        }
        if let Some(addr) = &self.addr
            && addr.parse::<std::net::SocketAddr>().is_err()
        {
            return Err(format!(
                "addr = {addr:?} is not HOST:PORT, e.g. 127.0.0.1:3000"
            ));
        }
        if let Some(secret) = &self.embed_secret
            && secret.chars().count() < 32
        {
            return Err(format!(
                "embed_secret is {} characters: use at least 32 random characters",
                secret.chars().count()
            ));
        }
        if let Some(url) = &self.database_url {
            crate::db::DbKind::of(url).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Resolves [`Config::snapshot_path`] for the database at `url`: `off` is none; unset is
    /// `FILE.snapshot` beside an SQLite database file, none otherwise.
    pub fn resolve_snapshot_path(&mut self, url: &str) {
        self.snapshot_path = match self.snapshot_path.take() {
            Some(p) if p.trim().eq_ignore_ascii_case("off") => None,
            Some(p) => Some(p),
            None => crate::db::sqlite_path(url).map(|f| format!("{f}.snapshot")),
        };
    }

    /// The effective settings as `key = value` lines, secrets masked.
    pub fn describe(&self) -> String {
        let or_default = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
        format!(
            "database_url = {}\naddr = {}\nmax_body_bytes = {}\ningest_rate = {}\nread_rate = {}\nretention_days = {}\nstream_buffer = {}\nstream_client_buffer = {}\nembed_secret = {}\nsnapshot_path = {}\nsnapshot_minutes = {}\ntrusted_proxies = {:?}\nsecure_cookies = {}\nmetrics_open = {}\nembed_session_minutes = {}\nstream_max = {}\nstream_max_per_caller = {}\nwebhook_retry_ms = {}\n",
            crate::db::redact(&or_default(&self.database_url, crate::cli::DEFAULT_DB_URL)),
            or_default(&self.addr, "(site-addr of Leptos.toml)"),
            self.max_body_bytes,
            self.ingest_rate_per_second,
            self.read_rate_per_second,
            self.retention_days,
            self.stream_buffer,
            self.stream_client_buffer,
            if self.embed_secret.is_some() {
                "(set, masked)"
            } else {
                "(not set: embedded sign-in is off)"
            },
            self.snapshot_path.as_deref().unwrap_or(
                "(default: FILE.snapshot beside an SQLite database file, none on PostgreSQL)"
            ),
            self.snapshot_minutes,
            self.trusted_proxies,
            self.secure_cookies.map_or(
                "(default: on unless listening on loopback)".to_owned(),
                |b| b.to_string()
            ),
            self.metrics_open,
            self.embed_session_minutes,
            self.stream_max,
            self.stream_max_per_caller,
            self.webhook_retry_ms,
        )
    }
}

fn parse_ips<'a>(
    values: impl Iterator<Item = &'a str>,
    name: &str,
) -> Result<Vec<std::net::IpAddr>, String> {
    values
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| parse(v, name, "a list of IP addresses"))
        .collect()
}

fn read_file(path: &str) -> Result<FileSettings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    toml::from_str(&text).map_err(|e| format!("{path}: {}", e.to_string().trim()))
}

fn parse<T: std::str::FromStr>(value: &str, name: &str, what: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{name}={value:?} is not {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> String {
        let path = std::env::temp_dir().join(format!(
            "intraday-config-{}-{}.toml",
            std::process::id(),
            text.len()
        ));
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    }

    #[test]
    fn file_then_environment_override_defaults() {
        let path =
            file("ingest_rate = 7\nretention_days = 10\ndatabase_url = \"postgres://u:pw@h/db\"\n");
        let env = |name: &str| (name == "INTRADAY_RETENTION_DAYS").then(|| "12".to_owned());
        let c = Config::load_with(Some(&path), env).expect("valid");
        assert_eq!(
            (c.ingest_rate_per_second, c.retention_days, c.max_body_bytes),
            (7, 12, 8 * 1024 * 1024)
        );
        let text = c.describe();
        assert!(
            text.contains("postgres://u:***@h/db") && !text.contains("pw"),
            "{text}"
        );
    }

    #[test]
    fn invalid_values_are_named() {
        let unknown = file("ingest_rat = 7\n");
        assert!(
            Config::load_with(Some(&unknown), |_| None)
                .unwrap_err()
                .contains("ingest_rat")
        );
        let short = file("retention_days = 1\n");
        assert!(
            Config::load_with(Some(&short), |_| None)
                .unwrap_err()
                .contains("retention_days = 1")
        );
        let env = |name: &str| (name == "INTRADAY_INGEST_RATE").then(|| "fast".to_owned());
        assert!(
            Config::load_with(None, env)
                .unwrap_err()
                .contains("INTRADAY_INGEST_RATE=\"fast\"")
        );
        assert!(
            Config::load_with(Some("/no/such.toml"), |_| None)
                .unwrap_err()
                .contains("cannot read")
        );
        let addr = |name: &str| (name == "INTRADAY_ADDR").then(|| "nowhere".to_owned());
        assert!(
            Config::load_with(None, addr)
                .unwrap_err()
                .contains("HOST:PORT")
        );
    }

    #[test]
    fn the_snapshot_sits_beside_an_sqlite_file_unless_set_or_off() {
        let resolved = |path: Option<&str>, url: &str| {
            let mut c = Config {
                snapshot_path: path.map(str::to_owned),
                ..Config::default()
            };
            c.resolve_snapshot_path(url);
            c.snapshot_path
        };
        let sqlite = "sqlite://data/intraday.db?mode=rwc";
        assert_eq!(
            resolved(None, sqlite).as_deref(),
            Some("data/intraday.db.snapshot")
        );
        assert_eq!(resolved(None, "postgres://u@h/db"), None);
        assert_eq!(resolved(None, "sqlite::memory:"), None);
        assert_eq!(resolved(Some("OFF"), sqlite), None);
        assert_eq!(
            resolved(Some("/var/lib/x.snap"), "postgres://u@h/db").as_deref(),
            Some("/var/lib/x.snap")
        );
        let env = |name: &str| (name == "INTRADAY_SNAPSHOT_MINUTES").then(|| "soon".to_owned());
        assert!(
            Config::load_with(None, env)
                .unwrap_err()
                .contains("INTRADAY_SNAPSHOT_MINUTES=\"soon\"")
        );
    }

    #[test]
    fn security_settings_are_read_and_checked() {
        let env = |name: &str| match name {
            "INTRADAY_TRUSTED_PROXIES" => Some("10.0.0.1, ::1".to_owned()),
            "INTRADAY_SECURE_COOKIES" => Some("true".to_owned()),
            "INTRADAY_METRICS_OPEN" => Some("true".to_owned()),
            _ => None,
        };
        let c = Config::load_with(None, env).expect("valid");
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!((c.secure_cookies, c.metrics_open), (Some(true), true));
        assert_eq!(Config::default().embed_session_minutes, 60);
        let bad = |name: &str| (name == "INTRADAY_TRUSTED_PROXIES").then(|| "proxy".to_owned());
        assert!(
            Config::load_with(None, bad)
                .unwrap_err()
                .contains("INTRADAY_TRUSTED_PROXIES")
        );
        let long = file("embed_session_minutes = 100000\n");
        assert!(
            Config::load_with(Some(&long), |_| None)
                .unwrap_err()
                .contains("embed_session_minutes")
        );
    }

    #[test]
    fn stream_buffers_come_from_the_environment_and_must_be_positive() {
        let env = |name: &str| match name {
            "INTRADAY_STREAM_BUFFER" => Some("50".to_owned()),
            "INTRADAY_STREAM_CLIENT_BUFFER" => Some("8".to_owned()),
            _ => None,
        };
        let c = Config::load_with(None, env).expect("valid");
        assert_eq!((c.stream_buffer, c.stream_client_buffer), (50, 8));
        let zero = |name: &str| (name == "INTRADAY_STREAM_BUFFER").then(|| "0".to_owned());
        assert!(
            Config::load_with(None, zero)
                .unwrap_err()
                .contains("stream_buffer")
        );
    }

    #[test]
    fn the_webhook_retry_comes_from_the_environment_within_its_range() {
        assert_eq!(
            Config::load_with(None, |_| None)
                .expect("valid")
                .webhook_retry_ms,
            1_000
        );
        let env = |v: &'static str| {
            move |name: &str| (name == "INTRADAY_WEBHOOK_RETRY_MS").then(|| v.to_owned())
        };
        assert_eq!(
            Config::load_with(None, env("50"))
                .expect("valid")
                .webhook_retry_ms,
            50
        );
        for bad in ["5", "600001", "soon"] {
            let e = Config::load_with(None, env(bad)).unwrap_err();
            assert!(e.to_lowercase().contains("webhook_retry_ms"), "{bad}: {e}");
        }
    }
}
