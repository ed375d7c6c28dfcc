//! The register tiles for x86-64: AVX-512 (12 token rows by 32 columns in
//! 24 registers) and AVX2 with FMA (3 rows by 32 columns in 12).

use std::arch::x86_64::*;

use half::f16;

use super::{blocked, Packed, Path, Tile, NR};

/// Panel values widened into registers.
pub trait Load: super::Weight {
    /// # Safety
    /// Eight elements must be readable at `p`, and the CPU must have AVX2 and F16C.
    unsafe fn load8(p: *const Self) -> __m256;
    /// # Safety
    /// Sixteen elements must be readable at `p`, and the CPU must have AVX-512F.
    unsafe fn load16(p: *const Self) -> __m512;
}

impl Load for f32 {
    #[inline]
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn load8(p: *const f32) -> __m256 {
        // SAFETY: the caller guarantees eight readable elements.
        unsafe { _mm256_loadu_ps(p) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load16(p: *const f32) -> __m512 {
        // SAFETY: the caller guarantees sixteen readable elements.
        unsafe { _mm512_loadu_ps(p) }
    }
}

impl Load for f16 {
    #[inline]
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn load8(p: *const f16) -> __m256 {
        // SAFETY: the caller guarantees eight readable elements (16 bytes).
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast::<__m128i>())) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load16(p: *const f16) -> __m512 {
        // SAFETY: the caller guarantees sixteen readable elements (32 bytes).
        unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(p.cast::<__m256i>())) }
    }
}

pub(super) fn detect() -> Option<Path> {
    if std::is_x86_feature_detected!("avx512f") {
        Some(Path::Avx512)
    } else if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
    {
        Some(Path::Avx2)
    } else {
        None
    }
}

#[cfg(test)]
pub(super) fn available() -> Vec<Path> {
    match detect() {
        Some(Path::Avx512) if detect_avx2() => vec![Path::Avx2, Path::Avx512],
        Some(path) => vec![path],
        None => Vec::new(),
    }
}

#[cfg(test)]
fn detect_avx2() -> bool {
    std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
}

/// [`super::matmul`] on `path`, which [`detect`] (or [`available`]) found.
pub(super) fn matmul<W: Load>(path: Path, x: &[f32], rows: usize, b: &Packed<W>, y: &mut [f32]) {
    match path {
        Path::Avx512 => blocked::<W, 12>(x, rows, b, y, |a, kc, block, r, c| {
            check(a, 12, kc, block, r);
            // SAFETY: the CPU has AVX-512F (`detect`), and `check` bounds
            // what the tile reads.
            unsafe { avx512_rows(a.as_ptr(), kc, block.as_ptr(), r, c) }
        }),
        Path::Avx2 => blocked::<W, 3>(x, rows, b, y, |a, kc, block, r, c| {
            check(a, 3, kc, block, r);
            // SAFETY: the CPU has AVX2, FMA and F16C (`detect`), and `check`
            // bounds what the tile reads.
            unsafe { avx2_rows(a.as_ptr(), kc, block.as_ptr(), r, c) }
        }),
        Path::Portable => unreachable!("the portable path has no x86 tile"),
    }
}

/// What a tile reads: `kc` steps of `mr` repacked token values, `kc` rows
/// of a panel, and `r <= mr` rows of the tile.
fn check<W>(a: &[f32], mr: usize, kc: usize, block: &[W], r: usize) {
    assert!((1..=mr).contains(&r) && kc * mr <= a.len() && kc * NR <= block.len());
}

/// # Safety
/// AVX-512F, and the reads `check` bounds.
#[target_feature(enable = "avx512f")]
unsafe fn avx512_rows<W: Load>(a: *const f32, kc: usize, w: *const W, r: usize, c: &mut Tile) {
    // SAFETY (each arm): as the caller's; `r` rows of the tile exist.
    unsafe {
        match r {
            12 => avx512_tile::<W, 12>(a, kc, w, c),
            11 => avx512_tile::<W, 11>(a, kc, w, c),
            10 => avx512_tile::<W, 10>(a, kc, w, c),
            9 => avx512_tile::<W, 9>(a, kc, w, c),
            8 => avx512_tile::<W, 8>(a, kc, w, c),
            7 => avx512_tile::<W, 7>(a, kc, w, c),
            6 => avx512_tile::<W, 6>(a, kc, w, c),
            5 => avx512_tile::<W, 5>(a, kc, w, c),
            4 => avx512_tile::<W, 4>(a, kc, w, c),
            3 => avx512_tile::<W, 3>(a, kc, w, c),
            2 => avx512_tile::<W, 2>(a, kc, w, c),
            _ => avx512_tile::<W, 1>(a, kc, w, c),
        }
    }
}

/// `R` rows by 32 columns: per step, two panel loads feed `2R` multiply-adds.
///
/// # Safety
/// As [`avx512_rows`].
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(clippy::needless_range_loop)] // indices keep the register tile readable
unsafe fn avx512_tile<W: Load, const R: usize>(
    a: *const f32,
    kc: usize,
    w: *const W,
    c: &mut Tile,
) {
    let mut acc = [[_mm512_setzero_ps(); 2]; R];
    for i in 0..R {
        // SAFETY: row i of the tile holds 32 values.
        unsafe {
            acc[i][0] = _mm512_loadu_ps(c[i].as_ptr());
            acc[i][1] = _mm512_loadu_ps(c[i].as_ptr().add(16));
        }
    }
    for p in 0..kc {
        // SAFETY: p < kc, so panel row p and the step's token values are readable.
        unsafe {
            let w0 = W::load16(w.add(p * NR));
            let w1 = W::load16(w.add(p * NR + 16));
            for i in 0..R {
                let v = _mm512_set1_ps(*a.add(p * 12 + i));
                acc[i][0] = _mm512_fmadd_ps(v, w0, acc[i][0]);
                acc[i][1] = _mm512_fmadd_ps(v, w1, acc[i][1]);
            }
        }
    }
    for i in 0..R {
        // SAFETY: row i of the tile holds 32 values.
        unsafe {
            _mm512_storeu_ps(c[i].as_mut_ptr(), acc[i][0]);
            _mm512_storeu_ps(c[i].as_mut_ptr().add(16), acc[i][1]);
        }
    }
}

/// # Safety
/// AVX2, FMA and F16C, and the reads `check` bounds.
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn avx2_rows<W: Load>(a: *const f32, kc: usize, w: *const W, r: usize, c: &mut Tile) {
    // SAFETY (each arm): as the caller's; `r` rows of the tile exist.
    unsafe {
        match r {
            3 => avx2_tile::<W, 3>(a, kc, w, c),
            2 => avx2_tile::<W, 2>(a, kc, w, c),
            _ => avx2_tile::<W, 1>(a, kc, w, c),
        }
    }
}

/// `R` rows by 32 columns: per step, four panel loads feed `4R` multiply-adds.
///
/// # Safety
/// As [`avx2_rows`].
#[inline]
#[target_feature(enable = "avx2,fma,f16c")]
#[allow(clippy::needless_range_loop)] // indices keep the register tile readable
unsafe fn avx2_tile<W: Load, const R: usize>(a: *const f32, kc: usize, w: *const W, c: &mut Tile) {
    let mut acc = [[_mm256_setzero_ps(); 4]; R];
    for i in 0..R {
        for q in 0..4 {
            // SAFETY: row i of the tile holds 32 values.
            acc[i][q] = unsafe { _mm256_loadu_ps(c[i].as_ptr().add(8 * q)) };
        }
    }
    for p in 0..kc {
        let mut v = [_mm256_setzero_ps(); R];
        for i in 0..R {
            // SAFETY: p < kc and i < R <= 3, inside the repacked rows.
            v[i] = _mm256_set1_ps(unsafe { *a.add(p * 3 + i) });
        }
        for q in 0..4 {
            // SAFETY: p < kc, so panel row p is readable.
            let wq = unsafe { W::load8(w.add(p * NR + 8 * q)) };
            for i in 0..R {
                acc[i][q] = _mm256_fmadd_ps(v[i], wq, acc[i][q]);
            }
        }
    }
    for i in 0..R {
        for q in 0..4 {
            // SAFETY: row i of the tile holds 32 values.
            unsafe { _mm256_storeu_ps(c[i].as_mut_ptr().add(8 * q), acc[i][q]) };
        }
    }
}
