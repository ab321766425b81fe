//! Shares and medians published beside counts, under the same small-count rule.

use super::StatisticsError;

/// The smallest count published: below it, a count is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppressionThreshold(u64);

impl SuppressionThreshold {
    pub const DEFAULT: SuppressionThreshold = SuppressionThreshold(3);

    /// At least 2: a threshold of 1 would publish single cases.
    pub fn new(threshold: u64) -> Result<SuppressionThreshold, StatisticsError> {
        if threshold < 2 {
            return Err(StatisticsError::ThresholdTooLow(threshold));
        }
        Ok(SuppressionThreshold(threshold))
    }

    pub fn get(self) -> u64 {
        self.0
    }

    fn is_small(self, count: u64) -> bool {
        count > 0 && count < self.0
    }
}

impl Default for SuppressionThreshold {
    fn default() -> Self {
        SuppressionThreshold::DEFAULT
    }
}

/// `part / whole`, published only when neither the part nor the rest is a small count (a
/// share of 2 in 40 would tell who the 2 are as well as the count would).
pub fn share(part: u64, whole: u64, threshold: SuppressionThreshold) -> Option<f64> {
    let rest = whole.checked_sub(part)?;
    let publishable =
        whole >= threshold.get() && !threshold.is_small(part) && !threshold.is_small(rest);
    publishable.then(|| part as f64 / whole as f64)
}

/// The median of a histogram of whole days (days, cases), published when at least
/// `threshold` cases are in it.
pub fn median_days(histogram: &[(i32, u64)], threshold: SuppressionThreshold) -> Option<f64> {
    let mut histogram = histogram.to_vec();
    histogram.sort();
    let cases: u64 = histogram.iter().map(|(_, n)| n).sum();
    if cases < threshold.get() {
        return None;
    }
    // The value at a 0-based rank of the sorted cases.
    let at = |rank: u64| {
        let mut seen = 0;
        histogram
            .iter()
            .find(|(_, n)| {
                seen += n;
                seen > rank
            })
            .map(|(days, _)| f64::from(*days))
    };
    let middle = (at((cases - 1) / 2)? + at(cases / 2)?) / 2.0;
    Some(middle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_hide_small_parts_and_small_remainders() {
        let three = SuppressionThreshold::DEFAULT;
        assert_eq!(share(10, 40, three), Some(0.25));
        assert_eq!(share(0, 40, three), Some(0.0));
        assert_eq!(share(40, 40, three), Some(1.0));
        assert_eq!(share(2, 40, three), None);
        assert_eq!(share(39, 40, three), None);
        assert_eq!(share(0, 2, three), None);
    }

    #[test]
    fn medians_from_histograms() {
        let three = SuppressionThreshold::DEFAULT;
        assert_eq!(median_days(&[(5, 1), (1, 1), (3, 1)], three), Some(3.0));
        assert_eq!(median_days(&[(1, 2), (10, 2)], three), Some(5.5));
        assert_eq!(median_days(&[(0, 5), (30, 1)], three), Some(0.0));
        assert_eq!(median_days(&[(4, 2)], three), None);
    }

    #[test]
    fn a_threshold_below_two_is_refused() {
        assert!(SuppressionThreshold::new(1).is_err());
        assert_eq!(SuppressionThreshold::new(5).unwrap().get(), 5);
    }
}
