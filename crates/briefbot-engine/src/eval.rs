//! Scoring the engine on a question set (the format of `tests/data/eval/`):
//! each question's top answer is right when its passage contains one of the
//! expected snippets; an empty `expect` means the right answer is a decline.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Gap, Question, Verdict};

#[derive(Debug, Clone, Deserialize)]
pub struct QuestionSet {
    #[serde(default)]
    pub about: String,
    pub questions: Vec<EvalQuestion>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EvalQuestion {
    pub q: String,
    #[serde(default)]
    pub expect: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read question set {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("question set {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("cannot read evaluation folder {path}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} holds no <doc>/briefs folder with a <doc>/questions.json beside it")]
    NoDocuments { path: String },
}

/// One document of a folder of question sets (the layout of the SQuAD and
/// WikiQA samples): its briefs and the questions about them.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub briefs: PathBuf,
    pub questions: PathBuf,
}

/// The documents under `root` (`<doc>/briefs` + `<doc>/questions.json`),
/// sorted by folder name so runs are repeatable.
pub fn documents(root: &Path) -> Result<Vec<Document>, EvalError> {
    let unreadable = |source| EvalError::Folder {
        path: root.display().to_string(),
        source,
    };
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(root).map_err(unreadable)? {
        let dir = entry.map_err(unreadable)?.path();
        let (briefs, questions) = (dir.join("briefs"), dir.join("questions.json"));
        if briefs.is_dir() && questions.is_file() {
            docs.push(Document {
                name: dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                briefs,
                questions,
            });
        }
    }
    if docs.is_empty() {
        return Err(EvalError::NoDocuments {
            path: root.display().to_string(),
        });
    }
    docs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(docs)
}

impl QuestionSet {
    pub fn load(path: &Path) -> Result<QuestionSet, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| EvalError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionResult {
    pub q: String,
    pub expect: Vec<String>,
    pub passed: bool,
    pub answered: bool,
    pub verdict: Verdict,
    /// On a `not_stated` verdict, the signs that the passage does not say.
    pub gaps: Vec<Gap>,
    /// 1-based rank of the first right passage among the top five, if any.
    pub rank: Option<usize>,
    pub confidence: f32,
    /// Texts of the top five passages, best first.
    pub top: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub questions: usize,
    pub in_scope: usize,
    pub out_of_scope: usize,
    /// Share of in-scope questions whose top answer is right (declines are misses).
    pub p_at_1: f64,
    /// Mean reciprocal rank of the right passage in the top five (declines score 0).
    pub mrr_at_5: f64,
    /// Out-of-scope questions correctly declined.
    pub declines_correct: usize,
    /// ...of them with the verdict that the briefs are about the question
    /// but do not say.
    pub declines_not_stated: usize,
    /// In-scope questions wrongly declined.
    pub false_declines: usize,
    /// ...of them because the passage was judged not to say the answer.
    pub false_not_stated: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub results: Vec<QuestionResult>,
    pub summary: Summary,
}

/// Lowercase, straight quotes, collapsed whitespace: the matching rule of the format.
pub fn normalise(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '‘' | '’' | '‚' | '′' => '\'',
            '“' | '”' | '„' | '″' => '"',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Stops at the first question the index cannot search: scores over a
/// damaged index would be meaningless.
pub fn run(engine: &Engine, set: &QuestionSet) -> Result<EvalReport, EngineError> {
    let mut results = Vec::with_capacity(set.questions.len());
    let mut s = Summary {
        questions: set.questions.len(),
        ..Summary::default()
    };
    let mut rr = 0.0;
    for eq in &set.questions {
        let answer = engine.ask_with(&Question {
            text: &eq.q,
            tenant: None,
            top: 5,
        })?;
        let expect: Vec<String> = eq.expect.iter().map(|e| normalise(e)).collect();
        let top: Vec<String> = answer
            .ranked()
            .iter()
            .map(|h| h.passage.text.clone())
            .collect();
        let rank = top
            .iter()
            .position(|t| {
                let t = normalise(t);
                expect.iter().any(|e| t.contains(e.as_str()))
            })
            .map(|i| i + 1);
        let passed = if expect.is_empty() {
            s.out_of_scope += 1;
            if !answer.answered {
                s.declines_correct += 1;
            }
            if answer.verdict == Verdict::NotStated {
                s.declines_not_stated += 1;
            }
            !answer.answered
        } else {
            s.in_scope += 1;
            if !answer.answered {
                s.false_declines += 1;
                if answer.verdict == Verdict::NotStated {
                    s.false_not_stated += 1;
                }
            } else if let Some(r) = rank {
                rr += 1.0 / r as f64;
            }
            answer.answered && rank == Some(1)
        };
        if passed && !expect.is_empty() {
            s.p_at_1 += 1.0;
        }
        results.push(QuestionResult {
            q: eq.q.clone(),
            expect: eq.expect.clone(),
            passed,
            answered: answer.answered,
            verdict: answer.verdict,
            gaps: answer
                .missing
                .as_ref()
                .map(|m| m.gaps.clone())
                .unwrap_or_default(),
            rank,
            confidence: answer.ranked().first().map(|h| h.confidence).unwrap_or(0.0),
            top,
        });
    }
    if s.in_scope > 0 {
        s.p_at_1 /= s.in_scope as f64;
        s.mrr_at_5 = rr / s.in_scope as f64;
    }
    Ok(EvalReport {
        results,
        summary: s,
    })
}
