//! The app's own addresses: a query value percent-encoded the one way every page, link and
//! feed of the app writes it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a query value keeps as it is: letters, digits, `-_.~`, and `,/:` so that lists, time
/// zones and instants stay readable in the URL. Every other byte is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b',')
    .remove(b'/')
    .remove(b':');

/// Percent-encodes a query value.
pub fn encode(v: &str) -> String {
    utf8_percent_encode(v, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn query_values_keep_lists_zones_and_instants_readable() {
        assert_eq!(encode("a b"), "a%20b");
        assert_eq!(encode("a&b=c#d"), "a%26b%3Dc%23d");
        assert_eq!(encode("Europe/Warsaw"), "Europe/Warsaw");
        assert_eq!(
            encode("2026-11-25T08:00:00+01:00"),
            "2026-11-25T08:00:00%2B01:00"
        );
        assert_eq!(encode("q1,q2"), "q1,q2");
        assert_eq!(encode("100%"), "100%25");
        assert_eq!(encode("zażółć €"), "za%C5%BC%C3%B3%C5%82%C4%87%20%E2%82%AC");
        assert_eq!(encode("-_.~?+\\\n"), "-_.~%3F%2B%5C%0A");
        // Every ASCII character as the hand-written encoder before it did.
        for b in 0u8..128 {
            let c = char::from(b);
            let kept = c.is_ascii_alphanumeric() || "-_.~,/:".contains(c);
            let want = if kept {
                c.to_string()
            } else {
                format!("%{b:02X}")
            };
            assert_eq!(encode(&c.to_string()), want, "{b}");
        }
    }
}
