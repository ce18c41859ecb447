//! Chatwoot's webhook signature: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret,
//! "{X-Chatwoot-Timestamp}.{raw body}")>`, with the timestamp in Unix seconds.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a delivery's timestamp may be from the server's clock, either way (seconds): a
/// captured delivery cannot be replayed later than this.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature, on a connector that requires one.
    #[error(
        "the delivery is not signed: X-Chatwoot-Signature and X-Chatwoot-Timestamp are required"
    )]
    Missing,
    /// The timestamp is not a number of seconds.
    #[error("X-Chatwoot-Timestamp must be Unix seconds")]
    BadTimestamp,
    /// The timestamp is too far from now.
    #[error(
        "the delivery's timestamp is {0} s away from this server's clock (at most {TOLERANCE_SECONDS} s)"
    )]
    Stale(i64),
    /// The signature does not match.
    #[error("X-Chatwoot-Signature does not match this connector's secret")]
    Mismatch,
}

/// The signature header's value for `body` sent at `timestamp` (what Chatwoot sends; the
/// admin page's test delivery signs with it).
pub fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = mac(secret, timestamp, body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// Checks a delivery's signature and timestamp against `secret` at `now_seconds`. Both headers
/// absent is [`SignatureError::Missing`]; the caller decides whether that is allowed.
pub fn verify(
    secret: &str,
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now_seconds: i64,
) -> Result<(), SignatureError> {
    let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
        return Err(SignatureError::Missing);
    };
    let at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    let skew = now_seconds.saturating_sub(at);
    if skew.abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale(skew));
    }
    let Some(given) = signature.trim().strip_prefix("sha256=").and_then(unhex) else {
        return Err(SignatureError::Mismatch);
    };
    // `verify_slice` compares in constant time.
    mac(secret, timestamp.trim(), body)
        .verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"event":"conversation_created","id":7}"#;

    #[test]
    fn the_signature_is_chatwoots() {
        // Computed apart, as Chatwoot's `OpenSSL::HMAC.hexdigest('SHA256', secret, "#{ts}.#{body}")`.
        assert_eq!(
            signature("s3cret", "1765000000", BODY),
            "sha256=5565eb14703ca9e94d9bf1f4409b3f7aee88040799e5de0fcb43153040a6c25b"
        );
    }

    #[test]
    fn a_signature_made_with_the_secret_is_accepted_and_any_change_is_not() {
        let now = 1_765_000_000;
        let ts = now.to_string();
        let good = signature("s3cret", &ts, BODY);
        assert_eq!(verify("s3cret", Some(&good), Some(&ts), BODY, now), Ok(()));
        // Another secret, another body, another timestamp, a flipped digit.
        assert_eq!(
            verify("other", Some(&good), Some(&ts), BODY, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", Some(&good), Some(&ts), b"{}", now),
            Err(SignatureError::Mismatch)
        );
        let later = (now + 1).to_string();
        assert_eq!(
            verify("s3cret", Some(&good), Some(&later), BODY, now),
            Err(SignatureError::Mismatch)
        );
        let mut flipped = good.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert_eq!(
            verify("s3cret", Some(&flipped), Some(&ts), BODY, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", Some("sha1=abc"), Some(&ts), BODY, now),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_stale_or_missing_timestamp_is_refused() {
        let now = 1_765_000_000;
        let old = (now - TOLERANCE_SECONDS - 1).to_string();
        let sig = signature("s", &old, BODY);
        assert_eq!(
            verify("s", Some(&sig), Some(&old), BODY, now),
            Err(SignatureError::Stale(TOLERANCE_SECONDS + 1))
        );
        let edge = (now - TOLERANCE_SECONDS).to_string();
        let sig = signature("s", &edge, BODY);
        assert_eq!(verify("s", Some(&sig), Some(&edge), BODY, now), Ok(()));
        assert_eq!(
            verify("s", Some(&sig), None, BODY, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify("s", Some(&sig), Some("yesterday"), BODY, now),
            Err(SignatureError::BadTimestamp)
        );
    }
}
