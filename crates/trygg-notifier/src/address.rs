//! Where alerts go: e-mail addresses and webhook URLs, parsed once.

use std::fmt;
use std::net::IpAddr;

/// Why an address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("`{0}` is not an e-mail address")]
    Email(String),
    #[error("`{0}` is not an http(s) URL")]
    Url(String),
    #[error(
        "`{0}` points into this machine or a private network; set `allow_private = true` on the \
         webhook if that is intended"
    )]
    Private(String),
}

/// An e-mail address: one `@`, a local part and a domain, no spaces or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(text: &str) -> Result<EmailAddress, AddressError> {
        let well_formed = text.len() <= 254
            && !text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
            && text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if well_formed {
            Ok(EmailAddress(text.to_owned()))
        } else {
            Err(AddressError::Email(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A webhook URL. Unless explicitly allowed, it may not name loopback, link-local, private or
/// unspecified addresses, so a routing file cannot turn alerts against internal services.
/// (Host names are checked again against what they resolve to when delivering.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

/// Whether an address belongs to this machine or a private network.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]) // carrier-grade NAT
        }
        IpAddr::V6(ip) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (ip.segments()[0] & 0xffc0) == 0xfe80 // link-local
                || ip.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

impl WebhookUrl {
    pub fn parse(text: &str, allow_private: bool) -> Result<WebhookUrl, AddressError> {
        let bad = || AddressError::Url(text.to_owned());
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') || text.chars().any(char::is_whitespace)
        {
            return Err(bad());
        }
        let host = match authority.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
            None => authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host),
        };
        let internal = match host.parse::<IpAddr>() {
            Ok(ip) => is_internal(ip),
            Err(_) => {
                let host = host.to_ascii_lowercase();
                host == "localhost" || host.ends_with(".localhost")
            }
        };
        if internal && !allow_private {
            return Err(AddressError::Private(text.to_owned()));
        }
        Ok(WebhookUrl(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses() {
        assert!(EmailAddress::parse("sakerhetschef@kommun.example").is_ok());
        for bad in [
            "",
            "no-at.example",
            "a@b",
            "a b@kommun.example",
            "a@@kommun.example",
            "<a@kommun.example>",
            "a@.example",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn webhooks_may_not_reach_inside_unless_allowed() {
        assert!(WebhookUrl::parse("https://relay.kommun.example/hooks/trygg", false).is_ok());
        for internal in [
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "https://api.localhost/x",
            "http://10.1.2.3/x",
            "http://172.16.0.1/x",
            "http://192.168.1.1/x",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/x",
            "http://100.64.0.1/x",
            "http://[::1]:9000/x",
            "http://[fd00::1]/x",
            "http://[fe80::1]/x",
            "http://[::ffff:127.0.0.1]/x",
        ] {
            assert_eq!(
                WebhookUrl::parse(internal, false),
                Err(AddressError::Private(internal.into()))
            );
            assert!(
                WebhookUrl::parse(internal, true).is_ok(),
                "{internal} when allowed"
            );
        }
        for bad in [
            "ftp://relay.example/x",
            "relay.example/x",
            "https://",
            "https://user@relay.example/",
            "https://relay .example/",
        ] {
            assert_eq!(
                WebhookUrl::parse(bad, true),
                Err(AddressError::Url(bad.into()))
            );
        }
    }
}
