//! What a benchmark run reports: one row per corpus, as a table for people and
//! as JSON for scripts (`briefbot bench --json`; field names are a contract).

use serde::{Deserialize, Serialize};

/// Everything measured for one corpus (the shipped brief or a synthetic one).
/// Latencies are medians over several runs of the question mix.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub passages: usize,
    pub files: usize,
    pub bytes: u64,
    pub questions: usize,
    /// `Engine::ask_with` (the full answer path).
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    /// Plain Tantivy BM25 (`QueryParser` lenient + `TopDocs`) on the same passages.
    pub baseline_p50_us: f64,
    pub baseline_p99_us: f64,
    pub baseline_max_us: f64,
    pub ratio_p50: f64,
    pub ratio_p99: f64,
    /// Answers per second with one asking thread per core.
    pub answers_per_s: f64,
    pub index_ms: f64,
    pub index_passages_per_s: f64,
    pub index_mb_per_s: f64,
    pub baseline_index_passages_per_s: f64,
    /// `Engine::reindex` of this corpus (median).
    pub reindex_ms: f64,
    pub index_bytes: u64,
    /// Share of in-scope questions answered, and of those whose top passage is
    /// the one the question was built from; share of out-of-scope declined.
    pub answered_in_scope: f64,
    pub top1_source: f64,
    pub declined_out_of_scope: f64,
    /// p99 of answers while a rebuild of this corpus runs (10k corpus only).
    pub rebuild_p99_us: Option<f64>,
    /// Peak RSS (VmHWM) of a process that opens the engine on an existing
    /// index and answers the mix: what `briefbot serve` holds.
    pub rss_mb: f64,
    /// Peak RSS of a process that starts with a rebuild.
    pub rss_rebuild_mb: f64,
    /// Process start to ready to answer, with an up-to-date index / with a rebuild.
    pub startup_ms: f64,
    pub startup_rebuild_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub command: String,
    pub date: String,
    pub machine: String,
    /// 1-minute load average before and after the run: above ~0.5 the
    /// machine was shared and tails are pessimistic.
    pub load_before: f64,
    pub load_after: f64,
    pub seed: u64,
    /// Whether the measured path includes rendering the Discord reply.
    pub includes_rendering: bool,
    pub brief: Row,
    pub corpora: Vec<Row>,
    /// On the brief, all cores busy.
    pub answers_per_s: f64,
    /// On the brief, existing index.
    pub startup_ms: f64,
    pub startup_rebuild_ms: f64,
    pub reindex_brief_ms: f64,
    pub idle_p99_10k_us: Option<f64>,
    pub rebuild_p99_10k_us: Option<f64>,
}

fn fmt_us(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn fmt_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.0}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// A Markdown table (readable in a terminal and pasteable into BENCHMARKS.md).
pub fn table(report: &Report) -> String {
    let rows: Vec<&Row> = std::iter::once(&report.brief)
        .chain(&report.corpora)
        .collect();
    let mut out = String::new();
    let header = [
        "corpus",
        "passages",
        "ask p50",
        "ask p99",
        "ask max",
        "bm25 p50",
        "bm25 p99",
        "ratio p50",
        "ratio p99",
        "answers/s",
        "index p/s",
        "index MB/s",
        "reindex",
        "index size",
        "RSS",
        "RSS rebuild",
        "start",
        "start+rebuild",
    ];
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
    for r in rows {
        let cells = [
            r.name.clone(),
            r.passages.to_string(),
            fmt_us(r.p50_us),
            fmt_us(r.p99_us),
            fmt_us(r.max_us),
            fmt_us(r.baseline_p50_us),
            fmt_us(r.baseline_p99_us),
            format!("{:.1}", r.ratio_p50),
            format!("{:.1}", r.ratio_p99),
            fmt_count(r.answers_per_s),
            fmt_count(r.index_passages_per_s),
            format!("{:.1}", r.index_mb_per_s),
            format!("{:.0} ms", r.reindex_ms),
            format!("{:.1} MB", r.index_bytes as f64 / 1e6),
            format!("{:.0} MB", r.rss_mb),
            format!("{:.0} MB", r.rss_rebuild_mb),
            format!("{:.0} ms", r.startup_ms),
            format!("{:.0} ms", r.startup_rebuild_ms),
        ];
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    if let (Some(idle), Some(busy)) = (report.idle_p99_10k_us, report.rebuild_p99_10k_us) {
        out.push_str(&format!(
            "p99 while the 10k corpus rebuilds: {} (idle {}, {:.1}x)\n",
            fmt_us(busy),
            fmt_us(idle),
            busy / idle
        ));
    }
    out.push_str("answer quality on the mix (answered in scope / top-1 is the source / declined out of scope):");
    for r in std::iter::once(&report.brief).chain(&report.corpora) {
        out.push_str(&format!(
            " {} {:.0}%/{:.0}%/{:.0}%;",
            r.name,
            r.answered_in_scope * 100.0,
            r.top1_source * 100.0,
            r.declined_out_of_scope * 100.0
        ));
    }
    out.pop();
    out.push('\n');
    out.push_str(&format!(
        "{}; load {:.2} before, {:.2} after; seed {}; ask path {} rendering\n",
        report.machine,
        report.load_before,
        report.load_after,
        report.seed,
        if report.includes_rendering {
            "includes"
        } else {
            "excludes"
        }
    ));
    out
}
