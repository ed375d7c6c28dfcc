//! Question frames that say what the answer looks like. "What is X?" wants
//! the sentence defining X, not the passage repeating X most often; and the
//! bold key sentence is that definition. Checked with the semantic layer on
//! and off, since both rank with the same lexical features. The brief is
//! written here, not taken from the eval sets.

use crate::common;

use std::path::Path;

use briefbot_engine::{Engine, EngineConfig};

const BRIEF: &str = "---
title: Grain on the Baltic
publisher: Test Desk
---
Shipping through the Baltic ports resumed on Monday after a week of storms.

Members of the Baltic Grain Council met in Gdansk on Tuesday. The Baltic Grain Council's chair said Baltic grain exports would grow, and the council's members agreed.

Prices at the harbour rose sharply. The Baltic Grain Council is a trade body of port cities that sets the rules for loading and inspecting grain in the region.

A second meeting is planned for the spring in Riga.
";

fn engine(dir: &Path, semantic: bool) -> Engine {
    std::fs::write(dir.join("grain.md"), BRIEF).unwrap();
    let mut cfg = EngineConfig::in_memory(dir);
    cfg.model_dir = semantic.then(common::model_dir);
    Engine::open(cfg).expect("engine opens").0
}

#[test]
fn what_is_x_finds_and_marks_the_sentence_defining_x() {
    for semantic in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path(), semantic);
        for q in [
            "What is the Baltic Grain Council?",
            "what's the baltic grain council",
        ] {
            let answer = engine.ask(q).unwrap();
            assert!(answer.answered, "{q} (semantic {semantic}) declined");
            let top = &answer.hits[0];
            assert_eq!(
                &top.passage.text[top.key_sentence.clone()],
                "The Baltic Grain Council is a trade body of port cities that sets the rules \
                 for loading and inspecting grain in the region.",
                "{q} (semantic {semantic})"
            );
        }
    }
}

#[test]
fn a_question_about_a_fact_is_not_answered_with_the_definition() {
    for semantic in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path(), semantic);
        let answer = engine
            .ask("Where did the Baltic Grain Council meet?")
            .unwrap();
        let top = &answer.hits[0];
        assert!(
            top.passage.text[top.key_sentence.clone()].contains("met in Gdansk"),
            "semantic {semantic}: {}",
            top.passage.text
        );
    }
}
