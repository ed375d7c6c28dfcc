//! Child processes: each corpus is measured in a fresh process of this same
//! binary, so one corpus's peak memory never shows in another's, and start-up
//! is timed from a real process start.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use briefbot_bench::questions::{question_mix, read_passages};
use briefbot_engine::{Engine, EngineConfig};

use super::answer_path::answer;

/// The line a serving child prints once the engine can answer.
pub const READY: &str = "ready";

/// What a serving child reports after answering the mix.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ServeReport {
    pub rss_mb: f64,
    pub rebuilt: bool,
}

/// Peak resident set (VmHWM) of this process in MB, from /proc.
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The serving child: what `briefbot serve` holds in memory, nothing more.
/// Opens the engine, says it is ready, answers the mix once so the index
/// pages a server would touch are resident, then reports its peak RSS.
pub fn serve_child(cfg: EngineConfig, seed: u64, questions: usize) -> anyhow::Result<()> {
    use std::io::Write;
    let briefs_dir = cfg.briefs_dir.clone();
    let (engine, report) = Engine::open(cfg).context("opening the engine")?;
    println!("{READY}");
    std::io::stdout().flush()?;
    let (passages, _, _) = read_passages(&briefs_dir)?;
    let mix = question_mix(seed, &passages, questions);
    drop(passages);
    for q in &mix {
        std::hint::black_box(answer(&engine, &q.text)?);
    }
    let out = ServeReport {
        rss_mb: peak_rss_mb(),
        rebuilt: report.rebuilt,
    };
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

/// For a profiler (`perf record -g briefbot bench --child profile --corpus DIR
/// --index-dir DIR`): open the engine, then answer the mix for ten seconds so
/// the answer path dominates the samples.
pub fn profile_child(cfg: EngineConfig, seed: u64, questions: usize) -> anyhow::Result<()> {
    let briefs_dir = cfg.briefs_dir.clone();
    let (engine, _) = Engine::open(cfg).context("opening the engine")?;
    let (passages, _, _) = read_passages(&briefs_dir)?;
    let mix = question_mix(seed, &passages, questions);
    let start = Instant::now();
    let mut answered = 0usize;
    while start.elapsed().as_secs() < 10 {
        for q in &mix {
            std::hint::black_box(answer(&engine, &q.text)?);
        }
        answered += mix.len();
    }
    let per_s = answered as f64 / start.elapsed().as_secs_f64();
    eprintln!("profile: {answered} answers, {per_s:.0}/s on one thread");
    Ok(())
}

/// Run this binary again with the original arguments plus `extra`; the last
/// stdout line is the child's JSON result. Also returns the time from spawn
/// to the child's `ready` line, if it printed one.
pub fn run_child(extra: &[&str]) -> anyhow::Result<(String, Option<f64>)> {
    let exe = std::env::current_exe().context("finding this executable")?;
    let start = Instant::now();
    let mut child = Command::new(&exe)
        .args(std::env::args_os().skip(1))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let stdout = child.stdout.take().context("child stdout")?;
    let (mut ready_ms, mut last) = (None, String::new());
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if line == READY && ready_ms.is_none() {
            ready_ms = Some(start.elapsed().as_secs_f64() * 1e3);
        } else if !line.trim().is_empty() {
            last = line;
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("benchmark child {extra:?} failed ({status})");
    }
    Ok((last, ready_ms))
}

/// Start a serving child `runs` times; median start-up ms and peak RSS MB.
/// With `fresh_index` every run starts from an empty index directory.
pub fn serve_runs(
    corpus: &Path,
    index: &Path,
    runs: usize,
    fresh_index: bool,
) -> anyhow::Result<(f64, f64)> {
    let (mut ms, mut rss) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        if fresh_index {
            let _ = std::fs::remove_dir_all(index);
        }
        let (line, ready) = run_child(&[
            "--child",
            "serve",
            "--corpus",
            &corpus.to_string_lossy(),
            "--index-dir",
            &index.to_string_lossy(),
        ])?;
        let report: ServeReport =
            serde_json::from_str(&line).with_context(|| format!("child said {line:?}"))?;
        if report.rebuilt != fresh_index {
            bail!(
                "start-up {} a rebuild but {}",
                if fresh_index {
                    "needed"
                } else {
                    "should not need"
                },
                if report.rebuilt { "rebuilt" } else { "did not" }
            );
        }
        ms.push(ready.context("the child never said it was ready")?);
        rss.push(report.rss_mb);
    }
    Ok((super::stats::median(&ms), super::stats::median(&rss)))
}
