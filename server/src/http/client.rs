//! Who is on the other end of a request: the client's address and whether it came over HTTPS,
//! believing a reverse proxy's `X-Forwarded-*` headers only when that proxy is one the settings
//! name (`trusted_proxies`) — anyone else could write them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};

/// The connection's peer, when the server was started with connect info.
pub fn peer(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest address
/// in its `X-Forwarded-For` that is not itself a trusted proxy.
pub fn address(request: &Request, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer(request)?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            // A hop the proxy did not write cleanly: stop at the proxy itself.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

/// Whether the browser reached us over HTTPS: a trusted proxy, or one on this machine, says
/// so with `X-Forwarded-Proto: https` (Intraday itself serves plain HTTP).
pub fn over_https(request: &Request, trusted: &[IpAddr]) -> bool {
    let from_proxy = peer(request).is_some_and(|p| p.is_loopback() || trusted.contains(&p));
    from_proxy
        && request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, forwarded: Option<&str>) -> Request {
        let mut r = Request::new(axum::body::Body::empty());
        r.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().expect("addr")));
        if let Some(f) = forwarded {
            r.headers_mut()
                .insert("x-forwarded-for", f.parse().expect("header"));
            r.headers_mut()
                .insert("x-forwarded-proto", "https".parse().expect("header"));
        }
        r
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // Anyone may write the header; only the named proxy is believed.
        let spoofed = request("203.0.113.7:5000", Some("198.51.100.1"));
        assert_eq!(address(&spoofed, &[proxy]), ip("203.0.113.7"));
        assert!(!over_https(&spoofed, &[proxy]));
        let proxied = request("10.0.0.2:5000", Some("1.2.3.4, 198.51.100.1"));
        assert_eq!(address(&proxied, &[proxy]), ip("198.51.100.1"));
        assert!(over_https(&proxied, &[proxy]));
        assert_eq!(address(&proxied, &[]), ip("10.0.0.2"));
        let chained = request("10.0.0.2:5000", Some("198.51.100.1, 10.0.0.2"));
        assert_eq!(address(&chained, &[proxy]), ip("198.51.100.1"));
        let junk = request("10.0.0.2:5000", Some("not-an-ip"));
        assert_eq!(address(&junk, &[proxy]), ip("10.0.0.2"));
    }
}
