//! The benchmarks behind `briefbot bench`: how fast the engine
//! answers compared with plain Tantivy BM25 on the same passages, how fast it
//! indexes, how much memory it holds and how quickly it starts, on the shipped
//! brief and on synthetic corpora of 1k, 10k and 100k passages.
//!
//! The parent process only generates corpora and collects results; each
//! corpus is measured in child processes of the same binary (see
//! [`process`]) so peak memory and start-up are those of a fresh process.
//! The corpora, questions and BM25 baseline come from the `briefbot-bench`
//! crate, which `benches/` shares.

mod answer_path;
pub(crate) mod measure;
pub(crate) mod process;
pub(crate) mod report;
mod stats;
pub(crate) mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use report::{Report, Row};

use briefbot::config::Settings;
use briefbot_bench::corpus;

/// One benchmark run as the parent plans it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub quick: bool,
    pub seed: u64,
    /// Generated corpora and index copies go here (not the bot's own index).
    pub work_dir: PathBuf,
}

impl Plan {
    /// Synthetic corpora to measure besides the brief: (name, passages).
    pub fn corpora(&self) -> Vec<(&'static str, usize)> {
        if self.quick {
            vec![("10k", 10_000)]
        } else {
            vec![("1k", 1_000), ("10k", 10_000), ("100k", 100_000)]
        }
    }

    pub fn effort(&self, name: &str) -> measure::Effort {
        measure::Effort {
            rounds: if self.quick { 3 } else { 7 },
            questions: if self.quick { 240 } else { 400 },
            throughput_for: Duration::from_millis(if self.quick { 1000 } else { 3000 }),
            during_rebuild: name == "10k",
        }
    }
}

/// The whole run: measure the brief and each corpus in child processes.
pub fn run(settings: &Settings, plan: &Plan) -> anyhow::Result<Report> {
    let mut report = Report {
        command: std::iter::once("briefbot".to_string())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" "),
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: machine(),
        load_before: load_average(),
        seed: plan.seed,
        includes_rendering: answer_path::INCLUDES_RENDERING,
        ..Report::default()
    };
    std::fs::create_dir_all(&plan.work_dir)
        .with_context(|| format!("creating {}", plan.work_dir.display()))?;
    let brief_dir = settings.paths.briefs.clone();
    report.brief = measure_corpus(plan, "brief", &brief_dir)?;
    for (name, passages) in plan.corpora() {
        let dir = plan.work_dir.join(name).join("briefs");
        eprintln!("bench: generating {name} ({passages} passages)");
        corpus::write_corpus(&dir, plan.seed, passages)
            .with_context(|| format!("writing the {name} corpus to {}", dir.display()))?;
        report.corpora.push(measure_corpus(plan, name, &dir)?);
    }
    report.answers_per_s = report.brief.answers_per_s;
    report.startup_ms = report.brief.startup_ms;
    report.startup_rebuild_ms = report.brief.startup_rebuild_ms;
    report.reindex_brief_ms = report.brief.reindex_ms;
    if let Some(r) = report.corpora.iter().find(|r| r.rebuild_p99_us.is_some()) {
        report.idle_p99_10k_us = Some(r.p99_us);
        report.rebuild_p99_10k_us = r.rebuild_p99_us;
    }
    report.load_after = load_average();
    report.targets = report::targets(&report);
    Ok(report)
}

fn measure_corpus(plan: &Plan, name: &str, corpus: &Path) -> anyhow::Result<Row> {
    let index = plan.work_dir.join(name).join("index");
    eprintln!("bench: measuring {name}");
    let (line, _) = process::run_child(&[
        "--child",
        "measure",
        "--name",
        name,
        "--corpus",
        &corpus.to_string_lossy(),
        "--index-dir",
        &index.to_string_lossy(),
    ])?;
    let mut row: Row =
        serde_json::from_str(&line).with_context(|| format!("the {name} child said {line:?}"))?;
    eprintln!("bench: start-up and memory for {name}");
    let big = row.passages > 50_000;
    let runs = if plan.quick || big { 3 } else { 5 };
    (row.startup_ms, row.rss_mb) = process::serve_runs(corpus, &index, runs, false)?;
    let runs = if big {
        1
    } else if plan.quick {
        2
    } else {
        3
    };
    (row.startup_rebuild_ms, row.rss_rebuild_mb) = process::serve_runs(corpus, &index, runs, true)?;
    Ok(row)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// "<cpu model>, N cores, M GB RAM, <os>" from /proc.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let kb = s.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
            kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!(
        "{cpu}, {cores} cores, {mem_gb:.0} GB RAM, {}",
        std::env::consts::OS
    )
}
