//! One webhook delivery: the outbox row's JSON POSTed over plain HTTP/1 with its id, a
//! timestamp and an HMAC-SHA256 signature of both, within a deadline.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Request, Uri, header};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;

/// How long one delivery may take, connecting and reading the answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a refusing receiver's answer is kept for the admin to read.
const ANSWER_BYTES: usize = 2_048;

/// Where deliveries go: the admin's webhook, parsed, and its signing secret.
#[derive(Clone, Debug)]
pub struct Target {
    /// The webhook's URL (`http://` only).
    pub uri: Uri,
    /// The signing secret.
    pub secret: String,
}

/// What became of one delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered with this status (and this much of its body).
    Answered(u16, String),
    /// No answer: the connection failed or the deadline passed.
    Unreachable(String),
}

impl Outcome {
    /// Whether the receiver took it (any 2xx status).
    pub fn delivered(&self) -> bool {
        matches!(self, Outcome::Answered(status, _) if (200..300).contains(status))
    }
}

/// The HTTP client deliveries share (keeping connections to the receiver open between them).
pub struct Sender {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for Sender {
    fn default() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(TIMEOUT));
        Sender {
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }
}

impl Sender {
    /// POSTs `body` (outbox row `id`) to `target`, signed, waiting at most [`TIMEOUT`].
    pub async fn post(&self, target: &Target, id: i64, body: &str) -> Outcome {
        let timestamp = chrono::Utc::now().timestamp();
        let request = Request::builder()
            .method(Method::POST)
            .uri(target.uri.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                header::USER_AGENT,
                concat!("Intraday/", env!("CARGO_PKG_VERSION")),
            )
            .header("X-Intraday-Delivery", id)
            .header("X-Intraday-Timestamp", timestamp)
            .header(
                "X-Intraday-Signature",
                format!("sha256={}", signature(&target.secret, timestamp, body)),
            )
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())));
        self.send(request).await
    }

    /// POSTs `body` as JSON to `uri` with `headers` (a connector's call into its system),
    /// waiting at most [`TIMEOUT`].
    pub async fn call(&self, uri: Uri, headers: &[(&str, &str)], body: &str) -> Outcome {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                header::USER_AGENT,
                concat!("Intraday/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Full::new(Bytes::copy_from_slice(body.as_bytes()))))
            .await
    }

    async fn send(&self, request: Result<Request<Full<Bytes>>, axum::http::Error>) -> Outcome {
        let request = match request {
            Ok(r) => r,
            Err(e) => return Outcome::Unreachable(format!("the request could not be made: {e}")),
        };
        let exchange = async {
            let response = self.client.request(request).await.map_err(chain)?;
            let status = response.status().as_u16();
            // What a receiver says when it refuses helps the admin; a 2xx's body is not read.
            let text = if (200..300).contains(&status) {
                String::new()
            } else {
                match Limited::new(response.into_body(), ANSWER_BYTES)
                    .collect()
                    .await
                {
                    Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
                    Err(_) => String::new(),
                }
            };
            Ok::<_, String>(Outcome::Answered(status, text))
        };
        match tokio::time::timeout(TIMEOUT, exchange).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) => Outcome::Unreachable(e),
            Err(_) => Outcome::Unreachable(format!("no answer within {} s", TIMEOUT.as_secs())),
        }
    }
}

/// Lowercase hex HMAC-SHA256 with `secret` of `"{timestamp}.{body}"`: what
/// `X-Intraday-Signature` carries after `sha256=`, and what a receiver recomputes.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length; this branch is never taken.
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An error with its causes, since the client's own text ("client error (Connect)") does not
/// say what happened.
fn chain(e: impl std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body_in_lowercase_hex() {
        // Python: hmac.new(b"Jefe", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        assert_eq!(
            signature("Jefe", 1_700_000_000, r#"{"a":1}"#),
            "fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a"
        );
    }

    #[test]
    fn only_a_2xx_answer_is_a_delivery() {
        assert!(Outcome::Answered(204, String::new()).delivered());
        assert!(!Outcome::Answered(301, String::new()).delivered());
        assert!(!Outcome::Answered(500, String::new()).delivered());
        assert!(!Outcome::Unreachable("refused".into()).delivered());
    }
}
