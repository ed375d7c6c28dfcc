//! briefbot's answer engine: news briefs in, answers with their source out.
//!
//! The engine is pure and synchronous. It links no Discord library, no async
//! runtime and no database (`cargo tree -p briefbot-engine -e normal` shows
//! it), so every front end — the `briefbot` CLI, the Discord bot, a test,
//! `examples/ask.rs` — drives it the same way.
//!
//! # Driving it
//!
//! A front end builds an [`EngineConfig`], calls [`Engine::open`] once, and
//! shares the engine (`Arc<Engine>`). Each question is one
//! [`Engine::ask_with`] call, which returns an [`Answer`]: ranked [`Hit`]s
//! with their [`Passage`] and key sentence, or a decline. Rendering is the
//! front end's: nothing here knows how an answer is shown. `ask` is CPU work
//! that can take milliseconds, so on an async runtime call it inside
//! `spawn_blocking`.
//!
//! [`Engine::open`] reuses the index on disk when the briefs have not changed
//! and rebuilds it otherwise; [`Engine::reindex`] builds a new generation
//! beside the one serving and swaps it in atomically, so questions never wait
//! on a rebuild. A tenant's own briefs ([`TenantId`], [`Scope`]) are searched
//! only for that tenant's questions.
//!
//! # Architecture
//!
//! A brief goes through five stages, each a module of this crate:
//!
//! 1. **Ingest** (`ingest`): brief files are found and read (`corpus`),
//!    parsed into front-matter and paragraphs (`brief`), split into sentences
//!    (`text`), and read for who is quoted (`attribution`) and which acronyms
//!    the text defines (`acronyms`). A paragraph is a [`Passage`]: the unit
//!    that is indexed and given as an answer.
//! 2. **Index** (`index`): passages go through one analyzer shared with
//!    questions (`analyze`: lower case, ASCII folding, English stems) into a
//!    Tantivy index (`schema`), with the word statistics query planning needs
//!    (`lexicon`). All of it together is one immutable generation
//!    (`snapshot`); `manifest` names the current one on disk, and `persist`
//!    saves what the index needs to serve without reading the briefs again.
//! 3. **Query** (`query`): a member's loose question becomes a plan — each
//!    meaningful word with what may stand for it (spelling corrections,
//!    irregular forms, related words from WordNet, synonyms, learned
//!    acronyms) and the kind of answer asked for ("how many" wants a
//!    quantity).
//! 4. **Semantic** (`semantic`): a sentence-embedding model (the `bert-cpu`
//!    crate) maps passages, their sentences and the question to unit
//!    vectors, so a passage that says what was asked in other words scores a
//!    high cosine even when it shares no word with the question. The vectors
//!    are built with each generation (re-embedding only what changed) and
//!    saved beside it; past a few dozen passages the words are published
//!    first and the vectors filled in behind (`fill`, [`Engine::vectors`]).
//!    Without a model ([`EngineConfig::model_dir`] `None`)
//!    the engine runs lexical-only.
//! 5. **Answer** (`answer`): BM25 finds candidates in the asker's [`Scope`]
//!    (`retrieve`), the reranker rescores them, and the best become [`Hit`]s
//!    with a key sentence and highlights. `answer::verdict` then gives the
//!    [`Verdict`]: answered, on topic but not stated (the passage is about
//!    the question without saying what is asked), or not in the briefs (no
//!    passage covers enough of the question).
//!
//! # Where reranking lives
//!
//! Reranking is one score with two sources. `answer::rerank` (with the
//! surface cues of `answer::features`) scores how much of the question a
//! candidate covers and how closely: coverage over the passage, its best
//! sentence and window, proximity, word pairs, heading, answer type.
//! `semantic::fusion` holds how the dense cosines join that score — as
//! features with fitted weights, and as graded credit in the decline
//! confidence — so the weights fitted by `scripts/fit_fusion.py` sit in one
//! file. The semantic stage itself only produces and stores vectors.
//!
//! # Errors
//!
//! [`EngineError`] says why the engine could not open or answer, naming the
//! file or setting at fault; [`BriefError`] says why one brief was skipped
//! (the others still index: see [`IndexReport::problems`]).

#![warn(unreachable_pub)]

mod answer;
mod engine;
mod error;
pub mod eval;
mod fill;
mod index;
mod ingest;
mod query;
mod semantic;
mod tenant;
mod types;

pub use engine::{
    Engine, EngineConfig, Question, Stats, DEFAULT_DECLINE_THRESHOLD, DEFAULT_INLINE_EMBED,
    DEFAULT_LOCK_WAIT, DEFAULT_MODEL_DIR, DEFAULT_READER_DIR,
};
pub use error::{BriefError, EngineError};
pub use fill::{FillGate, Progress, Vectors};
pub use ingest::brief::{parse_brief, BriefLimits, ParsedBrief};
pub use ingest::corpus::content_hash;
pub use query::MAX_QUESTION_CHARS;
pub use semantic::layer::FILE as VECTORS_FILE;
pub use semantic::SemanticError;
pub use tenant::{check_file_name, TenantBrief, TenantId};
pub use types::{
    Answer, Attribution, BriefMeta, FileProblem, Gap, Hit, IndexReport, Missing, Passage, Scope,
    Verdict,
};

/// What [`Engine::explain`] gives for each candidate: the data
/// `scripts/fit_fusion.py` fits the reranker's weights on
/// (`examples/fusion_features.rs` writes it). Not a stable API.
#[doc(hidden)]
pub mod explain {
    pub use crate::answer::rerank::Features;
    pub use crate::answer::retrieve::Scored;
    pub use crate::semantic::fusion::{evidence, DenseFeatures};
}

/// Load the model in `dir` for the whole process: engines opened on it
/// while the returned handle is held reuse this load. For timing indexing
/// alone (`embed_rate` example of `briefbot-bench`); front ends need not
/// call it.
#[doc(hidden)]
pub fn preload_model(dir: &std::path::Path) -> Result<impl Sized, SemanticError> {
    semantic::shared_encoder(dir)
}

/// A file of the repository the crate lives in (the shipped briefs and
/// model), for tests that read them.
#[cfg(test)]
fn repo_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}
