//! The engine's public data: what a brief is, what a passage is, and what an
//! answer carries. These types are the contract between the engine and its
//! front ends (CLI, Discord bot, benchmarks), so they hold everything a reply
//! needs and nothing about how it is rendered.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

/// Who may see a brief. Shipped briefs serve everyone; briefs a moderator adds
/// from Discord belong to that server alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Scope {
    Global,
    Guild(u64),
}

/// A brief's metadata, from its front-matter or derived from its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefMeta {
    pub title: String,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
    /// Path of the source file, as given to the indexer.
    pub file: PathBuf,
    #[serde(skip)]
    pub scope: Scope,
}

/// Someone quoted or cited in a passage ("Jennifer Jun, a satellite specialist
/// at the Center for Strategic and International Studies, said").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The person or body cited: "Jennifer Jun", "one South Korean think tank".
    pub name: String,
    /// Their role as the text gives it: "satellite specialist". May be empty.
    pub role: Option<String>,
    /// The organisation, shortened to its acronym when the text allows: "CSIS".
    pub org: Option<String>,
}

impl Attribution {
    /// "Jennifer Jun, satellite specialist, CSIS": name, then whatever else is known.
    pub fn display(&self) -> String {
        let mut out = self.name.clone();
        for part in [&self.role, &self.org].into_iter().flatten() {
            if !part.is_empty() {
                out.push_str(", ");
                out.push_str(part);
            }
        }
        out
    }
}

/// One paragraph of a brief: the unit the engine indexes and answers with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    /// Stable within one index generation: `<brief file stem>#<paragraph>`.
    pub id: String,
    pub brief: Arc<BriefMeta>,
    /// 1-based paragraph number within the brief's body.
    pub paragraph: usize,
    /// The lead-in heading the paragraph opens with ("So what?"), if any.
    pub heading: Option<String>,
    /// The whole paragraph as written, heading included.
    pub text: String,
    /// Byte range of `text` within the brief file.
    pub offsets: Range<usize>,
    /// Byte ranges of the sentences within `text` (the heading is not one).
    pub sentences: Vec<Range<usize>>,
    pub attribution: Vec<Attribution>,
}

/// The engine's reply to one question.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    /// False when the briefs do not answer the question: an honest decline.
    pub answered: bool,
    /// Ranked best first. When `answered` is false these are only the closest
    /// passages, never to be presented as the answer.
    pub hits: Vec<Hit>,
    /// Topics (headings or brief titles) near the question, offered on a decline.
    pub suggestions: Vec<String>,
    /// The meaningful terms the engine searched for, after normalisation.
    pub terms: Vec<String>,
}

/// One ranked passage for a question.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub passage: Arc<Passage>,
    /// Byte range within `passage.text` of the sentence that best answers.
    pub key_sentence: Range<usize>,
    /// Byte ranges within `passage.text` of words that matched the question.
    pub highlights: Vec<Range<usize>>,
    /// Ranking score: comparable only within one answer.
    pub score: f32,
    /// 0..=1: how much of the question this passage covers; the decline
    /// threshold is applied to it.
    pub confidence: f32,
}

impl Hit {
    pub fn key_sentence_text(&self) -> &str {
        self.passage
            .text
            .get(self.key_sentence.clone())
            .unwrap_or(&self.passage.text)
    }
}

/// What a rebuild did, for `briefbot index` and the bot's `/reindex`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexReport {
    pub briefs_before: usize,
    pub passages_before: usize,
    pub briefs: usize,
    pub passages: usize,
    /// Brief files new since the previous generation.
    pub added: Vec<PathBuf>,
    /// Brief files gone since the previous generation.
    pub removed: Vec<PathBuf>,
    /// Brief files whose content changed.
    pub changed: Vec<PathBuf>,
    /// Files that could not be indexed, each with what is wrong.
    pub problems: Vec<FileProblem>,
    pub millis: u128,
    /// Passages run through the sentence-embedding model; the others' vectors
    /// were reused from the previous generation or loaded from disk.
    pub embedded: usize,
    /// False when the index on disk was already up to date and was reused.
    pub rebuilt: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub file: PathBuf,
    pub problem: String,
}
