//! Where a request came from: the client's address for the rate limits, and whether it is
//! local enough for development conveniences. Forwarding headers are believed only from the
//! proxies the operator named (`TRYGG_TRUSTED_PROXIES`); anyone else can write them.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web;
use trygg_domain::Origin;

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(&self, candidate: IpAddr) -> bool {
        let candidate = candidate.to_canonical();
        match (self.address, candidate) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(net.to_bits()), 32, self.prefix)
                    == masked(u128::from(ip.to_bits()), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(net.to_bits(), 128, self.prefix) == masked(ip.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The top `prefix` bits of a `width`-bit address.
fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not an address or a CIDR range"))?;
        let address = address.to_canonical();
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= width)
                .ok_or_else(|| format!("`{text}` has no prefix length 0 to {width}"))?,
        };
        Ok(Network { address, prefix })
    }
}

/// The header the trusted proxies append the client's address to. Only that one is read: a
/// proxy passes on whatever other forwarding header a client wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`, which nginx, ingress-nginx and Azure's front ends append to.
    #[default]
    XForwardedFor,
    /// RFC 7239's `Forwarded`, its `for=` parameters.
    Forwarded,
}

impl FromStr for ForwardedHeader {
    type Err = String;

    fn from_str(name: &str) -> Result<ForwardedHeader, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(ForwardedHeader::XForwardedFor),
            "forwarded" => Ok(ForwardedHeader::Forwarded),
            _ => Err(format!(
                "`{name}` is neither `X-Forwarded-For` nor `Forwarded`"
            )),
        }
    }
}

/// The proxies whose forwarding header is believed, and which header that is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<Network>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// A comma-separated list of addresses and ranges, appending to `X-Forwarded-For`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(|networks| TrustedProxies {
                networks,
                header: ForwardedHeader::default(),
            })
    }

    /// The same proxies, appending to `header` instead.
    pub fn appending_to(self, header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies { header, ..self }
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.networks
            .iter()
            .any(|network| network.contains(address))
    }

    /// Where a request from `peer` with these headers came from.
    pub fn origin(&self, peer: IpAddr, headers: &HeaderMap) -> Origin {
        let peer = peer.to_canonical();
        let forwarded = forwarded_for(headers, self.header);
        let client = if self.trusts(peer) {
            // Each proxy appends the address it heard from: the right-most address a trusted
            // proxy did not vouch for is the client; what lies left of it anyone could write.
            let mut client = peer;
            for hop in forwarded.iter().rev() {
                match hop {
                    Some(address) if self.trusts(*address) => client = *address,
                    Some(address) => {
                        client = *address;
                        break;
                    }
                    None => break,
                }
            }
            client
        } else {
            peer
        };
        let local = peer.is_loopback() && loopback_host(headers) && !has_forwarding(headers);
        Origin { client, local }
    }
}

/// The addresses a request was forwarded for, oldest first, as `header` lists them. An entry
/// that is no address (`unknown`, an obfuscated name, garbage) is `None`.
fn forwarded_for(headers: &HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    if header == ForwardedHeader::Forwarded {
        return values(header::FORWARDED)
            .into_iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(name, _)| name.eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| node_address(node.trim_matches('"')))
            })
            .collect();
    }
    values(header::X_FORWARDED_FOR)
        .into_iter()
        .map(node_address)
        .collect()
}

/// An address as forwarding headers write one: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`,
/// `[2001:db8::1]:4711` or `2001:db8::1`.
fn node_address(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse().ok().or_else(|| {
        let (host, port) = node.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse().ok()
    })
}

fn has_forwarding(headers: &HeaderMap) -> bool {
    headers
        .keys()
        .any(|name| name == header::FORWARDED || name.as_str().starts_with("x-forwarded-"))
}

/// Whether the request names this machine as its host: `localhost`, `127.0.0.1`, `[::1]`, with
/// or without a port. No `Host` at all is not local: a proxy may have dropped it.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    is_loopback_host(host)
}

/// Whether `authority` (`host` or `host:port`) is this machine.
pub fn is_loopback_host(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(host, _)| host),
        None => authority
            .rsplit_once(':')
            .filter(|(_, port)| port.parse::<u16>().is_ok())
            .map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Middleware: records every request's [`Origin`] for the API and the pages alike.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let trusted = request.app_data::<web::Data<TrustedProxies>>().cloned();
    if let (Some(trusted), Some(peer)) = (trusted, request.peer_addr()) {
        let origin = trusted.origin(peer.ip(), request.headers());
        request.extensions_mut().insert(origin);
    }
    next.call(request).await
}

/// The origin [`record`] found; a request without one (no peer address) is from nowhere local.
pub fn of(request: &actix_web::HttpRequest) -> Option<Origin> {
    request.extensions().get::<Origin>().copied()
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 ,fd00::/8").unwrap();
        assert!(proxies.trusts(ip("10.200.3.4")));
        assert!(proxies.trusts(ip("192.168.1.7")));
        assert!(!proxies.trusts(ip("192.168.1.8")));
        assert!(proxies.trusts(ip("fd12::1")));
        assert!(proxies.trusts(ip("::ffff:10.1.1.1")), "IPv4-mapped");
        assert!(!proxies.trusts(ip("11.0.0.1")));
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .trusts(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.0/x", "::/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
        let none = TrustedProxies::default();
        let forged = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            none.origin(ip("198.51.100.1"), &forged).client,
            ip("198.51.100.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_right_most_untrusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client wrote a forged first entry; the ingress and the sidecar appended theirs.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.5")]);
        assert_eq!(
            proxies.origin(ip("10.0.0.9"), &chain).client,
            ip("198.51.100.7")
        );
        let forwarded = headers(&[(
            "forwarded",
            r#"for=1.2.3.4, for="[2001:db8::7]:4711";proto=https, for=10.0.0.5"#,
        )]);
        assert_eq!(
            proxies.origin(ip("10.0.0.9"), &forwarded).client,
            ip("10.0.0.9"),
            "a Forwarded header the proxies do not write is a client's, and ignored"
        );
        let rfc7239 = proxies.clone().appending_to(ForwardedHeader::Forwarded);
        assert_eq!(
            rfc7239.origin(ip("10.0.0.9"), &forwarded).client,
            ip("2001:db8::7")
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.1.1.1, 10.0.0.5")]);
        assert_eq!(
            proxies.origin(ip("10.0.0.9"), &all_trusted).client,
            ip("10.1.1.1")
        );
        let garbage = headers(&[("x-forwarded-for", "198.51.100.7, unknown")]);
        assert_eq!(
            proxies.origin(ip("10.0.0.9"), &garbage).client,
            ip("10.0.0.9"),
            "an entry that is no address stops the walk at the proxy that wrote it"
        );
        assert_eq!(
            proxies.origin(ip("10.0.0.9"), &headers(&[])).client,
            ip("10.0.0.9")
        );
    }

    #[test]
    fn only_a_loopback_peer_naming_a_loopback_host_without_forwarding_is_local() {
        let none = TrustedProxies::default();
        let local =
            |peer: &str, pairs: &[(&str, &str)]| none.origin(ip(peer), &headers(pairs)).local;
        assert!(local("127.0.0.1", &[("host", "127.0.0.1:8080")]));
        assert!(local("::1", &[("host", "[::1]:8080")]));
        assert!(local("127.0.0.1", &[("host", "localhost")]));
        assert!(!local("127.0.0.1", &[("host", "trygg.kommun.example")]));
        assert!(!local("127.0.0.1", &[]), "no Host");
        assert!(!local("10.0.0.1", &[("host", "127.0.0.1")]));
        for forwarding in [
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
        ] {
            assert!(
                !local(
                    "127.0.0.1",
                    &[("host", "127.0.0.1"), (forwarding, "1.2.3.4")]
                ),
                "{forwarding}"
            );
        }
    }
}
