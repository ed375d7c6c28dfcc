//! Why the sentence encoder could not load or run. Each names the model
//! folder or file at fault, so an operator knows which `engine.model_dir` to fix.

use std::path::PathBuf;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SemanticError {
    #[error("model folder {dir} is missing {file} (set `engine.model_dir` to a folder with config.json, tokenizer.json and model.safetensors)")]
    MissingFile { dir: PathBuf, file: &'static str },
    #[error("reader folder {dir} is missing {file} (set `engine.reader_dir` to a folder with reader.json and model.safetensors, or to \"\" to run without the reader)")]
    MissingReaderFile { dir: PathBuf, file: &'static str },
    #[error("model file {path}: {message}")]
    BadFile { path: PathBuf, message: String },
    #[error("model in {dir} failed on a text: {message}")]
    Inference { dir: PathBuf, message: String },
    /// A newer build replaced the generation whose vectors were being made.
    #[error("embedding the passages was cancelled: a newer index generation replaced them")]
    Cancelled,
}
