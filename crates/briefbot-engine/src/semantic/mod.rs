//! The dense semantic layer: a sentence-embedding model maps questions,
//! passages and sentences to unit vectors, so a passage that says what was
//! asked in other words scores a high cosine even when it shares no word
//! with the question. The lexical reranker takes that cosine as one of its
//! features; this module only produces and stores the vectors.

mod encoder;
mod error;
pub(crate) mod fusion;
pub(crate) mod layer;
mod store;
mod vectors;

pub(crate) use encoder::Encoder;
pub use error::SemanticError;
pub(crate) use layer::{shared_encoder, Layer, FILE};
pub(crate) use store::{DenseIndex, Watch};
