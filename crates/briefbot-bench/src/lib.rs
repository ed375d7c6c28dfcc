//! What briefbot's benchmarks run on, apart from briefbot itself: seeded
//! synthetic briefs at any scale ([`corpus`]), the question mix members would
//! type ([`questions`]), and the yardstick the engine is compared with, plain
//! Tantivy BM25 over the same passages ([`baseline`]).
//!
//! It depends on the engine alone. Measuring briefbot — child processes, the
//! Discord reply, the store — is the `briefbot bench` subcommand's
//! (`src/bench/` in the binary); `benches/` runs Criterion on both.

#![warn(unreachable_pub)]

pub mod baseline;
pub mod corpus;
pub mod questions;
mod rng;
mod words;

use std::path::{Path, PathBuf};

use briefbot_engine::EngineConfig;

/// The seed every published figure uses; change it only with the figures.
pub const DEFAULT_SEED: u64 = 20_250_424;

/// Passages per result page, as the bot asks by default (`discord.pages`).
pub const TOP: usize = 5;

/// `base` (the engine as `briefbot serve` would configure it) over another
/// corpus and index. With the semantic layer on, passage vectors are reused
/// across runs from [`vector_cache`] (embedding 100k passages takes many
/// minutes), except for the timed cold build of the brief, which always
/// embeds.
pub fn engine_config(base: EngineConfig, corpus: &Path, index: &Path) -> EngineConfig {
    let mut cfg = base;
    cfg.briefs_dir = corpus.to_path_buf();
    cfg.index_dir = Some(index.to_path_buf());
    cfg.tenant_briefs_dir = None;
    if cfg.model_dir.is_some() {
        cfg.vector_cache = Some(vector_cache(index));
    }
    cfg
}

/// Where the passage vectors of the corpus indexed at `index` are kept
/// between benchmark runs: beside the index, which each run wipes.
pub fn vector_cache(index: &Path) -> PathBuf {
    index.with_extension("vectors.bin")
}
