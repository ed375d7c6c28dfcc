//! The register tiles for x86-64: AVX-512 (12 token rows by 32 columns in
//! 24 registers) and AVX2 with FMA (3 rows by 32 columns in 12).
//!
//! The AVX-512 tile reads its token rows and its outputs where they lie
//! instead of through the shared blocking's copies: masked loads and stores
//! cover a panel's ragged edge, and twelve row streams are few enough for
//! the prefetcher. Repacking the rows cost a tenth of an embedding, most
//! of it in the attention, whose products do two multiply-adds per value
//! repacked.

use std::arch::x86_64::*;
use std::cell::RefCell;

use half::f16;

use super::{blocked, Packed, Path, Rows, RowsMut, Tile, KC, NR};

/// Panel values widened into registers.
pub trait Load: super::Weight {
    /// # Safety
    /// Eight elements must be readable at `p`, and the CPU must have AVX2 and F16C.
    unsafe fn load8(p: *const Self) -> __m256;
    /// # Safety
    /// Sixteen elements must be readable at `p`, and the CPU must have AVX-512F.
    unsafe fn load16(p: *const Self) -> __m512;

    /// Whether a block is worth widening to f32 once before several tiles
    /// read it: the widening is two instructions per step in the tile's
    /// loop of 26, paid again by every tile.
    const NARROW: bool;
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

    const NARROW: bool = false;
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

    const NARROW: bool = true;
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

/// [`super::matmul_strided`] on `path`, which [`detect`] (or [`available`])
/// found, with the shapes checked.
pub(super) fn matmul<W: Load>(path: Path, x: Rows<'_>, rows: usize, b: &Packed<W>, y: RowsMut<'_>) {
    match path {
        // SAFETY: the CPU has AVX-512F (`detect`), and the caller checked
        // that every row of `x` and `y` holds the product's width.
        Path::Avx512 => unsafe { avx512_matmul(x, rows, b, y) },
        Path::Avx2 => blocked::<W, 3>(x, rows, b, y, |a, kc, block, r, c| {
            check(a, 3, kc, block, r);
            // SAFETY: the CPU has AVX2, FMA and F16C (`detect`), and `check`
            // bounds what the tile reads.
            unsafe { avx2_rows(a.as_ptr(), kc, block.as_ptr(), r, c) }
        }),
        Path::Portable => unreachable!("the portable path has no x86 tile"),
    }
}

thread_local! {
    /// A block of half-precision weights widened for the tiles that read it.
    static WIDE: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Tile rows of the AVX-512 path.
const MR: usize = 12;

/// Block of the inner dimension by block, panel by panel, twelve rows at a
/// time, each tile reading `x` and `y` in place. A half-precision block is
/// widened once when more than one tile reads it.
///
/// # Safety
/// AVX-512F; `rows` rows of `x` hold `b.k` values and of `y` `b.n`.
#[target_feature(enable = "avx512f")]
unsafe fn avx512_matmul<W: Load>(x: Rows<'_>, rows: usize, b: &Packed<W>, y: RowsMut<'_>) {
    let (k, n) = (b.k, b.n);
    let (lda, ldy) = (x.stride, y.stride);
    let (x, y) = (x.data.as_ptr(), y.data.as_mut_ptr());
    let widen = W::NARROW && rows > MR;
    WIDE.with_borrow_mut(|wide| {
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            for (jb, panel) in b.data.chunks_exact(k * NR).enumerate() {
                let j0 = jb * NR;
                let width = NR.min(n - j0);
                let block = &panel[p0 * NR..(p0 + kc) * NR];
                for m0 in (0..rows).step_by(MR) {
                    let r = MR.min(rows - m0);
                    // SAFETY: tile rows m0..m0 + r exist, columns p0..p0 + kc
                    // of `x` and j0..j0 + width of `y` are inside each
                    // (the caller's bounds); the block holds kc panel rows.
                    unsafe {
                        let (a, c) = (x.add(m0 * lda + p0), y.add(m0 * ldy + j0));
                        if widen {
                            if m0 == 0 {
                                widen_block(block, wide);
                            }
                            avx512_rows(a, lda, kc, wide.as_ptr(), c, ldy, r, width);
                        } else {
                            avx512_rows(a, lda, kc, block.as_ptr(), c, ldy, r, width);
                        }
                    }
                }
            }
        }
    });
}

/// `block` widened to f32 into `wide`.
///
/// # Safety
/// AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn widen_block<W: Load>(block: &[W], wide: &mut Vec<f32>) {
    wide.resize(block.len(), 0.0);
    for (from, to) in block.chunks_exact(16).zip(wide.chunks_exact_mut(16)) {
        // SAFETY: both chunks hold sixteen values.
        unsafe { _mm512_storeu_ps(to.as_mut_ptr(), W::load16(from.as_ptr())) };
    }
}

/// What a tile reads: `kc` steps of `mr` repacked token values, `kc` rows
/// of a panel, and `r <= mr` rows of the tile.
fn check<W>(a: &[f32], mr: usize, kc: usize, block: &[W], r: usize) {
    assert!((1..=mr).contains(&r) && kc * mr <= a.len() && kc * NR <= block.len());
}

/// # Safety
/// AVX-512F; `r <= 12` rows of `a` (`lda` apart) hold `kc` values, of `c`
/// (`ldy` apart) `width <= 32`, and `w` holds `kc` panel rows.
#[allow(clippy::too_many_arguments)] // a tile's pointers and their shapes
#[target_feature(enable = "avx512f")]
unsafe fn avx512_rows<W: Load>(
    a: *const f32,
    lda: usize,
    kc: usize,
    w: *const W,
    c: *mut f32,
    ldy: usize,
    r: usize,
    width: usize,
) {
    // The columns of the panel's two halves that are the product's.
    let lanes = (1u64 << width) - 1;
    let (lo, hi) = (lanes as __mmask16, (lanes >> 16) as __mmask16);
    let s = Strides { lda, ldy, lo, hi };
    // SAFETY (each arm): as the caller's; `r` rows of the tile exist.
    unsafe {
        match r {
            12 => avx512_tile::<W, 12>(a, kc, w, c, s),
            11 => avx512_tile::<W, 11>(a, kc, w, c, s),
            10 => avx512_tile::<W, 10>(a, kc, w, c, s),
            9 => avx512_tile::<W, 9>(a, kc, w, c, s),
            8 => avx512_tile::<W, 8>(a, kc, w, c, s),
            7 => avx512_tile::<W, 7>(a, kc, w, c, s),
            6 => avx512_tile::<W, 6>(a, kc, w, c, s),
            5 => avx512_tile::<W, 5>(a, kc, w, c, s),
            4 => avx512_tile::<W, 4>(a, kc, w, c, s),
            3 => avx512_tile::<W, 3>(a, kc, w, c, s),
            2 => avx512_tile::<W, 2>(a, kc, w, c, s),
            _ => avx512_tile::<W, 1>(a, kc, w, c, s),
        }
    }
}

/// Where a tile's rows lie, and which of its columns are the product's.
#[derive(Clone, Copy)]
struct Strides {
    lda: usize,
    ldy: usize,
    lo: __mmask16,
    hi: __mmask16,
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
    c: *mut f32,
    s: Strides,
) {
    let mut acc = [[_mm512_setzero_ps(); 2]; R];
    for i in 0..R {
        // SAFETY: the mask keeps the loads inside row i's `width` columns
        // (the second half's address is only formed, never read, when the
        // mask is empty).
        unsafe {
            let row = c.add(i * s.ldy);
            acc[i][0] = _mm512_maskz_loadu_ps(s.lo, row);
            acc[i][1] = _mm512_maskz_loadu_ps(s.hi, row.wrapping_add(16));
        }
    }
    for p in 0..kc {
        // SAFETY: p < kc, so panel row p and column p of each row are readable.
        unsafe {
            let w0 = W::load16(w.add(p * NR));
            let w1 = W::load16(w.add(p * NR + 16));
            for i in 0..R {
                let v = _mm512_set1_ps(*a.add(i * s.lda + p));
                acc[i][0] = _mm512_fmadd_ps(v, w0, acc[i][0]);
                acc[i][1] = _mm512_fmadd_ps(v, w1, acc[i][1]);
            }
        }
    }
    for i in 0..R {
        // SAFETY: as the loads.
        unsafe {
            let row = c.add(i * s.ldy);
            _mm512_mask_storeu_ps(row, s.lo, acc[i][0]);
            _mm512_mask_storeu_ps(row.wrapping_add(16), s.hi, acc[i][1]);
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
