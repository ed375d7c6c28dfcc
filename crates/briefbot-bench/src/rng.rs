//! A tiny seeded generator (SplitMix64). Written out rather than taken from
//! `rand` so the corpus a seed produces never changes with a dependency bump:
//! figures from different runs must describe the same text.

#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A generator for a sub-stream (one brief, one question set), so adding
    /// draws in one place does not shift every later draw.
    pub(crate) fn fork(&self, stream: u64) -> Self {
        let mut r = Rng(self.0 ^ stream.wrapping_mul(0xD134_2543_DE82_EF95));
        r.next_u64();
        r
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant at these sizes.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index in `0..n` drawn with a Zipf-like skew (rank r has weight ~1/r),
    /// the way word frequencies fall off in real text.
    pub(crate) fn zipf(&mut self, n: usize) -> usize {
        // Inverse of the continuous CDF ln(1+x)/ln(1+n).
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let x = ((1.0 + n as f64).ln() * u).exp() - 1.0;
        (x as usize).min(n - 1)
    }
}
