//! Reading an ingest request body: JSON (one event or an array) or NDJSON, within a size limit.

use serde_json::Value;

/// The content types the ingest API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// `application/json`: one event object or an array of events.
    Json,
    /// `application/x-ndjson`: one event per line.
    Ndjson,
}

impl BodyFormat {
    /// From a `Content-Type` header value; parameters such as `charset` are ignored.
    pub fn from_content_type(value: Option<&str>) -> Option<BodyFormat> {
        let essence = value?.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Some(BodyFormat::Json),
            "application/x-ndjson" | "application/ndjson" => Some(BodyFormat::Ndjson),
            _ => None,
        }
    }
}

/// A body that is not valid JSON, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Splits a body into event values.
pub fn parse(format: BodyFormat, bytes: &[u8]) -> Result<Vec<Value>, ParseError> {
    match format {
        BodyFormat::Json => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Array(events)) => Ok(events),
            Ok(event @ Value::Object(_)) => Ok(vec![event]),
            Ok(_) => Err(ParseError {
                message: "the body must be one event object or an array of events".into(),
                line: 1,
                column: 1,
            }),
            Err(e) => Err(ParseError {
                message: format!("invalid JSON: {e}"),
                line: e.line(),
                // serde says column 0 for an empty body; the answer counts columns from 1.
                column: e.column().max(1),
            }),
        },
        BodyFormat::Ndjson => {
            let text = std::str::from_utf8(bytes).map_err(|e| ParseError {
                message: format!("the body is not UTF-8: {e}"),
                line: 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count(),
                column: 1,
            })?;
            let mut events = Vec::new();
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let value: Value = serde_json::from_str(line).map_err(|e| ParseError {
                    message: format!("invalid JSON on line {}: {e}", n + 1),
                    line: n + 1,
                    column: e.column().max(1),
                })?;
                if !value.is_object() {
                    return Err(ParseError {
                        message: format!("line {} is not an event object", n + 1),
                        line: n + 1,
                        column: 1,
                    });
                }
                events.push(value);
            }
            Ok(events)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(
            BodyFormat::from_content_type(Some("application/json; charset=utf-8")),
            Some(BodyFormat::Json)
        );
        assert_eq!(
            BodyFormat::from_content_type(Some("Application/X-NDJSON")),
            Some(BodyFormat::Ndjson)
        );
        assert_eq!(BodyFormat::from_content_type(Some("text/plain")), None);
        assert_eq!(BodyFormat::from_content_type(None), None);
    }

    #[test]
    fn json_object_array_and_errors() {
        assert_eq!(parse(BodyFormat::Json, br#"{"id":"a"}"#).unwrap().len(), 1);
        assert_eq!(
            parse(BodyFormat::Json, br#"[{"id":"a"},{"id":"b"}]"#)
                .unwrap()
                .len(),
            2
        );
        let e = parse(BodyFormat::Json, b"[\n{\"id\": }").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        assert!(
            parse(BodyFormat::Json, b"42")
                .unwrap_err()
                .message
                .contains("array of events")
        );
    }

    #[test]
    fn ndjson_lines_and_errors() {
        let ok = parse(BodyFormat::Ndjson, b"{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n").unwrap();
        assert_eq!(ok.len(), 2);
        let e = parse(BodyFormat::Ndjson, b"{\"id\":\"a\"}\n{oops}\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("line 2"));
    }
}
