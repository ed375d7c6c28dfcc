//! Which products a matrix is packed for: f32 panels (`Packed`) or, in
//! bf16, AMX tiles (`amx::Tiles`).

#[cfg(target_arch = "x86_64")]
use super::amx;
use super::{Packed, Weight};

/// How the encoder's matrix products round their factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// f32 products (the weights widened from their f16), on AVX-512, AVX2
    /// or a portable loop: the model's values to about 1e-6.
    F32,
    /// Factors rounded to bf16 and summed in f32, on AMX tiles: a passage
    /// in a third of the CPU time, sentence vectors within a cosine of
    /// 0.9999 of f32's. Only where [`Precision::available`] says so.
    Bf16,
}

impl Precision {
    /// The fastest precision this process can compute in.
    pub fn fastest() -> Precision {
        if Precision::Bf16.available() {
            Precision::Bf16
        } else {
            Precision::F32
        }
    }

    /// Whether this CPU, and the operating system for this process, run
    /// products in this precision (f32 runs everywhere).
    pub fn available(self) -> bool {
        match self {
            Precision::F32 => true,
            #[cfg(target_arch = "x86_64")]
            Precision::Bf16 => amx::available(),
            #[cfg(not(target_arch = "x86_64"))]
            Precision::Bf16 => false,
        }
    }
}

/// A matrix `B` packed for the products of one precision: a linear
/// layer's weights, or an attention head's keys or values.
#[derive(Debug, Clone)]
pub enum Matrix<W> {
    Panels(Packed<W>),
    #[cfg(target_arch = "x86_64")]
    Tiles(amx::Tiles),
}

impl<W: Weight> Matrix<W> {
    /// An empty matrix for `precision`, to be filled; bf16 where it is not
    /// [available](Precision::available) falls back to f32.
    pub fn new(precision: Precision) -> Matrix<W> {
        match precision {
            #[cfg(target_arch = "x86_64")]
            Precision::Bf16 if precision.available() => Matrix::Tiles(amx::Tiles::default()),
            _ => Matrix::Panels(Packed {
                k: 0,
                n: 0,
                data: Vec::new(),
            }),
        }
    }

    /// `B` given as its transpose, as [`Packed::from_rows`].
    pub fn from_rows(
        precision: Precision,
        src: &[W],
        stride: usize,
        k: usize,
        n: usize,
    ) -> Matrix<W> {
        let mut b = Matrix::new(precision);
        b.fill_from_rows(src, stride, k, n);
        b
    }

    /// As [`Packed::fill_from_rows`], into this matrix's memory.
    pub fn fill_from_rows(&mut self, src: &[W], stride: usize, k: usize, n: usize) {
        match self {
            Matrix::Panels(b) => b.fill_from_rows(src, stride, k, n),
            #[cfg(target_arch = "x86_64")]
            Matrix::Tiles(b) => b.fill_from_rows(src, stride, k, n),
        }
    }

    /// As [`Packed::fill_from_cols`], into this matrix's memory.
    pub fn fill_from_cols(&mut self, src: &[W], stride: usize, k: usize, n: usize) {
        match self {
            Matrix::Panels(b) => b.fill_from_cols(src, stride, k, n),
            #[cfg(target_arch = "x86_64")]
            Matrix::Tiles(b) => b.fill_from_cols(src, stride, k, n),
        }
    }

    pub(super) fn shape(&self) -> (usize, usize) {
        match self {
            Matrix::Panels(b) => (b.k, b.n),
            #[cfg(target_arch = "x86_64")]
            Matrix::Tiles(b) => (b.k, b.n),
        }
    }
}
