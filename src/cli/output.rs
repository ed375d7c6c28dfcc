//! How answers look in a terminal and as JSON. The JSON shape is a contract
//! scripts rely on: keep the field names, add fields freely.

use std::io::IsTerminal;

use std::path::Path;

use serde::Serialize;

use briefbot::present::source_line;
use briefbot_engine::{Answer, Attribution, Hit, Verdict};

/// The `ask --json` object. Its field names are a contract scripts rely on
/// (README, "Asking from the command line"; pinned by `tests/it/cli.rs`): add
/// fields freely, never rename or remove one. Typed rather than built with
/// `json!`, so a rename is a compile error here, not a silent break there.
#[derive(Debug, Serialize)]
pub struct AnswerJson<'a> {
    pub question: &'a str,
    /// `answered`, `not_stated` (the briefs are about it but do not say)
    /// or `not_in_briefs`.
    pub verdict: Verdict,
    pub answered: bool,
    /// On `not_stated`: the line saying what the closest passage leaves out.
    pub missing: Option<String>,
    /// The answer itself, when the best passage's key sentence holds the
    /// kind asked for ("at least 11,000"); null otherwise.
    pub short_answer: Option<&'a str>,
    /// Ranked best first, up to `--top`. On a decline these are the closest
    /// passages, as the contract has always said.
    pub answers: Vec<HitJson<'a>>,
    pub suggestions: &'a [String],
    pub terms: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct HitJson<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub key_sentence: &'a str,
    pub short_answer: Option<&'a str>,
    pub score: f32,
    pub confidence: f32,
    pub paragraph: usize,
    pub heading: Option<&'a str>,
    pub attribution: &'a [Attribution],
    pub brief: BriefJson<'a>,
    /// Byte ranges `[start, end]` of matched words within `text`.
    pub highlights: Vec<[usize; 2]>,
}

#[derive(Debug, Serialize)]
pub struct BriefJson<'a> {
    pub title: &'a str,
    pub publisher: Option<&'a str>,
    pub date: Option<&'a str>,
    pub url: Option<&'a str>,
    pub file: &'a Path,
}

impl<'a> AnswerJson<'a> {
    pub fn new(answer: &'a Answer, top: usize) -> Self {
        AnswerJson {
            question: &answer.question,
            verdict: answer.verdict,
            answered: answer.answered,
            missing: answer.missing.as_ref().map(ToString::to_string),
            short_answer: answer.hits.first().and_then(Hit::short_answer_text),
            answers: answer
                .ranked()
                .iter()
                .take(top.max(1))
                .map(HitJson::new)
                .collect(),
            suggestions: &answer.suggestions,
            terms: &answer.terms,
        }
    }
}

impl<'a> HitJson<'a> {
    fn new(hit: &'a Hit) -> Self {
        let p = &hit.passage;
        let b = &p.brief;
        HitJson {
            id: &p.id,
            text: &p.text,
            key_sentence: hit.key_sentence_text(),
            short_answer: hit.short_answer_text(),
            score: hit.score,
            confidence: hit.confidence,
            paragraph: p.paragraph,
            heading: p.heading.as_deref(),
            attribution: &p.attribution,
            brief: BriefJson {
                title: &b.title,
                publisher: b.publisher.as_deref(),
                date: b.date.as_deref(),
                url: b.url.as_deref(),
                file: &b.file,
            },
            highlights: hit.highlights.iter().map(|r| [r.start, r.end]).collect(),
        }
    }
}

/// The passage with its key sentence emphasised: bold on a terminal,
/// `**…**` (Markdown) when piped.
pub fn passage_text(hit: &Hit, terminal: bool) -> String {
    let text = &hit.passage.text;
    let k = hit.key_sentence.clone();
    let (open, close) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    match (text.get(..k.start), text.get(k.clone()), text.get(k.end..)) {
        (Some(a), Some(b), Some(c)) => format!("{a}{open}{b}{close}{c}"),
        _ => text.clone(),
    }
}

/// The human-readable answer for `ask` and `chat`.
pub fn answer_text(answer: &Answer, top: usize) -> String {
    let terminal = std::io::stdout().is_terminal();
    let mut out = String::new();
    let (open, close) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    if let (Verdict::NotStated, Some(hit)) = (answer.verdict, answer.closest.first()) {
        // The closest passage is context, not the answer: nothing in bold.
        let line = answer
            .missing
            .as_ref()
            .map_or("The briefs are about this but do not say".into(), |m| {
                m.to_string()
            });
        out.push_str(&format!("{line}.\nThe closest passage:\n"));
        out.push_str(&format!(
            "{}\n— {}\n",
            hit.passage.text,
            source_line(&hit.passage)
        ));
        return out;
    }
    if !answer.answered {
        out.push_str("I couldn't find that in the briefs.\n");
        if !answer.suggestions.is_empty() {
            out.push_str(&format!(
                "Closest topics: {}\n",
                answer.suggestions.join(" · ")
            ));
        }
        return out;
    }
    for (i, hit) in answer.hits.iter().take(top.max(1)).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if let Some(short) = hit.short_answer_text() {
            out.push_str(&format!("{open}{}{close}\n", capitalised(short)));
        }
        out.push_str(&passage_text(hit, terminal));
        out.push_str(&format!("\n— {}\n", source_line(&hit.passage)));
    }
    out
}

/// "at least 11,000" → "At least 11,000": the short answer opens the reply.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
