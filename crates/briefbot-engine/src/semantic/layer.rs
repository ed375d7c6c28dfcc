//! The semantic layer of one index generation: the model and the vectors of
//! every passage, built (re-embedding only what changed), saved with the
//! generation and loaded back at start-up.

use std::path::Path;
use std::sync::Arc;

use super::encoder::Encoder;
use super::error::SemanticError;
use super::store::{DenseIndex, Item};
use crate::ingest::passages::Passages;

/// File of a generation's vectors, next to its Tantivy files.
pub const FILE: &str = "dense.bin";

/// The model and the vectors of one generation's passages.
#[derive(Debug)]
pub(crate) struct Layer {
    pub encoder: Arc<Encoder>,
    pub index: DenseIndex,
}

/// How a layer came to be, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LayerReport {
    /// Passages run through the model (the others' vectors were reused).
    pub embedded: usize,
}

fn items(passages: &Passages) -> Vec<Item<'_>> {
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
    /// Vectors for `passages`: read from `dir` when saved there by this
    /// model for as many passages, else embedded (reusing `previous` where
    /// passages are unchanged) and saved to `dir`. `saved` says the vectors
    /// should be there (a published generation): then their absence or
    /// damage is reported. A failure to save is logged, not fatal: the next
    /// start embeds again.
    pub(crate) fn load_or_build(
        encoder: &Arc<Encoder>,
        passages: &Passages,
        dir: Option<&Path>,
        saved: bool,
        previous: Option<&DenseIndex>,
        threads: usize,
    ) -> Result<(Layer, LayerReport), SemanticError> {
        if let Some(d) = dir {
            let path = d.join(FILE);
            match DenseIndex::read(&path) {
                Some(index) if index.fits(encoder.fingerprint(), passages.len()) => {
                    let layer = Layer {
                        encoder: encoder.clone(),
                        index,
                    };
                    return Ok((layer, LayerReport::default()));
                }
                Some(_) if saved => tracing::warn!(
                    "passage vectors {} are from another model or other passages; \
                     rebuilding them from the briefs",
                    path.display()
                ),
                None if saved => tracing::warn!(
                    "passage vectors {} are missing or damaged; rebuilding them from the briefs",
                    path.display()
                ),
                _ => {}
            }
        }
        let items = items(passages);
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
    pub(crate) fn question(&self, text: &str) -> Option<Vec<f32>> {
        self.encoder
            .embed(text)
            .map_err(|e| tracing::error!("embedding the question failed: {e}"))
            .ok()
    }
}

/// The model in `dir`, loaded once per process while anything holds it: the
/// evaluation opens an engine per document, and tests open many.
pub(crate) fn shared_encoder(dir: &Path) -> Result<Arc<Encoder>, SemanticError> {
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
