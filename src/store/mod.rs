//! What must survive a restart, and what processes sharing one database share:
//! briefs added from Discord (text and metadata, who added them and when),
//! questions (for paging, follow-ups and `/unanswered`), feedback votes, the
//! moderator audit log, the content generation and each process's heartbeat;
//! and (`privacy`) how members' and departed servers' rows are deleted.
//!
//! One [`Store`], two backends chosen by `database.url`: an embedded SQLite
//! file (one process) or PostgreSQL (several). An enum rather than a trait
//! object: the two are known, a match is exhaustive, and async methods need no
//! boxing. Both run the same SQL (`sql.rs`) on the same schema
//! (`migrations.rs`); every call is async and none blocks a runtime worker.

mod migrations;
mod postgres;
mod privacy;
mod records;
mod sql;
mod sqlite;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::config::DatabaseUrl;
pub use migrations::LATEST as SCHEMA_VERSION;
pub(crate) use postgres::Listener;
pub use privacy::{Departure, Erased, Purged, ERASED_MEMBER};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    OpenSqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file opened but SQLite's own check found it damaged: refused at
    /// start rather than run half-working and lose what is written later.
    #[error("database {path} is damaged ({report}); restore it from a backup or move it aside to start afresh")]
    DamagedSqlite { path: PathBuf, report: String },
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("database connection pool: {0}")]
    Pool(String),
    #[error("not a usable postgres:// URL: {0}")]
    Url(String),
    #[error("{0}")]
    Tls(String),
    #[error("database call interrupted: {0}")]
    Task(String),
    #[error("database schema is missing its content_generation row")]
    NoGenerationRow,
    #[error("database schema version {found} is newer than this briefbot knows ({known}): upgrade briefbot")]
    TooNew { found: i64, known: i64 },
}

/// A question as recorded when it was answered or declined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredQuestion {
    pub id: i64,
    pub guild: Option<u64>,
    pub channel: u64,
    pub asker: u64,
    pub text: String,
    pub answered: bool,
    pub passage_id: Option<String>,
    pub asked_at: i64,
    /// Declined because the briefs are about the question but do not say
    /// what it asks, rather than because nothing in them is about it.
    pub not_stated: bool,
}

/// A brief to store: its text and what moderators are shown about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBrief {
    pub tenant: String,
    pub file: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub body: Vec<u8>,
    pub added_by: u64,
    pub added_at: i64,
}

impl NewBrief {
    pub(crate) fn sha256(&self) -> String {
        briefbot_engine::content_hash(&self.body)
    }
}

/// A stored brief without its text (fetch that with [`Store::brief_body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefRecord {
    pub tenant: String,
    pub file: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub sha256: String,
    pub added_by: u64,
    pub added_at: i64,
}

/// A brief recorded by schema version 1, whose text is still a file in
/// `<data>/briefs/<guild>/` waiting to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyBrief {
    pub guild: u64,
    pub file: String,
    pub title: String,
    pub added_by: u64,
    pub added_at: i64,
}

/// The content generation every process sharing the database converges on:
/// it goes up by one at each `/reindex` or brief added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    pub number: i64,
    pub changed_at_ms: i64,
}

/// One process sharing the database, as its last heartbeat described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessRow {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub shards: String,
    pub started_at_ms: i64,
    pub heartbeat_at_ms: i64,
    /// The content generation it serves.
    pub generation: i64,
    /// When it started serving it.
    pub served_at_ms: i64,
}

/// A member's vote on one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub question: i64,
    pub passage_id: String,
    pub user: u64,
    pub up: bool,
    pub at: i64,
}

/// An answer members voted on, for `/feedback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VotedAnswer {
    pub question: String,
    pub passage_id: String,
    pub down: u32,
    pub up: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub guild: Option<u64>,
    pub user: u64,
    pub action: String,
    pub detail: String,
    pub at: i64,
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::Sqlite),
    // Boxed: its pool and connection settings dwarf the SQLite handle.
    Postgres(Box<postgres::Postgres>),
}

/// The database. Cheap to clone; share it as `Arc<Store>` or by clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Calls that failed, shared by the clones, for the metrics.
    errors: Arc<AtomicU64>,
}

/// Run the same call on either backend: the SQLite function on the blocking
/// pool with owned arguments, the PostgreSQL method directly.
macro_rules! call {
    ($self:ident, $f:ident ( $($arg:expr),* ) $(, owned: $($own:ident = $val:expr),*)?) => {{
        let result = match &$self.backend {
            Backend::Sqlite(db) => {
                $($(let $own = $val;)*)?
                db.run(move |c| sqlite::$f(c $(, $arg)*)).await
            }
            Backend::Postgres(db) => {
                $($(let $own = $val;)*)?
                db.$f($($arg),*).await
            }
        };
        if result.is_err() {
            $self.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }};
}

// After `call!`, which it uses.
mod settings;
pub use settings::{GuildSettingsRow, SettingsChange};

impl Store {
    /// Open the database `url` names, creating and migrating it as needed.
    /// A PostgreSQL server that cannot be reached fails here, at once.
    pub async fn connect(url: &DatabaseUrl, pool_size: usize) -> Result<Store, StoreError> {
        Store::connect_with(url, pool_size, None).await
    }

    /// [`Store::connect`], trusting the CAs in `ca_file` for a PostgreSQL
    /// URL's `sslmode=verify-ca|verify-full` (`database.ca_file`).
    pub async fn connect_with(
        url: &DatabaseUrl,
        pool_size: usize,
        ca_file: Option<&Path>,
    ) -> Result<Store, StoreError> {
        let backend = match url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.clone();
                let db = tokio::task::spawn_blocking(move || sqlite::Sqlite::open(&path))
                    .await
                    .map_err(|e| StoreError::Task(e.to_string()))??;
                Backend::Sqlite(db)
            }
            DatabaseUrl::Postgres(url) => Backend::Postgres(Box::new(
                postgres::Postgres::open(url, pool_size, ca_file).await?,
            )),
        };
        Ok(Store::of(backend))
    }

    fn of(backend: Backend) -> Store {
        Store {
            backend,
            errors: Arc::default(),
        }
    }

    /// Open (creating it and its directory if needed) a SQLite file and migrate.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::of(Backend::Sqlite(sqlite::Sqlite::open(path)?)))
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Ok(Store::of(
            Backend::Sqlite(sqlite::Sqlite::open_in_memory()?),
        ))
    }

    /// Whether processes sharing it hear of changes at once (`LISTEN`), or
    /// only when they re-check the generation.
    pub(crate) fn notifies(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        call!(self, schema_version())
    }

    /// One cheap round trip, for a health check: the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        call!(self, ping())
    }

    /// How many calls have failed since the store was opened.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Record a question and return its id (used in button ids).
    pub async fn record_question(&self, q: &StoredQuestion) -> Result<i64, StoreError> {
        call!(self, record_question(&q), owned: q = q.clone())
    }

    pub async fn question(&self, qid: i64) -> Result<Option<StoredQuestion>, StoreError> {
        call!(self, question(qid))
    }

    /// Whether the bot has answered a question in this channel (a thread it
    /// answered in takes follow-ups without a mention).
    pub async fn answered_in_channel(&self, channel: u64) -> Result<bool, StoreError> {
        call!(self, answered_in_channel(channel))
    }

    /// The most recent declined questions in a guild, newest first.
    pub async fn declined(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<StoredQuestion>, StoreError> {
        call!(self, declined(guild, limit))
    }

    /// Record a member's vote on one answer; a second vote replaces the first.
    /// Returns true when the vote is new or changed.
    pub async fn vote(&self, vote: &Vote) -> Result<bool, StoreError> {
        call!(self, vote(&v), owned: v = vote.clone())
    }

    /// Votes on one answer: (up, down).
    pub async fn votes(&self, question: i64, passage_id: &str) -> Result<(u32, u32), StoreError> {
        call!(self, votes(question, &passage), owned: passage = passage_id.to_string())
    }

    /// Answers in a guild that members voted down, most recent first.
    pub async fn downvoted(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<VotedAnswer>, StoreError> {
        call!(self, downvoted(guild, limit))
    }

    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        call!(self, audit(&entry), owned: entry = entry.clone())
    }

    /// The audit log of a guild, newest first.
    pub async fn audit_log(&self, guild: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        call!(self, audit_log(guild, limit))
    }

    /// Store (or replace) a brief and bump the generation in one transaction,
    /// so no process can see the one without the other. Returns whether it
    /// replaced a brief, and the new generation.
    pub async fn put_brief(
        &self,
        brief: &NewBrief,
        now_ms: i64,
    ) -> Result<(bool, i64), StoreError> {
        let reason = format!("brief add {}/{}", brief.tenant, brief.file);
        call!(self, put_brief(&brief, now_ms, &reason), owned: brief = brief.clone())
    }

    /// Remove a brief and bump the generation; None when there was none.
    pub async fn remove_brief(
        &self,
        tenant: &str,
        file: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let reason = format!("brief remove {tenant}/{file}");
        call!(self, remove_brief(&tenant, &file, now_ms, &reason),
            owned: tenant = tenant.to_string(), file = file.to_string())
    }

    /// Ask every process to rebuild (`/reindex`); returns the new generation.
    pub async fn bump_generation(&self, now_ms: i64, reason: &str) -> Result<i64, StoreError> {
        call!(self, bump_generation(now_ms, &reason), owned: reason = reason.to_string())
    }

    /// Stored briefs, of one tenant or all, ordered by tenant and file.
    pub async fn briefs(&self, tenant: Option<&str>) -> Result<Vec<BriefRecord>, StoreError> {
        call!(self, briefs(tenant.as_deref()), owned: tenant = tenant.map(str::to_string))
    }

    pub async fn brief_body(
        &self,
        tenant: &str,
        file: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        call!(self, brief_body(&tenant, &file),
            owned: tenant = tenant.to_string(), file = file.to_string())
    }

    pub async fn generation(&self) -> Result<Generation, StoreError> {
        call!(self, generation())
    }

    /// Record this process's heartbeat and the generation it serves.
    pub async fn heartbeat(&self, p: &ProcessRow) -> Result<(), StoreError> {
        call!(self, heartbeat(&p), owned: p = p.clone())
    }

    /// Processes whose last heartbeat is at or after `alive_since_ms`.
    pub async fn processes(&self, alive_since_ms: i64) -> Result<Vec<ProcessRow>, StoreError> {
        call!(self, processes(alive_since_ms))
    }

    /// Remove this process (it is stopping) and those silent since `dead_before_ms`.
    pub async fn forget_process(&self, id: &str, dead_before_ms: i64) -> Result<(), StoreError> {
        call!(self, forget_process(&id, dead_before_ms), owned: id = id.to_string())
    }

    pub async fn legacy_briefs(&self) -> Result<Vec<LegacyBrief>, StoreError> {
        call!(self, legacy_briefs())
    }

    pub(crate) async fn forget_legacy_brief(
        &self,
        guild: u64,
        file: &str,
    ) -> Result<(), StoreError> {
        call!(self, forget_legacy_brief(guild, &file), owned: file = file.to_string())
    }

    /// A connection that hears of changes as they commit; None for SQLite,
    /// whose processes find changes by re-checking the generation.
    pub(crate) async fn listen(&self) -> Result<Option<Listener>, StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(db) => db.listen().await.map(Some),
        }
    }
}
