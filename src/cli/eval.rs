use std::path::PathBuf;

use anyhow::Context;

use crate::config::Settings;
use crate::engine::eval::{self, QuestionSet};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Question set (JSON: {"questions": [{"q", "expect": [...]}]}).
    pub file: PathBuf,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &Settings, args: Args) -> anyhow::Result<()> {
    let set = QuestionSet::load(&args.file)?;
    let engine = super::open_engine(settings)
        .with_context(|| format!("opening briefs in {}", settings.paths.briefs.display()))?;
    let report = eval::run(&engine, &set);
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        return Ok(());
    }
    for r in &report.results {
        let verdict = if r.passed { "PASS" } else { "FAIL" };
        let top = if r.answered {
            r.top.first().map(|t| clip(t, 90)).unwrap_or_default()
        } else {
            "(declined)".to_string()
        };
        super::emit(&format!("{verdict}  {}\n      → {top}\n", r.q))?;
    }
    let s = &report.summary;
    super::emit(&format!(
        "\n{} questions ({} in scope, {} out of scope)\nP@1 {:.3}   MRR@5 {:.3}   declines correct {}/{}   false declines {}\n",
        s.questions, s.in_scope, s.out_of_scope, s.p_at_1, s.mrr_at_5, s.declines_correct, s.out_of_scope, s.false_declines
    ))?;
    Ok(())
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
