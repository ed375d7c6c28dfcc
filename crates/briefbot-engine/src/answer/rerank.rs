//! The reranker: scores a candidate passage on how much of the question it
//! covers (idf-weighted, over the passage, its best sentence and its best
//! two-sentence window), how close the matched words stand, word pairs shared
//! with the question, its heading, and whether its best sentence holds the
//! kind of answer asked for. Every feature lies in 0..=1 so the weights read
//! as importance.

use std::collections::HashSet;

use crate::answer::features;
use crate::index::snapshot::{DocTerms, Snapshot};
use crate::query::{AnswerType, Plan};
use crate::semantic::fusion::{self, DenseFeatures};

mod cues;
use cues::{counts, lead, proximity};

/// Words closer than this (in positions) count as standing together.
const NEAR: usize = 3;

/// Weights of the reranker's features, fitted on crowd-written questions
/// over Wikipedia paragraphs (SQuAD dev sample) and checked on the shipped
/// brief; all features are in 0..=1, so the weights read as importance.
struct Weights {
    /// Share of the question's weight the whole passage covers.
    coverage: f32,
    /// ...that its best sentence covers.
    sentence: f32,
    /// ...that its best pair of neighbouring sentences covers.
    window: f32,
    /// Neighbouring question words standing together in the best sentence.
    proximity: f32,
    /// Word pairs of the question (function words included) found as pairs.
    bigram: f32,
    /// The best sentence holds the kind of answer asked for.
    answer_type: f32,
    /// Tantivy's BM25, relative to the best candidate's.
    bm25: f32,
    /// The question's words in the passage's lead-in heading, or the
    /// question echoing the heading word for word ("What's in it for Kim?").
    heading: f32,
    /// How near the top of its brief the passage stands: a brief (like any
    /// news story or encyclopaedia entry) says what matters most first.
    lead: f32,
    /// For a question asking what its subject is, a sentence defining it.
    definition: f32,
    /// Share of the question the brief's title covers and the passage does
    /// not: see [`Features::context`].
    context: f32,
}

const W: Weights = Weights {
    coverage: 0.4,
    sentence: 0.55,
    window: 0.35,
    proximity: 0.4,
    bigram: 1.4,
    answer_type: 0.65,
    bm25: 0.85,
    heading: 0.5,
    lead: 0.5,
    definition: 0.9,
    context: CONTEXT,
};

/// Weight of the title's context. A member who saw only a story's headline
/// asks in the headline's words ("how did investors react to the Corvina
/// grounding?"); without it those words, which every paragraph of the story
/// is about, go to the lead that repeats them, not to the paragraph that
/// answers ("Shares ... fell 7 per cent").
const CONTEXT: f32 = 1.3;

/// Weight, in the key sentence's choice only, of the share of the
/// question's names a sentence holds: the sentence that answers "what does
/// Russia get?" is about Russia, not the one whose only match is "get" said
/// of North Korea. A common name weighs little by idf, so without this a
/// rarer word said of another subject wins the sentence.
const SUBJECT: f32 = 0.5;

/// Forms of "to be" that link a subject to its definition ("A gasser was a
/// type of hot rod"); the analyzer leaves them unstemmed.
const COPULAS: &[&str] = &["is", "are", "was", "were"];

/// A definition names its subject first: the copula stands within this
/// many words of the sentence's start.
const DEFINITION_REACH: usize = 16;

/// A group member resolved to stem ids; None when a stem is unknown.
struct Resolved {
    ids: Option<Vec<u32>>,
    weight: f32,
}

/// A question plan resolved against one snapshot's lexicon, once per question.
pub(crate) struct ResolvedQuery {
    pub plan: Plan,
    groups: Vec<Vec<Resolved>>,
    total_idf: f32,
    /// Neighbouring word pairs of the question, as stem ids.
    pairs: HashSet<(u32, u32)>,
    n_pairs: f32,
    /// All the question's words (function words too) as known stem ids.
    words: Vec<u32>,
    /// Every stem id the question can match, for highlighting.
    pub matched: HashSet<u32>,
    /// Ids of the copulas, when the question asks what its subject is.
    copulas: Vec<u32>,
}

impl ResolvedQuery {
    pub(crate) fn new(snap: &Snapshot, plan: Plan) -> Self {
        let id = |s: &String| snap.lexicon.stem_ids.get(s).copied();
        let groups: Vec<Vec<Resolved>> = plan
            .groups
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .map(|m| Resolved {
                        ids: m.stems.iter().map(id).collect(),
                        weight: m.weight,
                    })
                    .collect()
            })
            .collect();
        let ids: Vec<Option<u32>> = plan.stems.iter().map(id).collect();
        let pairs = ids
            .windows(2)
            .filter_map(|w| Some((w[0]?, w[1]?)))
            .collect();
        let matched = groups
            .iter()
            .flatten()
            .filter_map(|r| r.ids.as_ref())
            .flatten()
            .copied()
            .collect();
        let mut words: Vec<u32> = ids.iter().flatten().copied().collect();
        words.sort_unstable();
        words.dedup();
        let copulas = if plan.defines {
            COPULAS
                .iter()
                .filter_map(|c| snap.lexicon.stem_ids.get(*c).copied())
                .collect()
        } else {
            Vec::new()
        };
        ResolvedQuery {
            copulas,
            words,
            total_idf: plan
                .groups
                .iter()
                .map(|g| g.idf)
                .sum::<f32>()
                .max(f32::EPSILON),
            n_pairs: ids.len().saturating_sub(1).max(1) as f32,
            plan,
            groups,
            pairs,
            matched,
        }
    }
}

/// What the reranker knows of one candidate passage, each in 0..=1.
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub coverage: f32,
    pub sentence: f32,
    pub window: f32,
    pub proximity: f32,
    pub bigram: f32,
    pub answer_type: f32,
    pub heading: f32,
    pub lead: f32,
    pub definition: f32,
    /// Share of the question's weight that the brief's title covers and the
    /// passage does not: words the passage is about without repeating them.
    /// A ranking feature only; the decline confidence counts what the
    /// passage itself says.
    pub context: f32,
    /// Index of the key sentence.
    pub key: usize,
}

impl Features {
    /// The reranker's score, given BM25 relative to the best candidate's.
    pub fn total(&self, bm25: f32) -> f32 {
        W.coverage * self.coverage
            + W.sentence * self.sentence
            + W.window * self.window
            + W.proximity * self.proximity
            + W.bigram * self.bigram
            + W.answer_type * self.answer_type
            + W.bm25 * bm25
            + W.heading * self.heading
            + W.lead * self.lead
            + W.definition * self.definition
            + W.context * self.context
    }

    /// How sure we are the passage answers: its own coverage of the question
    /// and that of its best two-sentence window, so both a focused sentence
    /// and a spread-out paragraph can clear the threshold.
    pub fn confidence(&self) -> f32 {
        ((self.coverage + self.window) / 2.0).clamp(0.0, 1.0)
    }
}

/// Credit for one group in a bag of ids: its best member present, weighted.
fn group_credit(members: &[Resolved], idf: f32, has: impl Fn(u32) -> bool) -> f32 {
    members
        .iter()
        .filter_map(|m| {
            let ids = m.ids.as_ref()?;
            ids.iter().all(|&id| has(id)).then_some(m.weight * idf)
        })
        .fold(0.0, f32::max)
}

impl ResolvedQuery {
    /// For each of the question's words (plan groups), whether the passage
    /// holds it or one of its alternatives.
    pub(crate) fn covered(&self, snap: &Snapshot, pid: usize) -> Vec<bool> {
        let all = snap.terms.doc(pid).all;
        self.groups
            .iter()
            .map(|members| group_credit(members, 1.0, |id| all.binary_search(&id).is_ok()) > 0.0)
            .collect()
    }

    /// The lexical features of a candidate; with `dense`, the sentences'
    /// cosines also help pick the key sentence, so the one that answers in
    /// other words wins over one that merely shares a common word. `title`
    /// holds the stem ids of its brief's title, sorted.
    pub(crate) fn features(
        &self,
        snap: &Snapshot,
        pid: usize,
        dense: Option<&DenseFeatures>,
        title: &[u32],
    ) -> Features {
        let (plan, groups, total_idf) = (&self.plan, &self.groups, self.total_idf);
        let dt: DocTerms<'_> = snap.terms.doc(pid);
        let passage = &snap.corpus.passages[pid];
        let cover = |has: &dyn Fn(u32) -> bool| -> f32 {
            plan.groups
                .iter()
                .zip(groups)
                .map(|(g, members)| group_credit(members, g.idf, has))
                .sum::<f32>()
                / total_idf
        };
        let coverage = cover(&|id| dt.all.binary_search(&id).is_ok());
        let in_context =
            cover(&|id| dt.all.binary_search(&id).is_ok() || title.binary_search(&id).is_ok());
        let mut f = Features {
            coverage,
            context: (in_context - coverage).max(0.0),
            heading: self.heading(dt.heading),
            lead: lead(passage.paragraph),
            ..Features::default()
        };
        // The heading frames every sentence of its paragraph ("What's in it
        // for Kim? More than $20 billion"), so its words count in each.
        let head = dt.heading;
        f.bigram = self.bigrams(head);
        let names: Vec<(f32, &Vec<Resolved>)> = plan
            .groups
            .iter()
            .zip(groups)
            .filter(|(g, _)| g.name)
            .map(|(g, m)| (g.idf, m))
            .collect();
        let names_idf: f32 = names.iter().map(|n| n.0).sum();
        let mut best_key = f32::MIN;
        let mut best_choice = f32::MIN;
        for (i, sent) in dt.sentences().enumerate() {
            let c = cover(&|id| sent.contains(&id) || head.contains(&id));
            let window = match dt.sentence(i + 1) {
                Some(next) => {
                    cover(&|id| sent.contains(&id) || next.contains(&id) || head.contains(&id))
                }
                None => c,
            };
            f.window = f.window.max(window);
            let bigram = self.bigrams(sent);
            f.bigram = f.bigram.max(bigram);
            let prox = proximity(sent, groups);
            let fit = plan.answer_type != AnswerType::Any
                && passage
                    .text
                    .get(passage.sentences[i].clone())
                    .is_some_and(|t| features::fits(plan.answer_type, t));
            let fit = if !fit {
                0.0
            } else if plan.answer_type == AnswerType::Quantity
                && counts(sent, &self.matched, &snap.lexicon.numeric)
            {
                // A number counting the very thing asked about is the answer's
                // shape itself, stronger evidence than any other cue.
                1.5
            } else {
                0.3
            };
            let meaning = dense
                .and_then(|d| d.sentences.get(i))
                .map_or(0.0, |&cos| fusion::KEY_SENTENCE * cos);
            let defines = if self.defines(sent) { 1.0 } else { 0.0 };
            f.definition = f.definition.max(defines);
            let key = W.sentence * c
                + W.proximity * prox
                + W.bigram * bigram
                + W.answer_type * fit
                + W.definition * defines
                + meaning;
            if key > best_key {
                best_key = key;
                f.sentence = c;
                f.proximity = prox;
                f.answer_type = fit;
            }
            // Which sentence is shown as the key one also asks that it be
            // about the question's subject; the passage's score does not.
            let subject = if names_idf > 0.0 {
                names
                    .iter()
                    .map(|(idf, m)| {
                        // The name as asked: its capital or adjective
                        // ("Moscow", "Russian") may be another subject.
                        group_credit(&m[..1], *idf, |id| sent.contains(&id) || head.contains(&id))
                    })
                    .sum::<f32>()
                    / names_idf
            } else {
                0.0
            };
            if key + SUBJECT * subject > best_choice {
                best_choice = key + SUBJECT * subject;
                f.key = i;
            }
        }
        f
    }
}
