//! The answer engine: briefs in, passages indexed with Tantivy, questions
//! answered with the passage that fits best and where it comes from.
//!
//! Pure and synchronous: no Discord, no tokio. Front ends call [`Engine::ask`]
//! from any thread (wrap it in `spawn_blocking` on an async runtime).

pub mod acronyms;
pub mod attribution;
pub mod brief;
pub mod error;
pub mod text;
pub mod types;

mod analyze;
mod corpus;
pub mod eval;
mod features;
mod irregular;
mod manifest;
mod priority;
mod query;
mod rank;
mod rerank;
mod schema;
pub mod semantic;
mod snapshot;
mod synonyms;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;

use corpus::Corpus;
use manifest::Manifest;
use semantic::{DenseIndex, Encoder};
use snapshot::{DenseInput, Snapshot};
pub use synonyms::Synonyms;

pub use brief::{BriefLimits, ParsedBrief};
pub use error::{BriefError, EngineError};
pub use rank::Scored;
pub use types::{Answer, Attribution, BriefMeta, FileProblem, Hit, IndexReport, Passage, Scope};

/// Where the engine finds its content and how it decides.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Shipped briefs: they serve every server.
    pub briefs_dir: PathBuf,
    /// Briefs added from Discord: `<dir>/<guild id>/<file>`, each searched only
    /// for questions asked in that guild. None when the bot is not in use.
    pub guild_briefs_dir: Option<PathBuf>,
    /// Where the Tantivy index lives. None keeps it in memory (tests).
    pub index_dir: Option<PathBuf>,
    /// Moderator-editable synonyms; None uses no synonyms.
    pub synonyms_file: Option<PathBuf>,
    /// Minimum confidence (0..=1, the share of the question's weight a passage
    /// covers) for an answer; below it the engine declines.
    pub decline_threshold: f32,
    pub limits: BriefLimits,
    /// The sentence-embedding model (`engine.model_dir`); None runs the
    /// engine lexical-only (`engine.semantic = false`).
    pub model_dir: Option<PathBuf>,
    /// Passage vectors saved by an earlier build (a `dense.bin`), reused for
    /// unchanged passages when there is no previous generation to take them
    /// from. The benchmarks keep one so each run does not re-embed 100k
    /// passages; the bot does not need it.
    pub vector_cache: Option<PathBuf>,
}

impl EngineConfig {
    /// Defaults for a briefs directory, with the index in memory.
    pub fn in_memory(briefs_dir: impl Into<PathBuf>) -> Self {
        EngineConfig {
            briefs_dir: briefs_dir.into(),
            guild_briefs_dir: None,
            index_dir: None,
            synonyms_file: None,
            decline_threshold: DEFAULT_DECLINE_THRESHOLD,
            limits: BriefLimits::default(),
            model_dir: Some(DEFAULT_MODEL_DIR.into()),
            vector_cache: None,
        }
    }
}

pub const DEFAULT_DECLINE_THRESHOLD: f32 = 0.27;
/// The shipped model, relative to the working directory like `briefs/`.
pub const DEFAULT_MODEL_DIR: &str = "models/all-MiniLM-L6-v2";

/// One question as a front end asks it.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub text: &'a str,
    /// The server it was asked in: its own briefs are searched besides the shipped ones.
    pub guild: Option<u64>,
    /// How many ranked passages to return (for paging); at least 1.
    pub top: usize,
}

impl<'a> Question<'a> {
    pub fn new(text: &'a str) -> Self {
        Question {
            text,
            guild: None,
            top: 5,
        }
    }
}

/// Counts for status lines and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub briefs: usize,
    pub passages: usize,
    /// Increases by one at every rebuild swapped in.
    pub generation: u64,
}

/// The engine. Cheap to share (`Arc<Engine>`); `ask` never blocks on a rebuild.
pub struct Engine {
    cfg: EngineConfig,
    encoder: Option<Arc<Encoder>>,
    current: ArcSwap<Snapshot>,
    /// Serialises rebuilds; questions never take it.
    rebuild: Mutex<()>,
}

impl Engine {
    /// Open the index, rebuilding it only when the briefs changed since it was built.
    pub fn open(cfg: EngineConfig) -> Result<(Engine, IndexReport), EngineError> {
        let started = Instant::now();
        let encoder = match &cfg.model_dir {
            Some(dir) => Some(semantic::shared_encoder(dir).map_err(EngineError::Model)?),
            None => None,
        };
        let synonyms = load_synonyms(&cfg)?;
        let corpus = load_corpus(&cfg, &synonyms)?;
        let mut report = IndexReport::default();
        let cached = match (&encoder, &cfg.vector_cache) {
            (Some(_), Some(path)) => DenseIndex::read(path),
            _ => None,
        };
        let snapshot = match &cfg.index_dir {
            None => {
                report.rebuilt = true;
                Snapshot::build(
                    corpus,
                    None,
                    1,
                    synonyms.0,
                    dense(&encoder, cached.as_ref()),
                )?
            }
            Some(dir) => {
                let manifest = Manifest::read(dir);
                let reused = manifest
                    .as_ref()
                    .filter(|m| m.fingerprint == corpus.fingerprint)
                    .and_then(|m| {
                        let opened = Snapshot::open(
                            corpus.clone(),
                            &dir.join(&m.dir),
                            m.generation,
                            synonyms.0.clone(),
                            dense(&encoder, None),
                        );
                        opened
                            .map_err(|e| {
                                tracing::warn!(
                                    "index in {} unusable, rebuilding: {e}",
                                    dir.display()
                                )
                            })
                            .ok()
                    });
                match reused {
                    Some(s) => s,
                    None => {
                        report.rebuilt = true;
                        // Unchanged passages keep the vectors of the
                        // generation on disk, even though its index is stale.
                        let old_vectors = manifest
                            .as_ref()
                            .and_then(|m| DenseIndex::read(&dir.join(&m.dir).join(semantic::FILE)));
                        let previous = manifest
                            .map(|m| (m.generation, m.files))
                            .unwrap_or_default();
                        diff_files(&mut report, &previous.1, &corpus.files);
                        build_generation(
                            dir,
                            corpus,
                            previous.0 + 1,
                            synonyms.0,
                            dense(&encoder, old_vectors.as_ref().or(cached.as_ref())),
                        )?
                    }
                }
            }
        };
        fill_report(&mut report, &snapshot, started);
        let engine = Engine {
            cfg,
            encoder,
            current: ArcSwap::from_pointee(snapshot),
            rebuild: Mutex::new(()),
        };
        Ok((engine, report))
    }

    /// Answer in the global scope with the default paging depth.
    pub fn ask(&self, question: &str) -> Answer {
        self.ask_with(&Question::new(question))
    }

    pub fn ask_with(&self, question: &Question<'_>) -> Answer {
        let snapshot = self.current.load();
        rank::ask(&snapshot, question, self.cfg.decline_threshold)
    }

    /// Every candidate of a question with what the reranker made of it, best
    /// first: the data `scripts/fit_fusion.py` fits the dense weights on.
    #[doc(hidden)]
    pub fn explain(&self, question: &Question<'_>) -> Vec<(Arc<Passage>, Scored)> {
        let snapshot = self.current.load();
        let mut analyzer = analyze::Analyzer::default();
        rank::rank(&snapshot, question, &mut analyzer)
            .map(|(_, scored)| {
                scored
                    .into_iter()
                    .map(|s| (snapshot.corpus.passages[s.pid].clone(), s))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Rebuild from the files and swap the new index in atomically; questions
    /// keep being answered from the old one meanwhile, and a failed rebuild
    /// leaves it serving. Rebuilds are serialised.
    pub fn reindex(&self) -> Result<IndexReport, EngineError> {
        let _guard = self.rebuild.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let old = self.current.load_full();
        let synonyms = load_synonyms(&self.cfg)?;
        let corpus = load_corpus(&self.cfg, &synonyms)?;
        let mut report = IndexReport {
            briefs_before: old.corpus.briefs.len(),
            passages_before: old.corpus.passages.len(),
            rebuilt: true,
            ..IndexReport::default()
        };
        diff_files(&mut report, &old.corpus.files, &corpus.files);
        let generation = old.generation + 1;
        // Questions are answered meanwhile: build on a thread of its own at a
        // lower scheduling priority (Tantivy's indexing threads inherit it),
        // so answers never queue behind the rebuild. The priority ends with
        // the thread, so no worker of the caller's is left slowed.
        let dir = self.cfg.index_dir.as_deref();
        let dense = dense(&self.encoder, old.dense.as_ref().map(|layer| &layer.index));
        let snapshot = std::thread::scope(|s| {
            s.spawn(|| {
                priority::lower_this_thread();
                match dir {
                    None => Snapshot::build(corpus, None, generation, synonyms.0, dense),
                    Some(dir) => build_generation(dir, corpus, generation, synonyms.0, dense),
                }
            })
            .join()
        })
        .map_err(|_| EngineError::RebuildPanicked)??;
        fill_report(&mut report, &snapshot, started);
        self.current.store(Arc::new(snapshot));
        if let Some(dir) = &self.cfg.index_dir {
            remove_stale_generations(dir, &[generation, old.generation]);
        }
        Ok(report)
    }

    pub fn stats(&self) -> Stats {
        let s = self.current.load();
        Stats {
            briefs: s.corpus.briefs.len(),
            passages: s.corpus.passages.len(),
            generation: s.generation,
        }
    }

    /// The briefs visible in a scope (global ones plus the guild's), with passage counts.
    pub fn briefs(&self, guild: Option<u64>) -> Vec<(Arc<BriefMeta>, usize)> {
        self.current
            .load()
            .corpus
            .briefs
            .iter()
            .filter(|(b, _)| visible(b.scope, guild))
            .cloned()
            .collect()
    }

    /// Validate a brief before it is written to disk (the bot's `/brief add`).
    pub fn check_brief(
        &self,
        file_name: &str,
        bytes: &[u8],
        scope: Scope,
    ) -> Result<ParsedBrief, BriefError> {
        brief::parse_brief(Path::new(file_name), bytes, scope, &self.cfg.limits)
    }
}

/// May a question asked in `guild` see a brief of `scope`?
pub fn visible(scope: Scope, guild: Option<u64>) -> bool {
    match scope {
        Scope::Global => true,
        Scope::Guild(id) => guild == Some(id),
    }
}

/// The synonyms and their raw bytes (part of the index fingerprint).
fn load_synonyms(cfg: &EngineConfig) -> Result<(Arc<Synonyms>, Vec<u8>), EngineError> {
    match &cfg.synonyms_file {
        None => Ok((Arc::new(Synonyms::default()), Vec::new())),
        Some(path) => {
            let (synonyms, bytes) = Synonyms::load(path)?;
            Ok((Arc::new(synonyms), bytes))
        }
    }
}

fn load_corpus(
    cfg: &EngineConfig,
    synonyms: &(Arc<Synonyms>, Vec<u8>),
) -> Result<Corpus, EngineError> {
    corpus::load(
        &cfg.briefs_dir,
        cfg.guild_briefs_dir.as_deref(),
        &synonyms.1,
        &cfg.limits,
    )
}

/// What a new snapshot's semantic layer starts from, when there is one.
fn dense<'a>(
    encoder: &'a Option<Arc<Encoder>>,
    previous: Option<&'a DenseIndex>,
) -> Option<DenseInput<'a>> {
    encoder
        .as_ref()
        .map(|encoder| DenseInput { encoder, previous })
}

fn build_generation(
    dir: &Path,
    corpus: Corpus,
    generation: u64,
    synonyms: Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
) -> Result<Snapshot, EngineError> {
    let name = format!("gen-{generation}");
    let gen_dir = dir.join(&name);
    if gen_dir.exists() {
        std::fs::remove_dir_all(&gen_dir).map_err(|e| EngineError::io(&gen_dir, e))?;
    }
    let manifest = Manifest {
        fingerprint: corpus.fingerprint.clone(),
        generation,
        dir: name,
        files: corpus.files.clone(),
    };
    let snapshot = Snapshot::build(corpus, Some(&gen_dir), generation, synonyms, dense)?;
    manifest.write(dir)?;
    Ok(snapshot)
}

fn remove_stale_generations(dir: &Path, keep: &[u64]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(generation) = name
            .strip_prefix("gen-")
            .and_then(|g| g.parse::<u64>().ok())
        else {
            continue;
        };
        if !keep.contains(&generation) {
            if let Err(err) = std::fs::remove_dir_all(e.path()) {
                tracing::warn!("cannot remove old index {}: {err}", e.path().display());
            }
        }
    }
}

fn diff_files(
    report: &mut IndexReport,
    before: &BTreeMap<PathBuf, String>,
    after: &BTreeMap<PathBuf, String>,
) {
    for (path, hash) in after {
        match before.get(path) {
            None => report.added.push(path.clone()),
            Some(h) if h != hash => report.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    report.removed = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .cloned()
        .collect();
}

fn fill_report(report: &mut IndexReport, snapshot: &Snapshot, started: Instant) {
    report.briefs = snapshot.corpus.briefs.len();
    report.passages = snapshot.corpus.passages.len();
    report.problems = snapshot.corpus.problems.clone();
    report.embedded = snapshot.embedded;
    report.millis = started.elapsed().as_millis();
}
