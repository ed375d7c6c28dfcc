//! The measurements made inside one child process per corpus: indexing,
//! latency of the engine and of the BM25 baseline on the same questions,
//! throughput on all cores, re-indexing, and latency during a rebuild.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use briefbot_bench::baseline::Baseline;
use briefbot_bench::questions::{question_mix, read_passages, BenchQuestion};
use briefbot_bench::TOP;
use briefbot_engine::{Engine, EngineConfig, EngineError};

use super::answer_path::answer;
use super::report::Row;
use super::stats::{median, micros, percentile, Latency};

/// How hard to measure: `quick` trades stability for a run under a minute.
#[derive(Debug, Clone, Copy)]
pub struct Effort {
    pub rounds: usize,
    pub questions: usize,
    pub throughput_for: Duration,
    pub during_rebuild: bool,
}

/// Bytes under `dir`, recursively (the index's size on disk).
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Measure one corpus. `cfg.index_dir` must be set; it is wiped first so the
/// first open is a full build.
pub fn measure(name: &str, cfg: EngineConfig, seed: u64, effort: Effort) -> anyhow::Result<Row> {
    let index_dir = cfg
        .index_dir
        .clone()
        .context("an index directory is needed")?;
    let _ = std::fs::remove_dir_all(&index_dir);
    let (passages, files, bytes) = read_passages(&cfg.briefs_dir)?;
    let mut row = Row {
        name: name.to_string(),
        passages: passages.len(),
        files,
        bytes,
        ..Row::default()
    };

    row.semantic = cfg.model_dir.is_some();
    let cache = cfg.vector_cache.clone();
    let mut cold = cfg;
    if name == "brief" {
        // The brief's cold build is a target: always embed it from scratch.
        cold.vector_cache = None;
    }
    let briefs_dir = cold.briefs_dir.clone();
    let start = Instant::now();
    let (engine, report) = Engine::open(cold).context("opening the engine")?;
    let cold_s = start.elapsed().as_secs_f64();
    let mut build_ms = vec![cold_s * 1e3];
    row.cold_build_ms = cold_s * 1e3;
    row.embedded = report.embedded;
    if report.embedded > 0 {
        row.embed_passages_per_s = report.embedded as f64 / cold_s;
    }
    if let Some(cache) = &cache {
        save_vector_cache(&index_dir, cache);
    }
    if !report.problems.is_empty() {
        eprintln!(
            "  {name}: {} file(s) with problems, first: {:?}",
            report.problems.len(),
            report.problems[0]
        );
    }
    row.passages = report.passages;
    let reindexes = if passages.len() > 50_000 { 1 } else { 3 };
    let mut reindex_ms = Vec::new();
    for _ in 0..reindexes {
        let t = Instant::now();
        engine.reindex().context("re-indexing")?;
        reindex_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    build_ms.extend(&reindex_ms);
    if name != "brief" {
        row.rebuild_one_ms = Some(rebuild_after_one_change(&engine, &briefs_dir)?);
    }
    row.index_ms = median(&build_ms);
    row.reindex_ms = median(&reindex_ms);
    row.index_passages_per_s = row.passages as f64 / (row.index_ms / 1e3);
    row.index_mb_per_s = bytes as f64 / 1e6 / (row.index_ms / 1e3);
    row.index_bytes = dir_size(&index_dir);

    let base_dir = index_dir.with_extension("baseline");
    let t = Instant::now();
    let baseline = Baseline::build(&base_dir, &passages, TOP).context("building the baseline")?;
    row.baseline_index_passages_per_s = passages.len() as f64 / t.elapsed().as_secs_f64();

    let questions = question_mix(seed, &passages, effort.questions);
    row.questions = questions.len();
    quality(&engine, &questions, &passages, &mut row)?;
    latency(&engine, &baseline, &questions, effort.rounds, &mut row);
    row.answers_per_s = throughput(&engine, &questions, effort.throughput_for);
    if effort.during_rebuild {
        row.rebuild_p99_us = Some(p99_during_rebuild(&engine, &questions)?);
    }
    drop(baseline);
    let _ = std::fs::remove_dir_all(&base_dir);
    Ok(row)
}

/// Keep the vectors of the newest generation under `index` for the next run.
fn save_vector_cache(index: &Path, cache: &Path) {
    let newest = std::fs::read_dir(index)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some((name.strip_prefix("gen-")?.parse::<u64>().ok()?, e.path()))
        })
        .max();
    if let Some((_, dir)) = newest {
        let from = dir.join(briefbot_engine::VECTORS_FILE);
        if from.is_file() {
            if let Err(e) = std::fs::copy(&from, cache) {
                eprintln!("  cannot keep passage vectors in {}: {e}", cache.display());
            }
        }
    }
}

/// Time a rebuild after one brief gained a paragraph (what a moderator's
/// edit costs), then put the brief back as it was.
fn rebuild_after_one_change(engine: &Engine, dir: &Path) -> anyhow::Result<f64> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let file = files.first().context("no brief to change")?;
    let original = std::fs::read_to_string(file)?;
    let changed = format!(
        "{original}\nA paragraph added to time the rebuild after one brief changes, \
         as when a moderator corrects a figure.\n"
    );
    std::fs::write(file, changed)?;
    let t = Instant::now();
    let result = engine.reindex();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    std::fs::write(file, original)?;
    result.context("re-indexing after one brief changed")?;
    engine.reindex().context("re-indexing the restored brief")?;
    Ok(ms)
}

/// Not a target, but it shows the mix is a fair workload: most in-scope
/// questions answered, out-of-scope ones mostly declined.
fn quality(
    engine: &Engine,
    questions: &[BenchQuestion],
    passages: &[String],
    row: &mut Row,
) -> Result<(), EngineError> {
    let (mut in_scope, mut answered, mut top1, mut out, mut declined) = (0, 0, 0, 0, 0);
    for q in questions {
        let (a, _) = answer(engine, &q.text)?;
        match q.source {
            Some(src) => {
                in_scope += 1;
                answered += a.answered as usize;
                let hit = a.hits.first().map(|h| h.passage.text.trim());
                top1 += (a.answered && hit == Some(passages[src].as_str())) as usize;
            }
            None => {
                out += 1;
                declined += !a.answered as usize;
            }
        }
    }
    let share = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    row.answered_in_scope = share(answered, in_scope);
    row.top1_source = share(top1, in_scope);
    row.declined_out_of_scope = share(declined, out);
    Ok(())
}

/// Engine and baseline timed question by question, interleaved, so both see
/// the same machine; the figures are medians over `rounds` passes.
fn latency(
    engine: &Engine,
    baseline: &Baseline,
    qs: &[BenchQuestion],
    rounds: usize,
    row: &mut Row,
) {
    let searcher = baseline.searcher();
    for q in qs {
        let _ = black_box(answer(engine, &q.text));
        black_box(baseline.search(&searcher, &q.text));
    }
    let (mut ask_runs, mut base_runs) = (Vec::new(), Vec::new());
    for _ in 0..rounds.max(1) {
        let (mut ask, mut base) = (Vec::with_capacity(qs.len()), Vec::with_capacity(qs.len()));
        for q in qs {
            let t = Instant::now();
            let _ = black_box(answer(engine, black_box(&q.text)));
            ask.push(micros(t.elapsed()));
            let t = Instant::now();
            black_box(baseline.search(&searcher, black_box(&q.text)));
            base.push(micros(t.elapsed()));
        }
        ask_runs.push(Latency::of(&ask));
        base_runs.push(Latency::of(&base));
    }
    let (a, b) = (
        Latency::median_of(&ask_runs),
        Latency::median_of(&base_runs),
    );
    (row.p50_us, row.p99_us, row.max_us) = (a.p50, a.p99, a.max);
    (
        row.baseline_p50_us,
        row.baseline_p99_us,
        row.baseline_max_us,
    ) = (b.p50, b.p99, b.max);
    row.ratio_p50 = a.p50 / b.p50;
    row.ratio_p99 = a.p99 / b.p99;
}

/// One asking thread per core for `how_long`, sharing one engine as the bot does.
pub fn throughput(engine: &Engine, qs: &[BenchQuestion], how_long: Duration) -> f64 {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let done = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let done = &done;
            s.spawn(move || {
                let mut n = 0u64;
                let mut i = t * qs.len() / threads;
                while start.elapsed() < how_long {
                    let _ = black_box(answer(engine, &qs[i % qs.len()].text));
                    i += 1;
                    n += 1;
                }
                done.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// p99 of answers asked only while a rebuild is in progress: rebuilds run back
/// to back until 1,000 answers were timed during them (or a minute passed).
fn p99_during_rebuild(engine: &Engine, qs: &[BenchQuestion]) -> anyhow::Result<f64> {
    let rebuilding = AtomicBool::new(false);
    let stop = AtomicBool::new(false);
    let mut samples = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let result = std::thread::scope(|s| {
        let worker = s.spawn(|| -> anyhow::Result<usize> {
            let mut rebuilds = 0;
            while !stop.load(Ordering::Relaxed) {
                rebuilding.store(true, Ordering::SeqCst);
                let r = engine.reindex();
                rebuilding.store(false, Ordering::SeqCst);
                r.context("re-indexing during the latency run")?;
                rebuilds += 1;
            }
            Ok(rebuilds)
        });
        let mut i = 0;
        while !worker.is_finished() && Instant::now() < deadline {
            let q = &qs[i % qs.len()].text;
            i += 1;
            let before = rebuilding.load(Ordering::SeqCst);
            let t = Instant::now();
            let _ = black_box(answer(engine, q));
            let us = micros(t.elapsed());
            if before && rebuilding.load(Ordering::SeqCst) {
                samples.push(us);
            }
            if samples.len() >= 1000 && i % 50 == 0 && !stop.load(Ordering::Relaxed) {
                stop.store(true, Ordering::Relaxed);
            }
        }
        stop.store(true, Ordering::Relaxed);
        worker
            .join()
            .map_err(|_| anyhow::anyhow!("the rebuild thread panicked"))?
    });
    result?;
    Ok(percentile(&samples, 99.0))
}
