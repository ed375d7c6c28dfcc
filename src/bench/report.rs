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
    /// Whether the semantic layer (`engine.semantic`) was on.
    pub semantic: bool,
    /// The first `Engine::open` on an empty index directory.
    pub cold_build_ms: f64,
    /// Passages the model embedded in that build (the rest came from the
    /// benchmark's vector cache), and its rate when it embedded any.
    pub embedded: usize,
    pub embed_passages_per_s: f64,
    /// `Engine::reindex` after one brief gained a paragraph (synthetic corpora).
    pub rebuild_one_ms: Option<f64>,
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
    /// The targets, each with the measured value and whether it was met.
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    pub what: String,
    pub limit: String,
    pub measured: String,
    pub met: bool,
}

fn target(what: &str, limit: &str, measured: String, met: bool) -> Target {
    Target {
        what: what.into(),
        limit: limit.into(),
        measured,
        met,
    }
}

/// Check the figures against the targets (2-core machine). A corpus that was
/// not measured (`--quick`) yields no line rather than a pass. With the
/// semantic layer on, the targets are the model's: its cost per question
/// and per passage replaces the lexical engine's microseconds.
pub fn targets(r: &Report) -> Vec<Target> {
    if r.brief.semantic {
        return semantic_targets(r);
    }
    let mut out = vec![
        target(
            "brief: p99 answer",
            "< 1 ms",
            fmt_us(r.brief.p99_us),
            r.brief.p99_us < 1000.0,
        ),
        target(
            "brief: answers/s on all cores",
            ">= 2,000",
            fmt_count(r.answers_per_s),
            r.answers_per_s >= 2000.0,
        ),
        target(
            "brief: /reindex",
            "< 100 ms",
            format!("{:.1} ms", r.reindex_brief_ms),
            r.reindex_brief_ms < 100.0,
        ),
        target(
            "brief: peak RSS",
            "< 60 MB",
            format!("{:.0} MB", r.brief.rss_mb),
            r.brief.rss_mb < 60.0,
        ),
        target(
            "brief: start-up with an index",
            "< 200 ms",
            format!("{:.0} ms", r.startup_ms),
            r.startup_ms < 200.0,
        ),
    ];
    for row in std::iter::once(&r.brief).chain(&r.corpora) {
        let ratio = row.ratio_p50.max(row.ratio_p99);
        out.push(target(
            &format!("{}: ask/baseline ratio (p50, p99)", row.name),
            "< 3",
            format!("{:.1}, {:.1}", row.ratio_p50, row.ratio_p99),
            ratio < 3.0,
        ));
    }
    for row in &r.corpora {
        out.push(target(
            &format!("{}: indexing", row.name),
            ">= 20,000 passages/s",
            fmt_count(row.index_passages_per_s),
            row.index_passages_per_s >= 20_000.0,
        ));
    }
    if let Some(big) = r.corpora.iter().find(|c| c.passages >= 100_000) {
        out.push(target(
            "100k: p99 answer",
            "< 10 ms",
            fmt_us(big.p99_us),
            big.p99_us < 10_000.0,
        ));
        out.push(target(
            "100k: peak RSS",
            "< 400 MB",
            format!("{:.0} MB", big.rss_mb),
            big.rss_mb < 400.0,
        ));
        out.push(target(
            "100k: start-up with an index",
            "< 100 ms",
            format!("{:.0} ms", big.startup_ms),
            big.startup_ms < 100.0,
        ));
    }
    if let (Some(idle), Some(busy)) = (r.idle_p99_10k_us, r.rebuild_p99_10k_us) {
        out.push(target(
            "10k: p99 during a rebuild",
            "<= 3x idle p99",
            format!("{} ({:.1}x)", fmt_us(busy), busy / idle),
            busy <= 3.0 * idle,
        ));
    }
    out
}

fn semantic_targets(r: &Report) -> Vec<Target> {
    let mut out = vec![
        target(
            "brief: p99 answer",
            "< 10 ms",
            fmt_us(r.brief.p99_us),
            r.brief.p99_us < 10_000.0,
        ),
        target(
            "brief: answers/s on all cores",
            ">= 200",
            fmt_count(r.answers_per_s),
            r.answers_per_s >= 200.0,
        ),
        target(
            "brief: cold build",
            "< 2 s",
            format!(
                "{:.0} ms ({} passages embedded)",
                r.brief.cold_build_ms, r.brief.embedded
            ),
            r.brief.cold_build_ms < 2000.0,
        ),
        target(
            "brief: peak RSS",
            "< 300 MB",
            format!("{:.0} MB", r.brief.rss_mb),
            r.brief.rss_mb < 300.0,
        ),
        target(
            "brief: start-up with an index",
            "< 1 s",
            format!("{:.0} ms", r.startup_ms),
            r.startup_ms < 1000.0,
        ),
    ];
    if let Some(ms) = r
        .corpora
        .iter()
        .find(|c| c.name == "10k")
        .and_then(|c| c.rebuild_one_ms)
    {
        out.push(target(
            "10k: rebuild after one brief changes",
            "< 3 s",
            format!("{ms:.0} ms"),
            ms < 3000.0,
        ));
    }
    if let Some(big) = r.corpora.iter().find(|c| c.passages >= 100_000) {
        out.push(target(
            "100k: p99 answer",
            "< 30 ms",
            fmt_us(big.p99_us),
            big.p99_us < 30_000.0,
        ));
    }
    out
}

fn fmt_bytes(b: u64) -> String {
    if b >= 1_000_000 {
        format!("{:.1} MB", b as f64 / 1e6)
    } else {
        format!("{:.0} kB", b as f64 / 1e3)
    }
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

fn rows_of(report: &Report) -> impl Iterator<Item = &Row> {
    std::iter::once(&report.brief).chain(&report.corpora)
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
            format!("{:.2}", r.index_mb_per_s),
            format!("{:.0} ms", r.reindex_ms),
            fmt_bytes(r.index_bytes),
            format!("{:.0} MB", r.rss_mb),
            format!("{:.0} MB", r.rss_rebuild_mb),
            format!("{:.0} ms", r.startup_ms),
            format!("{:.0} ms", r.startup_rebuild_ms),
        ];
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    for r in rows_of(report).filter(|r| r.semantic) {
        let rate = if r.embedded > 0 {
            format!("{} passages/s", fmt_count(r.embed_passages_per_s))
        } else {
            "all vectors from the cache".to_string()
        };
        let one = r
            .rebuild_one_ms
            .map(|ms| format!("; rebuild after one brief changes {ms:.0} ms"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}: cold build {:.0} ms, {} passages embedded ({rate}){one}\n",
            r.name, r.cold_build_ms, r.embedded
        ));
    }
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
    out.push_str("\n| target | limit | measured | |\n| --- | --- | --- | --- |\n");
    for t in &report.targets {
        let verdict = if t.met { "met" } else { "**missed**" };
        out.push_str(&format!(
            "| {} | {} | {} | {verdict} |\n",
            t.what, t.limit, t.measured
        ));
    }
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
