//! Answering one question: Tantivy's BM25 finds candidate passages in the
//! asker's scope, [`crate::answer::rerank`] scores them, and the best become hits
//! with their key sentence and highlighted words. The confidence the decline
//! threshold is applied to is a share of the question, not a raw score, so
//! declines mean the same thing for any brief and any corpus size.

use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::answer::reader::Reader;
use crate::answer::rerank::{Features, ResolvedQuery};
use crate::answer::verdict::{self, Reading};
use crate::error::EngineError;
use crate::index::analyze::Analyzer;
use crate::index::schema::GLOBAL_SCOPE;
use crate::index::snapshot::Snapshot;
use crate::query::{self, Plan};
use crate::semantic::fusion::{self, DenseFeatures};
use crate::types::TenantId;
use crate::types::{Answer, BriefMeta, Hit, Passage, Verdict};
use crate::Question;

/// Candidates fetched from Tantivy for reranking: enough that the passage a
/// paraphrased question needs is almost always among them (on the SQuAD
/// sample the right passage is in the top 40 for 99% of questions).
const CANDIDATES: usize = 40;

/// Nearest passages by meaning added to BM25's candidates: enough to bring
/// in the passage that shares no word with the question, few enough that
/// the reranker's cost barely moves.
const DENSE_CANDIDATES: usize = 20;

/// One candidate as the reranker scored it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub pid: usize,
    pub total: f32,
    /// The decline confidence (lexical share of the question, plus graded
    /// credit for a match in meaning).
    pub confidence: f32,
    /// What went into `total`, for fitting the weights; `features.key` is
    /// the key sentence.
    pub features: Features,
    pub lexical: f32,
    pub dense: DenseFeatures,
}

/// The question's candidates, scored and sorted best first; None when the
/// question has no word to search for.
pub(crate) fn rank(
    snap: &Snapshot,
    question: &Question<'_>,
    analyzer: &mut Analyzer,
) -> Result<Option<(ResolvedQuery, Vec<Scored>)>, EngineError> {
    let plan = query::plan(question.text, &snap.lexicon, &snap.synonyms, analyzer);
    if plan.groups.is_empty() {
        return Ok(None);
    }
    let mut candidates = candidates(snap, &plan, question.tenant)?;
    let rq = ResolvedQuery::new(snap, plan);
    let max_bm25 = candidates.iter().map(|c| c.1).fold(f32::EPSILON, f32::max);
    let dense = snap.dense.get().and_then(|layer| {
        let text =
            query::spell_out::for_the_model(question.text, &snap.lexicon, &rq.plan.corrections);
        Some((layer, layer.question(&text)?))
    });
    let mut dense_features: Vec<Option<DenseFeatures>> = vec![None; candidates.len()];
    if let Some((layer, q)) = &dense {
        let near = layer.index.nearest(q, DENSE_CANDIDATES, |p| {
            snap.corpus.passages[p]
                .brief
                .scope
                .visible_to(question.tenant)
        });
        for (pid, _) in near {
            if !candidates.iter().any(|c| c.0 == pid) {
                candidates.push((pid, 0.0));
            }
        }
        dense_features = candidates
            .iter()
            .map(|&(pid, _)| {
                Some(DenseFeatures {
                    passage: layer.index.passage(pid, q),
                    sentences: layer.index.sentences(pid, q),
                    gap: 0.0,
                })
            })
            .collect();
        let best = dense_features
            .iter()
            .flatten()
            .map(|d| d.passage)
            .fold(f32::MIN, f32::max);
        dense_features
            .iter_mut()
            .flatten()
            .for_each(|d| d.gap = d.passage - best);
    }
    // Each brief's title ids, made once per question for the briefs among
    // the candidates.
    let mut titles: Vec<(&Arc<BriefMeta>, Vec<u32>)> = Vec::new();
    let mut scored: Vec<Scored> = candidates
        .iter()
        .zip(dense_features)
        .map(|(&(pid, bm25), dense)| {
            let brief = &snap.corpus.passages[pid].brief;
            let at = match titles.iter().position(|t| Arc::ptr_eq(t.0, brief)) {
                Some(at) => at,
                None => {
                    titles.push((brief, title_ids(snap, analyzer, &brief.title)));
                    titles.len() - 1
                }
            };
            let f = rq.features(snap, pid, dense.as_ref(), &titles[at].1);
            let lexical = f.total(bm25 / max_bm25);
            // Without the question's vector (no layer, or the model failed on
            // it) the lexical side decides alone: a missing cosine is not a
            // mismatch in meaning.
            let (total, confidence) = match &dense {
                Some(d) => (
                    lexical + fusion::score(d, f.coverage),
                    fusion::confidence(f.confidence(), fusion::evidence(d)),
                ),
                None => (lexical, f.confidence()),
            };
            let dense = dense.unwrap_or_default();
            Scored {
                pid,
                total,
                confidence,
                features: f,
                lexical,
                dense,
            }
        })
        .collect();
    scored.sort_by(|a, b| b.total.total_cmp(&a.total).then(a.pid.cmp(&b.pid)));
    Ok(Some((rq, scored)))
}

/// The stem ids of a brief's title that some passage holds (a word no
/// passage holds cannot tell passages apart), sorted for binary search.
fn title_ids(snap: &Snapshot, analyzer: &mut Analyzer, title: &str) -> Vec<u32> {
    let mut ids: Vec<u32> = analyzer
        .words(title)
        .iter()
        .filter_map(|w| snap.lexicon.stem_ids.get(&w.stem).copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A search error is returned, never turned into an empty result: a damaged
/// index would otherwise decline every question without a word.
pub(crate) fn ask(
    snap: &Snapshot,
    question: &Question<'_>,
    threshold: f32,
    reader: Option<&Reader>,
) -> Result<Answer, EngineError> {
    let mut analyzer = Analyzer::default();
    let ranked = rank(snap, question, &mut analyzer)?;
    let mut answer = Answer {
        question: question.text.to_string(),
        verdict: Verdict::NotInBriefs,
        answered: false,
        missing: None,
        hits: Vec::new(),
        closest: Vec::new(),
        suggestions: Vec::new(),
        terms: ranked
            .as_ref()
            .map(|(rq, _)| rq.plan.groups.iter().map(|g| g.word.clone()).collect())
            .unwrap_or_default(),
    };
    let Some((rq, scored)) = ranked else {
        answer.suggestions = brief_titles(snap, question.tenant);
        return Ok(answer);
    };
    let mut initials: Vec<char> = rq
        .plan
        .groups
        .iter()
        .flat_map(|g| &g.members)
        .flat_map(|m| &m.stems)
        .filter_map(|s| s.chars().next())
        .collect();
    initials.sort_unstable();
    initials.dedup();
    for s in scored.iter().take(question.top.max(1)) {
        let passage = snap.corpus.passages[s.pid].clone();
        let key_sentence = passage
            .sentences
            .get(s.features.key)
            .cloned()
            .unwrap_or(0..passage.text.len());
        let highlights = analyzer.matching_spans(&passage.text, &initials, |stem| {
            snap.lexicon
                .stem_ids
                .get(stem)
                .is_some_and(|id| rq.matched.contains(id))
        });
        answer.hits.push(Hit {
            passage,
            key_sentence,
            highlights,
            score: s.total,
            confidence: s.confidence.clamp(0.0, 1.0),
            short_answer: None,
        });
    }
    if let (Some(best), Some(hit)) = (scored.first(), answer.hits.first_mut()) {
        // Only a passage that would be given as the answer is worth reading.
        let reading = reader
            .filter(|_| best.confidence >= threshold)
            .and_then(|r| read(r, question.text, best, &hit.passage));
        let covered = rq.covered(snap, best.pid);
        let candidate = verdict::Candidate {
            scored: best,
            passage: &hit.passage,
            covered: &covered,
        };
        let decision = verdict::decide(question.text, &rq.plan, candidate, threshold, reading);
        if let Some(key) = hit.passage.sentences.get(decision.key) {
            hit.key_sentence = key.clone();
        }
        hit.short_answer = decision.short_answer;
        answer.verdict = decision.verdict;
        answer.missing = decision.missing;
    }
    answer.answered = answer.verdict == Verdict::Answered;
    if !answer.answered {
        answer.closest = std::mem::take(&mut answer.hits);
        answer.suggestions = suggestions(snap, &answer.closest, question.tenant);
    }
    Ok(answer)
}

/// The reader's judgement of the best passage. A failure of the model on
/// one text is logged and leaves the verdict to the other signals, as a
/// missing question vector does for ranking.
fn read(reader: &Reader, question: &str, best: &Scored, passage: &Passage) -> Option<Reading> {
    reader
        .read(
            question,
            &passage.brief.title,
            &passage.text,
            &passage.sentences,
            best.features.key,
            &best.dense.sentences,
        )
        .inspect_err(|e| tracing::warn!("the answerability reader failed: {e}"))
        .ok()
}

/// Tantivy's BM25 over the stemmed text, the exact text and headings, limited
/// to the passages the asker may see. Returns (passage id, score).
fn candidates(
    snap: &Snapshot,
    plan: &Plan,
    tenant: Option<&TenantId>,
) -> Result<Vec<(usize, f32)>, EngineError> {
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
            // Synonyms and corrections help find a passage but must not
            // outweigh the words actually asked: BM25 would add them all up.
            let boost = if m.weight < 1.0 { 0.3 * m.weight } else { 1.0 };
            should.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
            if let [stem] = m.stems.as_slice() {
                let heading = TermQuery::new(
                    Term::from_field_text(s.heading, stem),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(heading), 0.5 * boost)),
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
            Term::from_field_text(s.scope, GLOBAL_SCOPE),
            IndexRecordOption::Basic,
        )),
    )];
    if let Some(id) = tenant {
        scopes.push((
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(s.scope, id.as_str()),
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
    let top = searcher
        .search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())
        .map_err(|source| EngineError::Search { source })?;
    top.into_iter()
        .map(|(score, addr)| {
            snap.pid_columns
                .get(addr.segment_ord as usize)
                .and_then(|col| col.first(addr.doc_id))
                .map(|pid| pid as usize)
                .filter(|&pid| pid < snap.corpus.passages.len())
                .map(|pid| (pid, score))
                .ok_or_else(|| EngineError::Search {
                    source: tantivy::TantivyError::InvalidArgument(format!(
                        "document {addr:?} names no known passage"
                    )),
                })
        })
        .collect()
}

/// On a decline, offer the headings (or brief titles) of the nearest passages.
fn suggestions(snap: &Snapshot, closest: &[Hit], tenant: Option<&TenantId>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in closest {
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
        out = brief_titles(snap, tenant);
    }
    out
}

fn brief_titles(snap: &Snapshot, tenant: Option<&TenantId>) -> Vec<String> {
    snap.corpus
        .briefs
        .iter()
        .filter(|(b, _)| b.scope.visible_to(tenant))
        .map(|(b, _)| b.title.clone())
        .take(3)
        .collect()
}
