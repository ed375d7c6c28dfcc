//! Every passage's stem ids, as the reranker reads them for a candidate:
//! the heading's, each sentence's in order (positions matter for
//! proximity), and the passage's sorted unique set. Kept in one arena of
//! a few flat arrays rather than a handful of small vectors per passage,
//! so a generation's statistics are saved and loaded as a few bulk copies:
//! at 100k passages, a million small allocations was most of start-up.

use serde::{Deserialize, Serialize};

/// The stem ids of all passages of one generation.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Terms {
    /// Per passage: its heading's ids, then each sentence's, then its set.
    #[serde(with = "le_u32s")]
    ids: Vec<u32>,
    /// End in `ids` of every part (heading, sentences, set) of every passage.
    #[serde(with = "le_u32s")]
    ends: Vec<u32>,
    /// Index in `ends` of each passage's first part, and one past the last.
    #[serde(with = "le_u32s")]
    first: Vec<u32>,
}

/// One passage's stem ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocTerms<'a> {
    /// Stem ids of the lead-in heading.
    pub heading: &'a [u32],
    /// Every stem id in the passage, sorted and unique.
    pub all: &'a [u32],
    terms: &'a Terms,
    /// Range in `terms.ends` of this passage's sentences.
    sentences: (usize, usize),
}

impl Terms {
    /// Add the next passage's ids; `all` must be sorted and unique.
    pub(crate) fn push(&mut self, heading: &[u32], sentences: &[Vec<u32>], all: &[u32]) {
        if self.first.is_empty() {
            self.first.push(0);
        }
        let parts = std::iter::once(heading)
            .chain(sentences.iter().map(Vec::as_slice))
            .chain(std::iter::once(all));
        for part in parts {
            self.ids.extend_from_slice(part);
            self.ends.push(self.ids.len() as u32);
        }
        self.first.push(self.ends.len() as u32);
    }

    /// Number of passages.
    pub(crate) fn len(&self) -> usize {
        self.first.len().saturating_sub(1)
    }

    /// Passage `pid`'s ids. Panics when out of range, like indexing a slice.
    pub(crate) fn doc(&self, pid: usize) -> DocTerms<'_> {
        let (first, next) = (self.first[pid] as usize, self.first[pid + 1] as usize);
        DocTerms {
            heading: self.part(first),
            all: self.part(next - 1),
            terms: self,
            sentences: (first + 1, next - 1),
        }
    }

    fn part(&self, k: usize) -> &[u32] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.ids[start..self.ends[k] as usize]
    }

    /// Loaded data must be consistent before it is indexed: every offset in
    /// order and in range, so `doc` cannot panic on a well-formed pid.
    pub(crate) fn check(&self, stems: usize) -> Result<(), String> {
        let sorted = |v: &[u32]| v.windows(2).all(|w| w[0] <= w[1]);
        let ok = sorted(&self.first)
            && sorted(&self.ends)
            && self.first.first().is_none_or(|&f| f == 0)
            && self
                .first
                .last()
                .is_none_or(|&l| l as usize == self.ends.len())
            && self.first.windows(2).all(|w| w[1] - w[0] >= 2)
            && self
                .ends
                .last()
                .is_none_or(|&e| e as usize == self.ids.len())
            && self.ids.iter().all(|&id| (id as usize) < stems);
        ok.then_some(())
            .ok_or_else(|| "word statistics are inconsistent".into())
    }
}

impl<'a> DocTerms<'a> {
    /// Stem ids of each sentence, in order.
    pub(crate) fn sentences(&self) -> impl ExactSizeIterator<Item = &'a [u32]> + 'a {
        let terms = self.terms;
        (self.sentences.0..self.sentences.1).map(move |k| terms.part(k))
    }

    /// Stem ids of sentence `i`, if there is one.
    pub(crate) fn sentence(&self, i: usize) -> Option<&'a [u32]> {
        let k = self.sentences.0 + i;
        (k < self.sentences.1).then(|| self.terms.part(k))
    }
}

/// A `Vec<u32>` as its little-endian bytes: one copy to save or load,
/// where a varint per element costs a branch and a push each.
mod le_u32s {
    use serde::de::{Deserializer, Error, Visitor};
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(v: &[u32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_bytes(&bytes)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        struct Le;
        impl Visitor<'_> for Le {
            type Value = Vec<u32>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("little-endian u32s")
            }
            fn visit_bytes<E: Error>(self, b: &[u8]) -> Result<Vec<u32>, E> {
                if !b.len().is_multiple_of(4) {
                    return Err(E::custom("length not a multiple of 4"));
                }
                Ok(b.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect())
            }
        }
        d.deserialize_bytes(Le)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_passage_reads_back_its_parts_through_a_save() {
        let mut t = Terms::default();
        t.push(&[7], &[vec![1, 2], vec![], vec![3]], &[1, 2, 3, 7]);
        t.push(&[], &[], &[]);
        t.push(&[], &[vec![5, 5]], &[5]);
        let bytes = postcard::to_stdvec(&t).unwrap();
        let t: Terms = postcard::from_bytes(&bytes).unwrap();
        t.check(8).unwrap();
        assert_eq!(t.len(), 3);
        let d = t.doc(0);
        assert_eq!(d.heading, [7]);
        assert_eq!(d.all, [1, 2, 3, 7]);
        let s: Vec<&[u32]> = d.sentences().collect();
        assert_eq!(s, [&[1, 2][..], &[], &[3]]);
        assert_eq!(d.sentence(2), Some(&[3][..]));
        assert_eq!(d.sentence(3), None);
        assert_eq!(t.doc(1).sentences().len(), 0);
        assert_eq!(t.doc(2).sentences().next(), Some(&[5, 5][..]));
        assert!(t.check(5).is_err(), "an id past the lexicon");
    }
}
