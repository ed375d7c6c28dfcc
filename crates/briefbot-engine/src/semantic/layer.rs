//! The semantic layer of one index generation: the model and the vectors of
//! every passage, built (re-embedding only what changed), saved with the
//! generation and loaded back at start-up.

use std::path::Path;
use std::sync::Arc;

use super::encoder::Encoder;
use super::error::SemanticError;
use super::store::{DenseIndex, Item, Watch, FORMAT};
use crate::index::snapshot::embed_threads;
use crate::ingest::passages::Passages;

/// File of a generation's vectors, next to its Tantivy files.
pub const FILE: &str = FORMAT.file;

/// The model and the vectors of one generation's passages.
#[derive(Debug)]
pub(crate) struct Layer {
    pub encoder: Arc<Encoder>,
    /// Shared: the next generation starts from them.
    pub index: Arc<DenseIndex>,
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
    /// The vectors saved in `dir` by this model for as many passages, if
    /// there. `saved` says they should be (a published generation): then
    /// vectors of another model, damaged or missing ones are logged before
    /// they are embedded again.
    pub(crate) fn load(
        encoder: &Arc<Encoder>,
        passages: usize,
        dir: &Path,
        saved: bool,
    ) -> Option<Layer> {
        let path = dir.join(FILE);
        if !path.exists() {
            // Not damage in itself (a fill interrupted or still running in
            // another process leaves none), but never passed over in silence:
            // a deleted file must show in the log.
            if saved {
                tracing::warn!(
                    "passage vectors {} are missing (a fill was interrupted, is running \
                     elsewhere, or the file was deleted); rebuilding them from the briefs",
                    path.display()
                );
            }
            return None;
        }
        match DenseIndex::read(&path) {
            Some(index) if index.fits(encoder.fingerprint(), passages) => {
                return Some(Layer {
                    encoder: encoder.clone(),
                    index: Arc::new(index),
                })
            }
            Some(_) if saved => tracing::warn!(
                "passage vectors {} are from another model or other passages; \
                 rebuilding them from the briefs",
                path.display()
            ),
            None if saved => tracing::warn!(
                "passage vectors {} are damaged or of an older format; rebuilding them from the briefs",
                path.display()
            ),
            _ => {}
        }
        None
    }

    /// How many of `passages` [`Layer::build`] would run through the model.
    pub(crate) fn missing(
        encoder: &Encoder,
        passages: &Passages,
        previous: Option<&DenseIndex>,
    ) -> usize {
        DenseIndex::missing(encoder, &items(passages), previous)
    }

    /// Vectors for `passages`, reusing `previous` where passages are
    /// unchanged, embedded on every core; `watch` sees each passage embedded.
    /// Saved into the generation at `dir` when there is one, whether the
    /// build publishes them or the background fill does. Returns the layer
    /// and how many passages went through the model.
    pub(crate) fn build(
        encoder: &Arc<Encoder>,
        passages: &Passages,
        previous: Option<&DenseIndex>,
        dir: Option<&Path>,
        watch: &dyn Watch,
    ) -> Result<(Layer, usize), SemanticError> {
        let (index, embedded) =
            DenseIndex::build(encoder, &items(passages), previous, embed_threads(), watch)?;
        let layer = Layer {
            encoder: encoder.clone(),
            index: Arc::new(index),
        };
        if let Some(d) = dir {
            layer.save(d);
        }
        Ok((layer, embedded))
    }

    /// Save the vectors into the generation at `dir`. A failure is logged,
    /// not fatal: the next start embeds again. The folder is not created: a
    /// generation removed meanwhile (two rebuilds later) needs no vectors.
    pub(crate) fn save(&self, dir: &Path) {
        if let Err(e) = self.index.write(dir) {
            tracing::warn!("cannot save passage vectors: {e}");
        }
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
    // bf16 where the CPU has AMX and the OS lends it, else f32: the
    // vectors differ slightly and the speed by 3x, so worth a line.
    tracing::debug!(
        model = %dir.display(),
        precision = ?encoder.model().precision(),
        "sentence model loaded"
    );
    loaded.insert(key, Arc::downgrade(&encoder));
    Ok(encoder)
}
