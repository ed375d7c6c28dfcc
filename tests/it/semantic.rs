//! The semantic layer end to end: paraphrases found through the model, the
//! switch that turns it off, and vectors kept across restarts and rebuilds.
//! The briefs are written here, not taken from the eval sets.

use crate::common;

use std::path::{Path, PathBuf};

use briefbot_engine::{Engine, EngineConfig};

/// A brief of four unrelated paragraphs, one per topic; the vector-fill
/// tests ask it too.
pub(crate) const BRIEF: &str = "---
title: Life in the provinces
publisher: Test Desk
---
The ministry made military service compulsory for every man over eighteen, for a term of two years.

The harbour of the capital handles most of the country's grain exports, shipped to buyers across the region.

Teachers walked out of classrooms on Monday over pay, closing half of the schools in the north.

A storm flattened crops in the east last autumn, and the harvest fell by a third.
";

fn write_brief(dir: &Path, text: &str) {
    std::fs::write(dir.join("provinces.md"), text).unwrap();
}

fn config(briefs: &Path) -> EngineConfig {
    let mut cfg = EngineConfig::in_memory(briefs);
    cfg.model_dir = Some(common::model_dir());
    cfg
}

fn open(cfg: EngineConfig) -> (Engine, briefbot_engine::IndexReport) {
    Engine::open(cfg).expect("engine opens")
}

#[test]
fn a_question_sharing_no_word_with_the_passage_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    write_brief(dir.path(), BRIEF);
    let (engine, _) = open(config(dir.path()));
    for (q, expect) in [
        (
            "Is joining the army obligatory?",
            "military service compulsory",
        ),
        (
            "Did the strike by educators shut anything?",
            "Teachers walked out",
        ),
    ] {
        let answer = engine.ask(q).unwrap();
        let top = answer.ranked().first().expect("a passage");
        assert!(
            top.passage.text.contains(expect),
            "{q} -> {}",
            top.passage.text
        );
        // Found in other words, the passage must also clear the decline
        // threshold: a paraphrase is an answer, not a guess.
        assert!(
            answer.answered,
            "{q} declined at confidence {}",
            top.confidence
        );
    }
}

#[test]
fn without_the_model_the_engine_is_lexical_only() {
    let dir = tempfile::tempdir().unwrap();
    write_brief(dir.path(), BRIEF);
    let mut cfg = config(dir.path());
    cfg.model_dir = None;
    let (engine, report) = open(cfg);
    assert_eq!(report.embedded, 0);
    let answer = engine.ask("Is joining the army obligatory?").unwrap();
    assert!(!answer.answered);
    assert!(answer.hits.is_empty(), "no shared word, so no candidate");
    assert!(
        engine
            .ask("Is military service compulsory?")
            .unwrap()
            .answered
    );
}

#[test]
fn an_out_of_scope_question_is_still_declined() {
    let dir = tempfile::tempdir().unwrap();
    write_brief(dir.path(), BRIEF);
    let (engine, _) = open(config(dir.path()));
    for q in [
        "What is the capital of France?",
        "Who won the football world cup?",
        "How do I reset my password?",
    ] {
        assert!(!engine.ask(q).unwrap().answered, "{q} answered");
    }
}

#[test]
fn a_missing_model_is_an_error_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    write_brief(dir.path(), BRIEF);
    let mut cfg = config(dir.path());
    cfg.model_dir = Some(PathBuf::from("/nonexistent/briefbot-model"));
    let err = Engine::open(cfg).err().expect("no model, no engine");
    // As the CLI reports it: the setting, then the cause.
    let err = format!("{:#}", anyhow::Error::new(err));
    assert!(err.contains("engine.model_dir"), "{err}");
    assert!(err.contains("/nonexistent/briefbot-model"), "{err}");
}

#[test]
fn vectors_are_kept_with_the_index_and_only_changed_passages_are_embedded() {
    let briefs = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    write_brief(briefs.path(), BRIEF);
    let cfg = || {
        let mut cfg = config(briefs.path());
        cfg.index_dir = Some(index.path().to_path_buf());
        cfg
    };
    let (engine, report) = open(cfg());
    assert_eq!(report.embedded, 4);
    drop(engine);

    let (engine, report) = open(cfg());
    assert!(!report.rebuilt);
    assert_eq!(report.embedded, 0, "a restart loads the saved vectors");
    let before = engine.ask("Is joining the army obligatory?").unwrap();

    write_brief(
        briefs.path(),
        &BRIEF.replace("half of the schools", "a third of the schools"),
    );
    let report = engine.reindex().unwrap();
    assert_eq!(report.embedded, 1, "only the changed paragraph");
    let after = engine.ask("Is joining the army obligatory?").unwrap();
    assert_eq!(
        before.ranked()[0].passage.text,
        after.ranked()[0].passage.text
    );
    drop(engine);

    write_brief(briefs.path(), &BRIEF.replace("last autumn", "last spring"));
    let (_, report) = open(cfg());
    assert!(report.rebuilt);
    assert_eq!(
        report.embedded, 2,
        "a start after edits reuses the previous generation's vectors"
    );
}
