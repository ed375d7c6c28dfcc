//! The [`Engine`]: the five stages behind one handle that front ends share.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::answer;
use crate::answer::reader::{self, Reader};
use crate::answer::retrieve::Scored;
use crate::error::{BriefError, EngineError};
use crate::fill::{self, Fill, FillGate};
use crate::index::lock::RebuildLock;
use crate::index::manifest::Manifest;
use crate::index::snapshot::{DenseInput, Snapshot};
use crate::index::{open, priority};
use crate::ingest::brief::{self, BriefLimits, ParsedBrief};
use crate::ingest::corpus::Sources;
use crate::ingest::reload;
use crate::query::synonyms::Synonyms;
use crate::semantic::{self, DenseIndex, Encoder};
use crate::tenant::TenantId;
use crate::types::{Answer, BriefMeta, IndexReport, Passage, Scope};

/// Where the engine finds its content and how it decides.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Shipped briefs: they serve every server.
    pub briefs_dir: PathBuf,
    /// Tenants' own briefs: `<dir>/<tenant id>/<file>`, each searched only
    /// for that tenant's questions. None: shared briefs only.
    pub tenant_briefs_dir: Option<PathBuf>,
    /// Where the Tantivy index lives. None keeps it in memory (tests).
    pub index_dir: Option<PathBuf>,
    /// Moderator-editable synonyms; None uses no synonyms.
    pub synonyms_file: Option<PathBuf>,
    /// Minimum confidence (0..=1, the share of the question's weight a passage
    /// covers) for an answer; below it the engine declines.
    pub decline_threshold: f32,
    pub limits: BriefLimits,
    /// How long to wait for another process's rebuild of `index_dir`.
    pub lock_wait: Duration,
    /// The sentence-embedding model (`engine.model_dir`); None runs the
    /// engine lexical-only (`engine.semantic = false`).
    pub model_dir: Option<PathBuf>,
    /// The answerability reader (`engine.reader_dir`), fine-tuned on top of
    /// the model in `model_dir` and loaded only with it. Off by default: the
    /// shipped reader (`DEFAULT_READER_DIR`) declines too many answerable
    /// questions for what it catches (see its README). None, or a folder
    /// that does not exist (logged), leaves the verdict to the confidence
    /// and the cheap signals.
    pub reader_dir: Option<PathBuf>,
    /// Passage vectors saved by an earlier build (a `dense.bin`), reused for
    /// unchanged passages when there is no previous generation to take them
    /// from. The benchmarks keep one so each run does not re-embed 100k
    /// passages; the bot does not need it.
    pub vector_cache: Option<PathBuf>,
    /// When more than `inline_embed_up_to` passages need the model, `open`
    /// and `reindex` publish the words first and return, and the vectors
    /// fill in behind on a thread of the engine's ([`Engine::vectors`],
    /// [`Engine::wait_for_vectors`]). False: they return once every
    /// passage has its vector, as a library user or a test expects.
    pub fill_in_background: bool,
    /// So few passages embed in well under a second: a build does them
    /// before it publishes, and questions never lack their vectors.
    pub inline_embed_up_to: usize,
    /// Holds background fills until opened (tests only).
    #[doc(hidden)]
    pub fill_gate: Option<Arc<FillGate>>,
}

impl EngineConfig {
    /// Defaults for a briefs directory, with the index in memory.
    pub fn in_memory(briefs_dir: impl Into<PathBuf>) -> Self {
        EngineConfig {
            briefs_dir: briefs_dir.into(),
            tenant_briefs_dir: None,
            index_dir: None,
            synonyms_file: None,
            decline_threshold: DEFAULT_DECLINE_THRESHOLD,
            limits: BriefLimits::default(),
            lock_wait: DEFAULT_LOCK_WAIT,
            model_dir: Some(DEFAULT_MODEL_DIR.into()),
            reader_dir: None,
            vector_cache: None,
            fill_in_background: false,
            inline_embed_up_to: DEFAULT_INLINE_EMBED,
            fill_gate: None,
        }
    }
}

pub const DEFAULT_DECLINE_THRESHOLD: f32 = 0.27;
/// About half a second of the model on two cores.
pub const DEFAULT_INLINE_EMBED: usize = 50;
/// Long enough for a rebuild of a large corpus on a busy machine.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(30);
/// The shipped model, relative to the working directory like `briefs/`.
pub const DEFAULT_MODEL_DIR: &str = "models/all-MiniLM-L6-v2";
pub use crate::answer::reader::DEFAULT_READER_DIR;

/// One question as a front end asks it.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub text: &'a str,
    /// The tenant it was asked for: its own briefs are searched besides the
    /// shared ones. The front end maps its notion (a Discord server) to it.
    pub tenant: Option<&'a TenantId>,
    /// How many ranked passages to return (for paging); at least 1.
    pub top: usize,
}

impl<'a> Question<'a> {
    pub fn new(text: &'a str) -> Self {
        Question {
            text,
            tenant: None,
            top: 5,
        }
    }
}

/// Counts for status lines and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub briefs: usize,
    pub passages: usize,
    /// Increases at every rebuild swapped in (by any process sharing the index).
    pub generation: u64,
}

/// The engine. Cheap to share (`Arc<Engine>`); `ask` never blocks on a rebuild.
pub struct Engine {
    pub(crate) cfg: EngineConfig,
    pub(crate) encoder: Option<Arc<Encoder>>,
    pub(crate) reader: Option<Arc<Reader>>,
    pub(crate) current: ArcSwap<Snapshot>,
    /// Serialises rebuilds; questions never take it.
    pub(crate) rebuild: Mutex<()>,
    /// The current snapshot's vectors being filled in, or filled.
    pub(crate) fill: Mutex<Option<Fill>>,
}

impl Engine {
    /// Open the index, rebuilding it only when the briefs changed since it
    /// was built or it fails verification (then with a warning). Waits up to
    /// `lock_wait` for another process's rebuild of the same directory.
    pub fn open(cfg: EngineConfig) -> Result<(Engine, IndexReport), EngineError> {
        let started = Instant::now();
        let encoder = match &cfg.model_dir {
            Some(dir) => Some(semantic::shared_encoder(dir).map_err(EngineError::Model)?),
            None => None,
        };
        let reader = reader::optional(cfg.reader_dir.as_deref(), encoder.as_ref())
            .map_err(EngineError::Reader)?;
        let synonyms = load_synonyms(&cfg)?;
        let mut report = IndexReport::default();
        let cached = match (&encoder, &cfg.vector_cache) {
            (Some(_), Some(path)) => DenseIndex::read(path),
            _ => None,
        };
        let dense = dense(&cfg, &encoder, cached.map(Arc::new));
        let snapshot = match &cfg.index_dir {
            None => {
                report.rebuilt = true;
                let corpus = sources(&cfg, &synonyms).load()?;
                Snapshot::build(corpus, None, 1, synonyms.0, dense)?
            }
            Some(dir) => {
                let sources = sources(&cfg, &synonyms);
                let wait = cfg.lock_wait;
                match open::open_or_build(dir, &sources, synonyms.0.clone(), dense, wait)? {
                    open::Outcome::Reused(s) => s,
                    open::Outcome::Rebuilt { snapshot, before } => {
                        report.rebuilt = true;
                        diff_files(&mut report, &before, &snapshot.corpus.files);
                        snapshot
                    }
                }
            }
        };
        fill_report(&mut report, &snapshot, started);
        let (snapshot, fill) = fill::start(snapshot, cfg.fill_gate.clone());
        let engine = Engine {
            cfg,
            encoder,
            reader,
            current: ArcSwap::new(snapshot),
            rebuild: Mutex::new(()),
            fill: Mutex::new(fill),
        };
        engine.settle(&mut report, started)?;
        Ok((engine, report))
    }

    /// Answer in the global scope with the default paging depth.
    pub fn ask(&self, question: &str) -> Result<Answer, EngineError> {
        self.ask_with(&Question::new(question))
    }

    /// An error means the index could not be searched (it is damaged): front
    /// ends must say so rather than decline, which would hide the damage.
    pub fn ask_with(&self, question: &Question<'_>) -> Result<Answer, EngineError> {
        let snapshot = self.current.load();
        let threshold = self.cfg.decline_threshold;
        answer::retrieve::ask(&snapshot, question, threshold, self.reader.as_deref()).inspect_err(
            |e| tracing::error!("question {:?} could not be answered: {e}", question.text),
        )
    }

    /// Every candidate of a question with what the reranker made of it, best
    /// first: the data `scripts/fit_fusion.py` fits the dense weights on.
    #[doc(hidden)]
    pub fn explain(
        &self,
        question: &Question<'_>,
    ) -> Result<Vec<(Arc<Passage>, Scored)>, EngineError> {
        let snapshot = self.current.load();
        let ranked = answer::retrieve::rank(&snapshot, question, &mut Default::default())?;
        Ok(ranked
            .map(|(_, scored)| {
                scored
                    .into_iter()
                    .map(|s| (snapshot.corpus.passages[s.pid].clone(), s))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Rebuild from the files and swap the new index in atomically; questions
    /// keep being answered from the old one meanwhile, and a failed rebuild
    /// leaves it serving. Every brief is read and parsed again, trusting no
    /// size or time stamp: a reindex is also how a moderator repairs what
    /// start-up's stamp check cannot see. Like any build, it saves the corpus
    /// with the new generation, so the next start-up reads no brief. Rebuilds are serialised, within this process and
    /// (by a lock file) with other processes sharing the index directory.
    pub fn reindex(&self) -> Result<IndexReport, EngineError> {
        self.rebuild(None)
    }

    /// [`Engine::reindex`] of one tenant's briefs alone: its files are read
    /// again, and every other brief (the shipped ones, other tenants') is
    /// kept as the serving generation has it, even if its file changed.
    pub fn reindex_tenant(&self, tenant: &TenantId) -> Result<IndexReport, EngineError> {
        self.rebuild(Some(tenant))
    }

    /// Rebuild every brief, or only `tenant`'s.
    fn rebuild(&self, tenant: Option<&TenantId>) -> Result<IndexReport, EngineError> {
        let _guard = self.rebuild.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let dir = self.cfg.index_dir.as_deref();
        let lock = dir
            .map(|d| RebuildLock::acquire(d, self.cfg.lock_wait))
            .transpose()?;
        // The generation being replaced needs no more vectors; the
        // new one starts from what the old fill started from.
        let unfilled = fill::lock(&self.fill).take().and_then(Fill::cancel);
        let old = self.current.load_full();
        let synonyms = load_synonyms(&self.cfg)?;
        let sources = sources(&self.cfg, &synonyms);
        let corpus = match tenant {
            None => sources.load()?,
            Some(t) => reload::reload_tenant(&old.corpus, &sources, t)?,
        };
        let mut report = IndexReport {
            briefs_before: old.corpus.briefs.len(),
            passages_before: old.corpus.passages.len(),
            rebuilt: true,
            ..IndexReport::default()
        };
        diff_files(&mut report, &old.corpus.files, &corpus.files);
        // Questions are answered meanwhile: build on a thread of its own at a
        // lower scheduling priority (Tantivy's indexing threads inherit it),
        // so answers never queue behind the rebuild. The priority ends with
        // the thread, so no worker of the caller's is left slowed.
        let previous = old.dense.get().map(|layer| layer.index.clone());
        let dense = dense(&self.cfg, &self.encoder, previous.or(unfilled));
        let snapshot = std::thread::scope(|s| {
            s.spawn(|| {
                priority::lower_this_thread();
                match (dir, &lock) {
                    (Some(dir), Some(lock)) => {
                        let before = Manifest::read(dir);
                        open::build(dir, corpus, before.as_ref(), synonyms.0, dense, lock)
                    }
                    _ => Snapshot::build(corpus, None, old.generation + 1, synonyms.0, dense),
                }
            })
            .join()
        })
        .map_err(|_| EngineError::RebuildPanicked)??;
        fill_report(&mut report, &snapshot, started);
        self.publish(snapshot);
        self.settle(&mut report, started)?;
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

    /// The briefs a tenant's questions see (shared ones plus its own), with passage counts.
    pub fn briefs(&self, tenant: Option<&TenantId>) -> Vec<(Arc<BriefMeta>, usize)> {
        self.current
            .load()
            .corpus
            .briefs
            .iter()
            .filter(|(b, _)| b.scope.visible_to(tenant))
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

fn sources<'a>(cfg: &'a EngineConfig, synonyms: &'a (Arc<Synonyms>, Vec<u8>)) -> Sources<'a> {
    Sources {
        briefs_dir: &cfg.briefs_dir,
        tenant_dir: cfg.tenant_briefs_dir.as_deref(),
        extra_fingerprint: &synonyms.1,
        limits: &cfg.limits,
    }
}

/// What a new snapshot's semantic layer starts from, when there is one.
fn dense<'a>(
    cfg: &EngineConfig,
    encoder: &'a Option<Arc<Encoder>>,
    previous: Option<Arc<DenseIndex>>,
) -> Option<DenseInput<'a>> {
    encoder.as_ref().map(|encoder| DenseInput {
        encoder,
        previous,
        inline_up_to: cfg.inline_embed_up_to,
    })
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
    report.pending_vectors = snapshot.pending.as_ref().map_or(0, |p| p.missing);
    report.millis = started.elapsed().as_millis();
}
