//! The engine as a library, with no Discord and no config file: open an
//! engine over a directory of briefs and answer one question.
//!
//! ```text
//! cargo run --example ask -- "how many soldiers?"
//! cargo run --example ask -- "what does Russia get?" path/to/briefs
//! ```
//!
//! The index is kept in memory here, so nothing is written next to the briefs;
//! `EngineConfig::index_dir` keeps it on disk between runs instead.

use briefbot_engine::{Engine, EngineConfig, Question};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let question = args
        .next()
        .unwrap_or_else(|| "how many soldiers?".to_string());
    let briefs = args.next().unwrap_or_else(|| "briefs".to_string());

    // Opening reads every brief, indexes its paragraphs and learns the words,
    // names and acronyms the briefs use.
    let (engine, report) = Engine::open(EngineConfig::in_memory(&briefs))?;
    for problem in &report.problems {
        eprintln!("skipped {}: {}", problem.file.display(), problem.problem);
    }

    // One call per question; `top` is how many ranked passages come back.
    let answer = engine.ask_with(&Question {
        top: 1,
        ..Question::new(&question)
    })?;
    let Some(hit) = answer.hits.first().filter(|_| answer.answered) else {
        println!("The briefs in {briefs} do not answer that.");
        if !answer.suggestions.is_empty() {
            println!("Closest topics: {}", answer.suggestions.join("; "));
        }
        return Ok(());
    };
    let passage = &hit.passage;
    println!("{}", hit.key_sentence_text());
    println!();
    println!(
        "{}, paragraph {} (confidence {:.2})",
        passage.brief.title, passage.paragraph, hit.confidence
    );
    Ok(())
}
