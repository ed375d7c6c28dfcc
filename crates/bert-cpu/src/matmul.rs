//! Matrix products for the encoder: `y += x · B`, with `B` packed once into
//! column panels so that the inner loop is an outer product.
//!
//! Why packed panels: a passage's products (a hundred token rows against
//! 384x384 and 384x1536 weights) are bound by arithmetic, not by streaming
//! the weights. Dot products of weight rows (the layout PyTorch stores)
//! need a horizontal sum per output and two loads per multiply-add; with
//! `B` in panels of 32 columns, each step of the inner dimension loads one
//! panel row and broadcasts one input value per token row, and a tile of
//! token rows by 32 columns stays in registers for the whole block. The
//! linear layers' weights are packed at load (half precision, as shipped:
//! the same 21 MB), the attention's keys and values per head.
//!
//! Runs on the caller's thread: AVX-512 when the CPU has it, AVX2 and FMA
//! otherwise, and a portable loop elsewhere; all three share the packing
//! and the blocking below and differ only in the register tile. With
//! [`Precision::Bf16`], on a CPU with AMX, the products run in bf16 on its
//! tiles instead (`amx`), from a packing of their own.

#[cfg(target_arch = "x86_64")]
mod amx;
#[cfg(all(test, target_arch = "x86_64"))]
pub(crate) use amx::without_tiles;
mod matrix;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::cell::RefCell;

use half::f16;

pub use matrix::{Matrix, Precision};

/// Columns per panel: two AVX-512 registers, or four AVX2 ones.
const NR: usize = 32;

/// Steps of the inner dimension per block: a block of one panel (32 KB in
/// f32, 16 KB in f16) stays in the L1 cache while every token row passes
/// over it.
const KC: usize = 256;

/// Most token rows a tile of the shared blocking holds (the portable one).
const MAX_MR: usize = 4;

/// The rows of a register tile, as the blocking hands them in and out.
type Tile = [[f32; NR]; MAX_MR];

/// A `B` element: f32, or f16 widened as it is read.
pub trait Weight: Copy + Send + Sync + 'static {
    const ZERO: Self;
    fn widen(self) -> f32;
}

impl Weight for f32 {
    const ZERO: f32 = 0.0;
    fn widen(self) -> f32 {
        self
    }
}

impl Weight for f16 {
    const ZERO: f16 = f16::ZERO;
    fn widen(self) -> f32 {
        self.to_f32()
    }
}

/// A `k × n` matrix `B` in panels of [`NR`] columns: panel after panel,
/// each `k` rows of `NR` values, the last panel padded with zeros.
#[derive(Debug, Clone, Default)]
pub struct Packed<W> {
    k: usize,
    n: usize,
    data: Vec<W>,
}

impl<W: Weight> Packed<W> {
    /// `B` given as its transpose: `n` rows of `k` (a PyTorch `Linear`
    /// weight, or the attention's keys), row `j` at `src[j * stride..]`.
    #[cfg(test)]
    pub fn from_rows(src: &[W], stride: usize, k: usize, n: usize) -> Packed<W> {
        let mut packed = Packed {
            k: 0,
            n: 0,
            data: Vec::new(),
        };
        packed.fill_from_rows(src, stride, k, n);
        packed
    }

    /// [`Packed::from_rows`] into this matrix's memory.
    pub fn fill_from_rows(&mut self, src: &[W], stride: usize, k: usize, n: usize) {
        self.reshape(k, n);
        for (jb, panel) in self.data.chunks_exact_mut(k * NR).enumerate() {
            for c in 0..NR.min(n - jb * NR) {
                let row = &src[(jb * NR + c) * stride..][..k];
                for (p, &v) in row.iter().enumerate() {
                    panel[p * NR + c] = v;
                }
            }
        }
    }

    /// `B` given as itself: `k` rows of `n` (the attention's values), row
    /// `p` at `src[p * stride..]`.
    pub fn fill_from_cols(&mut self, src: &[W], stride: usize, k: usize, n: usize) {
        self.reshape(k, n);
        for (jb, panel) in self.data.chunks_exact_mut(k * NR).enumerate() {
            let width = NR.min(n - jb * NR);
            for p in 0..k {
                panel[p * NR..][..width].copy_from_slice(&src[p * stride + jb * NR..][..width]);
            }
        }
    }

    fn reshape(&mut self, k: usize, n: usize) {
        self.k = k;
        self.n = n;
        self.data.clear();
        self.data.resize(n.div_ceil(NR) * k * NR, W::ZERO);
    }
}

/// `y[m][j] += Σ_p x[m][p] · B[p][j]` for the `rows` rows of `x` (`rows × k`)
/// and `y` (`rows × n`).
pub fn matmul<W: x86_or_not::Load>(x: &[f32], rows: usize, b: &Matrix<W>, y: &mut [f32]) {
    let (k, n) = b.shape();
    assert!(
        x.len() == rows * k && y.len() == rows * n,
        "matmul: shapes do not fit"
    );
    matmul_strided(x, k, rows, b, y, n);
}

/// [`matmul`] on rows that lie `lda` values apart in `x` and `ldy` apart in
/// `y`: the columns of one attention head, read and written in place
/// rather than copied out and back.
pub fn matmul_strided<W: x86_or_not::Load>(
    x: &[f32],
    lda: usize,
    rows: usize,
    b: &Matrix<W>,
    y: &mut [f32],
    ldy: usize,
) {
    match b {
        Matrix::Panels(b) => matmul_on(Path::best(), x, lda, rows, b, y, ldy),
        #[cfg(target_arch = "x86_64")]
        Matrix::Tiles(b) => amx_matmul(x, lda, rows, b, y, ldy),
    }
}

/// The bounds every product's tiles rely on: `rows` rows of `x`, `lda`
/// apart, hold `k` values, and of `y`, `ldy` apart, `n`.
fn check_shapes(x: &[f32], lda: usize, rows: usize, (k, n): (usize, usize), y: &[f32], ldy: usize) {
    assert!(
        lda >= k
            && ldy >= n
            && (rows == 0 || ((rows - 1) * lda + k <= x.len() && (rows - 1) * ldy + n <= y.len())),
        "matmul: shapes do not fit"
    );
}

#[cfg(target_arch = "x86_64")]
fn amx_matmul(x: &[f32], lda: usize, rows: usize, b: &amx::Tiles, y: &mut [f32], ldy: usize) {
    check_shapes(x, lda, rows, (b.k, b.n), y, ldy);
    if b.k == 0 || rows == 0 {
        return; // nothing to add
    }
    amx::matmul(Rows::new(x, lda), rows, b, RowsMut::new(y, ldy));
}

/// The instruction sets a product can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

#[cfg(test)]
thread_local! {
    /// The path the f32 products of this thread take instead of the best.
    static FORCED: std::cell::Cell<Option<Path>> = const { std::cell::Cell::new(None) };
}

/// Run `f` with this thread's f32 products on the portable loop.
#[cfg(test)]
pub(crate) fn with_portable_path<T>(f: impl FnOnce() -> T) -> T {
    FORCED.set(Some(Path::Portable));
    let out = f();
    FORCED.set(None);
    out
}

impl Path {
    /// The fastest path this CPU runs (the detection is cached by `std`).
    fn best() -> Path {
        #[cfg(test)]
        if let Some(path) = FORCED.get() {
            return path;
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(path) = x86::detect() {
            return path;
        }
        Path::Portable
    }

    /// Every path this CPU runs, for the tests.
    #[cfg(test)]
    fn available() -> Vec<Path> {
        let mut paths = vec![Path::Portable];
        #[cfg(target_arch = "x86_64")]
        paths.extend(x86::available());
        paths
    }
}

fn matmul_on<W: x86_or_not::Load>(
    path: Path,
    x: &[f32],
    lda: usize,
    rows: usize,
    b: &Packed<W>,
    y: &mut [f32],
    ldy: usize,
) {
    // Every tile reads and writes inside these bounds, which the unsafe
    // tiles rely on.
    check_shapes(x, lda, rows, (b.k, b.n), y, ldy);
    if b.k == 0 || rows == 0 {
        return; // nothing to add
    }
    let (x, y) = (Rows::new(x, lda), RowsMut::new(y, ldy));
    match path {
        Path::Portable => blocked::<W, 4>(x, rows, b, y, portable_tile),
        #[cfg(target_arch = "x86_64")]
        other => x86::matmul(other, x, rows, b, y),
    }
}

/// A matrix's rows, `stride` values apart.
#[derive(Clone, Copy)]
struct Rows<'a> {
    data: &'a [f32],
    stride: usize,
}

impl<'a> Rows<'a> {
    fn new(data: &'a [f32], stride: usize) -> Self {
        Rows { data, stride }
    }

    /// `len` values of row `i` from column `j`.
    fn at(&self, i: usize, j: usize, len: usize) -> &'a [f32] {
        &self.data[i * self.stride + j..][..len]
    }
}

/// [`Rows`] to write to.
struct RowsMut<'a> {
    data: &'a mut [f32],
    stride: usize,
}

impl<'a> RowsMut<'a> {
    fn new(data: &'a mut [f32], stride: usize) -> Self {
        RowsMut { data, stride }
    }

    fn at(&mut self, i: usize, j: usize, len: usize) -> &mut [f32] {
        &mut self.data[i * self.stride + j..][..len]
    }
}

thread_local! {
    /// The token rows of one block, repacked for the tiles; kept per thread
    /// so that a product allocates nothing once the thread has run one.
    static ROWS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The loops around the register tile: block of the inner dimension by
/// block, panel by panel, `MR` token rows at a time. Each block of `x` is
/// first repacked so that a tile's rows are interleaved (`kc` steps of `MR`
/// values), which a tile reads as one stream. `tile(a, kc, block, r, c)`
/// adds to rows `..r` of `c` the product of the repacked rows `a` with
/// `block` (`kc` rows of a panel).
fn blocked<W: Weight, const MR: usize>(
    x: Rows<'_>,
    rows: usize,
    b: &Packed<W>,
    mut y: RowsMut<'_>,
    mut tile: impl FnMut(&[f32], usize, &[W], usize, &mut Tile),
) {
    let (k, n) = (b.k, b.n);
    let tiles = rows.div_ceil(MR);
    let mut c: Tile = [[0.0; NR]; MAX_MR];
    ROWS.with_borrow_mut(|a| {
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            a.clear();
            a.resize(tiles * kc * MR, 0.0);
            for (t, dst) in a.chunks_exact_mut(kc * MR).enumerate() {
                for i in 0..MR.min(rows - t * MR) {
                    for (p, &v) in x.at(t * MR + i, p0, kc).iter().enumerate() {
                        dst[p * MR + i] = v;
                    }
                }
            }
            for (jb, panel) in b.data.chunks_exact(k * NR).enumerate() {
                let j0 = jb * NR;
                let width = NR.min(n - j0);
                let block = &panel[p0 * NR..(p0 + kc) * NR];
                for (t, packed) in a.chunks_exact(kc * MR).enumerate() {
                    let m0 = t * MR;
                    let r = MR.min(rows - m0);
                    for (i, row) in c.iter_mut().enumerate().take(r) {
                        copy(&mut row[..width], y.at(m0 + i, j0, width));
                    }
                    tile(packed, kc, block, r, &mut c);
                    for (i, row) in c.iter().enumerate().take(r) {
                        copy(y.at(m0 + i, j0, width), &row[..width]);
                    }
                }
            }
        }
    });
}

/// Copy a tile's row: a whole panel's width in registers (a call to
/// `memcpy` for 128 bytes cost more than the copy), a narrower one as it comes.
#[inline]
fn copy(to: &mut [f32], from: &[f32]) {
    match (
        <&mut [f32; NR]>::try_from(&mut *to),
        <&[f32; NR]>::try_from(from),
    ) {
        (Ok(whole), Ok(from)) => *whole = *from,
        _ => to.copy_from_slice(from),
    }
}

/// The tile in plain Rust (four rows), which the compiler vectorises as it can.
fn portable_tile<W: Weight>(a: &[f32], kc: usize, block: &[W], r: usize, c: &mut Tile) {
    for (i, acc) in c.iter_mut().enumerate().take(r) {
        for (p, w) in block.chunks_exact(NR).enumerate().take(kc) {
            let v = a[p * 4 + i];
            for (s, w) in acc.iter_mut().zip(w) {
                *s += v * w.widen();
            }
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod x86_or_not {
    pub trait Load: super::Weight {}
    impl<W: super::Weight> Load for W {}
}

#[cfg(target_arch = "x86_64")]
use x86 as x86_or_not;

#[cfg(test)]
mod tests;
