//! A BERT encoder's forward pass on the CPU, for briefbot's sentence
//! embeddings and its answerability reader.
//!
//! A crate of its own so that it is compiled with optimisations even in
//! the dev profile (see the workspace's Cargo.toml): unoptimised, briefbot's
//! CLI tests alone took minutes instead of 19 s, and CI's quality gates use
//! that build; the rest of briefbot stays quick to rebuild.

mod cross;
mod kernel;
mod matmul;
mod model;
mod weights;

#[cfg(test)]
mod tests;

pub use cross::CrossEncoder;
pub use matmul::Precision;
pub use model::{Bert, Config};
