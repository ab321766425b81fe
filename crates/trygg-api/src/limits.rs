//! Rate limits per caller: filings and statistics per signed-in subject, failed authentication
//! per address, so one caller's flood (a script gone wrong, a guessed token after another)
//! slows that caller only. The limiter is `governor` (GCRA), reading the service's clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use trygg_domain::statistics::StatisticsAllowance;
use trygg_domain::{Clock, whole_seconds};

use crate::problem::ApiError;

/// How many requests a caller may make in a minute (bursts up to the same number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Reports filed, per subject.
    pub filings: NonZeroU32,
    /// Statistics read, per subject.
    pub statistics: NonZeroU32,
    /// Requests with a bad or missing token, per address.
    pub failed_authentications: NonZeroU32,
}

impl Default for RateLimits {
    fn default() -> Self {
        let per_minute = |n| NonZeroU32::new(n).expect("not zero");
        RateLimits {
            filings: per_minute(30),
            statistics: per_minute(120),
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

/// The limits in force, shared by every worker.
#[derive(Debug)]
pub struct Limits {
    clock: LimiterClock,
    filings: Limiter<String>,
    statistics: Limiter<String>,
    failed_authentications: Limiter<IpAddr>,
    /// Addresses refused until then: checked before a token is verified, so a flood of bad
    /// tokens costs the service no signature checks.
    blocked: Mutex<HashMap<IpAddr, DateTime<Utc>>>,
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
            filings: limiter(limits.filings, &clock),
            statistics: limiter(limits.statistics, &clock),
            failed_authentications: limiter(limits.failed_authentications, &clock),
            blocked: Mutex::default(),
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

    pub fn filing(&self, subject: &str) -> Result<(), ApiError> {
        self.check(&self.filings, &subject.to_owned())
            .map_err(|wait| too_many("reports filed", wait))
    }

    pub fn statistics(&self, subject: &str) -> Result<(), ApiError> {
        self.spend(subject)
            .map_err(|wait| too_many("statistics requests", wait))
    }

    /// Refuses an address that has sent too many bad tokens lately.
    pub fn may_authenticate(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(address) = address else {
            return Ok(());
        };
        let now = self.clock.0.now();
        let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
        match blocked.get(&address) {
            Some(until) if *until > now => Err(too_many(
                "failed authentications",
                (*until - now).to_std().unwrap_or_default(),
            )),
            Some(_) => {
                blocked.remove(&address);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a bad or missing token against its address; past the limit, the address is
    /// refused for as long as the limiter says.
    pub fn failed_authentication(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(address) = address else {
            return Ok(());
        };
        self.check(&self.failed_authentications, &address)
            .map_err(|wait| {
                let until =
                    self.clock.0.now() + chrono::Duration::from_std(wait).unwrap_or_default();
                let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
                let now = self.clock.0.now();
                blocked.retain(|_, until| *until > now);
                blocked.insert(address, until);
                too_many("failed authentications", wait)
            })
    }
}

impl StatisticsAllowance for Limits {
    fn spend(&self, subject: &str) -> Result<(), Duration> {
        self.check(&self.statistics, &subject.to_owned())
    }
}

fn too_many(what: &'static str, wait: Duration) -> ApiError {
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
            failed_authentications: n,
        };
        (Limits::new(limits, manual.clock()), manual)
    }

    #[test]
    fn a_caller_past_the_limit_waits_and_others_do_not() {
        let (limits, clock) = limits(2);
        assert!(limits.filing("alice").is_ok());
        assert!(limits.filing("alice").is_ok());
        let Err(ApiError::TooManyRequests {
            retry_after_seconds,
            ..
        }) = limits.filing("alice")
        else {
            panic!("the third filing in a minute is refused");
        };
        assert_eq!(retry_after_seconds, 30, "one filing back every 30 s");
        assert!(limits.filing("bob").is_ok(), "another caller is not slowed");
        assert!(limits.statistics("alice").is_ok(), "limits are separate");
        clock.advance(chrono::Duration::seconds(30));
        assert!(limits.filing("alice").is_ok(), "recovered");
    }

    #[test]
    fn an_address_sending_bad_tokens_is_refused_before_verification() {
        let (limits, clock) = limits(2);
        let flood: Option<IpAddr> = Some("127.0.0.2".parse().unwrap());
        let other: Option<IpAddr> = Some("127.0.0.3".parse().unwrap());
        assert!(limits.failed_authentication(flood).is_ok());
        assert!(limits.failed_authentication(flood).is_ok());
        assert!(limits.may_authenticate(flood).is_ok());
        assert!(limits.failed_authentication(flood).is_err());
        assert!(
            limits.may_authenticate(flood).is_err(),
            "refused before verifying"
        );
        assert!(limits.may_authenticate(other).is_ok());
        clock.advance(chrono::Duration::seconds(31));
        assert!(limits.may_authenticate(flood).is_ok(), "recovered");
    }
}
