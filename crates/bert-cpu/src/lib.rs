//! A BERT encoder's forward pass on the CPU, for briefbot's sentence
//! embeddings.
//!
//! A crate of its own so that it is compiled with optimisations even in
//! the dev profile (see the workspace's Cargo.toml): unoptimised, the model
//! is some fifty times slower, which would make `cargo test` and CI's
//! quality gates crawl, while the rest of briefbot stays quick to rebuild.

mod kernel;
mod model;

pub use model::{Bert, Config};
