//! The semantic layer of one index generation: the model and the vectors of
//! every passage, built (re-embedding only what changed), saved with the
//! generation and loaded back at start-up.

use std::path::Path;
use std::sync::Arc;

use super::encoder::Encoder;
use super::error::SemanticError;
use super::store::{DenseIndex, Item};
use crate::engine::types::Passage;

/// File of a generation's vectors, next to its Tantivy files.
pub const FILE: &str = "dense.bin";

/// The model and the vectors of one generation's passages.
#[derive(Debug)]
pub struct Layer {
    pub encoder: Arc<Encoder>,
    pub index: DenseIndex,
}

/// How a layer came to be, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerReport {
    /// Passages run through the model (the others' vectors were reused).
    pub embedded: usize,
}

fn items(passages: &[Arc<Passage>]) -> Vec<Item<'_>> {
    passages
        .iter()
        .map(|p| Item {
            context: &p.brief.title,
            text: &p.text,
            sentences: &p.sentences,
        })
        .collect()
}

impl Layer {
    /// Vectors for `passages`: read from `dir` when they are there and match,
    /// else embedded (reusing `previous` where passages are unchanged) and
    /// saved to `dir`. A failure to save is logged, not fatal: the next start
    /// embeds again.
    pub fn load_or_build(
        encoder: &Arc<Encoder>,
        passages: &[Arc<Passage>],
        dir: Option<&Path>,
        previous: Option<&DenseIndex>,
        threads: usize,
    ) -> Result<(Layer, LayerReport), SemanticError> {
        let items = items(passages);
        if let Some(index) = dir
            .and_then(|d| DenseIndex::read(&d.join(FILE)))
            .filter(|i| i.matches(encoder.fingerprint(), &items))
        {
            let layer = Layer {
                encoder: encoder.clone(),
                index,
            };
            return Ok((layer, LayerReport::default()));
        }
        let (index, embedded) = DenseIndex::build(encoder, &items, previous, threads)?;
        if let Some(d) = dir {
            let path = d.join(FILE);
            if let Err(e) = std::fs::create_dir_all(d).and_then(|_| index.write(&path)) {
                tracing::warn!("cannot save passage vectors to {}: {e}", path.display());
            }
        }
        let layer = Layer {
            encoder: encoder.clone(),
            index,
        };
        Ok((layer, LayerReport { embedded }))
    }

    /// The question's vector; None (lexical-only answer) if the model fails,
    /// which it should not for any text, so it is logged as a bug.
    pub fn question(&self, text: &str) -> Option<Vec<f32>> {
        self.encoder
            .embed(text)
            .map_err(|e| tracing::error!("embedding the question failed: {e}"))
            .ok()
    }
}

/// The model in `dir`, loaded once per process while anything holds it: the
/// evaluation opens an engine per document, and tests open many.
pub fn shared_encoder(dir: &Path) -> Result<Arc<Encoder>, SemanticError> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, Weak};
    static LOADED: OnceLock<Mutex<HashMap<std::path::PathBuf, Weak<Encoder>>>> = OnceLock::new();
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if let Some(encoder) = loaded.get(&key).and_then(Weak::upgrade) {
        return Ok(encoder);
    }
    let encoder = Arc::new(Encoder::load(dir)?);
    loaded.insert(key, Arc::downgrade(&encoder));
    Ok(encoder)
}
