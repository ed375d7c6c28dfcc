//! The engine's public data: what a brief is, what a passage is, and what an
//! answer carries. These types are the contract between the engine and its
//! front ends (CLI, Discord bot, benchmarks), so they hold everything a reply
//! needs and nothing about how it is rendered.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::BriefError;
pub(crate) use super::tenant::TenantId;

/// Who may see a brief. Shipped briefs serve everyone; a tenant's (a
/// Discord server's, say: the front end decides) belong to that tenant alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Scope {
    Global,
    Tenant(TenantId),
}

impl Scope {
    /// May a question asked for `tenant` (None: no tenant) see this brief?
    pub fn visible_to(&self, tenant: Option<&TenantId>) -> bool {
        match self {
            Scope::Global => true,
            Scope::Tenant(id) => tenant == Some(id),
        }
    }
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// The person or body cited: "Jennifer Jun", "one South Korean think tank".
    pub name: String,
    /// Their role as the text gives it: "satellite specialist". May be empty.
    pub role: Option<String>,
    /// The organisation, shortened to its acronym when the text allows: "CSIS".
    pub org: Option<String>,
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

/// What the engine concluded about a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The best passage states what is asked.
    Answered,
    /// The briefs are about the question's subject but the closest passage
    /// does not say what is asked ("when was Kaffa founded?" of a passage
    /// about Kaffa's trade): a decline, with that passage shown as what
    /// comes closest, never as the answer.
    NotStated,
    /// Nothing in the briefs is about the question.
    NotInBriefs,
}

impl Verdict {
    /// The name scripts and the database see: `answered`, `not_stated`,
    /// `not_in_briefs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Answered => "answered",
            Verdict::NotStated => "not_stated",
            Verdict::NotInBriefs => "not_in_briefs",
        }
    }
}

/// The engine's reply to one question.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub verdict: Verdict,
    /// `verdict == Verdict::Answered`, kept for scripts and callers that
    /// only tell an answer from a decline. Always the same as
    /// `!hits.is_empty()`.
    pub answered: bool,
    /// On a [`Verdict::NotStated`] decline: what the closest passage
    /// mentions and what it leaves out, for the line shown above it.
    pub missing: Option<Missing>,
    /// The answer, ranked best first. Empty on a decline, so a front end
    /// cannot present a passage the engine did not stand behind.
    pub hits: Vec<Hit>,
    /// On a decline only: the passages that came closest, best first. Never
    /// to be shown as the answer; they feed suggestions, evaluation and logs.
    pub closest: Vec<Hit>,
    /// Topics (headings or brief titles) near the question, offered on a decline.
    pub suggestions: Vec<String>,
    /// The meaningful terms the engine searched for, after normalisation.
    pub terms: Vec<String>,
}

/// What a same-topic passage mentions of the question and what it does not
/// say: "The brief mentions Kaffa but does not say when Kaffa was founded".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The question's words the passage holds, as the question wrote them
    /// ("North Korea"); may be empty.
    pub mentions: Vec<String>,
    /// What is asked and not said, as an indirect question ("when Kaffa was
    /// founded"), or "what you asked" when the question's grammar is not
    /// one the engine can turn.
    pub asked: String,
    /// Why the passage was judged not to say it.
    pub gaps: Vec<Gap>,
}

/// A sign that a passage about the question does not state its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// The reader model found no answer in the passage.
    Reader,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mentions.as_slice() {
            [] => write!(f, "The briefs do not say {}", self.asked),
            [one] => write!(
                f,
                "The brief mentions {one} but does not say {}",
                self.asked
            ),
            [init @ .., last] => write!(
                f,
                "The brief mentions {} and {last} but does not say {}",
                init.join(", "),
                self.asked
            ),
        }
    }
}

impl Answer {
    /// The ranked passages whatever the verdict: the hits of an answer, the
    /// closest passages of a decline. For scoring and diagnostics only.
    pub fn ranked(&self) -> &[Hit] {
        if self.answered {
            &self.hits
        } else {
            &self.closest
        }
    }
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
    /// Byte range within `passage.text` of the answer itself, when the key
    /// sentence holds the kind asked for ("at least 11,000" for "how
    /// many"). None unless found: never a guess.
    pub short_answer: Option<Range<usize>>,
}

impl Hit {
    pub fn key_sentence_text(&self) -> &str {
        self.passage
            .text
            .get(self.key_sentence.clone())
            .unwrap_or(&self.passage.text)
    }

    pub fn short_answer_text(&self) -> Option<&str> {
        self.passage.text.get(self.short_answer.clone()?)
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
    /// Passages whose vectors were still to be made when the words were
    /// published: they fill in behind, and their briefs answer by words
    /// meanwhile.
    pub pending_vectors: usize,
    /// False when the index on disk was already up to date and was reused.
    pub rebuilt: bool,
}

/// A brief file left out of the index, and why. The reason stays typed so a
/// front end can tell a bad upload from a server-side fault; it serialises
/// as its message.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub file: PathBuf,
    #[serde(serialize_with = "as_message")]
    pub problem: BriefError,
}

fn as_message<S: serde::Serializer>(e: &BriefError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(e)
}
