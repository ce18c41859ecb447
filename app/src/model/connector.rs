//! Connectors as the admin sees and sets them: the settings (checked here, so the page, the
//! server function and the command line refuse the same input with the same words), and what a
//! connector received.

use serde::{Deserialize, Serialize};

use super::admin::AdminError;
use super::problem::Problem;

/// The webhook path of connector `key`.
pub fn webhook_path(key: &str) -> String {
    format!("/api/v1/connectors/chatwoot/{key}")
}

/// A connector's secret: 16 to 256 characters.
pub const SECRET_CHARS: (usize, usize) = (16, 256);
/// A connector's name: 1 to 128 characters.
pub const NAME_CHARS: usize = 128;
/// The longest Chatwoot address.
pub const BASE_URL_CHARS: usize = 512;
/// The longest access token.
pub const API_TOKEN_CHARS: usize = 256;
/// At most this many connectors.
pub const MAX_CONNECTORS: usize = 20;
/// Newest deliveries a connector's page lists.
pub const DELIVERY_ROWS: u64 = 50;
/// Payloads kept aside a connector's page lists (oldest first).
pub const DEAD_LETTER_ROWS: u64 = 100;

/// A connector as the admin page lists it (never its secret or token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// The key: the webhook path's last segment.
    pub key: String,
    /// The admin's name for it.
    pub name: String,
    /// `chatwoot`.
    pub kind: String,
    /// `inbox` or `team`.
    pub queue_by: String,
    /// Deliveries without a signature are accepted.
    pub unsigned: bool,
    /// The Chatwoot address for actions carried back (empty: none).
    pub base_url: String,
    /// The Chatwoot account.
    pub account_id: Option<i64>,
    /// An access token is set.
    pub api_token_set: bool,
    /// The prefix of the ids it creates (`cw…`).
    pub prefix: String,
    /// When it was added (RFC 3339).
    pub created: String,
    /// Payloads kept aside now.
    pub dead_letters: u64,
}

/// A new connector's settings, as the form or the command line gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorForm {
    /// Name.
    pub name: String,
    /// The webhook secret Chatwoot signs with.
    pub secret: String,
    /// Accept deliveries without a signature (Chatwoot versions that do not sign).
    pub unsigned: bool,
    /// `inbox` (default) or `team`.
    pub queue_by: String,
    /// Chatwoot's address (`http://chatwoot.internal:3000`, or a TLS-terminating proxy's), for
    /// actions carried back.
    pub base_url: String,
    /// The account id (digits), for actions carried back.
    pub account_id: String,
    /// An access token, for actions carried back.
    pub api_token: String,
}

/// A form that passed [`check_connector`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedConnector {
    /// Name.
    pub name: String,
    /// Secret.
    pub secret: String,
    /// Unsigned deliveries accepted.
    pub unsigned: bool,
    /// `inbox` or `team`.
    pub queue_by: &'static str,
    /// Address, without a trailing slash (may be empty).
    pub base_url: String,
    /// Account.
    pub account_id: Option<i64>,
    /// Token (may be empty).
    pub api_token: String,
}

/// Checks a new connector's settings, naming the first bad field.
pub fn check_connector(f: &ConnectorForm) -> Result<CheckedConnector, AdminError> {
    let bad = |field: &str, key: &'static str, args: &[&dyn std::fmt::Display]| {
        AdminError::field(field, Problem::new(key, args))
    };
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > NAME_CHARS || name.chars().any(char::is_control) {
        return Err(bad("name", "problem.connector_name", &[&NAME_CHARS]));
    }
    let secret = f.secret.trim();
    let (lo, hi) = SECRET_CHARS;
    if !(lo..=hi).contains(&secret.chars().count()) || secret.chars().any(char::is_control) {
        return Err(bad("secret", "problem.webhook_secret", &[&lo, &hi]));
    }
    let queue_by = match f.queue_by.trim() {
        "" | "inbox" => "inbox",
        "team" => "team",
        _ => return Err(bad("queue_by", "problem.connector_queue_by", &[])),
    };
    let base_url = f.base_url.trim().trim_end_matches('/');
    if !base_url.is_empty() {
        let scheme = |s: &str| {
            base_url
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        };
        if scheme("https://") {
            return Err(bad("base_url", "problem.connector_tls", &[]));
        }
        let scheme_ok = scheme("http://") && base_url.len() > "http://".len();
        if base_url.chars().count() > BASE_URL_CHARS
            || !scheme_ok
            || !base_url.chars().all(|c| c.is_ascii_graphic())
            || base_url.contains(['#', '?', '@'])
        {
            return Err(bad(
                "base_url",
                "problem.connector_base_url",
                &[&BASE_URL_CHARS],
            ));
        }
    }
    let account = f.account_id.trim();
    let account_id = if account.is_empty() {
        None
    } else {
        match account.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(bad("account_id", "problem.connector_account", &[])),
        }
    };
    let api_token = f.api_token.trim();
    if api_token.chars().count() > API_TOKEN_CHARS
        || !api_token.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(bad(
            "api_token",
            "problem.connector_api_token",
            &[&API_TOKEN_CHARS],
        ));
    }
    Ok(CheckedConnector {
        name: name.to_owned(),
        secret: secret.to_owned(),
        unsigned: f.unsigned,
        queue_by,
        base_url: base_url.to_owned(),
        account_id,
        api_token: api_token.to_owned(),
    })
}

/// How many deliveries of one event ended one way (the last 7 days).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCount {
    /// Chatwoot's event name.
    pub event: String,
    /// `mapped`, `ignored`, `dead_letter` or `refused`.
    pub outcome: String,
    /// Deliveries.
    pub count: i64,
}

/// One delivery as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    /// When it arrived (RFC 3339).
    pub received: String,
    /// Chatwoot's delivery id (may be empty).
    pub delivery_id: String,
    /// Chatwoot's event name.
    pub event: String,
    /// `mapped`, `ignored`, `dead_letter` or `refused`.
    pub outcome: String,
    /// Events newly stored.
    pub accepted: i32,
    /// Events already stored.
    pub duplicates: i32,
    /// Why it was ignored, kept aside or refused.
    pub detail: String,
}

/// A payload kept aside.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterRow {
    /// Its id.
    pub id: i64,
    /// When it arrived (RFC 3339).
    pub received: String,
    /// Chatwoot's event name.
    pub event: String,
    /// Why it could not be placed.
    pub reason: String,
    /// The start of the payload (at most 300 characters).
    pub excerpt: String,
}

/// What a connector received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorActivity {
    /// Counts by event and outcome, the last 7 days.
    pub counts: Vec<EventCount>,
    /// The newest deliveries.
    pub deliveries: Vec<DeliveryRow>,
    /// Payloads kept aside, oldest first.
    pub dead_letters: Vec<DeadLetterRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ConnectorForm {
        ConnectorForm {
            name: "Support".into(),
            secret: "0123456789abcdef".into(),
            ..ConnectorForm::default()
        }
    }

    #[test]
    fn a_good_form_is_cleaned_and_each_bad_field_is_named() {
        let ok = check_connector(&ConnectorForm {
            base_url: "http://chat.internal:3000/".into(),
            account_id: " 3 ".into(),
            queue_by: "team".into(),
            ..form()
        })
        .expect("valid");
        assert_eq!(ok.base_url, "http://chat.internal:3000");
        assert_eq!(ok.account_id, Some(3));
        assert_eq!(ok.queue_by, "team");
        assert_eq!(check_connector(&form()).expect("valid").queue_by, "inbox");
        let field = |f: ConnectorForm| check_connector(&f).err().and_then(|e| e.field);
        let cases = [
            (
                ConnectorForm {
                    name: " ".into(),
                    ..form()
                },
                "name",
            ),
            (
                ConnectorForm {
                    name: "x".repeat(129),
                    ..form()
                },
                "name",
            ),
            (
                ConnectorForm {
                    secret: "short".into(),
                    ..form()
                },
                "secret",
            ),
            (
                ConnectorForm {
                    queue_by: "label".into(),
                    ..form()
                },
                "queue_by",
            ),
            (
                ConnectorForm {
                    base_url: "ftp://x".into(),
                    ..form()
                },
                "base_url",
            ),
            (
                ConnectorForm {
                    base_url: "https://".into(),
                    ..form()
                },
                "base_url",
            ),
            (
                ConnectorForm {
                    base_url: "https://a b".into(),
                    ..form()
                },
                "base_url",
            ),
            (
                ConnectorForm {
                    account_id: "0".into(),
                    ..form()
                },
                "account_id",
            ),
            (
                ConnectorForm {
                    account_id: "abc".into(),
                    ..form()
                },
                "account_id",
            ),
            (
                ConnectorForm {
                    api_token: "a b".into(),
                    ..form()
                },
                "api_token",
            ),
            (
                ConnectorForm {
                    api_token: "x".repeat(257),
                    ..form()
                },
                "api_token",
            ),
        ];
        for (f, name) in cases {
            assert_eq!(field(f.clone()).as_deref(), Some(name), "{f:?}");
        }
    }
}
