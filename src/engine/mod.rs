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

use std::path::PathBuf;
use std::sync::Arc;

pub use brief::{BriefLimits, ParsedBrief};
pub use error::{BriefError, EngineError};
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
        }
    }
}

pub const DEFAULT_DECLINE_THRESHOLD: f32 = 0.4;

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
    _cfg: EngineConfig,
}

impl Engine {
    /// Open the index, rebuilding it only when the briefs changed since it was built.
    pub fn open(cfg: EngineConfig) -> Result<(Engine, IndexReport), EngineError> {
        let _ = cfg;
        unimplemented!("engine lands on main shortly")
    }

    /// Answer in the global scope with the default paging depth.
    pub fn ask(&self, question: &str) -> Answer {
        self.ask_with(&Question::new(question))
    }

    pub fn ask_with(&self, question: &Question<'_>) -> Answer {
        let _ = question;
        unimplemented!("engine lands on main shortly")
    }

    /// Rebuild from the files and swap the new index in atomically; questions
    /// keep being answered from the old one meanwhile, and a failed rebuild
    /// leaves it serving. Rebuilds are serialised.
    pub fn reindex(&self) -> Result<IndexReport, EngineError> {
        unimplemented!("engine lands on main shortly")
    }

    pub fn stats(&self) -> Stats {
        unimplemented!("engine lands on main shortly")
    }

    /// The briefs visible in a scope (global ones plus the guild's), with passage counts.
    pub fn briefs(&self, guild: Option<u64>) -> Vec<(Arc<BriefMeta>, usize)> {
        let _ = guild;
        unimplemented!("engine lands on main shortly")
    }

    /// Validate a brief before it is written to disk (the bot's `/brief add`).
    pub fn check_brief(
        &self,
        file_name: &str,
        bytes: &[u8],
        scope: Scope,
    ) -> Result<ParsedBrief, BriefError> {
        brief::parse_brief(
            std::path::Path::new(file_name),
            bytes,
            scope,
            &self._cfg.limits,
        )
    }
}
