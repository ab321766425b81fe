//! The cell-key method: published counts carry a small random noise that is the same every time
//! the same cell is published, so two tables cannot be differenced to single out a case.
//!
//! Every case is given a random [`RecordKey`] when it is filed and keeps it. A cell's key is the
//! sum of its cases' keys (and its publication's salt) modulo 2³², read as a fraction of one.
//! A [`PerturbationTable`] maps a count and that fraction to the noise added: for each count,
//! the noise values allowed and their probabilities, laid out as consecutive intervals of
//! [0, 1); the interval the cell key falls into is the noise. Zero stays zero, no count of
//! `1..=threshold` is ever published, and the noise has mean zero and a fixed variance.
//!
//! The probabilities are the maximum-entropy distribution under those constraints, as the
//! `ptable` R package (Enderle; Giessing 2016, "Computational issues in the design of
//! transition probabilities and disclosure risk estimation for additive noise") computes them:
//! on the noise values `v` allowed, `p(v) ∝ exp(a·v + b·v²)`, with `a` and `b` found by
//! Newton's method on the dual. Where the allowed values cannot reach the variance asked with a
//! mean of zero (small counts next to the blocked ones), the variance comes as close as they
//! allow.

use super::{StatisticsError, SuppressionThreshold};

/// The range of record keys and cell keys: a key is a fraction of it.
const KEY_RANGE: f64 = 4_294_967_296.0;

/// A case's random key, drawn once when it is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordKey(u32);

impl RecordKey {
    /// The key from 32 random bits (the caller draws them: the domain has no source of chance).
    pub fn from_random(bits: u32) -> RecordKey {
        RecordKey(bits)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A cell's key: the sum of its cases' record keys and a salt, modulo 2³².
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellKey(u32);

impl CellKey {
    /// From a sum of record keys (perhaps with keys taken away again, so any integer) and the
    /// salt of the publication the cell belongs to.
    pub fn new(key_sum: i64, salt: u32) -> CellKey {
        let key = (i128::from(key_sum) + i128::from(salt)).rem_euclid(1 << 32);
        CellKey(key as u32)
    }

    fn fraction(self) -> f64 {
        f64::from(self.0) / KEY_RANGE
    }
}

/// What shapes the noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerturbationParameters {
    /// The largest noise added to or taken from a count (`D`).
    pub max_noise: u32,
    /// The noise's variance (`V`) where the count is large enough for it.
    pub variance: f64,
    /// Positive counts up to this one are never published (`js`): they become 0 or more.
    pub threshold: u32,
}

impl PerturbationParameters {
    /// Noise of at most ±4 with a variance of 4, no count of 1 or 2 published (the
    /// suppression threshold of 3 that protected counts before): the least noise with which
    /// an attacker differencing a month before and after the revision that counts one case,
    /// in the slices of a small municipality (two or three cases a cell), names its age group
    /// less than one time in three (0.22 in simulation) and its gender no better than guessing
    /// the commonest; the mean absolute error is 1.6. docs/statistics.md's disclosure section shows
    /// other choices.
    pub const DEFAULT: PerturbationParameters = PerturbationParameters {
        max_noise: 4,
        variance: 4.0,
        threshold: 2,
    };

    /// The parameters for a suppression threshold (the smallest count published): counts
    /// below it are blocked, and the noise reaches at least as far as the threshold so that a
    /// blocked count can become zero or a count that may be published.
    pub fn for_threshold(
        threshold: SuppressionThreshold,
        max_noise: Option<u32>,
        variance: Option<f64>,
    ) -> Result<PerturbationParameters, StatisticsError> {
        let blocked = u32::try_from(threshold.get() - 1).unwrap_or(u32::MAX);
        PerturbationParameters {
            max_noise: max_noise.unwrap_or(Self::DEFAULT.max_noise.max(blocked + 1)),
            variance: variance.unwrap_or(Self::DEFAULT.variance),
            threshold: blocked,
        }
        .check()
    }

    fn check(self) -> Result<PerturbationParameters, StatisticsError> {
        let valid = (1..=10).contains(&self.max_noise)
            && self.variance > 0.0
            && self.variance < f64::from(self.max_noise * self.max_noise)
            // A blocked count must be able to reach zero and a published count both.
            && self.threshold < self.max_noise;
        valid
            .then_some(self)
            .ok_or(StatisticsError::BadPerturbation(self.to_string()))
    }
}

impl Default for PerturbationParameters {
    fn default() -> Self {
        PerturbationParameters::DEFAULT
    }
}

impl std::fmt::Display for PerturbationParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "max noise {}, variance {}, threshold {}",
            self.max_noise, self.variance, self.threshold
        )
    }
}

/// One count's noise: each allowed noise with the upper end of its interval of [0, 1).
#[derive(Debug, Clone, PartialEq)]
struct Row {
    noise: Vec<(i64, f64)>,
}

/// Transition probabilities from a count to the count published.
#[derive(Debug, Clone, PartialEq)]
pub struct PerturbationTable {
    parameters: PerturbationParameters,
    /// Row `i` for a count of `i`; the last row for every larger count as well.
    rows: Vec<Row>,
}

impl PerturbationTable {
    pub fn new(parameters: PerturbationParameters) -> Result<PerturbationTable, StatisticsError> {
        let parameters = parameters.check()?;
        let (d, js) = (
            i64::from(parameters.max_noise),
            i64::from(parameters.threshold),
        );
        // From count d + js + 1 on, every count within ±d is publishable: one row serves all.
        let rows = (0..=d + js + 1)
            .map(|count| {
                let allowed: Vec<i64> = (-d..=d)
                    .filter(|v| {
                        let published = count + v;
                        published == 0 || published > js
                    })
                    .collect();
                let probabilities = if count == 0 {
                    vec![(0, 1.0)]
                } else {
                    maximum_entropy(&allowed, parameters.variance)
                };
                let mut upper = 0.0;
                let mut noise: Vec<(i64, f64)> = probabilities
                    .into_iter()
                    .filter(|&(_, p)| p > 0.0)
                    .map(|(v, p)| {
                        upper += p;
                        (v, upper)
                    })
                    .collect();
                // Rounding must not leave a sliver at the top that no noise covers.
                if let Some(last) = noise.last_mut() {
                    last.1 = 1.0;
                }
                Row { noise }
            })
            .collect();
        Ok(PerturbationTable { parameters, rows })
    }

    pub fn parameters(&self) -> PerturbationParameters {
        self.parameters
    }

    /// A publication's salt under these parameters: other parameters draw every cell anew,
    /// rather than read the same keys through two tables (which would narrow the true count
    /// down between them).
    pub fn salt(&self, publication_salt: u32) -> u32 {
        // FNV-1a over the parameters as written.
        let fingerprint = self
            .parameters
            .to_string()
            .bytes()
            .fold(0x811c_9dc5u32, |hash, byte| {
                (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
            });
        publication_salt.wrapping_add(fingerprint)
    }

    /// The count published for a cell counting `count` cases with the key given.
    pub fn perturb(&self, count: u64, key: CellKey) -> u64 {
        let row = &self.rows[usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(self.rows.len() - 1)];
        let at = key.fraction();
        let noise = row
            .noise
            .iter()
            .find(|(_, upper)| at < *upper)
            .or(row.noise.last())
            .map_or(0, |(noise, _)| *noise);
        count.saturating_add_signed(noise)
    }

    /// The probability of each noise for a count (for documentation and tests).
    pub fn probabilities(&self, count: u64) -> Vec<(i64, f64)> {
        let row = &self.rows[usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(self.rows.len() - 1)];
        let mut lower = 0.0;
        row.noise
            .iter()
            .map(|&(noise, upper)| {
                let p = upper - lower;
                lower = upper;
                (noise, p)
            })
            .collect()
    }
}

/// The distribution on `values` with mean zero and variance `variance` (as close as the values
/// allow) that has the greatest entropy.
fn maximum_entropy(values: &[i64], variance: f64) -> Vec<(i64, f64)> {
    let (Some(&lowest), Some(&highest)) = (values.first(), values.last()) else {
        return vec![(0, 1.0)];
    };
    if lowest >= 0 || highest <= 0 {
        // Only zero can have mean zero.
        return vec![(0, 1.0)];
    }
    // The extremes of the variance with mean zero: all weight on the two values around zero
    // (on zero alone if it is allowed), or on the two extremes.
    let below = *values
        .iter()
        .filter(|&&v| v < 0)
        .max()
        .expect("a value below zero");
    let above = *values
        .iter()
        .filter(|&&v| v > 0)
        .min()
        .expect("a value above zero");
    let least = if values.contains(&0) {
        0.0
    } else {
        -(below * above) as f64
    };
    let most = -(lowest * highest) as f64;
    if values.len() == 2 || variance >= most {
        return two_points(lowest, highest);
    }
    if variance <= least {
        return two_points(below, above);
    }
    let (a, b) = solve_dual(values, variance);
    let weights: Vec<f64> = values
        .iter()
        .map(|&v| (a * v as f64 + b * (v * v) as f64).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    values
        .iter()
        .zip(weights)
        .map(|(&v, w)| (v, w / total))
        .collect()
}

/// The only distribution on `low < 0 < high` with mean zero.
fn two_points(low: i64, high: i64) -> Vec<(i64, f64)> {
    let p_low = high as f64 / (high - low) as f64;
    vec![(low, p_low), (high, 1.0 - p_low)]
}

/// Minimises the dual `log Σ exp(a·v + b·v²) − b·variance` by damped Newton steps: its
/// gradient is (mean, second moment − variance) of the distribution `(a, b)` gives.
fn solve_dual(values: &[i64], variance: f64) -> (f64, f64) {
    let dual = |a: f64, b: f64| -> f64 {
        let terms: Vec<f64> = values
            .iter()
            .map(|&v| a * v as f64 + b * (v * v) as f64)
            .collect();
        let top = terms.iter().copied().fold(f64::MIN, f64::max);
        top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln() - b * variance
    };
    let (mut a, mut b) = (0.0_f64, 0.0_f64);
    for _ in 0..200 {
        let weights: Vec<f64> = values
            .iter()
            .map(|&v| a * v as f64 + b * (v * v) as f64)
            .collect();
        let top = weights.iter().copied().fold(f64::MIN, f64::max);
        let weights: Vec<f64> = weights.iter().map(|w| (w - top).exp()).collect();
        let total: f64 = weights.iter().sum();
        let moment = |power: i32| -> f64 {
            values
                .iter()
                .zip(&weights)
                .map(|(&v, w)| (v as f64).powi(power) * w / total)
                .sum()
        };
        let (m1, m2, m3, m4) = (moment(1), moment(2), moment(3), moment(4));
        let gradient = (m1, m2 - variance);
        if gradient.0.abs() < 1e-13 && gradient.1.abs() < 1e-13 {
            break;
        }
        // The Hessian is the covariance of (v, v²).
        let (haa, hab, hbb) = (m2 - m1 * m1, m3 - m1 * m2, m4 - m2 * m2);
        let determinant = haa * hbb - hab * hab;
        if determinant.abs() < 1e-300 {
            break;
        }
        let step_a = (hbb * gradient.0 - hab * gradient.1) / determinant;
        let step_b = (haa * gradient.1 - hab * gradient.0) / determinant;
        let here = dual(a, b);
        let mut length = 1.0;
        while length > 1e-12 && dual(a - length * step_a, b - length * step_b) > here {
            length /= 2.0;
        }
        a -= length * step_a;
        b -= length * step_b;
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max_noise: u32, variance: f64, threshold: u32) -> PerturbationTable {
        PerturbationTable::new(PerturbationParameters {
            max_noise,
            variance,
            threshold,
        })
        .unwrap()
    }

    fn close(actual: &[(i64, f64)], expected: &[(i64, f64)]) {
        assert_eq!(
            actual.len(),
            expected.len(),
            "{actual:?} against {expected:?}"
        );
        for ((v, p), (w, q)) in actual.iter().zip(expected) {
            assert_eq!(v, w, "{actual:?} against {expected:?}");
            assert!((p - q).abs() < 1e-9, "{actual:?} against {expected:?}");
        }
    }

    /// Worked by hand, D = 2, V = 1, threshold 1. A count of 1 may become 0, 2 or 3 (1 is
    /// blocked): the least variance with mean zero puts ½ on 0 and ½ on 2, which is 1, so that
    /// is the row. From a count of 4 on every noise of ±2 is allowed and the row is symmetric:
    /// p(v) ∝ x^(v²), and variance (2x + 8x⁴) / (1 + 2x + 2x⁴) = 1 gives 6x⁴ = 1.
    #[test]
    fn a_table_computed_by_hand() {
        let t = table(2, 1.0, 1);
        close(&t.probabilities(0), &[(0, 1.0)]);
        close(&t.probabilities(1), &[(-1, 0.5), (1, 0.5)]);
        let x = 6f64.powf(-0.25);
        let z = 1.0 + 2.0 * x + 2.0 * x.powi(4);
        let general = [
            (-2, x.powi(4) / z),
            (-1, x / z),
            (0, 1.0 / z),
            (1, x / z),
            (2, x.powi(4) / z),
        ];
        close(&t.probabilities(4), &general);
        close(&t.probabilities(1_000_000), &general);
        // The intervals of [0, 1) in order: a key below p(-2) takes two away.
        assert_eq!(t.perturb(4, CellKey::new(0, 0)), 2);
        assert_eq!(t.perturb(4, CellKey::new(1 << 31, 0)), 4);
        assert_eq!(t.perturb(4, CellKey::new((1 << 32) - 1, 0)), 6);
        assert_eq!(t.perturb(1, CellKey::new(0, 0)), 0);
        assert_eq!(t.perturb(1, CellKey::new(1 << 31, 0)), 2);
        assert_eq!(t.perturb(0, CellKey::new(12_345, 99)), 0, "zero stays zero");
    }

    /// Every row, next to the blocked counts too, is a distribution with mean zero that never
    /// publishes a blocked count, with the variance asked wherever the row is free to move.
    #[test]
    fn every_row_is_unbiased_and_never_publishes_a_small_count() {
        let t = PerturbationTable::new(PerturbationParameters::DEFAULT).unwrap();
        let PerturbationParameters {
            max_noise,
            variance,
            threshold,
        } = PerturbationParameters::DEFAULT;
        for count in 0..40u64 {
            let row = t.probabilities(count);
            let mean: f64 = row.iter().map(|&(v, p)| v as f64 * p).sum();
            let total: f64 = row.iter().map(|&(_, p)| p).sum();
            assert!((total - 1.0).abs() < 1e-9, "{count}: {row:?}");
            assert!(mean.abs() < 1e-9, "{count}: {row:?}");
            for &(v, p) in &row {
                let published = count as i64 + v;
                assert!(p > 0.0 && v.unsigned_abs() <= u64::from(max_noise));
                assert!(
                    published == 0 || published > i64::from(threshold),
                    "{count}: {row:?}"
                );
            }
            if count > u64::from(max_noise + threshold) {
                let second: f64 = row.iter().map(|&(v, p)| (v * v) as f64 * p).sum();
                assert!((second - variance).abs() < 1e-9, "{count}: {row:?}");
            }
        }
    }

    #[test]
    fn the_same_cell_gets_the_same_noise_and_a_salt_moves_it() {
        let t = PerturbationTable::new(PerturbationParameters::DEFAULT).unwrap();
        let key = CellKey::new(3_000_000_000 + 2_000_000_000, 0);
        assert_eq!(key, CellKey::new(705_032_704, 0), "modulo 2³²");
        assert_eq!(t.perturb(17, key), t.perturb(17, key));
        let spread: std::collections::BTreeSet<u64> = (0..64u32)
            .map(|salt| t.perturb(17, CellKey::new(1_234_567, salt.wrapping_mul(0x9e37_79b9))))
            .collect();
        assert!(spread.len() >= 3, "salts draw the noise anew: {spread:?}");
    }

    #[test]
    fn the_suppression_threshold_decides_what_is_blocked() {
        let of = |threshold: u64, max_noise: Option<u32>| {
            let threshold = SuppressionThreshold::new(threshold).unwrap();
            PerturbationParameters::for_threshold(threshold, max_noise, None)
        };
        assert_eq!(of(3, None), Ok(PerturbationParameters::DEFAULT));
        let five = of(5, None).unwrap();
        assert_eq!((five.threshold, five.max_noise), (4, 5));
        assert!(of(5, Some(3)).is_err(), "4 cannot reach zero with noise 3");
    }

    #[test]
    fn other_parameters_salt_the_same_publication_otherwise() {
        let default = PerturbationTable::new(PerturbationParameters::DEFAULT).unwrap();
        let wider = table(5, 4.0, 2);
        assert_eq!(default.salt(7), default.salt(7));
        assert_ne!(default.salt(7), wider.salt(7));
    }

    #[test]
    fn parameters_outside_the_method_are_refused() {
        for (max_noise, variance, threshold) in [
            (0, 0.5, 2),
            (2, 0.0, 2),
            (2, 4.0, 2),
            (2, 1.0, 99),
            (2, 1.0, 2),
        ] {
            let parameters = PerturbationParameters {
                max_noise,
                variance,
                threshold,
            };
            assert!(PerturbationTable::new(parameters).is_err(), "{parameters}");
        }
    }
}
