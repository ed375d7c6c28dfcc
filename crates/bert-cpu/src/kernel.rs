//! The numeric kernels a BERT encoder needs, on the caller's thread.
//!
//! Why our own rather than a tensor library: a member's question is about a
//! dozen tokens. General matrix libraries pack the whole weight matrix for
//! every product and wake a thread pool for it, which at that size costs more
//! than the arithmetic (candle spent 12 ms of CPU on a question this way).
//! Here `linear` streams each weight row once per product, using AVX2 and FMA
//! when the CPU has them, and never leaves the calling thread, so questions
//! answered side by side each get a core and a rebuild's embedding threads
//! stay the only ones it uses.
//!
//! Weights stay in half precision, as shipped, and are widened in registers:
//! a question's product is bound by how fast the weights stream from memory,
//! and f16 halves that (21 MB instead of 42 MB; timings in BENCHMARKS.md).

use half::f16;

/// A weight element: f32, or f16 widened as it is read.
pub trait Weight: Copy + Send + Sync + 'static {
    fn widen(self) -> f32;
}

impl Weight for f32 {
    fn widen(self) -> f32 {
        self
    }
}

impl Weight for f16 {
    fn widen(self) -> f32 {
        self.to_f32()
    }
}

/// `y[m][j] = b[j] + x[m] · w[j]` for every row `m` of `x` (`rows × k`) and
/// every row `j` of `w` (`b.len() × k`, PyTorch's `Linear` layout);
/// `y` is `rows × b.len()`.
pub fn linear<W: avx2::Load>(x: &[f32], rows: usize, k: usize, w: &[W], b: &[f32], y: &mut [f32]) {
    let n = b.len();
    assert!(
        x.len() == rows * k && w.len() == n * k && y.len() == rows * n,
        "linear: shapes do not fit"
    );
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
    {
        // SAFETY: the CPU has the features `avx2::linear` is compiled for, and
        // the lengths were checked above.
        unsafe { avx2::linear(x, rows, k, w, b, y) };
        return;
    }
    plain(x, k, w, b, y, 0..rows, 0..n);
}

/// [`linear`] for input rows `rows` and outputs `cols` only, one weight row
/// widened at a time: the whole product on CPUs without AVX2, and the
/// outputs left over after the fast path's groups of four.
fn plain<W: Weight>(
    x: &[f32],
    k: usize,
    w: &[W],
    b: &[f32],
    y: &mut [f32],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
) {
    let n = b.len();
    let mut row = vec![0f32; k];
    for j in cols {
        row.iter_mut()
            .zip(&w[j * k..(j + 1) * k])
            .for_each(|(r, v)| *r = v.widen());
        for m in rows.clone() {
            y[m * n + j] = b[j] + dot(&x[m * k..(m + 1) * k], &row);
        }
    }
}

/// Dot product, in eight lanes so the compiler vectorises it.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Normalise each row of `x` (`width` wide) to zero mean and unit variance,
/// then scale by `gamma` and shift by `beta`.
pub fn layer_norm(x: &mut [f32], width: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    for row in x.chunks_exact_mut(width) {
        let mean = row.iter().sum::<f32>() / width as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// BERT's GELU, the exact form with the error function (not the tanh
/// approximation), as the model was trained with.
pub fn gelu(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// The error function as a rational polynomial (the approximation Eigen
/// and XLA use for f32: within a few ulps of the exact value). Unlike a
/// library `erff` it has no branches, so the GELU loop vectorises; with
/// `libm::erff` the GELU took a fifth of a question's time.
fn erf(x: f32) -> f32 {
    // Beyond ±4 the error function is ±1 in single precision.
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_6e-3;
    p = x2 * p + -1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329e-3;
    q = x2 * q + -1.426_474e-2;
    x * p / q
}

/// Softmax in place, shifted by the maximum so no exponent overflows.
pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    if sum > 0.0 {
        x.iter_mut().for_each(|v| *v /= sum);
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod avx2 {
    pub trait Load: super::Weight {}
    impl<W: super::Weight> Load for W {}
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use half::f16;

    /// Eight weights widened into a register.
    pub trait Load: super::Weight {
        /// # Safety
        /// Eight elements must be readable at `p`, and the CPU must have AVX2 and F16C.
        unsafe fn load8(p: *const Self) -> __m256;
    }

    impl Load for f32 {
        #[inline]
        #[target_feature(enable = "avx2,fma,f16c")]
        unsafe fn load8(p: *const f32) -> __m256 {
            // SAFETY: the caller guarantees eight readable elements.
            unsafe { _mm256_loadu_ps(p) }
        }
    }

    impl Load for f16 {
        #[inline]
        #[target_feature(enable = "avx2,fma,f16c")]
        unsafe fn load8(p: *const f16) -> __m256 {
            // SAFETY: the caller guarantees eight readable elements (16 bytes).
            unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast::<__m128i>())) }
        }
    }

    /// Token rows per block: a block of a 1,536-wide input stays in the L2
    /// cache while every weight row passes over it.
    const ROWS_PER_BLOCK: usize = 64;

    /// See [`super::linear`]. Four weight rows at a time are widened once
    /// into a small f32 panel that stays in the L1 cache, then every input
    /// row of the block passes over it, three at a time: twelve accumulators
    /// in registers, each panel load feeding three multiply-adds.
    ///
    /// # Safety
    /// The CPU must have AVX2, FMA and F16C, and the slices the lengths
    /// `super::linear` checks.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub unsafe fn linear<W: Load>(
        x: &[f32],
        rows: usize,
        k: usize,
        w: &[W],
        b: &[f32],
        y: &mut [f32],
    ) {
        let n = b.len();
        let k8 = k - k % 8;
        let mut panel = vec![0f32; 4 * k];
        let xp = x.as_ptr();
        for m0 in (0..rows).step_by(ROWS_PER_BLOCK) {
            let m1 = (m0 + ROWS_PER_BLOCK).min(rows);
            let mut j = 0;
            while j + 4 <= n {
                for c in 0..4 {
                    let row = &w[(j + c) * k..(j + c + 1) * k];
                    let pp = panel.as_mut_ptr();
                    let mut p = 0;
                    while p < k8 {
                        // SAFETY: p + 8 <= k within the row and within the panel's row c.
                        unsafe {
                            _mm256_storeu_ps(pp.add(c * k + p), W::load8(row.as_ptr().add(p)))
                        };
                        p += 8;
                    }
                    for (q, v) in row.iter().enumerate().skip(k8) {
                        panel[c * k + q] = v.widen();
                    }
                }
                // Taken after the panel and `y` were last written through
                // their slices, so the pointers stay valid while in use.
                let (pp, yp) = (panel.as_ptr(), y.as_mut_ptr());
                let mut m = m0;
                // SAFETY (each call): the rows m.. it reads are < m1 <= rows,
                // the panel holds four rows of k, and j + 4 <= n.
                while m + 3 <= m1 {
                    unsafe { put(yp, n, m, j, b, tile::<3>(xp.add(m * k), pp, k)) };
                    m += 3;
                }
                match m1 - m {
                    2 => unsafe { put(yp, n, m, j, b, tile::<2>(xp.add(m * k), pp, k)) },
                    1 => unsafe { put(yp, n, m, j, b, tile::<1>(xp.add(m * k), pp, k)) },
                    _ => {}
                }
                j += 4;
            }
            super::plain(x, k, w, b, y, m0..m1, j..n);
        }
    }

    /// Write a tile's sums plus the bias into rows `m..m + R`, columns `j..j + 4`.
    ///
    /// # Safety
    /// Those rows and columns must lie inside `y` (`n` wide).
    #[inline]
    unsafe fn put<const R: usize>(
        y: *mut f32,
        n: usize,
        m: usize,
        j: usize,
        b: &[f32],
        sums: [[f32; 4]; R],
    ) {
        for (r, row) in sums.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // SAFETY: the caller guarantees (m + r) * n + j + c is inside y.
                unsafe { *y.add((m + r) * n + j + c) = b[j + c] + v };
            }
        }
    }

    /// Dot products of `R` consecutive input rows at `x` with the four
    /// consecutive panel rows at `w`, all `k` long.
    #[inline]
    #[target_feature(enable = "avx2,fma,f16c")]
    #[allow(clippy::needless_range_loop)] // indices keep the register tile readable
    unsafe fn tile<const R: usize>(x: *const f32, w: *const f32, k: usize) -> [[f32; 4]; R] {
        let k8 = k - k % 8;
        let mut acc = [[_mm256_setzero_ps(); 4]; R];
        let mut p = 0;
        while p < k8 {
            let mut xs = [_mm256_setzero_ps(); R];
            for (r, xv) in xs.iter_mut().enumerate() {
                // SAFETY: p + 8 <= k within row r.
                *xv = unsafe { _mm256_loadu_ps(x.add(r * k + p)) };
            }
            for c in 0..4 {
                // SAFETY: p + 8 <= k within weight row c.
                let wv = unsafe { _mm256_loadu_ps(w.add(c * k + p)) };
                for r in 0..R {
                    acc[r][c] = _mm256_fmadd_ps(xs[r], wv, acc[r][c]);
                }
            }
            p += 8;
        }
        let mut out = [[0f32; 4]; R];
        for r in 0..R {
            for c in 0..4 {
                let mut s = hsum(acc[r][c]);
                for q in k8..k {
                    // SAFETY: q < k within row r and weight row c.
                    s += unsafe { *x.add(r * k + q) * *w.add(c * k + q) };
                }
                out[r][c] = s;
            }
        }
        out
    }

    #[inline]
    #[target_feature(enable = "avx2,fma,f16c")]
    fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<1>(s, s));
        _mm_cvtss_f32(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward triple loop, in f64, to check the fast paths against.
    fn reference(x: &[f32], rows: usize, k: usize, w: &[f32], b: &[f32]) -> Vec<f32> {
        let n = b.len();
        let mut y = vec![0f32; rows * n];
        for m in 0..rows {
            for j in 0..n {
                let s: f64 = (0..k)
                    .map(|p| x[m * k + p] as f64 * w[j * k + p] as f64)
                    .sum();
                y[m * n + j] = (s + b[j] as f64) as f32;
            }
        }
        y
    }

    #[test]
    fn linear_matches_the_plain_loop_for_odd_shapes() {
        // Odd sizes exercise every remainder path: rows not a multiple of
        // two or of the block, outputs not a multiple of four, k not of eight.
        for &(rows, k, n) in &[(1, 8, 4), (3, 13, 7), (67, 40, 9), (130, 384, 6), (2, 5, 3)] {
            let x: Vec<f32> = (0..rows * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
                .collect();
            let w: Vec<f32> = (0..n * k)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) / 7.0)
                .collect();
            let b: Vec<f32> = (0..n).map(|j| j as f32 / 3.0).collect();
            let mut y = vec![0f32; rows * n];
            linear(&x, rows, k, &w, &b, &mut y);
            for (got, want) in y.iter().zip(reference(&x, rows, k, &w, &b)) {
                assert!(
                    (got - want).abs() < 1e-3 * (1.0 + want.abs()),
                    "{rows}x{k}x{n}: {got} vs {want}"
                );
            }
            // The same weights stored in half precision give the same products
            // (these values are exact in f16).
            let half: Vec<f16> = w.iter().map(|&v| f16::from_f32(v)).collect();
            let widened: Vec<f32> = half.iter().map(|v| v.to_f32()).collect();
            linear(&x, rows, k, &half, &b, &mut y);
            for (got, want) in y.iter().zip(reference(&x, rows, k, &widened, &b)) {
                assert!(
                    (got - want).abs() < 1e-3 * (1.0 + want.abs()),
                    "f16 {rows}x{k}x{n}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn erf_matches_the_library_function() {
        let worst = (-6000..=6000)
            .map(|i| i as f32 / 1000.0)
            .map(|x| (erf(x) - libm::erff(x)).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-6, "worst error {worst}");
    }

    #[test]
    fn softmax_sums_to_one_and_survives_large_scores() {
        let mut x = vec![1000.0, 1001.0, 999.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[1] > x[0] && x[0] > x[2]);
    }

    #[test]
    fn layer_norm_centres_and_scales_each_row() {
        let mut x = vec![1.0, 2.0, 3.0, 10.0, 10.0, 10.0];
        layer_norm(&mut x, 3, &[1.0; 3], &[0.5; 3], 1e-12);
        assert!((x[0] + x[2] - 1.0).abs() < 1e-5 && (x[1] - 0.5).abs() < 1e-6);
        assert!(x[3..].iter().all(|v| (v - 0.5).abs() < 1e-5));
    }

    #[test]
    fn gelu_is_near_identity_for_large_inputs_and_zero_at_zero() {
        let mut x = vec![0.0, 6.0, -6.0, 1.0];
        gelu(&mut x);
        assert_eq!(x[0], 0.0);
        assert!((x[1] - 6.0).abs() < 1e-4 && x[2].abs() < 1e-4);
        assert!((x[3] - 0.841_344_7).abs() < 1e-5);
    }
}
