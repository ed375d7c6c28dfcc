//! The `briefbot` command line as a user runs it: the real binary, the
//! shipped brief, an index in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

fn briefbot(args: &[&str], index: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .expect("briefbot runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The command ended with status 0; its stderr says why when it did not.
fn assert_succeeded(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn ask_prints_the_passage_with_key_sentence_and_source() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(&["ask", "how many soldiers?"], index.path());
    assert_succeeded(&out);
    let text = stdout(&out);
    assert!(
        text.contains("**Over the past seven months, Kim Jong-un has reportedly sent at least 11,000 soldiers to the Russian region of Kursk.**"),
        "{text}"
    );
    let source = text
        .lines()
        .find(|l| l.starts_with("— "))
        .expect("a source line");
    assert!(source.contains("Tortoise"), "{source}");
    assert!(source.contains("North Korea’s war in Europe"), "{source}");
    assert!(source.contains("¶2"), "{source}");
}

#[test]
fn ask_json_keeps_the_contract_fields() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(
        &["ask", "what does Russia get?", "--json", "--top", "3"],
        index.path(),
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["question"], "what does Russia get?");
    assert_eq!(v["answered"], true);
    let answers = v["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3);
    let a = &answers[0];
    for key in [
        "text",
        "key_sentence",
        "score",
        "paragraph",
        "heading",
        "attribution",
        "brief",
    ] {
        assert!(a.get(key).is_some(), "missing {key}");
    }
    for key in ["title", "publisher", "date", "url", "file"] {
        assert!(a["brief"].get(key).is_some(), "missing brief.{key}");
    }
    assert!(a["text"].as_str().unwrap().contains("Russia"));
    assert!(v["suggestions"].is_array());
}

#[test]
fn ask_json_names_who_is_quoted() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(&["ask", "Who is Jennifer Jun?", "--json"], index.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let who = v["answers"][0]["attribution"].as_array().unwrap();
    assert!(who.iter().any(|a| a["name"] == "Jennifer Jun"
        && a["role"] == "satellite specialist"
        && a["org"] == "CSIS"));
}

#[test]
fn an_out_of_scope_question_is_declined_in_words() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(&["ask", "What is the capital of France?"], index.path());
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("I couldn't find that in the briefs."),
        "{text}"
    );
    assert!(text.contains("Closest topics:"), "{text}");
    let out = briefbot(
        &["ask", "What is the capital of France?", "--json"],
        index.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["answered"], false);
}

#[test]
fn a_missing_briefs_directory_fails_with_its_path() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(
        &["--briefs", "no/such/dir", "ask", "anything"],
        index.path(),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/dir"), "{err}");
}

#[test]
fn a_bad_setting_is_refused_with_its_name() {
    let index = tempfile::tempdir().unwrap();
    let config = index.path().join("bad.toml");
    std::fs::write(&config, "[engine]\ndecline_threshold = 3.0\n").unwrap();
    let out = briefbot(
        &["--config", config.to_str().unwrap(), "ask", "x"],
        index.path(),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("engine.decline_threshold"), "{err}");
    std::fs::write(&config, "[engine]\ndecline_treshold = 0.3\n").unwrap();
    let out = briefbot(
        &["--config", config.to_str().unwrap(), "ask", "x"],
        index.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("decline_treshold"), "{err}");
}

#[test]
fn index_reports_briefs_passages_and_time() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(&["index"], index.path());
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("Indexed 1 brief, 13 passages in "),
        "{text}"
    );
}

#[test]
fn chat_answers_each_line() {
    use std::io::Write;
    let index = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--index")
        .arg(index.path())
        .arg("chat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"how many soldiers?\nWhat is the capital of France?\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("11,000 soldiers"), "{text}");
    assert!(
        text.contains("I couldn't find that in the briefs."),
        "{text}"
    );
}

#[test]
fn the_shipped_config_loads_and_keeps_the_engine_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/briefbot.toml");
    let settings = briefbot::config::Settings::load(Some(&path)).expect("shipped config loads");
    assert_eq!(
        settings.engine.decline_threshold,
        briefbot_engine::DEFAULT_DECLINE_THRESHOLD,
        "the threshold documented and measured in the README"
    );
}

/// Runs `args` with its standard output already closed for reading, as
/// `briefbot … | head -0` does, feeding `input` on stdin.
fn into_a_closed_pipe(args: &[&str], index: &Path, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--index")
        .arg(index)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("briefbot runs");
    // Close our end of its stdout before it has written anything: its
    // first write meets a pipe with no reader.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    // The child may exit before reading it all; that is not this test's concern.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().expect("briefbot ends")
}

#[test]
fn no_command_panics_when_its_reader_goes_away() {
    let index = tempfile::tempdir().unwrap();
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/eval/brief-dev.json");
    let eval = eval.to_str().unwrap();
    let runs: [&[&str]; 5] = [
        &["ask", "how many soldiers?"],
        &["ask", "how many soldiers?", "--json", "--top", "3"],
        &["index"],
        &["eval", eval],
        &["chat"],
    ];
    for args in runs {
        let out = into_a_closed_pipe(args, index.path(), b"how many soldiers?\n");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(
            out.status.success(),
            "{args:?} should end quietly with status 0, got {:?}: {err}",
            out.status
        );
        assert!(!err.contains("error:"), "{args:?} reported an error: {err}");
    }
}

#[test]
fn chat_reports_a_line_that_is_not_utf8_and_answers_the_next() {
    use std::io::Write;
    use std::process::Stdio;
    let index = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--index")
        .arg(index.path())
        .arg("chat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"What is the capital of France?\nhow many \xff\xfe soldiers?\nhow many soldiers?\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (text, err) = (stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{err}");
    assert!(err.contains("line 2 is not valid UTF-8"), "{err}");
    assert!(
        text.contains("I couldn't find that in the briefs."),
        "line 1 answered: {text}"
    );
    assert!(text.contains("11,000 soldiers"), "line 3 answered: {text}");
}

/// Every key path of a JSON value with the type found there (`null` left
/// out, since optional fields are null for some passages and not others):
/// the shape scripts depend on, independent of which passage answered.
fn shape(v: &serde_json::Value, path: &str, out: &mut std::collections::BTreeSet<String>) {
    use serde_json::Value;
    let kind = match v {
        Value::Null => return,
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(items) => {
            for item in items {
                shape(item, &format!("{path}[]"), out);
            }
            "array"
        }
        Value::Object(map) => {
            for (k, item) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                shape(item, &p, out);
            }
            "object"
        }
    };
    if !path.is_empty() {
        out.insert(format!("{path}: {kind}"));
    }
}

/// The `ask --json` contract the README documents, pinned whole: a renamed,
/// removed or retyped field fails here. New fields are allowed by the
/// contract, but must be added to this list on purpose.
#[test]
fn ask_json_matches_the_documented_contract_exactly() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(
        &[
            "ask",
            "who said munitions are traded by rail?",
            "--json",
            "--top",
            "3",
        ],
        index.path(),
    );
    assert_succeeded(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = std::collections::BTreeSet::new();
    shape(&v, "", &mut found);
    let expected = [
        "answered: bool",
        "answers: array",
        "answers[]: object",
        "answers[].attribution: array",
        "answers[].attribution[]: object",
        "answers[].attribution[].name: string",
        "answers[].attribution[].org: string",
        "answers[].attribution[].role: string",
        "answers[].brief: object",
        "answers[].brief.file: string",
        "answers[].brief.publisher: string",
        "answers[].brief.title: string",
        "answers[].confidence: number",
        "answers[].heading: string",
        "answers[].highlights: array",
        "answers[].highlights[]: array",
        "answers[].highlights[][]: number",
        "answers[].id: string",
        "answers[].key_sentence: string",
        "answers[].paragraph: number",
        "answers[].score: number",
        "answers[].text: string",
        "question: string",
        "suggestions: array",
        "terms: array",
        "terms[]: string",
        "verdict: string",
    ];
    let expected: std::collections::BTreeSet<String> =
        expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(found, expected);
}

#[test]
fn ask_leads_with_the_short_answer_and_json_gives_it_with_the_verdict() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(&["ask", "how many soldiers?", "--json"], index.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "answered");
    assert_eq!(v["answered"], true);
    assert_eq!(v["short_answer"], "at least 11,000");
    assert_eq!(v["answers"][0]["short_answer"], "at least 11,000");
    // The Russia question has no number to lead with: none is invented.
    let out = briefbot(&["ask", "what does Russia get?", "--json"], index.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["short_answer"].is_null(), "{v}");
    let out = briefbot(&["ask", "how many soldiers?"], index.path());
    assert!(
        stdout(&out).starts_with("**At least 11,000**\n"),
        "{}",
        stdout(&out)
    );
}

/// A folder in the layout of the evaluation sets: `<doc>/briefs` and
/// `<doc>/questions.json`, here the project's own briefs and questions.
fn eval_suite() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (doc, brief, questions) in [
        (
            "a-war",
            "briefs/north-korea-war-in-europe.md",
            "tests/data/eval/brief-dev.json",
        ),
        (
            "b-ferries",
            "tests/data/briefs-paraphrase/baltic-ferries.md",
            "tests/data/eval/paraphrase-dev.json",
        ),
    ] {
        let dir = root.path().join(doc);
        std::fs::create_dir_all(dir.join("briefs")).unwrap();
        std::fs::copy(repo.join(brief), dir.join("briefs/brief.md")).unwrap();
        std::fs::copy(repo.join(questions), dir.join("questions.json")).unwrap();
    }
    root
}

#[test]
fn eval_scores_each_document_of_a_folder_on_its_own() {
    let suite = eval_suite();
    let index = tempfile::tempdir().unwrap();
    let dir = suite.path().to_str().unwrap();
    let out = briefbot(&["eval", dir, "--json", "--foreign", "5"], index.path());
    assert_succeeded(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["name"], "a-war");
    let t = &v["totals"];
    let sum = |key: &str| -> u64 {
        docs.iter()
            .map(|d| d["summary"][key].as_u64().unwrap())
            .sum()
    };
    assert_eq!(t["questions"].as_u64(), Some(sum("questions")));
    assert_eq!(t["in_scope"].as_u64(), Some(sum("in_scope")));
    assert_eq!(t["false_declines"].as_u64(), Some(sum("false_declines")));
    // Five questions of the other document asked of each.
    assert_eq!(t["foreign"]["asked"], 10);
    let declined = t["foreign"]["declined"].as_u64().unwrap();
    assert!(
        declined >= 8,
        "only {declined} of 10 foreign questions declined"
    );
    // Every question counts the same, whichever document it is about.
    let right: f64 = docs
        .iter()
        .map(|d| {
            d["summary"]["p_at_1"].as_f64().unwrap() * d["summary"]["in_scope"].as_f64().unwrap()
        })
        .sum();
    let p = t["p_at_1"].as_f64().unwrap();
    assert!((p - right / t["in_scope"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn eval_of_a_folder_reports_its_unanswerable_questions_declined() {
    let suite = eval_suite();
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(&["eval", suite.path().to_str().unwrap()], index.path());
    let text = stdout(&out);
    // brief-dev's two questions with no answer in the brief, both declined.
    assert!(text.contains("unanswerable declined 2/2"), "{text}");
}

#[test]
fn eval_fails_below_a_floor_and_says_which() {
    let suite = eval_suite();
    let index = tempfile::tempdir().unwrap();
    let dir = suite.path().to_str().unwrap();
    let met = briefbot(&["eval", dir, "--min-p1", "0.5"], index.path());
    assert!(
        met.status.success(),
        "{}",
        String::from_utf8_lossy(&met.stderr)
    );
    assert!(stdout(&met).contains("2 documents"), "{}", stdout(&met));
    let missed = briefbot(
        &[
            "eval",
            dir,
            "--min-p1",
            "1.01",
            "--min-foreign-declined",
            "0.5",
        ],
        index.path(),
    );
    assert!(!missed.status.success());
    let err = String::from_utf8_lossy(&missed.stderr);
    assert!(
        err.contains("P@1") && err.contains("is below 1.01"),
        "{err}"
    );
    assert!(err.contains("--foreign"), "{err}");
}

#[test]
fn eval_of_one_file_uses_the_configured_briefs_and_refuses_foreign() {
    let index = tempfile::tempdir().unwrap();
    let out = briefbot(
        &[
            "eval",
            "tests/data/eval/brief-dev.json",
            "--min-out-of-scope-declined",
            "1.0",
        ],
        index.path(),
    );
    assert_succeeded(&out);
    assert!(
        stdout(&out).contains("out-of-scope declined 2/2"),
        "{}",
        stdout(&out)
    );
    let out = briefbot(
        &["eval", "tests/data/eval/brief-dev.json", "--foreign", "3"],
        index.path(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--foreign needs a folder"));
    let out = briefbot(&["eval", "tests"], index.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no <doc>/briefs"));
}
