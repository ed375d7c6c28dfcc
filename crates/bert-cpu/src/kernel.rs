//! The element-wise steps of a BERT encoder (layer norm, GELU, softmax), on
//! the caller's thread; the matrix products are in `matmul`.

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
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F.
        unsafe { wide::gelu(x) };
        return;
    }
    gelu_lanes(x);
}

#[inline(always)]
fn gelu_lanes(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// The element-wise loops compiled again for AVX-512, sixteen lanes instead
/// of SSE2's four: the same operations in the same order, so the same
/// results (the compiler does not fuse or reorder floating-point arithmetic).
#[cfg(target_arch = "x86_64")]
mod wide {
    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gelu(x: &mut [f32]) {
        super::gelu_lanes(x);
    }

    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn exp_shifted(x: &mut [f32], max: f32) {
        super::exp_shifted_lanes(x, max);
    }
}

/// The error function as a rational polynomial (the approximation Eigen
/// and XLA use for f32: within a few ulps of the exact value). Unlike a
/// library `erff` it has no branches, so the GELU loop vectorises; with
/// `libm::erff` the GELU took a fifth of a question's time.
#[inline(always)]
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

#[inline(always)]
fn exp_shifted_lanes(x: &mut [f32], max: f32) {
    x.iter_mut().for_each(|v| *v = exp(*v - max));
}

/// `e^x` for the softmax's shifted scores (`x <= 0`), as Cephes' `expf`
/// computes it (within an ulp or two of the library's): `2^n · e^r` with
/// `|r| <= ln 2 / 2` and a polynomial for `e^r`. Unlike a call to the
/// library it has no branches, so the softmax loop vectorises; the library
/// call took a quarter of the time outside the matrix products.
#[inline(always)]
fn exp(x: f32) -> f32 {
    // Below -87 the result is under f32's smallest normal: as good as zero
    // next to the maximum's e^0 = 1.
    let x = x.clamp(-87.0, 88.0);
    // Rounded to the nearest integer by adding and removing 1.5 · 2^23.
    const ROUND: f32 = 12_582_912.0;
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4 * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// Softmax in place, shifted by the maximum so no exponent overflows.
pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F.
        unsafe { wide::exp_shifted(x, max) };
    } else {
        exp_shifted_lanes(x, max);
    }
    #[cfg(not(target_arch = "x86_64"))]
    exp_shifted_lanes(x, max);
    let sum: f32 = x.iter().sum();
    if sum > 0.0 {
        x.iter_mut().for_each(|v| *v /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_the_library_function() {
        let worst = (-6000..=6000)
            .map(|i| i as f32 / 1000.0)
            .map(|x| (erf(x) - libm::erff(x)).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-6, "worst error {worst}");
    }

    #[test]
    fn exp_matches_the_library_function() {
        let worst = (0..=87_000)
            .map(|i| -(i as f32) / 1000.0)
            .map(|x| ((exp(x) - x.exp()) / x.exp()).abs())
            .fold(0f32, f32::max);
        assert!(worst < 3e-7, "worst relative error {worst}");
        // Far below, next to e^0 = 1, it is as good as zero.
        assert!(exp(-200.0) < 1e-37 && exp(f32::NEG_INFINITY) < 1e-37);
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
