//! The reranker's cues read off one sentence or heading: position in the
//! brief, numbers next to counted words, matched words standing together,
//! definitions, word pairs and heading echoes. Each returns 0..=1 (or a
//! yes/no) so [`super`] can weigh them side by side.

use std::collections::HashSet;

use super::{Resolved, ResolvedQuery, DEFINITION_REACH, NEAR};

/// 1 for a brief's first paragraph, falling slowly after it (0.59 for the
/// second, 0.3 for the tenth), so position only breaks near-ties.
pub(super) fn lead(paragraph: usize) -> f32 {
    1.0 / (1.0 + (paragraph.max(1) as f32).ln())
}

/// Does a number stand right before a question word ("11,000 soldiers")?
pub(super) fn counts(sentence: &[u32], matched: &HashSet<u32>, numeric: &[bool]) -> bool {
    sentence.iter().enumerate().any(|(i, id)| {
        matched.contains(id)
            && sentence[i.saturating_sub(2)..i]
                .iter()
                .any(|&n| numeric.get(n as usize).copied().unwrap_or(false))
    })
}

/// Share of neighbouring question words that also stand near each other in
/// the sentence.
pub(super) fn proximity(sentence: &[u32], groups: &[Vec<Resolved>]) -> f32 {
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

impl ResolvedQuery {
    /// Does the sentence define the question's subject: a copula near its
    /// start, with a word of the question before it ("Cyberstalking is the
    /// use of the Internet to stalk…")?
    pub(super) fn defines(&self, sentence: &[u32]) -> bool {
        if self.copulas.is_empty() {
            return false;
        }
        sentence
            .iter()
            .take(DEFINITION_REACH)
            .position(|id| self.copulas.contains(id))
            .is_some_and(|at| sentence[..at].iter().any(|id| self.matched.contains(id)))
    }

    /// Share of the question's neighbouring word pairs found as pairs.
    pub(super) fn bigrams(&self, words: &[u32]) -> f32 {
        let found = words
            .windows(2)
            .filter(|w| self.pairs.contains(&(w[0], w[1])))
            .count();
        found as f32 / self.n_pairs
    }

    /// The question's own words (not synonyms) in a heading, or the question
    /// echoing it.
    pub(super) fn heading(&self, heading: &[u32]) -> f32 {
        if heading.is_empty() {
            return 0.0;
        }
        let asked: f32 = self
            .plan
            .groups
            .iter()
            .zip(&self.groups)
            .filter(|(_, members)| {
                members[0]
                    .ids
                    .as_ref()
                    .is_some_and(|ids| ids.iter().all(|id| heading.contains(id)))
            })
            .map(|(g, _)| g.idf)
            .sum();
        (asked / self.total_idf).max(self.echo(heading))
    }

    /// How closely the question repeats a heading: shared words over the
    /// longer of the two, function words included.
    fn echo(&self, heading: &[u32]) -> f32 {
        if heading.is_empty() || self.words.is_empty() {
            return 0.0;
        }
        let mut h = heading.to_vec();
        h.sort_unstable();
        h.dedup();
        let shared = h
            .iter()
            .filter(|id| self.words.binary_search(id).is_ok())
            .count();
        shared as f32 / h.len().max(self.words.len()) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::rerank::COPULAS;
    use crate::index::analyze::Analyzer;

    #[test]
    fn copulas_are_looked_up_as_the_index_stems_them() {
        let a = Analyzer::default();
        for c in COPULAS {
            assert_eq!(a.stem(c), *c);
        }
    }

    #[test]
    fn the_lead_falls_slowly_and_stays_in_range() {
        assert_eq!(lead(1), 1.0);
        assert!(lead(2) < 1.0 && lead(2) > lead(10) && lead(10) > 0.25);
        assert_eq!(lead(0), 1.0);
    }
}
