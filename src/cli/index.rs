use briefbot::config::Settings;
use briefbot_engine::{Engine, IndexReport};

/// Rebuild the index now, whatever its state, and report.
pub fn run(settings: &Settings) -> anyhow::Result<()> {
    let (engine, opened) = Engine::open(settings.engine_config())?;
    let report = if opened.rebuilt {
        opened
    } else {
        engine.reindex()?
    };
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
