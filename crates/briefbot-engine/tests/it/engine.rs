//! The answer engine end to end: real briefs, real index, real questions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use briefbot_engine::eval::{self, QuestionSet};
use briefbot_engine::{Engine, EngineConfig, Question, Scope, TenantId};

/// A file of the repository: cargo runs these tests in the crate's folder.
pub(crate) fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// The shipped configuration: repo briefs, shipped synonyms, index in memory.
fn shipped_config(briefs: &Path) -> EngineConfig {
    EngineConfig {
        synonyms_file: Some(repo("config/synonyms.txt")),
        model_dir: Some(repo(briefbot_engine::DEFAULT_MODEL_DIR)),
        ..EngineConfig::in_memory(briefs)
    }
}

pub(crate) fn engine(briefs: &Path) -> Engine {
    Engine::open(shipped_config(briefs))
        .expect("engine opens")
        .0
}

/// A temporary briefs directory holding copies of the given files.
fn briefs_dir(files: &[&Path]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    dir
}

fn shipped_brief() -> PathBuf {
    repo("briefs/north-korea-war-in-europe.md")
}

fn extra_brief() -> PathBuf {
    repo("tests/data/briefs-extra/pandemic-accord.md")
}

#[test]
fn every_dev_question_on_the_shipped_brief_is_answered_right() {
    let engine = engine(&repo("briefs"));
    let set = QuestionSet::load(&repo("tests/data/eval/brief-dev.json")).unwrap();
    let report = eval::run(&engine, &set).unwrap();
    let failures: Vec<_> = report
        .results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| (&r.q, r.top.first().map(|t| &t[..t.len().min(60)])))
        .collect();
    assert!(failures.is_empty(), "failed: {failures:#?}");
    assert_eq!(report.summary.p_at_1, 1.0);
    assert_eq!(report.summary.declines_correct, 2);
    assert_eq!(report.summary.false_declines, 0);
}

/// Questions of `paraphrase-dev.json` the engine does not answer right yet,
/// each with the layer expected to fix it. Remove a line when it passes:
/// the test then holds it.
const PENDING_PARAPHRASES: &[(&str, &str)] = &[
    (
        "Who bought the ferry company?",
        "ranking: the exact words \"ferry company\" of another paragraph outweigh the synonym; semantic layer",
    ),
    (
        "Who ran the company before the sale?",
        "ranking: the semantic layer puts the paragraph on the sale (\"purchased\") above the one \
         saying who ran the company, whose confidence is far higher; confidence is not a ranking feature yet",
    ),
];

#[test]
fn questions_in_other_words_find_the_passage() {
    let engine = engine(&repo("tests/data/briefs-paraphrase"));
    let set = QuestionSet::load(&repo("tests/data/eval/paraphrase-dev.json")).unwrap();
    for (q, _) in PENDING_PARAPHRASES {
        assert!(
            set.questions.iter().any(|e| e.q == *q),
            "{q} is not in the set"
        );
    }
    let report = eval::run(&engine, &set).unwrap();
    let failures: Vec<_> = report
        .results
        .iter()
        .filter(|r| !r.passed && !PENDING_PARAPHRASES.iter().any(|(q, _)| *q == r.q))
        .map(|r| {
            let top = if r.answered {
                r.top.first().map(|t| &t[..t.len().min(60)])
            } else {
                None
            };
            (&r.q, top)
        })
        .collect();
    assert!(failures.is_empty(), "failed: {failures:#?}");
    // Out-of-scope questions are in the set: a wrong answer to one is a failure above.
    assert_eq!(report.summary.out_of_scope, 3);
}

#[test]
fn questions_about_a_second_brief_are_answered_from_it() {
    let dir = briefs_dir(&[&shipped_brief(), &extra_brief()]);
    let engine = engine(dir.path());
    for q in [
        "What did Tedros say about the accord?",
        "How much vaccine production must manufacturers reserve?",
        "Where was the pandemic accord approved?",
        "How many countries must ratify it?",
        "Does the accord have an enforcement mechanism?",
    ] {
        let answer = engine.ask(q).unwrap();
        assert!(answer.answered, "{q} declined");
        let brief = &answer.hits[0].passage.brief;
        assert_eq!(
            brief.title, "The pandemic accord nobody wanted to sign",
            "{q}"
        );
    }
    let answer = engine.ask("how many soldiers?").unwrap();
    assert!(answer.hits[0]
        .passage
        .text
        .contains("at least 11,000 soldiers"));
}

#[test]
fn an_acronym_finds_the_organisation_spelled_out() {
    let dir = briefs_dir(&[&shipped_brief(), &extra_brief()]);
    let engine = engine(dir.path());
    let answer = engine.ask("Who funded the WHO?").unwrap();
    assert!(answer.answered);
    assert!(answer.hits[0]
        .passage
        .text
        .contains("World Health Organization"));
    let answer = engine.ask("What does CSIS say about munitions?").unwrap();
    assert!(answer.answered);
    assert!(answer.hits[0].passage.text.contains("Center for Strategic"));
}

#[test]
fn a_sentence_broken_across_lines_is_answered_whole() {
    let dir = tempfile::tempdir().unwrap();
    let brief = "---\ntitle: Harbour inspection\n---\n\
        The port opened a new terminal in May after two years of building work.\n\
        In their April report the inspectors concluded that the\n\
        harbour cranes were unsafe and ordered them closed until repairs.\n\
        The mayor welcomed the ruling.\n";
    std::fs::write(dir.path().join("harbour.md"), brief).unwrap();
    let engine = engine(dir.path());
    let answer = engine
        .ask("What did the inspectors conclude about the cranes?")
        .unwrap();
    assert!(answer.answered);
    let text = &answer.hits[0].passage.text;
    assert!(
        text.contains("inspectors concluded") && text.contains("cranes were unsafe"),
        "{text}"
    );
}

#[test]
fn each_bullet_of_a_list_is_an_answer_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let brief = "---\ntitle: Harbour week\n---\nKey points:\n\
        - The ferry fares rise by a tenth in June.\n\
        - The night crossings stop until the autumn.\n\
        - A new pier opens in August.\n";
    std::fs::write(dir.path().join("week.md"), brief).unwrap();
    let engine = engine(dir.path());
    let answer = engine.ask("When does the new pier open?").unwrap();
    assert!(answer.answered);
    assert_eq!(answer.hits[0].passage.text, "A new pier opens in August.");
}

#[test]
fn out_of_scope_questions_are_declined_with_topics() {
    let engine = engine(&repo("briefs"));
    for q in [
        "What is the capital of France?",
        "Who won the football last night?",
        "How do I bake sourdough bread?",
        "What's the weather like tomorrow?",
        // Seoul is South Korea's capital, and the brief names South Korea.
        "What is the weather in Seoul?",
    ] {
        let answer = engine.ask(q).unwrap();
        assert!(
            !answer.answered,
            "{q} was answered: {:?}",
            answer.hits.first().map(|h| &h.passage.text)
        );
        assert!(!answer.suggestions.is_empty(), "{q}: no suggestions");
    }
}

#[test]
fn hostile_questions_never_break_the_engine() {
    let engine = engine(&repo("briefs"));
    let long = "soldiers ".repeat(500);
    let hostile = [
        "",
        "   ",
        "?!?",
        "title:\"",
        "AND (",
        "*~^",
        "soldiers\" OR 1=1 --",
        "\u{200b}sol\u{200b}diers\u{202e}",
        "@everyone how many soldiers?",
        "```rust\nfn main() {}\n```",
        long.as_str(),
        "🪖🪖🪖",
        "Kursk:[* TO *]",
    ];
    for q in hostile {
        let answer = engine.ask(q).unwrap();
        assert!(answer.answered || answer.hits.len() <= 5, "{q:?}");
    }
    // Invisible characters do not split words.
    let answer = engine.ask("how many sol\u{200b}diers?").unwrap();
    assert!(answer.hits[0].passage.text.contains("11,000"));
}

#[test]
fn misspelled_questions_find_the_right_passage() {
    let engine = engine(&repo("briefs"));
    for (q, expect) in [
        ("how many soliders?", "11,000"),
        ("what about crimea", "Crimea"),
        ("munitons shiped how", "maritime routes"),
    ] {
        let answer = engine.ask(q).unwrap();
        assert!(answer.answered, "{q}");
        assert!(answer.hits[0].passage.text.contains(expect), "{q}");
    }
}

#[test]
fn a_tenants_brief_is_seen_only_by_that_tenant() {
    let briefs = briefs_dir(&[&shipped_brief()]);
    let guilds = tempfile::tempdir().unwrap();
    // Tenant ids are opaque: a Slack workspace's is as good as a guild's.
    std::fs::create_dir(guilds.path().join("workspace-a")).unwrap();
    std::fs::copy(
        extra_brief(),
        guilds.path().join("workspace-a/pandemic-accord.md"),
    )
    .unwrap();
    let cfg = EngineConfig {
        tenant_briefs_dir: Some(guilds.path().to_path_buf()),
        ..shipped_config(briefs.path())
    };
    let (engine, _) = Engine::open(cfg).unwrap();
    let q = "Does the pandemic accord have an enforcement mechanism?";
    let ask = |tenant: Option<&str>| {
        let tenant = tenant.map(|t| TenantId::new(t).unwrap());
        engine
            .ask_with(&Question {
                text: q,
                tenant: tenant.as_ref(),
                top: 3,
            })
            .unwrap()
    };
    let here = ask(Some("workspace-a"));
    assert!(here.answered);
    assert_eq!(
        here.hits[0].passage.brief.scope,
        Scope::Tenant(TenantId::new("workspace-a").unwrap())
    );
    for other in [None, Some("workspace-b")] {
        let answer = ask(other);
        assert!(answer
            .ranked()
            .iter()
            .all(|h| h.passage.brief.scope == Scope::Global));
    }
    let tenant = |t: &str| TenantId::new(t).unwrap();
    assert_eq!(engine.briefs(Some(&tenant("workspace-a"))).len(), 2);
    assert_eq!(engine.briefs(Some(&tenant("workspace-b"))).len(), 1);
}

#[test]
fn a_tenants_reindex_reads_its_own_briefs_and_leaves_the_shipped_ones_as_served() {
    let briefs = briefs_dir(&[&shipped_brief()]);
    let guilds = tempfile::tempdir().unwrap();
    let own = guilds.path().join("guild-7");
    std::fs::create_dir(&own).unwrap();
    let cfg = EngineConfig {
        tenant_briefs_dir: Some(guilds.path().to_path_buf()),
        ..shipped_config(briefs.path())
    };
    let (engine, _) = Engine::open(cfg).unwrap();
    let tenant = TenantId::new("guild-7").unwrap();
    let served = |t: Option<&TenantId>| {
        let mut titles: Vec<String> = engine
            .briefs(t)
            .iter()
            .map(|(b, _)| b.title.clone())
            .collect();
        titles.sort();
        titles
    };
    let before = served(None);
    // A new shipped brief and a new brief of the tenant's, both on disk.
    std::fs::copy(extra_brief(), briefs.path().join("pandemic-accord.md")).unwrap();
    std::fs::write(own.join("llamas.md"), "# Llamas\nSeventeen llamas came.\n").unwrap();

    let report = engine.reindex_tenant(&tenant).unwrap();
    assert_eq!(report.added, vec![own.join("llamas.md")], "{report:?}");
    assert_eq!(served(None), before, "the shipped briefs are as they were");
    assert!(served(Some(&tenant)).contains(&"Llamas".to_string()));

    let report = engine.reindex().unwrap();
    assert_eq!(report.added, vec![briefs.path().join("pandemic-accord.md")]);
    assert_eq!(
        served(None).len(),
        before.len() + 1,
        "a full reindex reads them"
    );
}

#[test]
fn an_up_to_date_index_is_reused_and_a_changed_brief_rebuilds_it() {
    let briefs = briefs_dir(&[&shipped_brief()]);
    let index = tempfile::tempdir().unwrap();
    let cfg = EngineConfig {
        index_dir: Some(index.path().to_path_buf()),
        ..shipped_config(briefs.path())
    };
    let (_, first) = Engine::open(cfg.clone()).unwrap();
    assert!(first.rebuilt);
    let (engine, second) = Engine::open(cfg.clone()).unwrap();
    assert!(!second.rebuilt);
    assert!(engine.ask("how many soldiers?").unwrap().answered);
    std::fs::copy(extra_brief(), briefs.path().join("pandemic-accord.md")).unwrap();
    let (engine, third) = Engine::open(cfg).unwrap();
    assert!(third.rebuilt);
    assert_eq!(third.briefs, 2);
    assert!(engine.ask("pandemic accord enforcement").unwrap().answered);
}

#[test]
fn bad_files_are_reported_and_the_good_ones_still_index() {
    let dir = briefs_dir(&[&shipped_brief()]);
    let p = dir.path();
    std::fs::write(p.join("empty.md"), "").unwrap();
    std::fs::write(p.join("latin1.md"), b"caf\xe9 au lait\n").unwrap();
    std::fs::write(p.join("binary.txt"), b"PK\x03\x04\x00\x00binary").unwrap();
    std::fs::write(p.join("broken.md"), "---\ntitle: no end\n\nText.\n").unwrap();
    std::fs::write(p.join("huge.md"), "a ".repeat(3 * 1024 * 1024)).unwrap();
    std::fs::write(p.join("image.png"), b"\x89PNG").unwrap();
    let (engine, report) = Engine::open(shipped_config(p)).unwrap();
    assert_eq!(report.briefs, 1);
    let named: Vec<String> = report
        .problems
        .iter()
        .map(|pr| pr.file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for bad in [
        "empty.md",
        "latin1.md",
        "binary.txt",
        "broken.md",
        "huge.md",
        "image.png",
    ] {
        assert!(
            named.contains(&bad.to_string()),
            "{bad} not reported: {named:?}"
        );
    }
    assert!(report
        .problems
        .iter()
        .all(|pr| !pr.problem.to_string().is_empty()));
    assert!(engine.ask("how many soldiers?").unwrap().answered);
}

#[test]
fn a_failed_rebuild_leaves_the_old_index_serving() {
    let briefs = briefs_dir(&[&shipped_brief()]);
    let index = tempfile::tempdir().unwrap();
    let cfg = EngineConfig {
        index_dir: Some(index.path().to_path_buf()),
        synonyms_file: Some(briefs.path().join("synonyms.txt")),
        ..shipped_config(briefs.path())
    };
    std::fs::write(briefs.path().join("synonyms.txt"), "soldiers, troops\n").unwrap();
    let (engine, _) = Engine::open(cfg).unwrap();
    std::fs::write(briefs.path().join("synonyms.txt"), "lonely\n").unwrap();
    let err = engine.reindex().unwrap_err().to_string();
    assert!(
        err.contains("synonyms.txt") && err.contains("line 1"),
        "{err}"
    );
    assert!(engine.ask("how many troops?").unwrap().answered);
    assert_eq!(engine.stats().generation, 1);
}

#[test]
fn questions_are_answered_while_a_rebuild_runs() {
    let briefs = briefs_dir(&[&shipped_brief()]);
    let index = tempfile::tempdir().unwrap();
    let cfg = EngineConfig {
        index_dir: Some(index.path().to_path_buf()),
        ..shipped_config(briefs.path())
    };
    let engine = Arc::new(Engine::open(cfg).unwrap().0);
    std::fs::copy(extra_brief(), briefs.path().join("pandemic-accord.md")).unwrap();
    let askers: Vec<_> = (0..4)
        .map(|_| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                (0..200).all(|_| engine.ask("how many soldiers?").unwrap().answered)
            })
        })
        .collect();
    let report = engine.reindex().unwrap();
    assert_eq!(report.added.len(), 1);
    assert_eq!((report.briefs_before, report.briefs), (1, 2));
    for a in askers {
        assert!(a.join().unwrap());
    }
    assert_eq!(engine.stats().generation, 2);
}

#[test]
fn the_decline_threshold_is_a_share_of_the_question() {
    let q = "Did the soldiers enjoy the Tchaikovsky concert?";
    let with = |t: f32| {
        let cfg = EngineConfig {
            decline_threshold: t,
            ..shipped_config(&repo("briefs"))
        };
        Engine::open(cfg).unwrap().0.ask(q).unwrap()
    };
    // Only "soldiers" matches: a small share of the question's weight.
    let lenient = with(0.0);
    assert!(lenient.answered);
    let confidence = lenient.hits[0].confidence;
    assert!(confidence > 0.0 && confidence < 0.27, "{confidence}");
    assert!(!with(0.27).answered);
    assert!(!with(confidence + 0.01).answered);
    assert!(with(confidence - 0.01).answered);
    // A question fully covered clears even a strict threshold.
    let strict = EngineConfig {
        decline_threshold: 0.9,
        ..shipped_config(&repo("briefs"))
    };
    assert!(
        Engine::open(strict)
            .unwrap()
            .0
            .ask("how many soldiers?")
            .unwrap()
            .answered
    );
}
