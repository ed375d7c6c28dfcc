//! `briefbot eval`: score the engine on one question set against the
//! configured briefs, or on a folder of documents each indexed on its own,
//! and optionally fail when the figures fall below floors (CI's quality gates).

mod suite;

use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use briefbot::config::Settings;
use briefbot_engine::eval::{self, QuestionSet};
use briefbot_engine::Verdict;
use suite::{Floors, Totals};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A question set (JSON: {"questions": [{"q", "expect": [...]}]}) asked of
    /// the configured briefs, or a folder of `<doc>/briefs` + `<doc>/questions.json`.
    pub path: PathBuf,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
    /// With a folder: also ask each document N questions of the next one,
    /// which it should decline.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub foreign: usize,
    /// Fail when top-passage accuracy (declines count as misses) is below this.
    #[arg(long, value_name = "SHARE")]
    pub min_p1: Option<f64>,
    /// Fail when more than this share of answerable questions is declined.
    #[arg(long, value_name = "SHARE")]
    pub max_false_declines: Option<f64>,
    /// Fail when less than this share of foreign questions is declined.
    #[arg(long, value_name = "SHARE")]
    pub min_foreign_declined: Option<f64>,
    /// Fail when less than this share of out-of-scope questions is declined.
    #[arg(long, value_name = "SHARE")]
    pub min_out_of_scope_declined: Option<f64>,
}

impl Args {
    fn floors(&self) -> Floors {
        Floors {
            min_p_at_1: self.min_p1,
            max_false_declines: self.max_false_declines,
            min_foreign_declined: self.min_foreign_declined,
            min_out_of_scope_declined: self.min_out_of_scope_declined,
        }
    }
}

pub fn run(settings: &Settings, args: Args) -> anyhow::Result<()> {
    let totals = if args.path.is_dir() {
        run_suite(settings, &args)?
    } else {
        anyhow::ensure!(
            args.foreign == 0,
            "--foreign needs a folder of documents, and {} is a file",
            args.path.display()
        );
        run_file(settings, &args)?
    };
    let misses = args.floors().misses(&totals);
    anyhow::ensure!(
        misses.is_empty(),
        "{} is below its quality floors: {}",
        args.path.display(),
        misses.join("; ")
    );
    Ok(())
}

fn run_file(settings: &Settings, args: &Args) -> anyhow::Result<Totals> {
    let set = QuestionSet::load(&args.path)?;
    let engine = super::open_engine(settings)
        .with_context(|| format!("opening briefs in {}", settings.paths.briefs.display()))?;
    let report = eval::run(&engine, &set)?;
    let mut totals = Totals::default();
    totals.add(&report.summary, suite::Foreign::default());
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["totals"] = serde_json::to_value(&totals)?;
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(totals);
    }
    for r in &report.results {
        let verdict = if r.passed { "PASS" } else { "FAIL" };
        let top = if r.answered {
            r.top.first().map(|t| clip(t, 90)).unwrap_or_default()
        } else if r.verdict == Verdict::NotStated {
            "(declined: on topic but not stated)".to_string()
        } else {
            "(declined)".to_string()
        };
        outln!("{verdict}  {}\n      → {top}", r.q);
    }
    outln!();
    print_totals(&totals, "out-of-scope")?;
    Ok(totals)
}

fn run_suite(settings: &Settings, args: &Args) -> anyhow::Result<Totals> {
    let docs = briefbot_engine::eval::documents(&args.path)?;
    let (reports, totals) = suite::run(&docs, &settings.engine_config(), args.foreign)?;
    if args.json {
        let value = json!({ "documents": reports, "totals": totals });
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(totals);
    }
    for d in &reports {
        let s = &d.report.summary;
        let unanswerable = if s.out_of_scope > 0 {
            format!(
                "   unanswerable declined {}/{}",
                s.declines_correct, s.out_of_scope
            )
        } else {
            String::new()
        };
        let foreign = if d.foreign.asked > 0 {
            format!(
                "   foreign declined {}/{}",
                d.foreign.declined, d.foreign.asked
            )
        } else {
            String::new()
        };
        outln!(
            "{:<40} {:>5} q   P@1 {:.3}   MRR@5 {:.3}   false declines {}{unanswerable}{foreign}",
            d.name,
            s.in_scope,
            s.p_at_1,
            s.mrr_at_5,
            s.false_declines
        );
    }
    outln!();
    // A document's questions with no answer in it are unanswerable ones
    // written about it (SQuAD 2.0), not questions about something else.
    print_totals(&totals, "unanswerable")?;
    Ok(totals)
}

/// The totals; `unanswered` names the questions whose right reply is a
/// decline ("out-of-scope" in a set about the configured briefs,
/// "unanswerable" in a folder of documents).
fn print_totals(t: &Totals, unanswered: &str) -> std::io::Result<()> {
    outln!(
        "{} document{}, {} questions ({} in scope, {} out of scope)",
        t.documents,
        if t.documents == 1 { "" } else { "s" },
        t.questions,
        t.in_scope,
        t.out_of_scope
    );
    // A set with no question outside the briefs has no decline to report:
    // "declined 0/0" would read as a result.
    let declined = if t.out_of_scope > 0 {
        format!(
            "   {unanswered} declined {}/{}",
            t.out_of_scope_declined, t.out_of_scope
        )
    } else {
        String::new()
    };
    outln!(
        "P@1 {:.3}   MRR@5 {:.3}   false declines {} ({:.1}%){declined}",
        t.p_at_1,
        t.mrr_at_5,
        t.false_declines,
        100.0 * t.false_decline_rate,
    );
    if t.out_of_scope_not_stated + t.false_not_stated > 0 {
        outln!(
            "declined as on topic but not stated: {} {unanswered}, {} answerable",
            t.out_of_scope_not_stated,
            t.false_not_stated
        );
    }
    if let Some(rate) = t.foreign_declined_rate() {
        outln!(
            "foreign questions declined {}/{} ({:.1}%)",
            t.foreign.declined,
            t.foreign.asked,
            100.0 * rate
        );
    }
    Ok(())
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
