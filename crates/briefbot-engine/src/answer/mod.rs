//! Stage 4, the answer: BM25 candidates from the index in the asker's scope
//! ([`retrieve`]), rescored on coverage, proximity, word pairs and answer-type
//! evidence ([`rerank`], with the surface cues of [`features`]), then the best
//! become hits with a key sentence and highlights, and [`verdict`] decides
//! whether the best answers, is on topic without saying, or is not there.

pub(crate) mod features;
pub(crate) mod rerank;
pub(crate) mod retrieve;
pub(crate) mod verdict;
