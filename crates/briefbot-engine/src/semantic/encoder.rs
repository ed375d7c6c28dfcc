//! The sentence encoder: a BERT model turning a text into one unit vector, so
//! that texts saying the same thing in other words score a high dot product.
//!
//! Runs on the CPU in pure Rust (the `bert-cpu` crate; nothing downloaded at
//! build or run time), one text per forward pass on the caller's thread.
//! Weights may be stored in f16 to halve the bundle; they stay in f16 in
//! memory and are widened as they are read.

use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokenizers::{Tokenizer, TruncationParams};

use super::error::SemanticError;
use crate::ingest::corpus::hex;
use bert_cpu::{Bert, Config, Precision};

/// Tokens kept per text. The model was trained on at most 256 word pieces;
/// longer passages are truncated, which keeps their opening (usually the point).
pub(super) const MAX_TOKENS: usize = 256;

/// A loaded model. Cheap to share across threads behind an `Arc`.
pub(crate) struct Encoder {
    model: Bert,
    tokenizer: Tokenizer,
    dim: usize,
    dir: PathBuf,
    fingerprint: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("dir", &self.dir)
            .field("dim", &self.dim)
            .finish()
    }
}

impl Encoder {
    /// Load `config.json`, `tokenizer.json` and `model.safetensors` from
    /// `dir`, for the fastest products this process runs (bf16 on AMX
    /// where the CPU has it).
    pub(crate) fn load(dir: &Path) -> Result<Encoder, SemanticError> {
        Encoder::load_with(dir, Precision::fastest())
    }

    /// [`Encoder::load`] with the products in `precision`.
    pub(crate) fn load_with(dir: &Path, precision: Precision) -> Result<Encoder, SemanticError> {
        let file = |name: &'static str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(SemanticError::MissingFile {
                    dir: dir.to_path_buf(),
                    file: name,
                })
            }
        };
        let config_path = file("config.json")?;
        let tokenizer_path = file("tokenizer.json")?;
        let weights_path = file("model.safetensors")?;
        let bad = |path: &Path, message: String| SemanticError::BadFile {
            path: path.to_path_buf(),
            message,
        };

        let config_text =
            std::fs::read_to_string(&config_path).map_err(|e| bad(&config_path, e.to_string()))?;
        let config: Config = serde_json::from_str(&config_text)
            .map_err(|e| bad(&config_path, format!("not a BERT configuration: {e}")))?;
        config.check().map_err(|e| bad(&config_path, e))?;

        // The tokenizer (a JSON vocabulary and its regexes) and the weights
        // (read and checked tensor by tensor) load independently: side by side, start-up
        // waits for the slower one only.
        let (tokenizer, model) = std::thread::scope(|s| {
            let tokenizer = s.spawn(|| -> Result<Tokenizer, SemanticError> {
                let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
                    .map_err(|e| bad(&tokenizer_path, e.to_string()))?;
                // The shipped tokenizer pads every text to 128 tokens; the model
                // reads one text at a time, which needs no padding.
                tokenizer.with_padding(None);
                tokenizer
                    .with_truncation(Some(TruncationParams {
                        max_length: MAX_TOKENS.min(config.max_position_embeddings),
                        ..TruncationParams::default()
                    }))
                    .map_err(|e| bad(&tokenizer_path, e.to_string()))?;
                Ok(tokenizer)
            });
            let model = std::fs::read(&weights_path)
                .map_err(|e| bad(&weights_path, e.to_string()))
                .and_then(|bytes| {
                    Bert::load_with(config.clone(), &bytes, precision)
                        .map_err(|e| bad(&weights_path, e))
                });
            let tokenizer = tokenizer
                .join()
                .unwrap_or_else(|_| Err(bad(&tokenizer_path, "the tokenizer panicked".into())));
            (tokenizer, model)
        });
        let (tokenizer, model) = (tokenizer?, model?);
        let fingerprint = fingerprint(&[&config_path, &tokenizer_path, &weights_path])
            .map_err(|(path, e)| bad(&path, e.to_string()))?;
        Ok(Encoder {
            model,
            tokenizer,
            dim: config.hidden_size,
            dir: dir.to_path_buf(),
            fingerprint,
        })
    }

    /// The forward pass, for models fine-tuned on top of this one.
    pub(crate) fn model(&self) -> &Bert {
        &self.model
    }

    /// The tokenizer (no padding, truncation at [`MAX_TOKENS`]).
    pub(crate) fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Length of the vectors this model produces.
    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// Identifies the model's files, so vectors saved with an index are
    /// reused only with the model that made them.
    pub(crate) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// One text's unit vector (mean of its token vectors, L2-normalised).
    pub(crate) fn embed(&self, text: &str) -> Result<Vec<f32>, SemanticError> {
        Ok(self.embed_with_spans(text, &[], 0..0)?.0)
    }

    /// A passage's vectors read after `context` (its brief's title): the
    /// passage's vector pools every token, each sentence's pools its own
    /// tokens and the context's, so a sentence that names its subject only
    /// as "it" still carries it.
    pub(crate) fn embed_in_context(
        &self,
        context: &str,
        text: &str,
        spans: &[Range<usize>],
    ) -> Result<(Vec<f32>, Vec<Vec<f32>>), SemanticError> {
        let context = context.trim();
        if context.is_empty() {
            return self.embed_with_spans(text, spans, 0..0);
        }
        let shift = context.len() + 2;
        let full = format!("{context}. {text}");
        let spans: Vec<Range<usize>> = spans
            .iter()
            .map(|s| s.start + shift..s.end + shift)
            .collect();
        self.embed_with_spans(&full, &spans, 0..context.len())
    }

    /// A passage's vector and one per span of it (its sentences), pooled from
    /// the same forward pass: each sentence is read in the context of its
    /// paragraph, at no extra model cost. A span past the truncation point
    /// (or holding no token) gets the passage's vector.
    pub(crate) fn embed_with_spans(
        &self,
        text: &str,
        spans: &[Range<usize>],
        shared: Range<usize>,
    ) -> Result<(Vec<f32>, Vec<Vec<f32>>), SemanticError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| self.failure(e.to_string()))?;
        let tokens = self.hidden(encoding.get_ids())?;
        let count = tokens.len() / self.dim;
        let all: Vec<usize> = (0..count).collect();
        let passage = pool(&tokens, &all, self.dim);
        let offsets = encoding.get_offsets();
        let special = encoding.get_special_tokens_mask();
        let within = |span: &Range<usize>| -> Vec<usize> {
            (0..count)
                .filter(|&i| {
                    special.get(i) == Some(&0)
                        && offsets
                            .get(i)
                            .is_some_and(|o| o.0 >= span.start && o.1 <= span.end)
                })
                .collect()
        };
        let shared = if shared.is_empty() {
            Vec::new()
        } else {
            within(&shared)
        };
        let sentences = spans
            .iter()
            .map(|span| {
                let inside = within(span);
                if inside.is_empty() {
                    passage.clone()
                } else {
                    let rows: Vec<usize> = shared.iter().chain(&inside).copied().collect();
                    pool(&tokens, &rows, self.dim)
                }
            })
            .collect();
        Ok((passage, sentences))
    }

    /// The last hidden state of one text: a row of `dim` per token, one
    /// after the other.
    fn hidden(&self, ids: &[u32]) -> Result<Vec<f32>, SemanticError> {
        // An empty text still has its [CLS] and [SEP]; a tokenizer without
        // special tokens could give none, and pooling needs one row.
        let ids = if ids.is_empty() { &[0][..] } else { ids };
        self.model.forward(ids).map_err(|e| self.failure(e))
    }

    fn failure(&self, message: String) -> SemanticError {
        SemanticError::Inference {
            dir: self.dir.clone(),
            message,
        }
    }
}

/// A hash of the model's files: all of the small ones, and the size, head
/// and tail of the weights (hashing 45 MB at every start would cost more than
/// loading them, and a different model never shares all three).
fn fingerprint(files: &[&Path]) -> Result<String, (PathBuf, std::io::Error)> {
    use std::io::{Read, Seek, SeekFrom};
    const PEEK: u64 = 1 << 16;
    let mut h = Sha256::new();
    for path in files {
        let fail = |e| (path.to_path_buf(), e);
        let mut f = std::fs::File::open(path).map_err(fail)?;
        let len = f.metadata().map_err(fail)?.len();
        h.update(len.to_le_bytes());
        let mut buf = Vec::new();
        if len <= 4 * PEEK {
            f.read_to_end(&mut buf).map_err(fail)?;
        } else {
            f.by_ref().take(PEEK).read_to_end(&mut buf).map_err(fail)?;
            f.seek(SeekFrom::End(-(PEEK as i64))).map_err(fail)?;
            f.read_to_end(&mut buf).map_err(fail)?;
        }
        h.update(&buf);
    }
    Ok(hex(&h.finalize()))
}

/// Mean of some token rows, L2-normalised.
fn pool(tokens: &[f32], rows: &[usize], dim: usize) -> Vec<f32> {
    let mut v = vec![0.0f32; dim];
    for &r in rows {
        for (acc, x) in v.iter_mut().zip(&tokens[r * dim..(r + 1) * dim]) {
            *acc += x;
        }
    }
    normalise(&mut v);
    v
}

/// Scale to unit length (a zero vector stays zero).
pub(super) fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 1e-12 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Dot product of two unit vectors: their cosine similarity.
#[cfg(test)]
fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Encoder {
        let dir = crate::repo_file("models/all-MiniLM-L6-v2");
        Encoder::load(&dir).expect("the shipped model loads")
    }

    #[test]
    fn a_paraphrase_scores_above_an_unrelated_sentence() {
        let enc = shipped();
        let q = enc.embed("Is military service obligatory there?").unwrap();
        let para = enc
            .embed("Every man must serve in the army for two years.")
            .unwrap();
        let other = enc
            .embed("The recipe needs two cups of flour and an egg.")
            .unwrap();
        assert_eq!(q.len(), enc.dim());
        let norm: f32 = q.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4, "not a unit vector: {norm}");
        let (near, far) = (cosine(&q, &para), cosine(&q, &other));
        assert!(near > far + 0.2, "paraphrase {near} vs unrelated {far}");
    }

    #[test]
    fn a_sentence_read_in_its_paragraph_points_to_its_own_meaning() {
        let enc = shipped();
        let text = "Prices rose sharply. The team won the final after extra time.";
        let spans = [0..20, 21..text.len()];
        let (passage, sentences) = enc.embed_with_spans(text, &spans, 0..0).unwrap();
        assert_eq!(sentences.len(), 2);
        let q = enc.embed("who won the match?").unwrap();
        assert!(cosine(&q, &sentences[1]) > cosine(&q, &sentences[0]));
        let alone = enc.embed(text).unwrap();
        assert!(cosine(&passage, &alone) > 0.999);
    }

    /// Values candle 0.9.2's `BertModel` gave for the shipped model (mean
    /// pooling, L2 norm) before the engine computed the forward pass itself:
    /// the two agree to about 1e-6 per hidden value in f32 (bf16's
    /// rounding is `bert-cpu`'s to test).
    #[test]
    fn vectors_match_the_reference_implementation() {
        let dir = crate::repo_file("models/all-MiniLM-L6-v2");
        let enc = Encoder::load_with(&dir, Precision::F32).expect("the shipped model loads");
        let cases: [(&str, [f32; 4], [f32; 4]); 2] = [
            (
                "How many soldiers will be sent?",
                [0.00881308, -0.035993367, -0.04992911, -0.009184278],
                [-0.0007029642, -0.033149906, -0.007947979, -0.022809649],
            ),
            (
                "Every man must serve in the army for two years.",
                [0.016304992, -0.03680512, 0.0407911, -0.0223743],
                [0.035095613, -0.01937034, 0.016157595, -0.005296565],
            ),
        ];
        for (text, head, tail) in cases {
            let v = enc.embed(text).unwrap();
            let got = v[..4].iter().chain(&v[380..]);
            for (g, want) in got.zip(head.iter().chain(&tail)) {
                assert!((g - want).abs() < 1e-5, "{text:?}: {g} vs {want}");
            }
        }
    }

    #[test]
    fn a_damaged_or_foreign_model_is_refused_naming_the_file() {
        let shipped = crate::repo_file("models/all-MiniLM-L6-v2");
        let dir = tempfile::tempdir().unwrap();
        for name in ["config.json", "tokenizer.json", "model.safetensors"] {
            std::fs::copy(shipped.join(name), dir.path().join(name)).unwrap();
        }
        let weights = dir.path().join("model.safetensors");
        let bytes = std::fs::read(&weights).unwrap();
        std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
        let err = Encoder::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("model.safetensors"), "{err}");

        std::fs::write(&weights, &bytes).unwrap();
        let config = dir.path().join("config.json");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(
            &config,
            text.replace("\"hidden_size\": 384", "\"hidden_size\": 768"),
        )
        .unwrap();
        let err = Encoder::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("model.safetensors") && err.contains("shape"),
            "{err}"
        );

        std::fs::write(&config, text.replace("\"gelu\"", "\"relu\"")).unwrap();
        let err = Encoder::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("config.json") && err.contains("relu"), "{err}");
    }

    #[test]
    fn a_missing_model_names_the_folder_and_file() {
        let dir = std::env::temp_dir().join("briefbot-no-model-here");
        let err = Encoder::load(&dir).unwrap_err().to_string();
        assert!(err.contains("briefbot-no-model-here"), "{err}");
        assert!(err.contains("config.json"), "{err}");
        assert!(err.contains("engine.model_dir"), "{err}");
    }
}
