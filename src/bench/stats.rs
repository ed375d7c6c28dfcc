//! Percentiles and medians over timing samples.

use std::time::Duration;

/// Nearest-rank percentile (`p` in 0..=100) of samples in any order: the
/// smallest sample with at least p% of the samples at or below it. No
/// interpolation, so every figure reported is a latency that was observed.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    percentile_sorted(&sorted, p)
}

pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p.clamp(0.0, 100.0) / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.saturating_sub(1).min(sorted.len() - 1)]
}

/// Median (the upper middle for an even count, an observed value like the percentiles).
pub fn median(samples: &[f64]) -> f64 {
    percentile(samples, 50.0)
}

/// p50, p99 and max of one run, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(samples_us: &[f64]) -> Latency {
        let mut sorted = samples_us.to_vec();
        sorted.sort_by(f64::total_cmp);
        Latency {
            p50: percentile_sorted(&sorted, 50.0),
            p99: percentile_sorted(&sorted, 99.0),
            max: sorted.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// Each figure's median over several runs, so one disturbed run (a
    /// neighbour's build on a shared machine) does not decide the result.
    pub fn median_of(runs: &[Latency]) -> Latency {
        let pick = |f: fn(&Latency) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
        Latency {
            p50: pick(|l| l.p50),
            p99: pick(|l| l.p99),
            max: pick(|l| l.max),
        }
    }
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, 50.0), 50.0);
        assert_eq!(percentile(&s, 99.0), 99.0);
        assert_eq!(percentile(&s, 100.0), 100.0);
        assert_eq!(percentile(&s, 0.0), 1.0);
        let small = [30.0, 10.0, 20.0];
        assert_eq!(percentile(&small, 50.0), 20.0);
        assert_eq!(percentile(&small, 99.0), 30.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn p99_of_1000_ignores_only_the_worst_ten() {
        let mut s: Vec<f64> = vec![1.0; 990];
        s.extend([500.0; 10]);
        assert_eq!(percentile(&s, 99.0), 1.0);
        s.push(500.0);
        assert_eq!(percentile(&s, 99.0), 500.0);
    }

    #[test]
    fn latency_and_median_of_runs() {
        let l = Latency::of(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(
            l,
            Latency {
                p50: 3.0,
                p99: 5.0,
                max: 5.0
            }
        );
        let runs = [
            Latency {
                p50: 1.0,
                p99: 10.0,
                max: 100.0,
            },
            Latency {
                p50: 2.0,
                p99: 90.0,
                max: 900.0,
            },
            Latency {
                p50: 3.0,
                p99: 20.0,
                max: 200.0,
            },
        ];
        assert_eq!(
            Latency::median_of(&runs),
            Latency {
                p50: 2.0,
                p99: 20.0,
                max: 200.0
            }
        );
        assert_eq!(median(&[4.0, 1.0]), 1.0);
    }
}
