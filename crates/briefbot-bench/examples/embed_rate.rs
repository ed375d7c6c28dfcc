//! How fast a cold build embeds a corpus's passages with the shipped model:
//! the bench's synthetic news paragraphs, indexed in memory, every passage
//! run through the model.
//!
//! ```text
//! cargo run --release --example embed_rate -- 1000
//! ```
//!
//! The model is loaded before the clock starts, so the figure is the
//! indexing alone (Tantivy, statistics and the model's forward passes).

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use briefbot_bench::corpus::write_corpus;
use briefbot_engine::{preload_model, Engine, EngineConfig, DEFAULT_MODEL_DIR};

fn main() -> anyhow::Result<()> {
    let passages: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().context("the argument is a number of passages")?,
        None => 1000,
    };
    let briefs = tempfile::tempdir()?;
    let info = write_corpus(briefs.path(), 7, passages)?;
    // The shipped model, at the repository's root.
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(DEFAULT_MODEL_DIR);
    // Held so that the engine reuses this load instead of timing its own.
    let _loaded = preload_model(&model)?;
    let mut cfg = EngineConfig::in_memory(briefs.path());
    cfg.model_dir = Some(model);
    let started = Instant::now();
    let (engine, report) = Engine::open(cfg)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} passages ({} embedded) in {secs:.2} s: {:.1} passages/s on {} threads",
        info.passages,
        report.embedded,
        report.embedded as f64 / secs,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    drop(engine);
    Ok(())
}
