//! The answerability reader: reads the question with a few sentences of the
//! best passage and says whether one of them *states* what is asked, not
//! only whether it shares the question's words (a same-topic question the
//! brief does not answer covers nearly all of them). It also picks the
//! sentence that states it, which becomes the key sentence.
//!
//! A cross-encoder fine-tuned from the shipped sentence encoder
//! (`models/answerability`, made by `scripts/answerability/train.py`; its
//! README says on what data): only its top layers and head are stored, the
//! rest is the encoder's, so it loads next to the encoder and needs it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bert_cpu::CrossEncoder;
use tokenizers::{Tokenizer, TruncationParams, TruncationStrategy};

use crate::answer::verdict::{Reading, READER_THRESHOLD};
use crate::semantic::{Encoder, SemanticError};

/// The shipped reader, relative to the working directory like `briefs/`.
pub const DEFAULT_READER_DIR: &str = "models/answerability";

/// `reader.json`: how the weights were trained, which the reading must
/// repeat, and the operating threshold chosen on held-out articles.
#[derive(Debug, Clone, serde::Deserialize)]
struct Settings {
    /// Layers the input runs through in all.
    layers: usize,
    /// Of those, the first ones are the encoder's own (not stored here).
    shared_layers: usize,
    /// Sentences of the passage read: the key sentence, then the others by
    /// cosine to the question.
    sentences: usize,
    /// Tokens per pair; the sentence is truncated, never the question.
    max_tokens: usize,
    /// Below this probability the passage does not state the answer.
    threshold: f32,
}

pub(crate) struct Reader {
    model: CrossEncoder,
    encoder: Arc<Encoder>,
    tokenizer: Tokenizer,
    settings: Settings,
    dir: PathBuf,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("dir", &self.dir)
            .field("settings", &self.settings)
            .finish()
    }
}

impl Reader {
    /// Load `reader.json` and `model.safetensors` from `dir`, on top of
    /// `encoder` (the model the weights were fine-tuned from).
    pub(crate) fn load(dir: &Path, encoder: Arc<Encoder>) -> Result<Reader, SemanticError> {
        let bad = |path: &Path, message: String| SemanticError::BadFile {
            path: path.to_path_buf(),
            message,
        };
        let file = |name: &'static str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(SemanticError::MissingReaderFile {
                    dir: dir.to_path_buf(),
                    file: name,
                })
            }
        };
        let settings_path = file("reader.json")?;
        let weights_path = file("model.safetensors")?;
        let text = std::fs::read_to_string(&settings_path)
            .map_err(|e| bad(&settings_path, e.to_string()))?;
        let settings: Settings = serde_json::from_str(&text)
            .map_err(|e| bad(&settings_path, format!("not a reader's settings: {e}")))?;
        if settings.sentences == 0 || settings.max_tokens < 8 {
            return Err(bad(
                &settings_path,
                "sentences must be at least 1 and max_tokens at least 8".into(),
            ));
        }
        let bytes = std::fs::read(&weights_path).map_err(|e| bad(&weights_path, e.to_string()))?;
        let model = CrossEncoder::load(
            encoder.model(),
            settings.shared_layers,
            settings.layers,
            &bytes,
        )
        .map_err(|e| bad(&weights_path, e))?;
        let mut tokenizer = encoder.tokenizer().clone();
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: settings.max_tokens,
                strategy: TruncationStrategy::OnlySecond,
                ..TruncationParams::default()
            }))
            .map_err(|e| bad(&settings_path, e.to_string()))?;
        Ok(Reader {
            model,
            encoder,
            tokenizer,
            settings,
            dir: dir.to_path_buf(),
        })
    }

    /// Read the question with the passage's candidate sentences: the key
    /// sentence first, then the others by their cosine to the question
    /// (`cosines`, one per sentence, may be empty), up to the reader's count.
    /// `title` is the brief's, read before each sentence as training did.
    ///
    /// The passage's probability is its best sentence's, moved so that this
    /// reader's own operating threshold (chosen on held-out articles, in
    /// `reader.json`) falls on the verdict's [`READER_THRESHOLD`]: a
    /// retrained reader brings its threshold with it.
    pub(crate) fn read(
        &self,
        question: &str,
        title: &str,
        text: &str,
        sentences: &[Range<usize>],
        key: usize,
        cosines: &[f32],
    ) -> Result<Reading, SemanticError> {
        let mut best: Option<(f32, usize)> = None;
        for i in candidates(sentences.len(), key, cosines, self.settings.sentences) {
            let sentence = text.get(sentences[i].clone()).unwrap_or(text);
            let pair = self
                .tokenizer
                .encode((question, format!("{title}. {sentence}")), true)
                .map_err(|e| self.failure(e.to_string()))?;
            let logit = self
                .model
                .score(self.encoder.model(), pair.get_ids(), pair.get_type_ids())
                .map_err(|e| self.failure(e))?;
            if best.is_none_or(|(l, _)| logit > l) {
                best = Some((logit, i));
            }
        }
        let Some((logit, sentence)) = best else {
            return Ok(Reading {
                answerable: 0.0,
                key: None,
            });
        };
        let shift = logit_of(self.settings.threshold) - logit_of(READER_THRESHOLD);
        Ok(Reading {
            answerable: sigmoid(logit - shift),
            key: Some(sentence),
        })
    }

    fn failure(&self, message: String) -> SemanticError {
        SemanticError::Inference {
            dir: self.dir.clone(),
            message,
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn logit_of(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// The reader in `dir` on top of `encoder`, when both are there. A folder
/// that does not exist is logged and means no reader (a deployment may
/// leave it out); one that exists but does not load is an error.
pub(crate) fn optional(
    dir: Option<&Path>,
    encoder: Option<&Arc<Encoder>>,
) -> Result<Option<Arc<Reader>>, SemanticError> {
    let (Some(dir), Some(encoder)) = (dir.filter(|d| !d.as_os_str().is_empty()), encoder) else {
        return Ok(None);
    };
    if !dir.exists() {
        tracing::info!(
            "no answerability reader at {} (engine.reader_dir): answers are judged by their confidence alone",
            dir.display()
        );
        return Ok(None);
    }
    Reader::load(dir, encoder.clone()).map(|r| Some(Arc::new(r)))
}

/// The sentences read, in order: `key` first, then the others by cosine,
/// best first; at most `count`. None for a passage without sentences.
fn candidates(len: usize, key: usize, cosines: &[f32], count: usize) -> Vec<usize> {
    if len == 0 {
        return Vec::new();
    }
    let key = key.min(len - 1);
    let mut rest: Vec<usize> = (0..len).filter(|&i| i != key).collect();
    let cos = |i: usize| cosines.get(i).copied().unwrap_or(0.0);
    rest.sort_by(|&a, &b| cos(b).total_cmp(&cos(a)).then(a.cmp(&b)));
    std::iter::once(key).chain(rest).take(count).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_threshold_lands_on_the_verdicts() {
        let shift = logit_of(0.2) - logit_of(READER_THRESHOLD);
        assert!((sigmoid(logit_of(0.2) - shift) - READER_THRESHOLD).abs() < 1e-5);
        assert!(sigmoid(logit_of(0.1) - shift) < READER_THRESHOLD);
    }

    #[test]
    fn the_key_sentence_is_read_first_then_the_nearest_in_meaning() {
        assert_eq!(candidates(4, 2, &[0.1, 0.9, 0.5, 0.3], 3), vec![2, 1, 3]);
        assert_eq!(candidates(1, 5, &[], 3), vec![0]);
        assert!(candidates(0, 0, &[], 3).is_empty());
    }
}
