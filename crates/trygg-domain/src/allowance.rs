//! What one caller may spend, and where a request came from. The API and the pages spend the
//! same allowances, so asking through both gives no more than asking through one.

use std::net::IpAddr;
use std::time::Duration;

/// Rate limits shared by every front end. Each call spends one; when none is left, the answer
/// is how long until the next.
pub trait Allowances: Send + Sync {
    /// A report filed by `subject`.
    fn filing(&self, subject: &str) -> Result<(), Duration>;
    /// A statistics question asked by `subject` (many near-identical questions are how
    /// suppressed counts would be worked out).
    fn statistics(&self, subject: &str) -> Result<(), Duration>;
    /// A failed authentication from `client`: a bad token, a failed sign-in. Only failures
    /// spend it, so a caller that proves who it is is never refused for others' failures.
    fn failed_authentication(&self, client: IpAddr) -> Result<(), Duration>;
}

/// Where a request came from, as far as the service can trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The client's address: the peer's, or, behind a trusted proxy, the first address the
    /// proxies did not vouch for.
    pub client: IpAddr,
    /// Nothing suggests a person elsewhere: a loopback peer, a loopback `Host`, and no
    /// forwarding header. Development conveniences hold only for such requests.
    pub local: bool,
}
