//! A cross-encoder read on top of a loaded [`Bert`]: a question and a
//! sentence go through the encoder together (one input, two token types),
//! so every layer can compare them word by word, and a linear head turns the
//! result into one score.
//!
//! Why on top of the sentence encoder rather than a model of its own: the
//! first `shared` layers and the embeddings are the encoder's, unchanged, so
//! only the layers fine-tuned above them (and the head) are stored and
//! loaded. The input runs through `layers` layers in all, fewer than the
//! encoder's, to keep a question's cost down. Its layers compute in the
//! encoder's precision.

use safetensors::SafeTensors;

use crate::model::{run, Bert, Block};
use crate::weights::Weights;

/// The fine-tuned part of a cross-encoder; the rest is borrowed from the
/// [`Bert`] it was trained on, passed to each call.
pub struct CrossEncoder {
    shared: usize,
    blocks: Vec<Block>,
    head: Vec<f32>,
    bias: f32,
}

impl CrossEncoder {
    /// Read the layers `shared..layers` and the head (`head.weight`, two
    /// rows of hidden size read as one: the `[CLS]` token's state, then the
    /// mean of all tokens; `head.bias`) from a safetensors file's bytes.
    /// `base` is the encoder the file was trained on top of.
    pub fn load(
        base: &Bert,
        shared: usize,
        layers: usize,
        bytes: &[u8],
    ) -> Result<CrossEncoder, String> {
        let cfg = base.config();
        if shared > cfg.num_hidden_layers || shared > layers {
            return Err(format!(
                "shares {shared} layers of an encoder of {} and reads {layers} in all",
                cfg.num_hidden_layers
            ));
        }
        let st =
            SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
        let w = Weights {
            st: &st,
            prefix: "",
            precision: base.precision(),
        };
        let (h, ff) = (cfg.hidden_size, cfg.intermediate_size);
        let blocks = (shared..layers)
            .map(|i| w.block(i, h, ff))
            .collect::<Result<_, String>>()?;
        let head = w.get("head.weight", &[1, 2 * h])?;
        let bias = w.get("head.bias", &[1])?[0];
        Ok(CrossEncoder {
            shared,
            blocks,
            head,
            bias,
        })
    }

    /// The head's score (a logit) for one pair, given its token ids and
    /// token types (0 for the question's tokens, 1 for the sentence's).
    pub fn score(&self, base: &Bert, ids: &[u32], types: &[u32]) -> Result<f32, String> {
        if ids.is_empty() || ids.len() != types.len() {
            return Err(format!(
                "{} token ids and {} token types: a pair needs one type per id",
                ids.len(),
                types.len()
            ));
        }
        let len = ids.len();
        let mut x = base.embed(ids, types)?;
        base.run_blocks(&mut x, len, 0..self.shared);
        run(&self.blocks, &mut x, len, base.config());
        let h = base.config().hidden_size;
        let mut mean = vec![0f32; h];
        for row in x.chunks_exact(h) {
            mean.iter_mut()
                .zip(row)
                .for_each(|(m, v)| *m += v / len as f32);
        }
        let pooled = x[..h].iter().chain(&mean);
        Ok(self.bias + pooled.zip(&self.head).map(|(v, w)| v * w).sum::<f32>())
    }
}
