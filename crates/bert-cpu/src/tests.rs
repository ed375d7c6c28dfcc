//! The forward pass of the shipped model on each of its kernels: the
//! portable loop agrees with the SIMD tiles, and bf16 on AMX with f32
//! within the tolerance its rounding allows.

use std::path::{Path, PathBuf};

use crate::matmul::{with_portable_path, Precision};
use crate::{Bert, Config, CrossEncoder};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn shipped(precision: Precision) -> Bert {
    let dir = repo("models/all-MiniLM-L6-v2");
    let cfg: Config =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    Bert::load_with(
        cfg,
        &std::fs::read(dir.join("model.safetensors")).unwrap(),
        precision,
    )
    .unwrap()
}

/// Token ids of a question, a sentence and a paragraph of 120 word pieces
/// (the shipped vocabulary's ids; [CLS] 101 and [SEP] 102 around each).
fn texts() -> Vec<Vec<u32>> {
    let mut paragraph = vec![101];
    paragraph.extend((0..118).map(|i| 1996 + (i * 37 % 5000) as u32));
    paragraph.push(102);
    vec![
        vec![101, 2129, 2116, 3548, 1029, 102],
        vec![
            101, 2296, 2158, 2442, 3710, 1999, 1996, 2390, 2005, 2048, 2086, 1012, 102,
        ],
        paragraph,
    ]
}

/// Mean of the token rows, L2-normalised: the sentence vector.
fn pooled(hidden: &[f32], dim: usize) -> Vec<f32> {
    let mut v = vec![0f32; dim];
    for row in hidden.chunks_exact(dim) {
        v.iter_mut().zip(row).for_each(|(a, x)| *a += x);
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn the_portable_loop_computes_what_the_simd_tiles_compute() {
    let model = shipped(Precision::F32);
    assert_eq!(model.precision(), Precision::F32);
    for ids in texts() {
        let fast = model.forward(&ids).unwrap();
        let portable = with_portable_path(|| model.forward(&ids).unwrap());
        let worst = fast
            .iter()
            .zip(&portable)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            worst < 1e-4,
            "{} tokens: worst difference {worst}",
            ids.len()
        );
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn without_amx_bf16_falls_back_to_the_values_of_f32() {
    let exact = shipped(Precision::F32);
    let fallback = crate::matmul::without_tiles(|| {
        assert!(!Precision::Bf16.available());
        assert_eq!(Precision::fastest(), Precision::F32);
        shipped(Precision::Bf16)
    });
    assert_eq!(fallback.precision(), Precision::F32);
    let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    for ids in texts() {
        assert_eq!(
            bits(exact.forward(&ids).unwrap()),
            bits(fallback.forward(&ids).unwrap()),
            "{} tokens",
            ids.len()
        );
    }
}

#[test]
fn bf16_products_give_the_sentence_vectors_of_f32_within_a_cosine_of_0_9999() {
    if !Precision::Bf16.available() {
        eprintln!("skipped: this CPU or OS offers no AMX tiles, so bf16 computes in f32");
        return;
    }
    let (exact, rounded) = (shipped(Precision::F32), shipped(Precision::Bf16));
    assert_eq!(rounded.precision(), Precision::Bf16);
    let dim = exact.config().hidden_size;
    for ids in texts() {
        let a = pooled(&exact.forward(&ids).unwrap(), dim);
        let b = pooled(&rounded.forward(&ids).unwrap(), dim);
        let c = cosine(&a, &b);
        // Measured: 0.99998 to 0.99999. Rounded, not something else: the
        // two differ.
        assert!(c > 0.9999 && c < 1.0, "{} tokens: cosine {c}", ids.len());
    }
}

#[test]
fn the_reader_on_bf16_products_scores_within_0_01_of_f32() {
    if !Precision::Bf16.available() {
        eprintln!("skipped: this CPU or OS offers no AMX tiles, so bf16 computes in f32");
        return;
    }
    #[derive(serde::Deserialize)]
    struct Fixture {
        shared_layers: usize,
        layers: usize,
        pairs: Vec<Pair>,
    }
    #[derive(serde::Deserialize)]
    struct Pair {
        ids: Vec<u32>,
        types: Vec<u32>,
    }
    let fixture: Fixture = serde_json::from_str(
        &std::fs::read_to_string(repo("crates/bert-cpu/tests/fixtures/cross.json")).unwrap(),
    )
    .unwrap();
    let weights = std::fs::read(repo("models/answerability/model.safetensors")).unwrap();
    let (shared, layers) = (fixture.shared_layers, fixture.layers);
    let (exact, rounded) = (shipped(Precision::F32), shipped(Precision::Bf16));
    let exact_reader = CrossEncoder::load(&exact, shared, layers, &weights).unwrap();
    let rounded_reader = CrossEncoder::load(&rounded, shared, layers, &weights).unwrap();
    for pair in &fixture.pairs {
        let a = exact_reader.score(&exact, &pair.ids, &pair.types).unwrap();
        let b = rounded_reader
            .score(&rounded, &pair.ids, &pair.types)
            .unwrap();
        assert!(
            (a - b).abs() < 0.01 && a != b,
            "logit {b} against f32's {a}"
        );
    }
}
