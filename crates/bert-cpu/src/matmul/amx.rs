//! Products in bf16 on AMX tiles (Intel's Advanced Matrix Extensions):
//! one `tdpbf16ps` multiplies 16 token rows by 32 steps of the inner
//! dimension, in bf16, against 32 steps by 16 columns of `B`, and adds the
//! 8,192 products into 16 x 16 sums in f32.
//!
//! Why AMX rather than AVX-512's `vdpbf16ps`: measured on the Xeon this
//! project runs on (one thread, independent sums), f32 FMA reaches 150
//! GFLOP/s, `vdpbf16ps` 77 (it issues at half the FMA's rate, so its two
//! products per lane buy nothing), AMX 2,300. The f32 tile was already at
//! 150 of its 190, so only a wider unit could make the products cheaper.
//!
//! What it costs: both factors are rounded to bf16 (8 bits of mantissa
//! against f16's 11 for the weights and f32's 24 for the token values);
//! the sums stay in f32. The sentence vectors stay within a cosine of
//! 0.99997 of f32's on the eval sets' passages and questions, closer than
//! the index's one-byte codes store them (`BENCHMARKS.md`).
//!
//! Linux lends the tiles' 8 KB of register state to a process only on
//! request (`arch_prctl(ARCH_REQ_XCOMP_PERM)`); without the grant, or on a
//! CPU without AMX, [`available`] says no and the encoder keeps its f32
//! products.

use std::arch::asm;
use std::cell::RefCell;
use std::sync::OnceLock;

use super::{Rows, RowsMut, Weight};

/// Columns of a tile of sums or of `B`; rows of a tile of token values.
const TN: usize = 16;
/// Steps of the inner dimension per tile: 32 bf16 values, 64 bytes a row.
const TK: usize = 32;
/// Bytes of one tile of `B`: `TK / 2` rows of `TN` pairs.
const TILE_BYTES: usize = TK / 2 * TN * 4;

/// Whether this process may use AMX's bf16 tiles: the CPU has them and
/// the kernel granted the process their state. Asked once.
pub(crate) fn available() -> bool {
    static GRANTED: OnceLock<bool> = OnceLock::new();
    #[cfg(test)]
    if DENIED.get() {
        return false;
    }
    *GRANTED.get_or_init(|| cpu_has_amx() && request_tiles())
}

#[cfg(test)]
thread_local! {
    /// Whether this thread acts as if the CPU or the OS said no.
    static DENIED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` as on a machine without AMX, to test the fallback.
#[cfg(test)]
pub(crate) fn without_tiles<T>(f: impl FnOnce() -> T) -> T {
    DENIED.set(true);
    let out = f();
    DENIED.set(false);
    out
}

fn cpu_has_amx() -> bool {
    // std's detection of AMX is not stable yet, so CPUID leaf 7 directly:
    // EDX bit 22 is AMX-BF16, bit 24 AMX-TILE. The row conversions are
    // compiled for AVX-512F.
    let leaf7 = std::arch::x86_64::__cpuid_count(7, 0);
    std::is_x86_feature_detected!("avx512f")
        && std::arch::x86_64::__cpuid(0).eax >= 7
        && leaf7.edx & (1 << 22) != 0
        && leaf7.edx & (1 << 24) != 0
}

#[cfg(target_os = "linux")]
fn request_tiles() -> bool {
    const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
    const XFEATURE_XTILEDATA: libc::c_long = 18;
    // SAFETY: arch_prctl with these arguments only asks for permission;
    // it reads and writes no memory of ours.
    unsafe {
        libc::syscall(
            libc::SYS_arch_prctl,
            ARCH_REQ_XCOMP_PERM,
            XFEATURE_XTILEDATA,
        ) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn request_tiles() -> bool {
    false
}

/// Round to the nearest bf16, ties to even, as `half` does (which also
/// keeps a NaN a NaN, where adding the rounding bias would make it infinite).
#[inline(always)]
pub(super) fn bf16_bits(v: f32) -> u16 {
    half::bf16::from_f32(v).to_bits()
}

/// A `k × n` matrix `B` in bf16 as the tiles read it: panels of 16
/// columns, each `k / 2` rows of 16 pairs (`B[2r][j]`, `B[2r + 1][j]`),
/// `k` padded with zeros to a multiple of 32 and the panels to an even
/// count (a tile of sums is 32 columns wide: two panels).
#[derive(Debug, Clone, Default)]
pub struct Tiles {
    pub(super) k: usize,
    pub(super) n: usize,
    /// `k` padded to a multiple of [`TK`].
    kp: usize,
    data: Vec<u16>,
}

impl Tiles {
    /// `B` given as its transpose: `n` rows of `k`, row `j` at `src[j * stride..]`.
    pub fn fill_from_rows<W: Weight>(&mut self, src: &[W], stride: usize, k: usize, n: usize) {
        self.reshape(k, n);
        let panel = self.kp / 2 * TN * 2;
        for j in 0..n {
            let base = j / TN * panel + j % TN * 2;
            for (p, &v) in src[j * stride..][..k].iter().enumerate() {
                self.data[base + p / 2 * TN * 2 + p % 2] = bf16_bits(v.widen());
            }
        }
    }

    /// `B` given as itself: `k` rows of `n`, row `p` at `src[p * stride..]`.
    pub fn fill_from_cols<W: Weight>(&mut self, src: &[W], stride: usize, k: usize, n: usize) {
        self.reshape(k, n);
        let panel = self.kp / 2 * TN * 2;
        for p in 0..k {
            let base = p / 2 * TN * 2 + p % 2;
            for (j, &v) in src[p * stride..][..n].iter().enumerate() {
                self.data[j / TN * panel + j % TN * 2 + base] = bf16_bits(v.widen());
            }
        }
    }

    fn reshape(&mut self, k: usize, n: usize) {
        self.k = k;
        self.n = n;
        self.kp = k.div_ceil(TK) * TK;
        let panels = n.div_ceil(2 * TN) * 2;
        self.data.clear();
        self.data.resize(panels * self.kp * TN, 0);
    }
}

thread_local! {
    /// The token rows of a product rounded to bf16, padded to whole tiles;
    /// kept per thread so that a product allocates nothing once the
    /// thread has run one.
    static ROWS: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
}

/// The 64-byte tile configuration: palette 1, all eight tiles 16 rows of
/// 64 bytes.
#[repr(C, align(64))]
struct Config([u8; 64]);

impl Config {
    fn full() -> Config {
        let mut c = [0u8; 64];
        c[0] = 1;
        for t in 0..8 {
            c[16 + 2 * t] = 64;
            c[48 + t] = TN as u8;
        }
        Config(c)
    }
}

/// `y += x · b` for `rows` rows; the caller checked the shapes, and
/// [`available`] said yes.
pub(super) fn matmul(x: Rows<'_>, rows: usize, b: &Tiles, mut y: RowsMut<'_>) {
    debug_assert!(available());
    let kp = b.kp;
    let blocks = rows.div_ceil(TN);
    ROWS.with_borrow_mut(|a| {
        a.clear();
        a.resize(blocks * TN * kp, 0);
        for (i, dst) in a.chunks_exact_mut(kp).take(rows).enumerate() {
            // SAFETY: `available` checked AVX-512F.
            unsafe { round_row(x.at(i, 0, b.k), &mut dst[..b.k]) };
        }
        let config = Config::full();
        let mut sums = [[0f32; 2 * TN]; 2 * TN];
        // SAFETY: the process holds the tiles' state (`available`); the
        // configuration is 64 bytes, aligned.
        unsafe { asm!("ldtilecfg [{}]", in(reg) config.0.as_ptr(), options(nostack, readonly)) };
        let panel = kp / 2 * TN * 2;
        for (jb, pair) in b.data.chunks_exact(2 * panel).enumerate() {
            let j0 = jb * 2 * TN;
            let width = (2 * TN).min(b.n - j0);
            for m0 in (0..rows).step_by(2 * TN) {
                let r = (2 * TN).min(rows - m0);
                // SAFETY: rows m0..m0 + 32 (or 16 when r <= 16) of `a` exist
                // (padded to whole tiles), each kp values; each panel holds
                // kp / 32 tiles; `sums` holds 32 rows of 32.
                unsafe {
                    let (a, steps) = (a.as_ptr().add(m0 * kp), kp / TK);
                    let (b0, b1) = (pair.as_ptr(), pair.as_ptr().add(panel));
                    if r > TN {
                        tiles_2x2(a, kp * 2, b0, b1, steps, sums.as_mut_ptr().cast());
                    } else {
                        tiles_1x2(a, kp * 2, b0, b1, steps, sums.as_mut_ptr().cast());
                    }
                }
                for (i, row) in sums.iter().enumerate().take(r) {
                    for (v, s) in y.at(m0 + i, j0, width).iter_mut().zip(row) {
                        *v += s;
                    }
                }
            }
        }
        // SAFETY: gives the tiles' state back (the next product loads its
        // configuration again).
        unsafe { asm!("tilerelease", options(nostack, nomem)) };
    });
}

/// A row of f32 rounded to bf16.
///
/// # Safety
/// AVX-512F (the loop vectorises for it).
#[target_feature(enable = "avx512f")]
unsafe fn round_row(from: &[f32], to: &mut [u16]) {
    for (t, &f) in to.iter_mut().zip(from) {
        *t = bf16_bits(f);
    }
}

/// 32 token rows by 32 columns: four tiles of sums, two of token values
/// and two of `B` per 32 steps of the inner dimension. The sums go to `c`
/// (32 rows of 32 f32).
///
/// # Safety
/// The tiles are configured; `a` holds 32 rows `lda` bytes apart of
/// `steps * 32` bf16 values, `b0` and `b1` `steps` tiles of `B` each.
unsafe fn tiles_2x2(
    a: *const u16,
    lda: usize,
    b0: *const u16,
    b1: *const u16,
    steps: usize,
    c: *mut f32,
) {
    // SAFETY: as the caller's.
    unsafe {
        asm!(
            "tilezero tmm0",
            "tilezero tmm1",
            "tilezero tmm2",
            "tilezero tmm3",
            "2:",
            "tileloadd tmm4, [{a} + {lda} * 1]",
            "tileloadd tmm5, [{a2} + {lda} * 1]",
            "tileloadd tmm6, [{b0} + {ldb} * 1]",
            "tileloadd tmm7, [{b1} + {ldb} * 1]",
            "tdpbf16ps tmm0, tmm4, tmm6",
            "tdpbf16ps tmm1, tmm4, tmm7",
            "tdpbf16ps tmm2, tmm5, tmm6",
            "tdpbf16ps tmm3, tmm5, tmm7",
            "add {a}, 64",
            "add {a2}, 64",
            "add {b0}, {tile}",
            "add {b1}, {tile}",
            "dec {steps}",
            "jnz 2b",
            "mov {ldb}, 128",
            "tilestored [{c} + {ldb} * 1], tmm0",
            "tilestored [{c} + {ldb} * 1 + 64], tmm1",
            "add {c}, 2048",
            "tilestored [{c} + {ldb} * 1], tmm2",
            "tilestored [{c} + {ldb} * 1 + 64], tmm3",
            a = inout(reg) a => _,
            a2 = inout(reg) a.byte_add(TN * lda) => _,
            lda = in(reg) lda,
            b0 = inout(reg) b0 => _,
            b1 = inout(reg) b1 => _,
            ldb = inout(reg) 64usize => _,
            tile = const TILE_BYTES,
            steps = inout(reg) steps => _,
            c = inout(reg) c => _,
            out("tmm0") _, out("tmm1") _, out("tmm2") _, out("tmm3") _,
            out("tmm4") _, out("tmm5") _, out("tmm6") _, out("tmm7") _,
            options(nostack),
        );
    }
}

/// [`tiles_2x2`] for 16 token rows: two tiles of sums (the first 16 rows of `c`).
///
/// # Safety
/// As [`tiles_2x2`], with 16 rows of `a`.
unsafe fn tiles_1x2(
    a: *const u16,
    lda: usize,
    b0: *const u16,
    b1: *const u16,
    steps: usize,
    c: *mut f32,
) {
    // SAFETY: as the caller's.
    unsafe {
        asm!(
            "tilezero tmm0",
            "tilezero tmm1",
            "2:",
            "tileloadd tmm4, [{a} + {lda} * 1]",
            "tileloadd tmm6, [{b0} + {ldb} * 1]",
            "tileloadd tmm7, [{b1} + {ldb} * 1]",
            "tdpbf16ps tmm0, tmm4, tmm6",
            "tdpbf16ps tmm1, tmm4, tmm7",
            "add {a}, 64",
            "add {b0}, {tile}",
            "add {b1}, {tile}",
            "dec {steps}",
            "jnz 2b",
            "mov {ldb}, 128",
            "tilestored [{c} + {ldb} * 1], tmm0",
            "tilestored [{c} + {ldb} * 1 + 64], tmm1",
            a = inout(reg) a => _,
            lda = in(reg) lda,
            b0 = inout(reg) b0 => _,
            b1 = inout(reg) b1 => _,
            ldb = inout(reg) 64usize => _,
            tile = const TILE_BYTES,
            steps = inout(reg) steps => _,
            c = inout(reg) c => _,
            out("tmm0") _, out("tmm1") _, out("tmm4") _, out("tmm6") _, out("tmm7") _,
            options(nostack),
        );
    }
}
