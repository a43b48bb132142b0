//! The client's address, which the rate limits of anonymous requests key on.

use crate::state::Shared;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

/// The client's address: the TCP peer, or, behind a reverse proxy the operator declared
/// (`behind_proxy`), the address that proxy put last in `X-Forwarded-For` (earlier entries
/// are whatever the client claimed, and are ignored).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Shared> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if !state.config.behind_proxy {
            return Ok(ClientAddr(peer));
        }
        Ok(ClientAddr(forwarded_client(parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok())).unwrap_or(peer)))
    }
}

/// The last address in the `X-Forwarded-For` values, in order.
pub(crate) fn forwarded_client<'a>(values: impl Iterator<Item = &'a str>) -> Option<IpAddr> {
    values.flat_map(|v| v.split(',')).last().and_then(|a| a.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behind_a_proxy_the_client_is_the_last_forwarded_address() {
        assert_eq!(forwarded_client(["6.6.6.6, 10.0.0.7"].into_iter()), Some([10, 0, 0, 7].into()));
        assert_eq!(forwarded_client(["6.6.6.6", "2001:db8::1"].into_iter()), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(forwarded_client(["not an address"].into_iter()), None);
        assert_eq!(forwarded_client(std::iter::empty()), None);
    }
}
