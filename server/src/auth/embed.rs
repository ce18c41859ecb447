//! Sign-in inside a portal's iframe without third-party cookies: the portal's backend signs a
//! short-lived token (HMAC-SHA256 with the shared `embed_secret`) naming the person, their role
//! and queues; `/embed/…?token=…` checks it and starts a session whose id the page then sends
//! in a header (and its EventSource in a query parameter).
//!
//! Token: `base64url(claims JSON) "." base64url(HMAC-SHA256(secret, first part))`, no padding.
//! Claims: `{"sub": login, "role": "agent|supervisor", "queues": [...], "agent_id": …,
//! "locale": "en|pl", "jti": unique id, "exp": unix seconds}`; `exp` at most [`MAX_TTL_S`]
//! ahead. A token signs in once (its `jti`, or its signature when it has none, is remembered
//! until it expires); embedding never grants `admin`, and the session it starts lives at most
//! `embed_session_minutes`.

use app::auth::{Role, Viewer};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The longest a token may live: it is a sign-in link, not a session.
pub const MAX_TTL_S: i64 = 600;

/// What a portal says about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The person's login at the portal.
    pub sub: String,
    /// `agent`, `supervisor` or `admin`.
    pub role: String,
    /// The queues a supervisor may see.
    #[serde(default)]
    pub queues: Vec<String>,
    /// The agent they work as.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Their language.
    #[serde(default)]
    pub locale: Option<String>,
    /// A unique id of this token (it signs in once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
}

/// A checked token: the person it signs in, and what marks it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The person.
    pub viewer: Viewer,
    /// `jti:<jti>`, or `sig:<signature>` for a token without one.
    pub once_key: String,
    /// Its expiry (Unix seconds).
    pub exp: i64,
}

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// No secret configured.
    #[error("embedded sign-in is not configured on this server (embed_secret)")]
    NotConfigured,
    /// Not two base64url parts with a JSON object.
    #[error("the sign-in token is malformed")]
    Malformed,
    /// The signature does not match.
    #[error("the sign-in token's signature does not match")]
    Signature,
    /// Past its expiry.
    #[error("the sign-in link has expired; open the page again from your portal")]
    Expired,
    /// Lives longer than allowed.
    #[error("the sign-in token lives too long: exp may be at most {MAX_TTL_S} s ahead")]
    TooLong,
    /// A claim is not valid.
    #[error("the sign-in token's {0} is not valid")]
    Claim(&'static str),
    /// `role: admin`: administration is never embedded.
    #[error("an embedded sign-in cannot be an admin: use agent or supervisor")]
    Admin,
    /// The token was used before.
    #[error("this sign-in link was already used; open the page again from your portal")]
    Replayed,
}

fn mac(secret: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length")
}

/// Signs claims (what a portal's backend does; also `intraday embed sign`).
pub fn sign(secret: &str, claims: &Claims) -> String {
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let mut m = mac(secret);
    m.update(body.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{body}.{sig}")
}

/// Checks a token at `now_s` (Unix seconds) and returns the person it signs in.
pub fn verify(secret: Option<&str>, token: &str, now_s: i64) -> Result<Viewer, EmbedError> {
    verify_signed(secret, token, now_s).map(|s| s.viewer)
}

/// [`verify`], with what marks the token used.
pub fn verify_signed(secret: Option<&str>, token: &str, now_s: i64) -> Result<Signed, EmbedError> {
    let secret = secret.ok_or(EmbedError::NotConfigured)?;
    let (body, sig) = token.trim().split_once('.').ok_or(EmbedError::Malformed)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| EmbedError::Malformed)?;
    let mut m = mac(secret);
    m.update(body.as_bytes());
    m.verify_slice(&sig).map_err(|_| EmbedError::Signature)?;
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| EmbedError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| EmbedError::Malformed)?;
    if claims.exp <= now_s {
        return Err(EmbedError::Expired);
    }
    if claims.exp > now_s + MAX_TTL_S {
        return Err(EmbedError::TooLong);
    }
    if !crate::store::users::valid_login(&claims.sub) {
        return Err(EmbedError::Claim("sub"));
    }
    let role = Role::parse(&claims.role).ok_or(EmbedError::Claim("role"))?;
    if role == Role::Admin {
        return Err(EmbedError::Admin);
    }
    if claims
        .jti
        .as_deref()
        .is_some_and(|j| j.trim().is_empty() || j.chars().count() > 128)
    {
        return Err(EmbedError::Claim("jti"));
    }
    let once_key = match &claims.jti {
        Some(jti) => format!("jti:{jti}"),
        None => format!("sig:{}", URL_SAFE_NO_PAD.encode(&sig)),
    };
    let exp = claims.exp;
    if claims
        .locale
        .as_deref()
        .is_some_and(|l| app::i18n::Locale::parse(l).is_none())
    {
        return Err(EmbedError::Claim("locale"));
    }
    Ok(Signed {
        viewer: Viewer {
            user_id: None,
            login: claims.sub,
            role,
            queues: claims.queues,
            agent_id: claims.agent_id,
            locale: claims.locale,
            embedded: true,
        },
        once_key,
        exp,
    })
}

/// Checks an origin an admin allows to frame Intraday: `http(s)://host[:port]`, nothing more.
pub fn valid_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = rest.rsplit_once(':').unwrap_or((rest, ""));
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && (port.is_empty() || port.parse::<u16>().is_ok_and(|p| p > 0))
}

/// Stores the allowed origins (validated), audited as `actor`.
pub async fn set_origins(
    db: &sea_orm::DatabaseConnection,
    origins: &[String],
    actor: &str,
) -> Result<(), String> {
    if let Some(bad) = origins.iter().find(|o| !valid_origin(o)) {
        return Err(format!(
            "origin {bad:?} is not scheme://host[:port] with http or https (no path)"
        ));
    }
    let json = serde_json::json!(origins).to_string();
    crate::store::settings::set(db, crate::auth::security::EMBED_ORIGINS, &json)
        .await
        .map_err(|e| e.to_string())?;
    crate::store::audit::record(
        db,
        actor,
        "settings.embed_origins",
        crate::auth::security::EMBED_ORIGINS,
        serde_json::json!({ "origins": origins }),
    )
    .await
    .map_err(|e| e.to_string())
}

/// Runs an `embed` subcommand.
pub async fn run(
    command: crate::cli::EmbedCommand,
    config: &crate::config::Config,
) -> Result<(), crate::error::StartError> {
    use crate::error::StartError;
    match command {
        crate::cli::EmbedCommand::Allow { origins, db } => {
            let db = crate::db::connect_and_migrate(&db.url(config)).await?;
            set_origins(&db, &origins, "cli")
                .await
                .map_err(StartError::Invalid)?;
            println!("allowed: {}", origins.join(" "));
            Ok(())
        }
        crate::cli::EmbedCommand::Sign(args) => {
            let secret = config.embed_secret.as_deref().ok_or_else(|| {
                StartError::Invalid("set embed_secret (INTRADAY_EMBED_SECRET) first".into())
            })?;
            if !(1..=MAX_TTL_S).contains(&args.ttl) {
                return Err(StartError::Invalid(format!(
                    "--ttl must be 1 to {MAX_TTL_S} seconds"
                )));
            }
            if args.role == Role::Admin {
                return Err(StartError::Invalid(
                    "an embedded sign-in cannot be an admin: use agent or supervisor".into(),
                ));
            }
            let claims = Claims {
                sub: args.login,
                role: args.role.as_str().to_owned(),
                queues: args.queues,
                agent_id: args.agent,
                locale: args.locale,
                jti: Some(crate::store::tokens::generate().map_err(|e| {
                    StartError::Invalid(format!("no randomness for the token's jti: {e}"))
                })?),
                exp: chrono::Utc::now().timestamp() + args.ttl,
            };
            println!("{}", sign(secret, &claims));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a shared secret of at least 32 characters";

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "portal.sue".into(),
            role: "supervisor".into(),
            queues: vec!["qa".into()],
            agent_id: None,
            locale: Some("pl".into()),
            jti: Some(format!("t-{exp}")),
            exp,
        }
    }

    #[test]
    fn a_signed_token_signs_in_until_it_expires() {
        let token = sign(SECRET, &claims(1_000 + 300));
        let viewer = verify(Some(SECRET), &token, 1_000).expect("valid");
        assert_eq!(viewer.login, "portal.sue");
        assert_eq!(viewer.role, Role::Supervisor);
        assert_eq!(viewer.queues, ["qa"]);
        assert!(viewer.embedded && viewer.user_id.is_none());
        assert_eq!(
            verify(Some(SECRET), &token, 1_300),
            Err(EmbedError::Expired)
        );
        assert_eq!(
            verify(
                Some("another secret of at least 32 characters"),
                &token,
                1_000
            ),
            Err(EmbedError::Signature)
        );
        assert_eq!(verify(None, &token, 1_000), Err(EmbedError::NotConfigured));
    }

    #[test]
    fn tampered_long_lived_or_odd_tokens_are_refused() {
        let token = sign(SECRET, &claims(2_000));
        let (body, sig) = token.split_once('.').unwrap();
        let mut c = claims(2_000);
        c.role = "admin".into();
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap());
        assert_eq!(
            verify(Some(SECRET), &format!("{forged_body}.{sig}"), 1_900),
            Err(EmbedError::Signature)
        );
        assert_eq!(
            verify(Some(SECRET), body, 1_900),
            Err(EmbedError::Malformed)
        );
        assert_eq!(
            verify(Some(SECRET), &token, 1_000),
            Err(EmbedError::TooLong)
        );
        let mut admin = claims(1_100);
        admin.role = "admin".into();
        assert_eq!(
            verify(Some(SECRET), &sign(SECRET, &admin), 1_000),
            Err(EmbedError::Admin)
        );
        let mut bad = claims(1_100);
        bad.role = "root".into();
        assert_eq!(
            verify(Some(SECRET), &sign(SECRET, &bad), 1_000),
            Err(EmbedError::Claim("role"))
        );
        let mut bad = claims(1_100);
        bad.sub = "<script>".into();
        assert_eq!(
            verify(Some(SECRET), &sign(SECRET, &bad), 1_000),
            Err(EmbedError::Claim("sub"))
        );
    }

    #[test]
    fn only_bare_origins_may_frame() {
        assert!(valid_origin("https://portal.example.com"));
        assert!(valid_origin("http://localhost:8080"));
        assert!(!valid_origin("https://portal.example.com/path"));
        assert!(!valid_origin("portal.example.com"));
        assert!(!valid_origin("https://*.example.com"));
        assert!(!valid_origin("javascript:alert(1)"));
        assert!(!valid_origin("https://a.example:99999"));
    }

    #[test]
    fn the_fetch_patch_needs_no_escaping() {
        assert!(!app::auth::FETCH_PATCH.contains(['<', '>', '&']));
    }
}
