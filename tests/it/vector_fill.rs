//! A generation's words are published before its vectors: questions are
//! answered from the words while the model fills the vectors in behind, and
//! the vectors are saved with the generation once made. A gate holds the
//! fill, so what is seen before it ends does not depend on timing.

use crate::common;
use crate::semantic::BRIEF;

use std::path::Path;
use std::sync::{Arc, Mutex};

use briefbot_engine::{Engine, EngineConfig, FillGate, Vectors};

/// Shares no word with the brief: only the vectors find its passage.
const PARAPHRASE: &str = "Is joining the army obligatory?";
const BY_WORDS: &str = "Is military service compulsory?";

fn config(briefs: &Path, index: &Path) -> EngineConfig {
    let mut cfg = EngineConfig::in_memory(briefs);
    cfg.model_dir = Some(common::model_dir());
    cfg.index_dir = Some(index.to_path_buf());
    cfg
}

/// A configuration whose every passage waits for the background fill, and
/// the gate that holds that fill until the test opens it.
fn held_fill(briefs: &Path, index: &Path) -> (EngineConfig, Arc<FillGate>) {
    let gate = FillGate::closed();
    let mut cfg = config(briefs, index);
    cfg.fill_in_background = true;
    cfg.inline_embed_up_to = 0;
    cfg.fill_gate = Some(gate.clone());
    (cfg, gate)
}

/// The vectors file of the generation the manifest names.
fn saved_vectors(index: &Path) -> std::path::PathBuf {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("manifest.json")).unwrap()).unwrap();
    index
        .join(manifest["dir"].as_str().unwrap())
        .join("dense.bin")
}

#[test]
fn questions_are_answered_by_words_while_the_vectors_fill_in() {
    let briefs = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    std::fs::write(briefs.path().join("provinces.md"), BRIEF).unwrap();
    let (cfg, gate) = held_fill(briefs.path(), index.path());

    let (engine, report) = Engine::open(cfg).unwrap();
    assert_eq!((report.embedded, report.pending_vectors), (0, 4));
    assert_eq!(engine.vectors(), Vectors::Filling { done: 0, total: 4 });
    assert!(!saved_vectors(index.path()).exists());
    let answer = engine.ask(BY_WORDS).unwrap();
    assert!(answer.answered, "the words answer before the vectors exist");
    assert!(answer.ranked()[0].passage.text.contains("compulsory"));
    // Without vectors the decline is the words-only one: no shared word, no
    // answer, rather than a guess.
    assert!(!engine.ask(PARAPHRASE).unwrap().answered);
    assert_eq!(engine.vectors(), Vectors::Filling { done: 0, total: 4 });

    gate.open();
    let seen = Mutex::new(Vec::new());
    let embedded = engine
        .wait_for_vectors(&|done, total| seen.lock().unwrap().push((done, total)))
        .unwrap();
    assert_eq!(embedded, 4);
    assert_eq!(seen.lock().unwrap().last(), Some(&(4, 4)));
    assert_eq!(engine.vectors(), Vectors::Ready);
    assert!(
        engine.ask(PARAPHRASE).unwrap().answered,
        "now the vectors do"
    );
    assert!(saved_vectors(index.path()).exists());
    drop(engine);

    let (_, report) = Engine::open(config(briefs.path(), index.path())).unwrap();
    assert!(!report.rebuilt);
    assert_eq!(report.embedded, 0, "a restart loads the filled-in vectors");
}

#[test]
fn a_reindex_during_a_fill_replaces_it_and_keeps_answering() {
    let briefs = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    std::fs::write(briefs.path().join("provinces.md"), BRIEF).unwrap();
    let (cfg, gate) = held_fill(briefs.path(), index.path());
    let (engine, _) = Engine::open(cfg).unwrap();

    let changed = BRIEF.replace("half of the schools", "a third of the schools");
    std::fs::write(briefs.path().join("provinces.md"), changed).unwrap();
    let report = engine.reindex().unwrap();
    assert_eq!(report.pending_vectors, 4, "the first fill never ran");
    let answer = engine.ask("Did the teachers close schools?").unwrap();
    assert!(answer.ranked()[0]
        .passage
        .text
        .contains("a third of the schools"));

    gate.open();
    assert_eq!(engine.wait_for_vectors(&|_, _| {}).unwrap(), 4);
    assert!(engine.ask(PARAPHRASE).unwrap().answered);
    assert!(saved_vectors(index.path()).exists());
}

#[test]
fn a_small_change_is_embedded_before_it_is_published() {
    let briefs = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    std::fs::write(briefs.path().join("provinces.md"), BRIEF).unwrap();
    let mut cfg = config(briefs.path(), index.path());
    cfg.fill_in_background = true;
    cfg.fill_gate = Some(FillGate::closed());
    let (engine, report) = Engine::open(cfg).unwrap();
    assert_eq!((report.embedded, report.pending_vectors), (4, 0));
    assert_eq!(engine.vectors(), Vectors::Ready);
    assert!(engine.ask(PARAPHRASE).unwrap().answered);
}
