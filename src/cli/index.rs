use std::time::Instant;

use super::progress;
use briefbot::config::Settings;
use briefbot_engine::{Engine, IndexReport};

/// Rebuild the index now, whatever its state, and report. The words are
/// published first (other processes answer from them at once); the command
/// returns once every passage has its vector too.
pub fn run(settings: &Settings) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut cfg = settings.engine_config();
    cfg.fill_in_background = true;
    let (engine, opened) = Engine::open(cfg)?;
    let mut report = if opened.rebuilt {
        opened
    } else {
        engine.reindex()?
    };
    if report.pending_vectors > 0 {
        super::note(&format!(
            "Words searchable after {} ms; embedding {} passages.",
            started.elapsed().as_millis(),
            report.pending_vectors
        ));
        let bar = progress::Embedding::new(report.pending_vectors);
        let waited = engine.wait_for_vectors(&bar);
        bar.finish();
        report.embedded += waited?;
        report.pending_vectors = 0;
        report.millis = started.elapsed().as_millis();
    }
    super::emit(&report_text(&report))?;
    Ok(())
}

pub fn report_text(r: &IndexReport) -> String {
    let mut out = format!(
        "Indexed {}, {} in {} ms (before: {}, {}).\n",
        count(r.briefs, "brief"),
        count(r.passages, "passage"),
        r.millis,
        count(r.briefs_before, "brief"),
        count(r.passages_before, "passage"),
    );
    for (label, files) in [
        ("added", &r.added),
        ("removed", &r.removed),
        ("changed", &r.changed),
    ] {
        for f in files {
            out.push_str(&format!("  {label}: {}\n", f.display()));
        }
    }
    for p in &r.problems {
        out.push_str(&format!("  problem: {}: {}\n", p.file.display(), p.problem));
    }
    if r.embedded > 0 {
        out.push_str(&format!(
            "  vectors: {} embedded, the others' reused\n",
            count(r.embedded, "passage")
        ));
    }
    out
}

/// "1 brief", "2 briefs".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
