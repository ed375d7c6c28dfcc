//! Writes what the answerability reader is shown at question time, for
//! every question of a directory of `<doc>/briefs` + `<doc>/questions.json`:
//! one JSON object per question on stdout with the top candidates as the
//! engine ranks them (their sentences, the key sentence, the confidence) and
//! whether each holds an expected snippet. `scripts/answerability/train.py`
//! turns these into (question, sentence) pairs. Each document is indexed on
//! its own.
//!
//!     cargo run --release --example reader_candidates -- ../shared/eval/squad2-dev > /tmp/squad2.jsonl

use std::path::PathBuf;

use anyhow::Context;
use briefbot_engine::eval::{documents, normalise, QuestionSet};
use briefbot_engine::{Engine, EngineConfig, Question};

/// Candidates written per question: the reader only ever sees the top few.
const TOP: usize = 3;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: reader_candidates DIR")?,
    );
    let docs = documents(&root)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for doc in &docs {
        let set = QuestionSet::load(&doc.questions)?;
        let cfg = EngineConfig::in_memory(doc.briefs.clone());
        let (engine, _) =
            Engine::open(cfg).with_context(|| format!("indexing {}", doc.briefs.display()))?;
        for q in &set.questions {
            let expect: Vec<String> = q.expect.iter().map(|e| normalise(e)).collect();
            let cands: Vec<serde_json::Value> = engine
                .explain(&Question::new(&q.q))?
                .into_iter()
                .take(TOP)
                .map(|(passage, c)| {
                    let text = normalise(&passage.text);
                    let sentences: Vec<&str> = passage
                        .sentences
                        .iter()
                        .map(|s| &passage.text[s.clone()])
                        .collect();
                    serde_json::json!({
                        "label": expect.iter().any(|e| text.contains(e.as_str())),
                        "paragraph": passage.paragraph,
                        "title": passage.brief.title,
                        "sentences": sentences,
                        "key": c.features.key,
                        "confidence": c.confidence,
                        "answer_type": c.features.answer_type,
                        "dense_sentences": c.dense.sentences,
                    })
                })
                .collect();
            let line = serde_json::json!({
                "doc": doc.name,
                "q": q.q,
                "answerable": !q.expect.is_empty(),
                "cands": cands,
            });
            use std::io::Write;
            writeln!(out, "{line}")?;
        }
        eprintln!("{}", doc.name);
    }
    Ok(())
}
