//! The server under load: its HTTP base and WebSocket URL, on this machine unless the
//! operator explicitly allows otherwise (a load tool pointed at someone else's server is an
//! attack, and a typo in `--url` should not become one).

use anyhow::{Context, bail};
use url::{Host, Url};

#[derive(Debug, Clone)]
pub struct Target {
    /// `http://host:port`, without a trailing slash.
    pub base: String,
    /// The WebSocket endpoint, `ws://host:port/api/v1/ws`.
    pub socket: String,
}

impl Target {
    pub fn parse(url: &str, allow_remote: bool) -> anyhow::Result<Target> {
        let parsed = Url::parse(url).with_context(|| format!("--url {url:?} is not a URL"))?;
        if parsed.scheme() != "http" {
            // The HTTP client is built without TLS: a loopback server is reached over http.
            bail!("--url {url:?}: only http:// is supported");
        }
        let host = parsed.host().with_context(|| format!("--url {url:?} names no host"))?;
        if !allow_remote && !is_this_machine(&host) {
            bail!(
                "refusing to load {host}: it is not this machine (127.0.0.0/8, ::1 or localhost). \
                 Pass --allow-remote to load a server you run elsewhere"
            );
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let authority = match host {
            Host::Ipv6(ip) => format!("[{ip}]:{port}"),
            other => format!("{other}:{port}"),
        };
        Ok(Target { base: format!("http://{authority}"), socket: format!("ws://{authority}/api/v1/ws") })
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A literal loopback address, or the name `localhost` (which resolvers map to loopback).
/// Other names are refused even if they resolve to loopback today: the check must not
/// depend on a resolver the operator does not control.
fn is_this_machine(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_are_accepted_and_normalised() {
        let t = Target::parse("http://127.0.0.1:8080/", false).unwrap();
        assert_eq!(t.base, "http://127.0.0.1:8080");
        assert_eq!(t.socket, "ws://127.0.0.1:8080/api/v1/ws");
        assert_eq!(Target::parse("http://127.3.4.5:1", false).unwrap().base, "http://127.3.4.5:1");
        assert_eq!(Target::parse("http://[::1]:9000", false).unwrap().socket, "ws://[::1]:9000/api/v1/ws");
        assert_eq!(Target::parse("http://LOCALHOST", false).unwrap().base, "http://localhost:80");
    }

    #[test]
    fn other_hosts_are_refused_unless_allowed() {
        for url in ["http://10.0.0.1:8080", "http://192.0.2.1", "http://example.com", "http://localhost.example.com", "http://[2001:db8::1]"] {
            let e = Target::parse(url, false).unwrap_err().to_string();
            assert!(e.contains("--allow-remote"), "{url}: {e}");
        }
        assert_eq!(Target::parse("http://10.0.0.1:8080", true).unwrap().base, "http://10.0.0.1:8080");
    }

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(Target::parse("https://127.0.0.1", false).is_err());
        assert!(Target::parse("ws://127.0.0.1", false).is_err());
        assert!(Target::parse("127.0.0.1:8080", false).is_err());
    }
}
