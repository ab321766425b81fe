//! Rate limits per caller: filings and statistics per signed-in subject, failed authentication
//! per client address, so one caller's flood (a script gone wrong, a guessed token after
//! another) slows that caller only, and a caller who proves who it is is never slowed by
//! another's failures behind the same proxy. The limiter is `governor` (GCRA), reading the service's clock.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::DateTime;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use trygg_domain::{Allowances, Clock, whole_seconds};

use crate::problem::ApiError;

/// How many requests a caller may make in a minute (bursts up to the same number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Reports filed, per subject.
    pub filings: NonZeroU32,
    /// Statistics read, per subject.
    pub statistics: NonZeroU32,
    /// Open statistics (PxWeb tables without a token) read, per client address.
    pub open_statistics: NonZeroU32,
    /// Requests with a bad or missing token, per address.
    pub failed_authentications: NonZeroU32,
}

impl Default for RateLimits {
    fn default() -> Self {
        let per_minute = |n| NonZeroU32::new(n).expect("not zero");
        RateLimits {
            filings: per_minute(30),
            statistics: per_minute(120),
            open_statistics: per_minute(30),
            failed_authentications: per_minute(30),
        }
    }
}

/// The service's clock as `governor` reads it: time since the Unix epoch.
#[derive(Debug, Clone)]
struct LimiterClock(Clock);

impl governor::clock::Clock for LimiterClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.0
            .now()
            .signed_duration_since(DateTime::UNIX_EPOCH)
            .to_std()
            .unwrap_or_default()
    }
}

type Limiter<K> = RateLimiter<
    K,
    DefaultKeyedStateStore<K>,
    LimiterClock,
    governor::middleware::NoOpMiddleware<Duration>,
>;

/// A limiter's keys are forgotten once they are back to full, every this many checks.
const FORGET_EVERY: u64 = 1024;

/// The limits in force, shared by every worker and by the pages (as [`Allowances`]).
#[derive(Debug)]
pub struct Limits {
    rates: RateLimits,
    clock: LimiterClock,
    filings: Limiter<String>,
    statistics: Limiter<String>,
    open_statistics: Limiter<IpAddr>,
    failed_authentications: Limiter<IpAddr>,
    checks: AtomicU64,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: NonZeroU32, clock: &Clock) -> Limiter<K> {
    RateLimiter::new(
        Quota::per_minute(per_minute),
        DefaultKeyedStateStore::default(),
        LimiterClock(clock.clone()),
    )
}

impl Limits {
    pub fn new(limits: RateLimits, clock: Clock) -> Limits {
        Limits {
            rates: limits,
            filings: limiter(limits.filings, &clock),
            statistics: limiter(limits.statistics, &clock),
            open_statistics: limiter(limits.open_statistics, &clock),
            failed_authentications: limiter(limits.failed_authentications, &clock),
            checks: AtomicU64::new(0),
            clock: LimiterClock(clock),
        }
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: &Limiter<K>,
        key: &K,
    ) -> Result<(), Duration> {
        let checks = self.checks.fetch_add(1, Ordering::Relaxed);
        if checks.is_multiple_of(FORGET_EVERY) {
            limiter.retain_recent();
        }
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(governor::clock::Clock::now(&self.clock)))
    }

    /// The limits in force.
    pub fn rates(&self) -> RateLimits {
        self.rates
    }

    /// Counts a read of open statistics against its client address (all clients without
    /// an address share one allowance).
    pub fn open_statistics(&self, client: Option<IpAddr>) -> Result<(), ApiError> {
        let client = client.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        self.check(&self.open_statistics, &client)
            .map_err(|wait| too_many("open statistics requests", wait))
    }

    /// Counts a bad or missing credential against its client; past the limit, the refusal
    /// becomes 429. A caller whose credential verifies never comes here.
    pub fn count_failure(&self, client: Option<IpAddr>) -> Result<(), ApiError> {
        match client {
            Some(client) => Allowances::failed_authentication(self, client)
                .map_err(|wait| too_many("failed authentications", wait)),
            None => Ok(()),
        }
    }
}

impl Allowances for Limits {
    fn filing(&self, subject: &str) -> Result<(), Duration> {
        self.check(&self.filings, &subject.to_owned())
    }

    fn statistics(&self, subject: &str) -> Result<(), Duration> {
        self.check(&self.statistics, &subject.to_owned())
    }

    fn failed_authentication(&self, client: IpAddr) -> Result<(), Duration> {
        self.check(&self.failed_authentications, &client)
    }
}

/// A caller past a limit: 429 with `Retry-After`.
pub fn too_many(what: &'static str, wait: Duration) -> ApiError {
    ApiError::TooManyRequests {
        what,
        retry_after_seconds: whole_seconds(wait),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trygg_domain::ManualClock;

    fn limits(per_minute: u32) -> (Limits, ManualClock) {
        let manual = ManualClock::new("2027-01-01T00:30:00+01:00".parse().unwrap());
        let n = NonZeroU32::new(per_minute).unwrap();
        let limits = RateLimits {
            filings: n,
            statistics: n,
            open_statistics: n,
            failed_authentications: n,
        };
        (Limits::new(limits, manual.clock()), manual)
    }

    #[test]
    fn a_caller_past_the_limit_waits_and_others_do_not() {
        let (limits, clock) = limits(2);
        assert!(limits.filing("alice").is_ok());
        assert!(limits.filing("alice").is_ok());
        assert_eq!(
            limits.filing("alice"),
            Err(Duration::from_secs(30)),
            "the third filing in a minute waits for one back every 30 s"
        );
        assert!(limits.filing("bob").is_ok(), "another caller is not slowed");
        assert!(limits.statistics("alice").is_ok(), "limits are separate");
        clock.advance(chrono::Duration::seconds(30));
        assert!(limits.filing("alice").is_ok(), "recovered");
    }

    #[test]
    fn failures_past_the_limit_are_refused_per_address() {
        let (limits, clock) = limits(2);
        let flood: Option<IpAddr> = Some("127.0.0.2".parse().unwrap());
        let other: Option<IpAddr> = Some("127.0.0.3".parse().unwrap());
        assert!(limits.count_failure(flood).is_ok());
        assert!(limits.count_failure(flood).is_ok());
        assert!(limits.count_failure(flood).is_err());
        assert!(limits.count_failure(other).is_ok());
        assert!(limits.count_failure(None).is_ok(), "no address, no key");
        clock.advance(chrono::Duration::seconds(30));
        assert!(limits.count_failure(flood).is_ok(), "recovered");
    }
}
