//! Writes the reranker's features for every candidate of every question in a
//! directory of `<doc>/briefs` + `<doc>/questions.json`, one JSON object per
//! question on stdout, for `scripts/fit_fusion.py`. Each document is indexed
//! on its own. With `--foreign`, each document is also asked the questions of
//! the next one, which it should decline.
//!
//!     cargo run --release --example fusion_features -- ../shared/eval/squad-dev --foreign > /tmp/squad.jsonl

use std::path::PathBuf;

use anyhow::Context;
use briefbot_engine::eval::{documents, normalise, Document, QuestionSet};
use briefbot_engine::explain::evidence;
use briefbot_engine::{Engine, EngineConfig, Question};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(
        args.first()
            .context("usage: fusion_features DIR [--foreign]")?,
    );
    let foreign = args.iter().any(|a| a == "--foreign");
    let docs = documents(&root)?;
    let sets: Vec<QuestionSet> = docs
        .iter()
        .map(|d| QuestionSet::load(&d.questions))
        .collect::<Result<_, _>>()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, doc) in docs.iter().enumerate() {
        let engine = open(doc)?;
        write_questions(&mut out, &engine, &sets[i], "own")?;
        if foreign && docs.len() > 1 {
            write_questions(&mut out, &engine, &sets[(i + 1) % docs.len()], "foreign")?;
        }
        eprintln!("{}", doc.name);
    }
    Ok(())
}

fn open(doc: &Document) -> anyhow::Result<Engine> {
    let cfg = EngineConfig::in_memory(doc.briefs.clone());
    let (engine, _) =
        Engine::open(cfg).with_context(|| format!("indexing {}", doc.briefs.display()))?;
    Ok(engine)
}

fn write_questions(
    out: &mut impl std::io::Write,
    engine: &Engine,
    set: &QuestionSet,
    kind: &str,
) -> anyhow::Result<()> {
    for q in &set.questions {
        let expect: Vec<String> = q.expect.iter().map(|e| normalise(e)).collect();
        let cands: Vec<serde_json::Value> = engine
            .explain(&Question::new(&q.q))?
            .into_iter()
            .map(|(passage, c)| {
                let text = normalise(&passage.text);
                let label = kind == "own" && expect.iter().any(|e| text.contains(e.as_str()));
                let f = &c.features;
                serde_json::json!({
                    "label": label,
                    "paragraph": passage.paragraph,
                    "lexical": c.lexical,
                    "lex_conf": f.confidence(),
                    "coverage": f.coverage,
                    "sentence": f.sentence,
                    "window": f.window,
                    "proximity": f.proximity,
                    "bigram": f.bigram,
                    "answer_type": f.answer_type,
                    "heading": f.heading,
                    "lead": f.lead,
                    "definition": f.definition,
                    "dense": c.dense.passage,
                    "dense_gap": c.dense.gap,
                    "dense_sentence": c.dense.best_sentence(),
                    "evidence": evidence(&c.dense),
                    "dense_novel": c.dense.passage * (1.0 - f.coverage.clamp(0.0, 1.0)),
                })
            })
            .collect();
        let line = serde_json::json!({"kind": kind, "q": q.q, "cands": cands});
        writeln!(out, "{line}")?;
    }
    Ok(())
}
