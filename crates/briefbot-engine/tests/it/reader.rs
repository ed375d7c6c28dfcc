//! The answerability reader in the engine: its judgement of the best passage
//! decides between "answered" and "on topic but not stated", and a reader
//! that is missing or broken is handled as the operator would expect.

use std::path::{Path, PathBuf};

use briefbot_engine::{Engine, EngineConfig, Verdict, DEFAULT_READER_DIR};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn config(reader: Option<PathBuf>) -> EngineConfig {
    EngineConfig {
        model_dir: Some(repo(briefbot_engine::DEFAULT_MODEL_DIR)),
        reader_dir: reader,
        ..EngineConfig::in_memory(repo("briefs"))
    }
}

/// The shipped reader in a folder of its own, with its operating threshold
/// replaced: 1.0 makes it find no answer anywhere, 0.0 an answer everywhere.
fn reader_with_threshold(threshold: f64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shipped = repo(DEFAULT_READER_DIR);
    std::fs::copy(
        shipped.join("model.safetensors"),
        dir.path().join("model.safetensors"),
    )
    .unwrap();
    let text = std::fs::read_to_string(shipped.join("reader.json")).unwrap();
    let mut settings: serde_json::Value = serde_json::from_str(&text).unwrap();
    settings["threshold"] = threshold.into();
    std::fs::write(dir.path().join("reader.json"), settings.to_string()).unwrap();
    dir
}

#[test]
fn a_reader_that_finds_no_answer_turns_a_confident_match_into_not_stated() {
    let never = reader_with_threshold(1.0);
    let (engine, _) = Engine::open(config(Some(never.path().into()))).unwrap();
    let answer = engine.ask("how many soldiers?").unwrap();
    assert_eq!(answer.verdict, Verdict::NotStated);
    assert!(!answer.answered && answer.hits.is_empty());
    assert!(
        answer.closest[0].passage.text.contains("11,000"),
        "the passage is kept as the closest: {:?}",
        answer.closest[0].passage.text
    );

    let always = reader_with_threshold(0.0);
    let (engine, _) = Engine::open(config(Some(always.path().into()))).unwrap();
    let answer = engine.ask("how many soldiers?").unwrap();
    assert_eq!(answer.verdict, Verdict::Answered);
}

#[test]
fn a_question_nothing_covers_is_not_in_the_briefs_whatever_the_reader() {
    let always = reader_with_threshold(0.0);
    let (engine, _) = Engine::open(config(Some(always.path().into()))).unwrap();
    let answer = engine.ask("best sourdough starter recipe").unwrap();
    assert_eq!(answer.verdict, Verdict::NotInBriefs);
}

#[test]
fn a_missing_reader_folder_runs_the_engine_without_it() {
    let gone = std::env::temp_dir().join("briefbot-no-reader-here");
    let (engine, _) = Engine::open(config(Some(gone))).unwrap();
    assert_eq!(
        engine.ask("how many soldiers?").unwrap().verdict,
        Verdict::Answered
    );
}

#[test]
fn a_broken_reader_is_refused_naming_its_file() {
    let dir = reader_with_threshold(0.5);
    std::fs::write(dir.path().join("reader.json"), "{\"layers\": 4}").unwrap();
    let err = Engine::open(config(Some(dir.path().into())))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("reader.json"), "{err}");

    let dir = reader_with_threshold(0.5);
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let err = Engine::open(config(Some(dir.path().into())))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("model.safetensors") && err.contains("engine.reader_dir"),
        "{err}"
    );
}
