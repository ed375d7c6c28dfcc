//! The verdict on the best candidate: does it answer, is it about the
//! question without saying what is asked, or is nothing in the briefs about
//! it? The confidence (a share of the question's words) only tells the last
//! from the others: a same-topic question covers nearly all of its words.
//! Telling "the passage says it" from "the passage is about it" takes reading
//! the question with the sentence, which a reader model does when one is
//! loaded; until then cheap signals decide.

use std::ops::Range;

use crate::answer::retrieve::Scored;
use crate::query::Plan;
use crate::types::{Missing, Passage, Verdict};

/// Below this probability that the passage states the answer, a reader's
/// judgement turns a confident match into [`Verdict::NotStated`].
pub(crate) const READER_THRESHOLD: f32 = 0.5;

/// A reader model's judgement of one candidate passage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reading {
    /// Probability, 0..=1, that the passage states what is asked.
    pub answerable: f32,
    /// The sentence (index into `Passage::sentences`) the reader found the
    /// answer in, when it chose one: it replaces the reranker's key sentence.
    pub key: Option<usize>,
}

/// What the verdict decided for the best candidate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub verdict: Verdict,
    /// Index of the key sentence within the passage.
    pub key: usize,
    /// Byte range of the answer itself within the passage text.
    pub short_answer: Option<Range<usize>>,
    /// On [`Verdict::NotStated`]: what the passage mentions and leaves out.
    pub missing: Option<Missing>,
}

/// The verdict on `best`, the top-ranked candidate for the question planned
/// as `plan`, with the reader's judgement of it when a reader is loaded.
pub(crate) fn decide(
    _question: &str,
    _plan: &Plan,
    best: &Scored,
    passage: &Passage,
    threshold: f32,
    reader: Option<Reading>,
) -> Decision {
    let key = reader
        .and_then(|r| r.key)
        .filter(|&k| k < passage.sentences.len())
        .unwrap_or(best.features.key);
    let verdict = if best.confidence < threshold {
        Verdict::NotInBriefs
    } else if reader.is_some_and(|r| r.answerable < READER_THRESHOLD) {
        Verdict::NotStated
    } else {
        Verdict::Answered
    };
    Decision {
        verdict,
        key,
        short_answer: None,
        missing: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::answer::rerank::Features;
    use crate::query::AnswerType;
    use crate::types::{BriefMeta, Scope};

    fn passage(sentences: &[&str]) -> Passage {
        let text = sentences.join(" ");
        let mut ranges = Vec::new();
        let mut at = 0;
        for s in sentences {
            ranges.push(at..at + s.len());
            at += s.len() + 1;
        }
        Passage {
            id: "b#1".into(),
            brief: Arc::new(BriefMeta {
                title: "T".into(),
                publisher: None,
                date: None,
                url: None,
                tags: vec![],
                file: "b.md".into(),
                scope: Scope::Global,
            }),
            paragraph: 1,
            heading: None,
            offsets: 0..text.len(),
            text,
            sentences: ranges,
            attribution: vec![],
        }
    }

    fn plan(answer_type: AnswerType) -> Plan {
        Plan {
            groups: vec![],
            answer_type,
            defines: false,
            corrections: vec![],
            stems: vec![],
        }
    }

    fn scored(confidence: f32, key: usize) -> Scored {
        Scored {
            pid: 0,
            total: 1.0,
            confidence,
            features: Features {
                key,
                ..Features::default()
            },
            lexical: 1.0,
            dense: Default::default(),
        }
    }

    #[test]
    fn a_confidence_below_the_threshold_is_not_in_the_briefs_whatever_the_reader_says() {
        let p = passage(&["Kaffa traded grain.", "It had a port."]);
        let sure = Some(Reading {
            answerable: 0.99,
            key: None,
        });
        let d = decide("q", &plan(AnswerType::Any), &scored(0.1, 0), &p, 0.27, sure);
        assert_eq!(d.verdict, Verdict::NotInBriefs);
        let d = decide("q", &plan(AnswerType::Any), &scored(0.9, 0), &p, 0.27, sure);
        assert_eq!(d.verdict, Verdict::Answered);
    }

    #[test]
    fn a_reader_that_finds_no_answer_makes_a_confident_match_not_stated() {
        let p = passage(&["Kaffa traded grain.", "It had a port."]);
        let doubt = Some(Reading {
            answerable: 0.2,
            key: None,
        });
        let d = decide(
            "q",
            &plan(AnswerType::Any),
            &scored(0.9, 0),
            &p,
            0.27,
            doubt,
        );
        assert_eq!(d.verdict, Verdict::NotStated);
    }

    #[test]
    fn the_readers_key_sentence_replaces_the_rerankers_when_it_names_one() {
        let p = passage(&["Kaffa traded grain.", "It had a port."]);
        let pick = |key| {
            Some(Reading {
                answerable: 0.9,
                key,
            })
        };
        let s = scored(0.9, 0);
        let any = plan(AnswerType::Any);
        assert_eq!(decide("q", &any, &s, &p, 0.27, pick(Some(1))).key, 1);
        assert_eq!(decide("q", &any, &s, &p, 0.27, pick(None)).key, 0);
        // A sentence the passage does not have is ignored, not trusted.
        assert_eq!(decide("q", &any, &s, &p, 0.27, pick(Some(7))).key, 0);
    }
}
