//! The one answer to "what time is it". The service is given a clock when it starts: the
//! system clock in production, a manual one in tests, so that periods, deadlines, reminders,
//! escalation and retention never depend on the day the code happens to run.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// Tells the time. Clones read the same source.
#[derive(Debug, Clone)]
pub struct Clock(Source);

#[derive(Debug, Clone)]
enum Source {
    System,
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System => Utc::now(),
            Source::Manual(now) => *now.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// A clock that stands still until it is moved: tests set the moment and let time pass by
/// advancing it, never by sleeping.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    /// The clock to give the service; it reads what this one is set to.
    pub fn clock(&self) -> Clock {
        Clock(Source::Manual(self.0.clone()))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.lock() = at;
    }

    pub fn advance(&self, by: Duration) {
        *self.lock() += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A wait in whole seconds, rounded up: asking again after fewer would be refused again.
pub fn whole_seconds(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_every_clone_sees_it() {
        let start: DateTime<Utc> = "2027-01-01T00:30:00+01:00".parse().unwrap();
        let manual = ManualClock::new(start);
        let clock = manual.clock();
        let copy = clock.clone();
        assert_eq!(clock.now(), start);
        manual.advance(Duration::hours(21));
        assert_eq!(copy.now(), start + Duration::hours(21));
        manual.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn a_wait_rounds_up_to_whole_seconds() {
        use std::time::Duration;
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
        assert_eq!(whole_seconds(Duration::from_nanos(1)), 1);
    }

    #[test]
    fn the_system_clock_reads_the_machine() {
        let before = Utc::now();
        let read = Clock::system().now();
        assert!(read >= before && read <= Utc::now());
    }
}
