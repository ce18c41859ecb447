//! What the admin pages show and change: users, queues, agents, tokens, the audit log and the
//! settings (enabled supervisor actions, alert thresholds, retention, embedding origins), with
//! the checks every change passes (each error names its field).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::problem::Problem;
use crate::auth::Role;

/// The settings key of the enabled supervisor actions (a JSON [`SupervisorActions`]).
pub const SUPERVISOR_ACTIONS: &str = "supervisor_actions";
/// The settings key of the alert thresholds (a JSON [`ThresholdSettings`]).
pub const THRESHOLDS: &str = "thresholds";
/// The settings key of the retention days (a JSON number; absent: the configuration's).
pub const RETENTION_DAYS: &str = "retention_days";
/// The settings key of the Ongoing grid's stuck time (minutes, a JSON number).
pub const STUCK_MINUTES: &str = "ongoing_stuck_minutes";
/// The stuck time until an admin sets one: no event for 10 minutes while active or waiting.
pub const DEFAULT_STUCK_MINUTES: u32 = 10;
/// The settings key of the webhook's URL (a JSON string; absent or empty: no webhook).
pub const WEBHOOK_URL: &str = "webhook_url";
/// The settings key of the webhook's signing secret (a JSON string; never shown again).
pub const WEBHOOK_SECRET: &str = "webhook_secret";

/// Why an admin change was refused: an HTTP status and the problem, naming the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminError {
    /// 400 bad input, 404 no such thing, 409 conflict, 500 storage.
    pub status: u16,
    /// The form field it concerns.
    pub field: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

impl AdminError {
    /// Bad input in `field`.
    pub fn field(field: &str, problem: Problem) -> AdminError {
        AdminError {
            status: 400,
            field: Some(field.to_owned()),
            problem,
        }
    }

    /// Something asked for does not exist.
    pub fn not_found(problem: Problem) -> AdminError {
        AdminError {
            status: 404,
            field: None,
            problem,
        }
    }

    /// Storage failed (details go to the log, not to the person).
    pub fn internal() -> AdminError {
        AdminError {
            status: 500,
            field: None,
            problem: Problem::new("problem.internal", &[]),
        }
    }
}

/// A user as the admin sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Queues (supervisors).
    pub queues: Vec<String>,
    /// The agent they work as.
    pub agent_id: Option<String>,
    /// When the user was added (RFC 3339, UTC).
    pub created_at: String,
}

/// A queue with the supervisors assigned to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    /// Queue id.
    pub queue_id: String,
    /// Display name.
    pub name: String,
    /// Channels it serves.
    pub channels: Vec<String>,
    /// Service-level threshold (s).
    pub service_level_seconds: u32,
    /// Logins of the supervisors assigned.
    pub supervisors: Vec<String>,
}

/// An agent's reference data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// Agent id.
    pub agent_id: String,
    /// Display name.
    pub name: String,
    /// Queue ids.
    pub queues: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Capacity units.
    pub capacity: u32,
}

/// An API token (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    /// Row id.
    pub id: i32,
    /// The admin's name for it.
    pub name: String,
    /// `ingest`, `read`.
    pub scopes: Vec<String>,
    /// The queues it may read; `None` is all.
    pub queues: Option<Vec<String>>,
    /// Created (RFC 3339, UTC).
    pub created_at: String,
    /// Revoked (RFC 3339, UTC), if it was.
    pub revoked_at: Option<String>,
}

/// A portal's embedded session (never its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedSessionRow {
    /// The stored hash of its token (what revoking names).
    pub id: String,
    /// The portal's login for the person (audited as `portal:<login>`).
    pub login: String,
    /// `agent` or `supervisor`.
    pub role: String,
    /// Their queues.
    pub queues: Vec<String>,
    /// Started (RFC 3339, UTC).
    pub created_at: String,
    /// Ends (RFC 3339, UTC).
    pub expires_at: String,
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`user.add`, `token.revoke`, …).
    pub action: String,
    /// To what.
    pub target: String,
    /// Details (JSON).
    pub detail: String,
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The records.
    pub entries: Vec<AuditRow>,
    /// This page (0 is the newest).
    pub page: u32,
    /// Whether older records follow.
    pub has_more: bool,
}

/// A supervisor action an admin can switch off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupervisorAction {
    /// Listen in silently.
    Monitor,
    /// Join the conversation.
    Join,
    /// Assign to an agent.
    Assign,
    /// Transfer to an agent or queue.
    Transfer,
    /// Close a conversation.
    ForceClose,
    /// Write to the agent only.
    Whisper,
}

impl SupervisorAction {
    /// Every action, in the order the settings page lists them.
    pub const ALL: [SupervisorAction; 6] = [
        SupervisorAction::Monitor,
        SupervisorAction::Join,
        SupervisorAction::Whisper,
        SupervisorAction::Assign,
        SupervisorAction::Transfer,
        SupervisorAction::ForceClose,
    ];

    /// Its name (`force_close`), the same in forms, JSON and text keys.
    pub fn as_str(self) -> &'static str {
        match self {
            SupervisorAction::Monitor => "monitor",
            SupervisorAction::Join => "join",
            SupervisorAction::Assign => "assign",
            SupervisorAction::Transfer => "transfer",
            SupervisorAction::ForceClose => "force_close",
            SupervisorAction::Whisper => "whisper",
        }
    }
}

/// Which supervisor actions are enabled (all by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupervisorActions {
    /// Monitor.
    pub monitor: bool,
    /// Join.
    pub join: bool,
    /// Assign.
    pub assign: bool,
    /// Transfer.
    pub transfer: bool,
    /// Force close.
    pub force_close: bool,
    /// Whisper.
    pub whisper: bool,
}

impl Default for SupervisorActions {
    fn default() -> Self {
        SupervisorActions {
            monitor: true,
            join: true,
            assign: true,
            transfer: true,
            force_close: true,
            whisper: true,
        }
    }
}

impl SupervisorActions {
    /// Whether `action` is enabled.
    pub fn allows(&self, action: SupervisorAction) -> bool {
        match action {
            SupervisorAction::Monitor => self.monitor,
            SupervisorAction::Join => self.join,
            SupervisorAction::Assign => self.assign,
            SupervisorAction::Transfer => self.transfer,
            SupervisorAction::ForceClose => self.force_close,
            SupervisorAction::Whisper => self.whisper,
        }
    }
}

/// The alert thresholds of one queue (or the default), in the units an admin thinks in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Service-level target (%): below it raises an alert.
    pub service_level_target_pct: f64,
    /// Longest wait (s): above it raises an alert.
    pub longest_wait_seconds: f64,
    /// Abandon rate (%): above it raises an alert.
    pub abandon_rate_pct: f64,
    /// Sentiment (−3..3): at or below it raises an alert.
    pub sentiment: i8,
}

impl Default for Thresholds {
    /// 80 % service level, 5 min longest wait, 10 % abandons, sentiment −2 (also the engine's
    /// default limits).
    fn default() -> Self {
        Thresholds {
            service_level_target_pct: 80.0,
            longest_wait_seconds: 300.0,
            abandon_rate_pct: 10.0,
            sentiment: -2,
        }
    }
}

impl Thresholds {
    /// Parses the settings form's fields, naming the first bad one.
    pub fn parse(
        service_level_target: &str,
        longest_wait: &str,
        abandon_rate: &str,
        sentiment: &str,
    ) -> Result<Thresholds, AdminError> {
        let number = |field: &str, s: &str, lo: f64, hi: f64| -> Result<f64, AdminError> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (lo..=hi).contains(v))
                .ok_or_else(|| {
                    AdminError::field(field, Problem::new("problem.number_range", &[&lo, &hi]))
                })
        };
        Ok(Thresholds {
            service_level_target_pct: number(
                "service_level_target",
                service_level_target,
                0.0,
                100.0,
            )?,
            longest_wait_seconds: number("longest_wait", longest_wait, 1.0, 86_400.0)?,
            abandon_rate_pct: number("abandon_rate", abandon_rate, 0.0, 100.0)?,
            sentiment: sentiment
                .trim()
                .parse::<i8>()
                .ok()
                .filter(|v| (-3..=3).contains(v))
                .ok_or_else(|| {
                    AdminError::field(
                        "sentiment",
                        Problem::new("problem.whole_number_range", &[&-3, &3]),
                    )
                })?,
        })
    }
}

/// The default thresholds and each queue's own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThresholdSettings {
    /// For queues without their own.
    pub default: Thresholds,
    /// Queue id → its own thresholds.
    pub queues: BTreeMap<String, Thresholds>,
}

/// Every setting the settings page edits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminSettings {
    /// Enabled supervisor actions.
    pub actions: SupervisorActions,
    /// Alert thresholds.
    pub thresholds: ThresholdSettings,
    /// Retention days set by an admin (`None`: the configuration's).
    pub retention_days: Option<u32>,
    /// The configuration's retention days.
    pub retention_default: u32,
    /// Origins allowed to embed Intraday.
    pub embed_origins: Vec<String>,
    /// Minutes without an event after which an active or waiting conversation is stuck.
    #[serde(default = "default_stuck_minutes")]
    pub stuck_minutes: u32,
    /// The agents' desk (offers' countdowns, full-capacity presence, monitoring notice).
    #[serde(default)]
    pub desk: super::desk::DeskSettings,
}

fn default_stuck_minutes() -> u32 {
    DEFAULT_STUCK_MINUTES
}

/// The stuck time an admin may set: 1 minute to a day.
pub fn parse_stuck_minutes(s: &str) -> Result<u32, AdminError> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=1440).contains(m))
        .ok_or_else(|| {
            AdminError::field(
                "minutes",
                Problem::new("problem.stuck_minutes", &[&1, &1440]),
            )
        })
}

/// Retention days an admin may set: 3 (late events may be 48 h old) to 3650.
pub fn parse_retention_days(s: &str) -> Result<Option<u32>, AdminError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u32>()
        .ok()
        .filter(|d| (3..=3650).contains(d))
        .map(Some)
        .ok_or_else(|| {
            AdminError::field(
                "retention_days",
                Problem::new("problem.retention_days", &[]),
            )
        })
}

/// Checks an embedding origin: `http(s)://host[:port]`, nothing after it.
pub fn check_origin(origin: &str) -> Result<String, Problem> {
    let o = origin.trim().trim_end_matches('/');
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
        .ok_or_else(|| Problem::new("problem.origin_scheme", &[&format!("{o:?}")]))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if !host_ok || !port_ok {
        return Err(Problem::new("problem.not_origin", &[&format!("{o:?}")]));
    }
    Ok(o.to_ascii_lowercase())
}

/// Parses the embedding origins (one per line or separated by spaces or commas).
pub fn parse_origins(text: &str) -> Result<Vec<String>, AdminError> {
    let mut out: Vec<String> = Vec::new();
    for o in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
    {
        let o = check_origin(o).map_err(|e| AdminError::field("embed_origins", e))?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

/// Splits a comma-separated list (skills), trimmed, without empties or repeats.
pub fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// Checks an id of the event contract (agent, queue): 1–64 of `[A-Za-z0-9._:-]`.
pub fn check_id(field: &str, id: &str) -> Result<(), AdminError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AdminError::field(
            field,
            Problem::new("problem.id_format", &[]),
        ))
    }
}

/// The longest webhook URL, in characters.
pub const WEBHOOK_URL_MAX: usize = 2_048;
/// The shortest and longest webhook secret, in characters.
pub const WEBHOOK_SECRET_CHARS: (usize, usize) = (16, 256);

/// The webhook as the admin sees it: its URL, and only whether a secret is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// Where actions are POSTed (empty: nowhere; they wait).
    pub url: String,
    /// Whether a signing secret is set (actions are sent only when one is).
    pub secret_set: bool,
}

/// Checks the webhook URL: empty (no webhook), or `http://host[:port][/path][?query]` of at
/// most [`WEBHOOK_URL_MAX`] characters, no credentials, no fragment, no spaces. `https://` is
/// refused with its own message: the server has no TLS client yet.
pub fn check_webhook_url(url: &str) -> Result<String, AdminError> {
    let field = |p| AdminError::field("webhook_url", p);
    let u = url.trim();
    if u.is_empty() {
        return Ok(String::new());
    }
    if u.chars().count() > WEBHOOK_URL_MAX {
        return Err(field(Problem::new(
            "problem.webhook_url_length",
            &[&WEBHOOK_URL_MAX],
        )));
    }
    let scheme = |s: &str| u.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s));
    if scheme("https://") {
        return Err(field(Problem::new("problem.webhook_tls", &[])));
    }
    if !scheme("http://") {
        return Err(field(Problem::new("problem.webhook_scheme", &[])));
    }
    let rest = &u["http://".len()..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    // The port's colon is the last one, unless it is inside an IPv6 address's brackets.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[') {
        v6.strip_suffix(']')
            .is_some_and(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_hexdigit() || c == ':'))
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    // Visible ASCII only (anything else percent-encoded); a fragment is never sent.
    let tail_ok = tail.chars().all(|c| c.is_ascii_graphic() && c != '#');
    if !host_ok || !port_ok || !tail_ok {
        return Err(field(Problem::new("problem.webhook_url", &[])));
    }
    Ok(format!("http://{}{tail}", authority.to_ascii_lowercase()))
}

/// Checks a webhook secret: [`WEBHOOK_SECRET_CHARS`] characters after trimming, none of them
/// control characters. Returned trimmed (the receiver must use exactly what is stored).
pub fn check_webhook_secret(secret: &str) -> Result<String, AdminError> {
    let s = secret.trim();
    let (lo, hi) = WEBHOOK_SECRET_CHARS;
    if !(lo..=hi).contains(&s.chars().count()) || s.chars().any(char::is_control) {
        return Err(AdminError::field(
            "webhook_secret",
            Problem::new("problem.webhook_secret", &[&lo, &hi]),
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            check_origin("https://Portal.example.com/").as_deref(),
            Ok("https://portal.example.com")
        );
        assert!(check_origin("http://localhost:8080").is_ok());
        for bad in [
            "portal.example.com",
            "ftp://x",
            "https://x/path",
            "https://",
            "https://x:99999",
            "https://a b",
            "javascript:alert(1)",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_origins("https://a.example\nhttps://b.example, https://a.example").unwrap(),
            vec!["https://a.example", "https://b.example"]
        );
        assert_eq!(
            parse_origins("https://a.example/x")
                .unwrap_err()
                .field
                .as_deref(),
            Some("embed_origins")
        );
    }

    #[test]
    fn thresholds_parse_naming_the_bad_field() {
        let t = Thresholds::parse("90", "120", "5", "-1").unwrap();
        assert_eq!(
            (
                t.service_level_target_pct,
                t.longest_wait_seconds,
                t.abandon_rate_pct,
                t.sentiment
            ),
            (90.0, 120.0, 5.0, -1)
        );
        let e = Thresholds::parse("90", "x", "5", "-1").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("longest_wait"), "{e:?}");
        assert!(Thresholds::parse("101", "1", "5", "0").is_err());
        assert!(Thresholds::parse("90", "1", "5", "-4").is_err());
    }

    #[test]
    fn retention_days_and_lists() {
        assert_eq!(parse_retention_days(" ").unwrap(), None);
        assert_eq!(parse_retention_days("10").unwrap(), Some(10));
        assert!(parse_retention_days("2").is_err());
        assert!(parse_retention_days("ten").is_err());
        assert_eq!(split_list(" a, b,,a "), vec!["a", "b"]);
        assert!(check_id("agent_id", "ann.b-1").is_ok());
        assert!(check_id("agent_id", "a b").is_err());
        assert!(SupervisorActions::default().allows(SupervisorAction::ForceClose));
    }

    #[test]
    fn webhook_urls_are_plain_http_and_secrets_have_a_length() {
        assert_eq!(check_webhook_url(" ").unwrap(), "");
        assert_eq!(
            check_webhook_url("HTTP://Hooks.Example:8080/in?x=1").unwrap(),
            "http://hooks.example:8080/in?x=1"
        );
        assert!(check_webhook_url("http://[::1]:9000/").is_ok());
        let tls = check_webhook_url("https://hooks.example/in").unwrap_err();
        assert_eq!(tls.problem.key, "problem.webhook_tls");
        assert_eq!(tls.field.as_deref(), Some("webhook_url"));
        let long = format!("http://h/{}", "a".repeat(WEBHOOK_URL_MAX));
        assert_eq!(
            check_webhook_url(&long).unwrap_err().problem.key,
            "problem.webhook_url_length"
        );
        for bad in [
            "ftp://x",
            "hooks.example",
            "http://",
            "http://user:pw@h/",
            "http://h:0/",
            "http://h:99999/",
            "http://h/a b",
            "http://h/#frag",
            "http://h/é",
        ] {
            assert!(check_webhook_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_webhook_secret("  0123456789abcdef ").unwrap(),
            "0123456789abcdef"
        );
        for bad in [
            "short".to_owned(),
            "x".repeat(257),
            format!("{0}\n{0}", "x".repeat(10)),
        ] {
            assert!(check_webhook_secret(&bad).is_err(), "{bad:?}");
        }
    }
}
