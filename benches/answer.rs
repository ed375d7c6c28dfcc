//! Focused answer-path benches (`cargo bench --bench answer`): the engine on
//! the shipped brief and on a 10k-passage synthetic corpus, and the plain
//! Tantivy BM25 baseline on the same corpus. `briefbot bench` gives the full
//! table; these are for comparing one change against another with criterion.

use std::hint::black_box;
use std::path::Path;

use briefbot::config::Settings;
use briefbot_bench::baseline::Baseline;
use briefbot_bench::questions::{question_mix, read_passages, BenchQuestion};
use briefbot_bench::{corpus, engine_config, DEFAULT_SEED, TOP};
use briefbot_engine::Engine;
use criterion::{criterion_group, criterion_main, Criterion};

/// The answer path `briefbot bench` times, from the same file.
#[path = "../src/bench/answer_path.rs"]
mod answer_path;
use answer_path::answer;

struct Fixture {
    engine: Engine,
    questions: Vec<BenchQuestion>,
    passages: Vec<String>,
    _dir: tempfile::TempDir,
}

fn fixture(corpus_dir: Option<&Path>, passages: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings::default();
    let briefs = match corpus_dir {
        Some(d) => d.to_path_buf(),
        None => {
            let d = dir.path().join("briefs");
            corpus::write_corpus(&d, DEFAULT_SEED, passages).expect("writing the corpus");
            d
        }
    };
    let cfg = engine_config(settings.engine_config(), &briefs, &dir.path().join("index"));
    let (engine, _) = Engine::open(cfg).expect("opening the engine");
    let (passages, _, _) = read_passages(&briefs).expect("reading the corpus");
    let questions = question_mix(DEFAULT_SEED, &passages, 200);
    Fixture {
        engine,
        questions,
        passages,
        _dir: dir,
    }
}

/// Cycles through the question mix, one question per iteration.
fn ask_cycle(c: &mut Criterion, name: &str, f: &Fixture) {
    let mut i = 0;
    c.bench_function(name, |b| {
        b.iter(|| {
            i = (i + 1) % f.questions.len();
            black_box(answer(&f.engine, &f.questions[i].text))
        })
    });
}

fn benches(c: &mut Criterion) {
    let brief = fixture(
        Some(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("briefs")
                .as_path(),
        ),
        0,
    );
    ask_cycle(c, "ask/brief", &brief);
    c.bench_function("ask/brief/how-many-soldiers", |b| {
        b.iter(|| black_box(answer(&brief.engine, black_box("how many soldiers?"))))
    });

    let big = fixture(None, 10_000);
    ask_cycle(c, "ask/10k", &big);

    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = Baseline::build(&dir.path().join("bm25"), &big.passages, TOP).expect("baseline");
    let searcher = baseline.searcher();
    let mut i = 0;
    c.bench_function("baseline-bm25/10k", |b| {
        b.iter(|| {
            i = (i + 1) % big.questions.len();
            black_box(baseline.search(&searcher, &big.questions[i].text))
        })
    });
}

criterion_group! {
    name = answer_benches;
    config = Criterion::default().sample_size(50);
    targets = benches
}
criterion_main!(answer_benches);
