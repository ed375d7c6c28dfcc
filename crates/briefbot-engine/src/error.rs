//! Typed errors of the engine. Each names the file or setting at fault so the
//! edges (CLI, bot) can report it without adding guesswork.

use std::path::PathBuf;

/// Why one brief file could not be read into passages. The other briefs still
/// index: these are collected into [`crate::IndexReport::problems`].
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum BriefError {
    #[error("file is empty")]
    Empty,
    #[error("file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("file looks binary (NUL byte at byte {offset}), not Markdown or text")]
    Binary { offset: usize },
    #[error("invalid UTF-8 at line {line}, byte {offset}")]
    InvalidUtf8 { line: usize, offset: usize },
    #[error("front-matter, line {line}: {message}")]
    FrontMatter { line: usize, message: String },
    #[error("no paragraphs of text after the front-matter")]
    NoText,
    #[error("unsupported file type {extension:?}: briefs are .md, .markdown or .txt")]
    UnsupportedType { extension: String },
    #[error("{name:?} is not a usable file name (letters, digits, '-', '_' and '.', up to 100)")]
    BadFileName { name: String },
    #[error("cannot read: {message}")]
    Unreadable { message: String },
    #[error("not a tenant directory (its name is not a tenant id: letters, digits, '-' or '_')")]
    NotTenantDir,
    /// Only regular files are read: a FIFO would block, a device could
    /// never end, a directory named like a brief is a mistake worth naming.
    #[error("not a regular file but a {kind}; briefs must be plain files")]
    NotAFile { kind: String },
    /// A link could expose any file the process can read (`/etc/passwd`).
    #[error(
        "symbolic link to {target}, outside the briefs directory; only links within it are followed"
    )]
    LinkOutside { target: PathBuf },
    /// The index and its manifest key briefs by name, which must be text.
    #[error("file name is not valid UTF-8; rename the file")]
    NonUtf8Name,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index at {path}: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("{path}: {source}")]
    Brief {
        path: PathBuf,
        #[source]
        source: BriefError,
    },
    #[error("synonyms file {path}, line {line}: {message}")]
    Synonyms {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("briefs directory {path} does not exist or is not a directory")]
    NoBriefsDir { path: PathBuf },
    #[error("setting `{key}`: {message}")]
    Setting { key: &'static str, message: String },
    /// Another process held the rebuild lock for longer than
    /// `engine.lock_wait_secs`.
    #[error(
        "another process is rebuilding the index in {path} and was still busy after \
         {waited_secs} s (engine.lock_wait_secs); the current index keeps serving, \
         try again shortly"
    )]
    RebuildInProgress { path: PathBuf, waited_secs: u64 },
    /// The index on disk failed verification (checksums or probe query).
    #[error("index at {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    /// Searching failed: the index is damaged or unreadable. Never reported
    /// as "not found", which would hide the damage.
    #[error("the index is damaged or unreadable ({source}); a moderator should reindex")]
    Search {
        #[source]
        source: tantivy::TantivyError,
    },
    #[error(
        "setting `engine.model_dir` (or set `engine.semantic = false` to run without the model)"
    )]
    Model(#[source] crate::semantic::SemanticError),
    /// The answerability reader's folder exists but does not load.
    #[error("the answerability reader did not load: {0} (or set `engine.reader_dir = \"\"` to run without it)")]
    Reader(crate::semantic::SemanticError),
    /// A bug, not bad input; reported rather than taking the bot down.
    #[error("the rebuild stopped unexpectedly; the previous index keeps serving")]
    RebuildPanicked,
}

impl EngineError {
    /// A failed file operation on `path`. Public for the front ends that
    /// prepare the engine's directories (the cluster's brief import).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            source,
        }
    }
}
