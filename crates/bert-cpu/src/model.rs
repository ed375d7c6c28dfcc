//! A BERT encoder's forward pass (the architecture of all-MiniLM-L6-v2 and
//! of any compatible `engine.model_dir`), from a `config.json` and a
//! `model.safetensors` file.
//!
//! Why written out here rather than taken from a tensor library: the encoder
//! is six matrix products, a softmax and two layer norms per layer, and the
//! library we used before (candle) spent most of a question's time packing
//! weights and waking threads (see `kernel`). This file stays the plain
//! textbook computation; the speed lives in `matmul`.

use std::ops::Range;

use half::f16;
use safetensors::SafeTensors;

use crate::kernel::{gelu, layer_norm, softmax};
use crate::matmul::{matmul, matmul_strided, Matrix, Precision};
use crate::weights::Weights;

/// The settings of `config.json` the forward pass reads.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".into()
}

impl Config {
    /// Refuse what this forward pass does not compute, rather than produce
    /// vectors that silently mean nothing.
    pub fn check(&self) -> Result<(), String> {
        if self.hidden_act != "gelu" {
            return Err(format!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                self.hidden_act
            ));
        }
        if let Some(kind) = self.position_embedding_type.as_deref() {
            if kind != "absolute" {
                return Err(format!(
                    "position_embedding_type {kind:?} is not supported (only \"absolute\")"
                ));
            }
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        Ok(())
    }
}

/// A loaded encoder: the linear layers' matrices packed for the products
/// of its [`Precision`] (f16 widened in registers as they multiply, or
/// bf16 for AMX: the same 21 MB either way; see `matmul`), the word table
/// (most of the file) kept as stored and widened one looked-up row at a
/// time, and the small rest (biases, norms, positions) widened to f32 at
/// load.
pub struct Bert {
    cfg: Config,
    words: Table,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embed_norm: Norm,
    blocks: Vec<Block>,
    precision: Precision,
}

pub(crate) enum Table {
    F16(Vec<f16>),
    F32(Vec<f32>),
}

pub(crate) struct Linear {
    pub(crate) w: Matrix<f16>,
    pub(crate) b: Vec<f32>,
}

pub(crate) struct Norm {
    pub(crate) gamma: Vec<f32>,
    pub(crate) beta: Vec<f32>,
}

pub(crate) struct Block {
    /// The precision of the attention's products (the linear layers carry theirs).
    pub(crate) precision: Precision,
    pub(crate) query: Linear,
    pub(crate) key: Linear,
    pub(crate) value: Linear,
    pub(crate) attn_out: Linear,
    pub(crate) attn_norm: Norm,
    pub(crate) up: Linear,
    pub(crate) down: Linear,
    pub(crate) out_norm: Norm,
}

impl Bert {
    /// Read the weights `cfg` describes from a safetensors file's bytes, for
    /// the [fastest](Precision::fastest) products this process runs (bf16
    /// on AMX where the CPU has it). The error names the tensor at fault.
    pub fn load(cfg: Config, bytes: &[u8]) -> Result<Bert, String> {
        Bert::load_with(cfg, bytes, Precision::fastest())
    }

    /// [`Bert::load`] for products in `precision` (bf16 where it is not
    /// [available](Precision::available) computes in f32).
    pub fn load_with(cfg: Config, bytes: &[u8], precision: Precision) -> Result<Bert, String> {
        let precision = if precision.available() {
            precision
        } else {
            Precision::F32
        };
        cfg.check()?;
        let st =
            SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
        // Files exported from a pretraining checkpoint put everything under "bert.".
        let prefix = if st.tensor("embeddings.word_embeddings.weight").is_ok() {
            ""
        } else {
            "bert."
        };
        let w = Weights {
            st: &st,
            prefix,
            precision,
        };
        let (h, ff) = (cfg.hidden_size, cfg.intermediate_size);
        let words = w.table("embeddings.word_embeddings.weight", [cfg.vocab_size, h])?;
        let positions = w.get(
            "embeddings.position_embeddings.weight",
            &[cfg.max_position_embeddings, h],
        )?;
        let token_type = w.get(
            "embeddings.token_type_embeddings.weight",
            &[cfg.type_vocab_size, h],
        )?;
        let embed_norm = w.norm("embeddings.LayerNorm", h)?;
        let blocks = (0..cfg.num_hidden_layers)
            .map(|i| w.block(i, h, ff))
            .collect::<Result<_, String>>()?;
        Ok(Bert {
            cfg,
            words,
            positions,
            token_type,
            embed_norm,
            blocks,
            precision,
        })
    }

    /// The precision this model's products compute in.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The last hidden state of one text's token ids: `ids.len()` rows of
    /// `hidden_size`, one after the other.
    pub fn forward(&self, ids: &[u32]) -> Result<Vec<f32>, String> {
        let mut x = self.embed(ids, &[])?;
        self.run_blocks(&mut x, ids.len(), 0..self.blocks.len());
        Ok(x)
    }

    pub(crate) fn config(&self) -> &Config {
        &self.cfg
    }

    /// Run some of this model's layers over hidden states of `len` tokens.
    pub(crate) fn run_blocks(&self, x: &mut Vec<f32>, len: usize, layers: Range<usize>) {
        run(&self.blocks[layers], x, len, &self.cfg);
    }

    /// The embedding layer's output: word, position and token type (`types`,
    /// one per id; empty means all of the first segment), normalised.
    pub(crate) fn embed(&self, ids: &[u32], types: &[u32]) -> Result<Vec<f32>, String> {
        let (len, h) = (ids.len(), self.cfg.hidden_size);
        if len > self.cfg.max_position_embeddings {
            return Err(format!(
                "{len} tokens, more than the model's {} positions",
                self.cfg.max_position_embeddings
            ));
        }
        let mut x = vec![0f32; len * h];
        for (i, (&id, row)) in ids.iter().zip(x.chunks_exact_mut(h)).enumerate() {
            let id = id as usize;
            if id >= self.cfg.vocab_size {
                return Err(format!(
                    "token id {id} is outside the vocabulary of {}",
                    self.cfg.vocab_size
                ));
            }
            let kind = types.get(i).copied().unwrap_or(0) as usize;
            if kind >= self.cfg.type_vocab_size {
                return Err(format!(
                    "token type {kind} is outside the model's {} types",
                    self.cfg.type_vocab_size
                ));
            }
            self.words.row(id, h, row);
            let position = &self.positions[i * h..(i + 1) * h];
            let token_type = &self.token_type[kind * h..(kind + 1) * h];
            for ((v, p), t) in row.iter_mut().zip(position).zip(token_type) {
                *v += p + t;
            }
        }
        self.embed_norm
            .apply(&mut x, h, self.cfg.layer_norm_eps as f32);
        Ok(x)
    }
}

/// Hidden states of `len` tokens through `blocks`, in order.
pub(crate) fn run(blocks: &[Block], x: &mut Vec<f32>, len: usize, cfg: &Config) {
    let eps = cfg.layer_norm_eps as f32;
    for block in blocks {
        *x = block.forward(x, len, cfg.hidden_size, cfg.num_attention_heads, eps);
    }
}

impl Table {
    fn row(&self, id: usize, width: usize, out: &mut [f32]) {
        match self {
            Table::F16(t) => {
                for (o, v) in out.iter_mut().zip(&t[id * width..(id + 1) * width]) {
                    *o = v.to_f32();
                }
            }
            Table::F32(t) => out.copy_from_slice(&t[id * width..(id + 1) * width]),
        }
    }
}

impl Linear {
    fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut y = self.b.repeat(rows);
        matmul(x, rows, &self.w, &mut y);
        y
    }
}

impl Norm {
    fn apply(&self, x: &mut [f32], width: usize, eps: f32) {
        layer_norm(x, width, &self.gamma, &self.beta, eps);
    }
}

impl Block {
    fn forward(&self, x: &[f32], len: usize, h: usize, heads: usize, eps: f32) -> Vec<f32> {
        let mut attended = self.attn_out.apply(&self.attention(x, len, h, heads), len);
        attended.iter_mut().zip(x).for_each(|(a, r)| *a += r);
        self.attn_norm.apply(&mut attended, h, eps);
        let mut up = self.up.apply(&attended, len);
        gelu(&mut up);
        let mut out = self.down.apply(&up, len);
        out.iter_mut().zip(&attended).for_each(|(o, r)| *o += r);
        self.out_norm.apply(&mut out, h, eps);
        out
    }

    /// Multi-head self-attention over all tokens (one text, no padding, so
    /// no mask). Each head's products go through `matmul` too: its query
    /// rows against its key rows, then the weights against its value columns,
    /// both packed per head into memory reused across heads, the second
    /// written straight into the head's columns of the context.
    fn attention(&self, x: &[f32], len: usize, h: usize, heads: usize) -> Vec<f32> {
        let (q, k, v) = (
            self.query.apply(x, len),
            self.key.apply(x, len),
            self.value.apply(x, len),
        );
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let mut context = vec![0f32; len * h];
        let mut qh = vec![0f32; len * d];
        let (mut keys, mut values) = (Matrix::new(self.precision), Matrix::new(self.precision));
        let mut scores = vec![0f32; len * len];
        for head in 0..heads {
            let cols = head * d..(head + 1) * d;
            for t in 0..len {
                let row = t * h;
                for (c, col) in cols.clone().enumerate() {
                    qh[t * d + c] = q[row + col] * scale;
                }
            }
            keys.fill_from_rows(&k[cols.start..], h, d, len);
            values.fill_from_cols(&v[cols.start..], h, len, d);
            scores.fill(0.0);
            matmul(&qh, len, &keys, &mut scores);
            scores.chunks_exact_mut(len).for_each(softmax);
            // Straight into the head's columns of the context.
            matmul_strided(&scores, len, len, &values, &mut context[cols.start..], h);
        }
        context
    }
}
