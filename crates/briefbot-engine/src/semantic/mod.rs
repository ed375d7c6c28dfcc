//! The dense semantic layer: a sentence-embedding model maps questions,
//! passages and sentences to unit vectors, so a passage that says what was
//! asked in other words scores a high cosine even when it shares no word
//! with the question. The lexical reranker takes that cosine as one of its
//! features; this module only produces and stores the vectors.

mod encoder;
mod error;
pub mod fusion;
mod layer;
mod store;
mod vectors;

pub use encoder::{cosine, Encoder, MAX_TOKENS};
pub use error::SemanticError;
pub use layer::{shared_encoder, Layer, LayerReport, FILE};
pub use store::{DenseIndex, Item, Key};
