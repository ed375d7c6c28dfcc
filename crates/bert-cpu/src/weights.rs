//! Reading a model's tensors from a safetensors file into the shapes the
//! forward pass computes with, each named in the error when it is missing
//! or misshapen.

use half::{bf16, f16};
use safetensors::{Dtype, SafeTensors};

use crate::matmul::{Matrix, Precision};
use crate::model::{Block, Linear, Norm, Table};

/// The tensors of one file, looked up under the model's prefix.
pub(crate) struct Weights<'a> {
    pub(crate) st: &'a SafeTensors<'a>,
    pub(crate) prefix: &'a str,
    /// The precision the linear layers are packed for.
    pub(crate) precision: Precision,
}

impl Weights<'_> {
    fn view(
        &self,
        name: &str,
        shape: &[usize],
    ) -> Result<safetensors::tensor::TensorView<'_>, String> {
        let full = format!("{}{name}", self.prefix);
        let view = self
            .st
            .tensor(&full)
            .map_err(|_| format!("has no tensor {full} (is it a BERT model?)"))?;
        if view.shape() != shape {
            return Err(format!(
                "tensor {full} has shape {:?}, config.json implies {shape:?}",
                view.shape()
            ));
        }
        Ok(view)
    }

    /// Layer `i` of an encoder (`encoder.layer.{i}.*`).
    pub(crate) fn block(&self, i: usize, h: usize, ff: usize) -> Result<Block, String> {
        let at = |name: &str| format!("encoder.layer.{i}.{name}");
        Ok(Block {
            precision: self.precision,
            query: self.linear(&at("attention.self.query"), h, h)?,
            key: self.linear(&at("attention.self.key"), h, h)?,
            value: self.linear(&at("attention.self.value"), h, h)?,
            attn_out: self.linear(&at("attention.output.dense"), h, h)?,
            attn_norm: self.norm(&at("attention.output.LayerNorm"), h)?,
            up: self.linear(&at("intermediate.dense"), h, ff)?,
            down: self.linear(&at("output.dense"), ff, h)?,
            out_norm: self.norm(&at("output.LayerNorm"), h)?,
        })
    }

    pub(crate) fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let view = self.view(name, shape)?;
        let data = view.data();
        match view.dtype() {
            Dtype::F32 => Ok(data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            Dtype::F16 => Ok(data
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect()),
            Dtype::BF16 => Ok(data
                .chunks_exact(2)
                .map(|b| bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect()),
            other => Err(format!(
                "tensor {}{name} is {other:?}; only F32, F16 and BF16 are supported",
                self.prefix
            )),
        }
    }

    /// A matrix kept in half precision (see `kernel` for why); an f32 or
    /// bf16 file is narrowed once at load.
    fn get_f16(&self, name: &str, shape: &[usize]) -> Result<Vec<f16>, String> {
        let view = self.view(name, shape)?;
        if view.dtype() == Dtype::F16 {
            return Ok(view
                .data()
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]))
                .collect());
        }
        Ok(self
            .get(name, shape)?
            .into_iter()
            .map(f16::from_f32)
            .collect())
    }

    pub(crate) fn table(&self, name: &str, shape: [usize; 2]) -> Result<Table, String> {
        let view = self.view(name, &shape)?;
        if view.dtype() == Dtype::F16 {
            return self.get_f16(name, &shape).map(Table::F16);
        }
        self.get(name, &shape).map(Table::F32)
    }

    fn linear(&self, name: &str, inputs: usize, outputs: usize) -> Result<Linear, String> {
        let w = self.get_f16(&format!("{name}.weight"), &[outputs, inputs])?;
        Ok(Linear {
            w: Matrix::from_rows(self.precision, &w, inputs, inputs, outputs),
            b: self.get(&format!("{name}.bias"), &[outputs])?,
        })
    }

    pub(crate) fn norm(&self, name: &str, width: usize) -> Result<Norm, String> {
        Ok(Norm {
            gamma: self.get(&format!("{name}.weight"), &[width])?,
            beta: self.get(&format!("{name}.bias"), &[width])?,
        })
    }
}
