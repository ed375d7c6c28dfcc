//! The cross-encoder computes what PyTorch computed for the shipped reader:
//! the fixture holds a few (question, sentence) pairs as token ids and the
//! logits `scripts/answerability/fixture.py` got for them from the same
//! f16 weights, in f32 (bf16's agreement with f32 is a unit test's).

use std::path::{Path, PathBuf};

use bert_cpu::{Bert, Config, CrossEncoder, Precision};

#[derive(serde::Deserialize)]
struct Fixture {
    shared_layers: usize,
    layers: usize,
    pairs: Vec<Pair>,
}

#[derive(serde::Deserialize)]
struct Pair {
    text: String,
    ids: Vec<u32>,
    types: Vec<u32>,
    logit: f32,
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn base() -> Bert {
    let dir = repo("models/all-MiniLM-L6-v2");
    let cfg: Config =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    Bert::load_with(cfg, &bytes, Precision::F32).unwrap()
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(repo("crates/bert-cpu/tests/fixtures/cross.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_readers_logits_match_pytorch() {
    let (base, fixture) = (base(), fixture());
    let weights = std::fs::read(repo("models/answerability/model.safetensors")).unwrap();
    let reader =
        CrossEncoder::load(&base, fixture.shared_layers, fixture.layers, &weights).unwrap();
    for pair in &fixture.pairs {
        let got = reader.score(&base, &pair.ids, &pair.types).unwrap();
        assert!(
            (got - pair.logit).abs() < 2e-4,
            "{}: {got} vs PyTorch's {}",
            pair.text,
            pair.logit
        );
    }
}

#[test]
fn a_pair_without_one_type_per_token_is_refused() {
    let (base, fixture) = (base(), fixture());
    let weights = std::fs::read(repo("models/answerability/model.safetensors")).unwrap();
    let reader =
        CrossEncoder::load(&base, fixture.shared_layers, fixture.layers, &weights).unwrap();
    let err = reader.score(&base, &[101, 2054, 102], &[0, 0]).unwrap_err();
    assert!(err.contains("token types"), "{err}");
    let err = reader
        .score(&base, &[101, 2054, 102], &[0, 0, 7])
        .unwrap_err();
    assert!(err.contains("token type 7"), "{err}");
}

#[test]
fn a_reader_that_does_not_fit_its_encoder_is_refused() {
    let base = base();
    let weights = std::fs::read(repo("models/answerability/model.safetensors")).unwrap();
    let err = CrossEncoder::load(&base, 5, 4, &weights).err().unwrap();
    assert!(err.contains("shares 5 layers"), "{err}");
    let err = CrossEncoder::load(&base, 0, 4, &weights).err().unwrap();
    assert!(err.contains("encoder.layer.0"), "{err}");
}
