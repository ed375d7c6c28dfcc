//! Stage 4, the answer: BM25 candidates from the index in the asker's scope
//! ([`retrieve`]), rescored on coverage, proximity, word pairs and answer-type
//! evidence ([`rerank`], with the surface cues of [`features`]), then the best
//! become hits with a key sentence and highlights — or the engine declines.

pub(crate) mod features;
pub(crate) mod rerank;
pub(crate) mod retrieve;
