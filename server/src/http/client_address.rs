//! The address a request comes from: the connection's peer, or behind a
//! reverse proxy the last entry of the header it is configured to set
//! (`server.client_address_header`). Used for throttling and the audit log.

use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

use crate::config::ServerSettings;

/// The connection's peer, as handlers extract it (absent when a test calls
/// the router without a connection).
pub type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

pub fn client_address(headers: &HeaderMap, peer: &Peer, settings: &ServerSettings) -> Option<IpAddr> {
    match &settings.client_address_header {
        Some(name) => headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .next_back()
            .and_then(|last| last.trim().parse().ok()),
        None => peer.as_ref().map(|Extension(ConnectInfo(address))| address.ip()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(headers: &[(&'static str, &str)], peer: Option<&str>, settings: &ServerSettings) -> Option<IpAddr> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(http::HeaderName::from_static(name), value.parse().unwrap());
        }
        let peer = peer.map(|p| Extension(ConnectInfo(p.parse::<SocketAddr>().unwrap())));
        client_address(&map, &peer, settings)
    }

    #[test]
    fn the_peer_unless_a_proxy_header_is_configured() {
        let mut settings = ServerSettings::default();
        let forwarded = [("x-forwarded-for", "198.51.100.7, 203.0.113.9")];
        assert_eq!(address(&forwarded, Some("192.0.2.1:5000"), &settings), "192.0.2.1".parse().ok());
        settings.client_address_header = Some("x-forwarded-for".into());
        assert_eq!(
            address(&forwarded, Some("192.0.2.1:5000"), &settings),
            "203.0.113.9".parse().ok(),
            "the entry the proxy added, not one the client wrote"
        );
        assert_eq!(address(&[("x-forwarded-for", "junk")], None, &settings), None);
        assert_eq!(address(&[], Some("192.0.2.1:5000"), &settings), None);
    }
}
