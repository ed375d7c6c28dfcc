//! Answering: Tantivy's BM25 finds candidate passages; a reranker then
//! scores each by how much of the question it covers (idf-weighted, over the
//! passage and its best sentence), how close the matched words stand, its
//! heading, and whether its best sentence holds the kind of answer asked for.
//! The best sentence becomes the key sentence; the coverage is the confidence
//! the decline threshold is applied to, so declines mean the same thing for
//! any brief and any corpus size.

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::analyze::Analyzer;
use super::features;
use super::query::{self, AnswerType, Plan};
use super::schema::GLOBAL_SCOPE;
use super::snapshot::{DocTerms, Snapshot};
use super::types::{Answer, Hit};
use super::Question;

/// Candidates fetched from Tantivy for reranking.
const CANDIDATES: usize = 40;
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
    /// The question's words in the passage's lead-in heading.
    heading: f32,
}

const W: Weights = Weights {
    coverage: 0.1,
    sentence: 0.75,
    window: 0.6,
    proximity: 0.35,
    bigram: 1.15,
    answer_type: 0.2,
    bm25: 0.6,
    heading: 0.4,
};

/// A group member resolved to stem ids; None when a stem is unknown.
struct Resolved {
    ids: Option<Vec<u32>>,
    weight: f32,
}

pub fn ask(snap: &Snapshot, question: &Question<'_>, threshold: f32) -> Answer {
    let mut analyzer = Analyzer::default();
    let plan = query::plan(question.text, &snap.lexicon, &snap.synonyms, &mut analyzer);
    let mut answer = Answer {
        question: question.text.to_string(),
        answered: false,
        hits: Vec::new(),
        suggestions: Vec::new(),
        terms: plan.groups.iter().map(|g| g.word.clone()).collect(),
    };
    if plan.groups.is_empty() {
        answer.suggestions = brief_titles(snap, question.guild);
        return answer;
    }
    let candidates = candidates(snap, &plan, question.guild);
    let groups: Vec<Vec<Resolved>> = plan
        .groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .map(|m| Resolved {
                    ids: m
                        .stems
                        .iter()
                        .map(|s| snap.lexicon.stem_ids.get(s).copied())
                        .collect(),
                    weight: m.weight,
                })
                .collect()
        })
        .collect();
    let ids: Vec<Option<u32>> = plan
        .stems
        .iter()
        .map(|s| snap.lexicon.stem_ids.get(s).copied())
        .collect();
    let pairs: HashSet<(u32, u32)> = ids
        .windows(2)
        .filter_map(|w| Some((w[0]?, w[1]?)))
        .collect();
    let n_pairs = ids.len().saturating_sub(1).max(1) as f32;
    let total_idf: f32 = plan
        .groups
        .iter()
        .map(|g| g.idf)
        .sum::<f32>()
        .max(f32::EPSILON);
    let max_bm25 = candidates.iter().map(|c| c.1).fold(f32::EPSILON, f32::max);
    let mut scored: Vec<(f32, f32, usize, usize)> = candidates
        .iter()
        .map(|&(pid, bm25)| {
            let f = features(snap, pid, &plan, &groups, total_idf, &pairs, n_pairs);
            let total = W.coverage * f.coverage
                + W.sentence * f.sentence
                + W.window * f.window
                + W.proximity * f.proximity
                + W.bigram * f.bigram
                + W.answer_type * f.answer_type
                + W.bm25 * bm25 / max_bm25
                + W.heading * f.heading;
            (total, f.confidence(), pid, f.key)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let matched: HashSet<u32> = groups
        .iter()
        .flatten()
        .filter_map(|r| r.ids.as_ref())
        .flatten()
        .copied()
        .collect();
    for &(total, coverage, pid, key) in scored.iter().take(question.top.max(1)) {
        let passage = snap.corpus.passages[pid].clone();
        let key_sentence = passage
            .sentences
            .get(key)
            .cloned()
            .unwrap_or(0..passage.text.len());
        let highlights = analyzer
            .words(&passage.text)
            .into_iter()
            .filter(|w| {
                snap.lexicon
                    .stem_ids
                    .get(&w.stem)
                    .is_some_and(|id| matched.contains(id))
            })
            .map(|w| w.span)
            .collect();
        answer.hits.push(Hit {
            passage,
            key_sentence,
            highlights,
            score: total,
            confidence: coverage.clamp(0.0, 1.0),
        });
    }
    answer.answered = answer
        .hits
        .first()
        .is_some_and(|h| h.confidence >= threshold);
    if !answer.answered {
        answer.suggestions = suggestions(snap, &answer, question.guild);
    }
    answer
}

/// Tantivy's BM25 over the stemmed text, the exact text and headings, limited
/// to the passages the asker may see. Returns (passage id, score).
fn candidates(snap: &Snapshot, plan: &Plan, guild: Option<u64>) -> Vec<(usize, f32)> {
    let s = &snap.schema;
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for g in &plan.groups {
        for m in &g.members {
            let terms: Vec<Term> = m
                .stems
                .iter()
                .map(|t| Term::from_field_text(s.text_stem, t))
                .collect();
            let q: Box<dyn Query> = if terms.len() == 1 {
                Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new_with_offset_and_slop(
                    terms.into_iter().enumerate().collect(),
                    1,
                ))
            };
            should.push((Occur::Should, Box::new(BoostQuery::new(q, m.weight))));
            if let [stem] = m.stems.as_slice() {
                let heading = TermQuery::new(
                    Term::from_field_text(s.heading, stem),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(heading), 0.5 * m.weight)),
                ));
            }
        }
        let exact = TermQuery::new(
            Term::from_field_text(s.text_exact, &g.word),
            IndexRecordOption::WithFreqs,
        );
        should.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(exact), 0.3)),
        ));
    }
    let mut scopes: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(TermQuery::new(
            Term::from_field_u64(s.scope, GLOBAL_SCOPE),
            IndexRecordOption::Basic,
        )),
    )];
    if let Some(id) = guild {
        scopes.push((
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_u64(s.scope, id),
                IndexRecordOption::Basic,
            )),
        ));
    }
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(BooleanQuery::new(should))),
        (
            Occur::Must,
            Box::new(BoostQuery::new(Box::new(BooleanQuery::new(scopes)), 0.0)),
        ),
    ]);
    let searcher = snap.reader.searcher();
    let Ok(top) = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score()) else {
        return Vec::new();
    };
    top.into_iter()
        .filter_map(|(score, addr)| {
            let col = snap.pid_columns.get(addr.segment_ord as usize)?;
            col.first(addr.doc_id).map(|pid| (pid as usize, score))
        })
        .filter(|(pid, _)| *pid < snap.corpus.passages.len())
        .collect()
}

/// What the reranker knows of one candidate passage, each in 0..=1.
struct Features {
    coverage: f32,
    sentence: f32,
    window: f32,
    proximity: f32,
    bigram: f32,
    answer_type: f32,
    heading: f32,
    /// Index of the key sentence.
    key: usize,
}

impl Features {
    /// How sure we are the passage answers: its own coverage of the question
    /// and that of its best two-sentence window, so both a focused sentence
    /// and a spread-out paragraph can clear the threshold.
    fn confidence(&self) -> f32 {
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

fn features(
    snap: &Snapshot,
    pid: usize,
    plan: &Plan,
    groups: &[Vec<Resolved>],
    total_idf: f32,
    pairs: &HashSet<(u32, u32)>,
    n_pairs: f32,
) -> Features {
    let dt: &DocTerms = &snap.terms[pid];
    let passage = &snap.corpus.passages[pid];
    let cover = |has: &dyn Fn(u32) -> bool| -> f32 {
        plan.groups
            .iter()
            .zip(groups)
            .map(|(g, members)| group_credit(members, g.idf, has))
            .sum::<f32>()
            / total_idf
    };
    let mut f = Features {
        coverage: cover(&|id| dt.all.binary_search(&id).is_ok()),
        heading: cover(&|id| dt.heading.contains(&id)),
        sentence: 0.0,
        window: 0.0,
        proximity: 0.0,
        bigram: 0.0,
        answer_type: 0.0,
        key: 0,
    };
    let mut best_key = f32::MIN;
    for (i, sent) in dt.sentences.iter().enumerate() {
        let c = cover(&|id| sent.contains(&id));
        let window = match dt.sentences.get(i + 1) {
            Some(next) => cover(&|id| sent.contains(&id) || next.contains(&id)),
            None => c,
        };
        f.window = f.window.max(window);
        let bigram = sent
            .windows(2)
            .filter(|w| pairs.contains(&(w[0], w[1])))
            .count() as f32
            / n_pairs;
        f.bigram = f.bigram.max(bigram);
        let prox = proximity(sent, groups);
        let fit = plan.answer_type != AnswerType::Any
            && passage
                .text
                .get(passage.sentences[i].clone())
                .is_some_and(|t| features::fits(plan.answer_type, t));
        let fit = if fit { 1.0 } else { 0.0 };
        let key = W.sentence * c + W.proximity * prox + W.bigram * bigram + W.answer_type * fit;
        if key > best_key {
            best_key = key;
            f.key = i;
            f.sentence = c;
            f.proximity = prox;
            f.answer_type = fit;
        }
    }
    f
}

/// Share of neighbouring question words that also stand near each other in
/// the sentence.
fn proximity(sentence: &[u32], groups: &[Vec<Resolved>]) -> f32 {
    let positions = |members: &[Resolved]| -> Vec<usize> {
        let ids: Vec<u32> = members
            .iter()
            .filter_map(|m| m.ids.as_ref().and_then(|ids| ids.first().copied()))
            .collect();
        sentence
            .iter()
            .enumerate()
            .filter(|(_, id)| ids.contains(id))
            .map(|(p, _)| p)
            .collect()
    };
    if groups.len() < 2 {
        return 0.0;
    }
    let pos: Vec<Vec<usize>> = groups.iter().map(|g| positions(g)).collect();
    let close = pos
        .windows(2)
        .filter(|w| {
            w[0].iter()
                .any(|&a| w[1].iter().any(|&b| a.abs_diff(b) <= NEAR))
        })
        .count();
    close as f32 / (groups.len() - 1) as f32
}

/// On a decline, offer the headings (or brief titles) of the nearest passages.
fn suggestions(snap: &Snapshot, answer: &Answer, guild: Option<u64>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in &answer.hits {
        let topic = h
            .passage
            .heading
            .clone()
            .unwrap_or_else(|| h.passage.brief.title.clone());
        if !out.contains(&topic) {
            out.push(topic);
        }
        if out.len() == 3 {
            break;
        }
    }
    if out.is_empty() {
        out = brief_titles(snap, guild);
    }
    out
}

fn brief_titles(snap: &Snapshot, guild: Option<u64>) -> Vec<String> {
    snap.corpus
        .briefs
        .iter()
        .filter(|(b, _)| super::visible(b.scope, guild))
        .map(|(b, _)| b.title.clone())
        .take(3)
        .collect()
}
