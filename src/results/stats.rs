//! Statistics over repeated runs: pure functions, no I/O.
//!
//! Everything here works on the figures of the *counted* runs of one metric (warm-ups are
//! filtered out before). The choices, and what they mean with few runs, are written up in
//! `docs/statistics.md`; the unit tests below check each function against values worked out
//! by hand.

/// Scale factor that turns the median absolute deviation into an estimate of the standard
/// deviation for normally distributed data (1 / Φ⁻¹(3/4)).
pub const MAD_TO_SIGMA: f64 = 1.4826;

/// Iglewicz & Hoaglin's constant: the modified Z-score is `0.6745 · (x − median) / MAD`.
const MODIFIED_Z_FACTOR: f64 = 0.6745;

/// A run whose modified Z-score exceeds this is an outlier (Iglewicz & Hoaglin's rule). It is
/// stricter than hyperfine's 14.826 on `(x − median) / MAD`, because rtde runs are few and
/// long: one odd run out of five moves a median-based comparison more than one out of a
/// hundred short hyperfine runs.
pub const OUTLIER_THRESHOLD: f64 = 3.5;

/// A metric is *noisy* when its robust coefficient of variation (1.4826 · MAD / median)
/// exceeds this: the run-to-run spread is then as large as the differences between stacks
/// that people care about.
pub const NOISY_RELATIVE_SPREAD: f64 = 0.10;

/// The confidence level of the interval of the median that rtde reports.
pub const CONFIDENCE: f64 = 0.95;

/// The summary of one metric over the counted runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` with a single run.
    pub stddev: Option<f64>,
    pub min: f64,
    pub max: f64,
    /// Median absolute deviation from the median, unscaled.
    pub mad: f64,
    /// The distribution-free 95 % interval of the median; `None` when there are too few runs
    /// for one to exist (fewer than 6).
    pub median_ci: Option<MedianInterval>,
    /// Indices (into the input order) of the runs the modified Z-score marks as outliers.
    pub outliers: Vec<usize>,
    /// Robust spread above [`NOISY_RELATIVE_SPREAD`].
    pub noisy: bool,
}

/// `[low, high]` covers the true median with probability `confidence` (at least the level
/// asked for), whatever the distribution of the runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianInterval {
    pub low: f64,
    pub high: f64,
    /// The exact coverage of the chosen order statistics (≥ the requested level).
    pub confidence: f64,
}

/// Summarize a metric; `None` for no values. Non-finite values are ignored.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let median = median(&finite)?;
    let mad = mad(&finite)?;
    Some(Summary {
        n: finite.len(),
        median,
        mean: mean(&finite)?,
        stddev: sample_stddev(&finite),
        min: finite.iter().copied().fold(f64::INFINITY, f64::min),
        max: finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        mad,
        median_ci: median_ci(&finite, CONFIDENCE),
        outliers: outliers(&finite),
        noisy: is_noisy(finite.len(), median, mad),
    })
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

pub fn median(values: &[f64]) -> Option<f64> {
    let sorted = sorted(values);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation (Bessel's n − 1), as hyperfine reports; `None` below 2 runs.
pub fn sample_stddev(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let mean = mean(values)?;
    let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    Some((squares / (values.len() - 1) as f64).sqrt())
}

/// Median absolute deviation from the median (unscaled).
pub fn mad(values: &[f64]) -> Option<f64> {
    let center = median(values)?;
    let deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    median(&deviations)
}

/// `P(B ≤ k)` for `B ~ Binomial(n, ½)`, summed in log space so that large `n` neither
/// overflows the binomial coefficient nor underflows `½ⁿ`.
fn binomial_half_cdf(n: usize, k: usize) -> f64 {
    let ln_half_pow_n = n as f64 * 0.5f64.ln();
    let mut ln_choose = 0.0f64;
    let mut total = 0.0;
    for i in 0..=k.min(n) {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (ln_choose + ln_half_pow_n).exp();
    }
    total.min(1.0)
}

/// The distribution-free confidence interval of the median from order statistics.
///
/// The interval `[x₍ₖ₎, x₍ₙ₋ₖ₊₁₎]` (sorted, 1-based) misses the true median only when at most
/// `k − 1` runs fall below it or above it, so its coverage is `1 − 2·P(B ≤ k − 1)` with
/// `B ~ Binomial(n, ½)`. We take the narrowest such interval (largest `k`) whose coverage
/// reaches `level`. Even `[min, max]` covers only `1 − 2·½ⁿ`: 93.75 % for five runs, so below
/// six runs no 95 % interval exists and this returns `None` rather than a mislabelled one.
pub fn median_ci(values: &[f64], level: f64) -> Option<MedianInterval> {
    let sorted = sorted(values);
    let n = sorted.len();
    let coverage = |k: usize| 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    let k = (1..=n / 2).take_while(|&k| coverage(k) >= level).last()?;
    Some(MedianInterval {
        low: sorted[k - 1],
        high: sorted[n - k],
        confidence: coverage(k),
    })
}

/// The coverage of `[min, max]` as an interval of the median: what the range means when
/// there are too few runs for a 95 % interval.
pub fn range_coverage(n: usize) -> f64 {
    if n < 2 {
        0.0
    } else {
        1.0 - 2.0 * 0.5f64.powi(n as i32)
    }
}

/// Modified Z-scores, `0.6745 · (x − median) / MAD`. A MAD of zero (most runs identical) is
/// replaced by the smallest positive float, as hyperfine does, so any run that differs from
/// the identical majority gets a huge score.
pub fn modified_z_scores(values: &[f64]) -> Vec<f64> {
    let (Some(center), Some(mad)) = (median(values), mad(values)) else {
        return Vec::new();
    };
    let mad = if mad > 0.0 { mad } else { f64::MIN_POSITIVE };
    values
        .iter()
        .map(|v| MODIFIED_Z_FACTOR * (v - center) / mad)
        .collect()
}

/// Indices of the outlier runs: `|modified Z| > 3.5`. Needs three runs at least (with two,
/// both deviate from their midpoint by exactly the MAD).
pub fn outliers(values: &[f64]) -> Vec<usize> {
    if values.len() < 3 {
        return Vec::new();
    }
    modified_z_scores(values)
        .iter()
        .enumerate()
        .filter(|(_, z)| z.abs() > OUTLIER_THRESHOLD)
        .map(|(i, _)| i)
        .collect()
}

/// What to do about outliers, in the spirit of hyperfine's warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlierAdvice {
    /// The only outlier is the first counted run, and it was slow: cold caches, images being
    /// unpacked, JIT warm-up. A (longer) warm-up fixes that.
    SlowFirstRun { warmup: u32 },
    /// Outliers elsewhere: something else on the machine competed with the run.
    Scattered { outliers: usize, runs: usize },
}

impl OutlierAdvice {
    /// Classify the outliers of `values` (counted runs, in the order they ran).
    pub fn of(values: &[f64], warmup: u32) -> Option<OutlierAdvice> {
        let found = outliers(values);
        let center = median(values)?;
        match found.as_slice() {
            [] => None,
            [0] if values[0] > center => Some(OutlierAdvice::SlowFirstRun { warmup }),
            _ => Some(OutlierAdvice::Scattered {
                outliers: found.len(),
                runs: values.len(),
            }),
        }
    }

    pub fn message(self) -> String {
        match self {
            OutlierAdvice::SlowFirstRun { warmup: 0 } => "the first run was much slower than \
                 the others (cold caches, image layers, JIT): add `--warmup 1` so it is not \
                 counted"
                .to_string(),
            OutlierAdvice::SlowFirstRun { warmup } => format!(
                "the first counted run was still much slower than the others after {warmup} \
                 warm-up run(s): raise `--warmup`"
            ),
            OutlierAdvice::Scattered { outliers, runs } => format!(
                "{outliers} of {runs} runs are outliers: something else on the machine \
                 competed with the benchmark; re-run on a quiet machine or raise `--runs`"
            ),
        }
    }
}

/// The noisy flag: robust coefficient of variation `1.4826 · MAD / median` above 10 %.
/// A single run has no spread and is never noisy (it is *unknown*, which reports say).
pub fn is_noisy(n: usize, median: f64, mad: f64) -> bool {
    n >= 2 && median > 0.0 && MAD_TO_SIGMA * mad / median > NOISY_RELATIVE_SPREAD
}

/// One-sided exact Mann–Whitney U test: the probability, if both samples came from one
/// distribution, of `U` at least as large as observed, where `U` counts the pairs in which
/// `greater` exceeds `lesser` (a tie counts ½).
///
/// The null distribution is counted exactly (no ties assumed) up to 60 runs in all and by the
/// normal approximation with continuity correction beyond. With ties the observed `U` is
/// rounded down before the tail is taken, which can only raise `p` (conservative).
pub fn mann_whitney_greater_p(greater: &[f64], lesser: &[f64]) -> Option<f64> {
    let (m, n) = (greater.len(), lesser.len());
    if m == 0 || n == 0 {
        return None;
    }
    let u: f64 = greater
        .iter()
        .flat_map(|g| lesser.iter().map(move |l| (g, l)))
        .map(|(g, l)| match g.total_cmp(l) {
            std::cmp::Ordering::Greater => 1.0,
            std::cmp::Ordering::Equal => 0.5,
            std::cmp::Ordering::Less => 0.0,
        })
        .sum();
    let u = u.floor() as usize;
    if m + n > 60 {
        let (mf, nf) = (m as f64, n as f64);
        let mean = mf * nf / 2.0;
        let sd = (mf * nf * (mf + nf + 1.0) / 12.0).sqrt();
        let z = (u as f64 - 0.5 - mean) / sd;
        return Some(normal_upper_tail(z));
    }
    let counts = u_distribution(m, n);
    let total: f64 = counts.iter().sum();
    Some(counts[u..].iter().sum::<f64>() / total)
}

/// The smallest one-sided p-value the exact test can give for these sample sizes
/// (`1 / C(m + n, m)`): when it is above α, no data could be significant.
pub fn mann_whitney_min_p(m: usize, n: usize) -> f64 {
    let counts = u_distribution(m, n);
    1.0 / counts.iter().sum::<f64>()
}

/// `counts[u]` = number of orderings of `m` + `n` distinct values giving statistic `u`
/// (recurrence f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u)).
fn u_distribution(m: usize, n: usize) -> Vec<f64> {
    // table[i][j] holds the distribution for sizes (i, j).
    let mut table: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n + 1]; m + 1];
    for i in 0..=m {
        for j in 0..=n {
            table[i][j] = if i == 0 || j == 0 {
                vec![1.0]
            } else {
                let mut dist = vec![0.0; i * j + 1];
                for (u, count) in table[i - 1][j].iter().enumerate() {
                    dist[u + j] += count;
                }
                for (u, count) in table[i][j - 1].iter().enumerate() {
                    dist[u] += count;
                }
                dist
            };
        }
    }
    std::mem::take(&mut table[m][n])
}

/// How much larger one set of runs is than another: the Hodges–Lehmann estimate of the shift
/// (the median of every pairwise difference `a − b`) and its distribution-free interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftInterval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// The exact coverage of `[low, high]`, assuming the two sets differ by a shift only.
    pub confidence: f64,
}

/// The shift of `a` over `b` with the interval that inverts the exact Mann–Whitney test
/// (Moses' interval): of the `m·n` sorted differences `a_i − b_j`, `[D₍ₖ₎, D₍ₘₙ₋ₖ₊₁₎]` misses
/// the true shift only when `U ≤ k − 1` or `U ≥ mn − k + 1`, so its coverage is
/// `1 − 2·P(U ≤ k − 1)`. The narrowest interval whose coverage reaches `level` is taken; when
/// even the full range of differences does not reach it (three runs against three cover at
/// most 90 %), the full range is returned with its lower coverage, which the caller shows,
/// rather than nothing: an orchestrator's overhead is asked for with few runs. `None` when
/// either side has no runs.
pub fn shift_ci(a: &[f64], b: &[f64], level: f64) -> Option<ShiftInterval> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let differences = sorted(
        &a.iter()
            .flat_map(|x| b.iter().map(move |y| x - y))
            .collect::<Vec<f64>>(),
    );
    let total = differences.len();
    let counts = u_distribution(a.len(), b.len());
    let orderings: f64 = counts.iter().sum();
    let coverage = |k: usize| 1.0 - 2.0 * counts[..k].iter().sum::<f64>() / orderings;
    let k = (1..=total / 2)
        .take_while(|&k| coverage(k) >= level)
        .last()
        .unwrap_or(1);
    Some(ShiftInterval {
        estimate: median(&differences)?,
        low: differences[k - 1],
        high: differences[total - k],
        confidence: if total == 1 { 0.0 } else { coverage(k) },
    })
}

/// `P(Z > z)` for a standard normal, from the complementary error function
/// (Numerical Recipes' erfc approximation, relative error below 1.2e-7).
fn normal_upper_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    erfc / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn central_figures_of_a_known_sample() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32/7.
        let values = [9.0, 2.0, 4.0, 4.0, 5.0, 4.0, 5.0, 7.0];
        assert_eq!(median(&values), Some(4.5));
        assert_eq!(mean(&values), Some(5.0));
        assert!(close(
            sample_stddev(&values).unwrap(),
            (32.0f64 / 7.0).sqrt()
        ));
        // |x − 4.5| = 2.5 0.5 0.5 0.5 0.5 0.5 2.5 4.5 → median 0.5.
        assert_eq!(mad(&values), Some(0.5));
        let summary = summarize(&values).unwrap();
        assert_eq!((summary.min, summary.max, summary.n), (2.0, 9.0, 8));
    }

    #[test]
    fn one_run_has_no_spread_and_no_interval() {
        let summary = summarize(&[12.5]).unwrap();
        assert_eq!(summary.median, 12.5);
        assert_eq!(summary.stddev, None);
        assert_eq!(summary.median_ci, None);
        assert!(!summary.noisy);
        assert!(summarize(&[]).is_none());
        assert!(summarize(&[f64::NAN]).is_none());
    }

    #[test]
    fn no_95_percent_interval_below_six_runs() {
        // [min, max] of five runs covers the median with 1 − 2/32 = 93.75 % only.
        assert_eq!(median_ci(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95), None);
        assert!(close(range_coverage(5), 0.9375));
        let six = median_ci(&[6.0, 1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        assert_eq!((six.low, six.high), (1.0, 6.0));
        assert!(close(six.confidence, 1.0 - 2.0 / 64.0));
    }

    #[test]
    fn interval_of_ten_and_twenty_runs_uses_the_textbook_order_statistics() {
        // n = 10: P(B ≤ 1) = 11/1024 → k = 2, coverage 1 − 22/1024 = 97.85 %;
        // k = 3 would cover 1 − 2·56/1024 = 89.1 %.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let ci = median_ci(&ten, 0.95).unwrap();
        assert_eq!((ci.low, ci.high), (2.0, 9.0));
        assert!(close(ci.confidence, 1.0 - 22.0 / 1024.0));
        // n = 20: the standard table gives x(6) … x(15), coverage 95.86 %.
        let twenty: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let ci = median_ci(&twenty, 0.95).unwrap();
        assert_eq!((ci.low, ci.high), (6.0, 15.0));
        assert!((ci.confidence - 0.958_611).abs() < 1e-6);
    }

    #[test]
    fn interval_works_for_thousands_of_runs() {
        let many: Vec<f64> = (0..5000).map(f64::from).collect();
        let ci = median_ci(&many, 0.95).unwrap();
        // Normal approximation: n/2 ± 1.96·√n/2 ≈ 2500 ± 69.3.
        assert!((ci.low - 2430.0).abs() <= 2.0, "{ci:?}");
        assert!((ci.high - 2569.0).abs() <= 2.0, "{ci:?}");
    }

    #[test]
    fn modified_z_score_flags_a_far_run_only() {
        // median 10, |dev| = 0 0.2 0.2 0.1 0.1 0 5 → MAD 0.1; z(15) = 0.6745·5/0.1 ≈ 33.7;
        // z(10.2) = 0.6745·0.2/0.1 ≈ 1.35.
        let values = [10.0, 10.2, 9.8, 10.1, 9.9, 10.0, 15.0];
        let z = modified_z_scores(&values);
        assert!((z[6] - 0.6745 * 5.0 / 0.1).abs() < 1e-6);
        assert!((z[1] - 0.6745 * 2.0).abs() < 1e-6);
        assert_eq!(outliers(&values), vec![6]);
        assert_eq!(
            OutlierAdvice::of(&values, 0),
            Some(OutlierAdvice::Scattered {
                outliers: 1,
                runs: 7
            })
        );
    }

    #[test]
    fn threshold_sits_at_three_and_a_half() {
        // median 10, MAD 1 (deviations 0 1 1 1 1 0 d): z = 0.6745·d.
        // d = 5.1 → 3.44 (kept), d = 5.3 → 3.57 (outlier).
        assert!(outliers(&[10.0, 9.0, 11.0, 9.0, 11.0, 10.0, 15.1]).is_empty());
        assert_eq!(outliers(&[10.0, 9.0, 11.0, 9.0, 11.0, 10.0, 15.3]), vec![6]);
    }

    #[test]
    fn slow_first_run_suggests_warmup() {
        let values = [31.0, 20.0, 20.5, 19.5, 20.2];
        let advice = OutlierAdvice::of(&values, 0).unwrap();
        assert_eq!(advice, OutlierAdvice::SlowFirstRun { warmup: 0 });
        assert!(advice.message().contains("--warmup 1"));
        let again = OutlierAdvice::of(&values, 2).unwrap();
        assert!(again.message().contains("raise `--warmup`"));
        // A fast first run is not a warm-up problem.
        let fast_first = [9.0, 20.0, 20.5, 19.5, 20.2];
        assert!(matches!(
            OutlierAdvice::of(&fast_first, 0),
            Some(OutlierAdvice::Scattered { .. })
        ));
        assert_eq!(OutlierAdvice::of(&[20.0, 20.1, 19.9], 0), None);
    }

    #[test]
    fn noisy_means_robust_spread_above_ten_percent() {
        // MAD 1 on median 10: 14.8 % → noisy. MAD 0.5 on median 10: 7.4 % → not.
        assert!(is_noisy(5, 10.0, 1.0));
        assert!(!is_noisy(5, 10.0, 0.5));
        assert!(!is_noisy(1, 10.0, 5.0));
        assert!(summarize(&[100.0, 130.0, 90.0, 120.0, 95.0]).unwrap().noisy);
    }

    #[test]
    fn exact_rank_test_matches_counting_by_hand() {
        // Three against three, fully separated: 1 ordering of C(6,3) = 20 → p = 0.05.
        let p = mann_whitney_greater_p(&[4.0, 5.0, 6.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!(close(p, 0.05));
        assert!(close(mann_whitney_min_p(3, 3), 0.05));
        assert!(close(mann_whitney_min_p(2, 2), 1.0 / 6.0));
        // U = 8 of 9 (one pair reversed): orderings with U ≥ 8 are 2 of 20.
        let p = mann_whitney_greater_p(&[2.5, 5.0, 6.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!(close(p, 0.1));
        // Reversed samples: every ordering has U ≥ 0.
        let p = mann_whitney_greater_p(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert!(close(p, 1.0));
    }

    #[test]
    fn large_samples_use_the_normal_approximation() {
        let old: Vec<f64> = (0..40).map(f64::from).collect();
        let new: Vec<f64> = (0..40).map(|i| f64::from(i) + 100.0).collect();
        assert!(mann_whitney_greater_p(&new, &old).unwrap() < 1e-10);
        let same = mann_whitney_greater_p(&old, &old).unwrap();
        assert!((same - 0.5).abs() < 0.05, "{same}");
        assert!((normal_upper_tail(1.959_964) - 0.025).abs() < 1e-6);
    }
    #[test]
    fn the_shift_of_three_runs_over_three_is_the_range_of_differences_at_ninety_percent() {
        // Differences a − b: 12−10=2, 12−11=1, 12−13=−1, 14−10=4, 14−11=3, 14−13=1,
        // 15−10=5, 15−11=4, 15−13=2 → sorted −1 1 1 2 2 3 4 4 5, median 2. P(U = 0) is
        // 1/C(6,3) = 1/20, so the full range covers 1 − 2/20 = 0.9 and no narrower one does.
        let shift = shift_ci(&[12.0, 14.0, 15.0], &[10.0, 11.0, 13.0], CONFIDENCE).unwrap();
        assert_eq!((shift.estimate, shift.low, shift.high), (2.0, -1.0, 5.0));
        assert!(close(shift.confidence, 0.9));
    }

    #[test]
    fn with_six_runs_a_side_the_shift_interval_reaches_ninety_five_percent() {
        // 6 against 6: C(12,6) = 924 orderings; the counts of U = 0..6 are 1 1 2 3 5 7 11
        // (partitions of u into at most six parts of at most six). P(U ≤ 5) = 19/924 gives
        // k = 6 a coverage of 1 − 38/924 ≈ 0.959, while k = 7 has 1 − 60/924 ≈ 0.935 < 0.95:
        // the 6th smallest and 6th largest of the 36 differences. b is 0..5 and a is b + 10,
        // so the differences are 10 + d with d = −5..5 seen 6 − |d| times.
        let b: Vec<f64> = (0..6).map(f64::from).collect();
        let a: Vec<f64> = b.iter().map(|v| v + 10.0).collect();
        let shift = shift_ci(&a, &b, CONFIDENCE).unwrap();
        assert_eq!(shift.estimate, 10.0);
        // Sorted differences: 5, 6 6, 7 7 7, 8 8 8 8, … → the 6th is 7, the 31st is 13.
        assert_eq!((shift.low, shift.high), (7.0, 13.0));
        assert!(close(shift.confidence, 1.0 - 38.0 / 924.0));
        assert_eq!(shift_ci(&[], &b, CONFIDENCE), None);
    }
}
