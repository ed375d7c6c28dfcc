//! What must survive a restart: briefs added from Discord, questions (for
//! paging, follow-ups and `/unanswered`), feedback votes and the moderator
//! audit log, in an embedded SQLite database.
//!
//! Calls are short local writes, so they run under a std `Mutex` on the
//! caller's thread rather than through a connection pool.

mod migrations;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

pub use migrations::LATEST as SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database schema version {found} is newer than this briefbot knows ({known}): upgrade briefbot")]
    TooNew { found: i64, known: i64 },
}

pub struct Store {
    conn: Mutex<Connection>,
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
}

/// A brief a moderator added from Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildBrief {
    pub file: String,
    pub title: String,
    pub added_by: u64,
    pub added_at: i64,
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

fn id(v: u64) -> i64 {
    v as i64
}

fn opt_id(v: Option<u64>) -> Option<i64> {
    v.map(id)
}

impl Store {
    /// Open (creating it and its directory if needed) and migrate.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let wrap = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(wrap)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(wrap)?;
        Store::init(conn)
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent
        // (statements are atomic), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Record a question and return its id (used in button ids).
    pub fn record_question(&self, q: &StoredQuestion) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO questions (guild_id, channel_id, asker_id, text, answered, passage_id, asked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                opt_id(q.guild),
                id(q.channel),
                id(q.asker),
                q.text,
                q.answered,
                q.passage_id,
                q.asked_at
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn question(&self, qid: i64) -> Result<Option<StoredQuestion>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, guild_id, channel_id, asker_id, text, answered, passage_id, asked_at
                 FROM questions WHERE id = ?1",
                [qid],
                |r| {
                    Ok(StoredQuestion {
                        id: r.get(0)?,
                        guild: r.get::<_, Option<i64>>(1)?.map(|g| g as u64),
                        channel: r.get::<_, i64>(2)? as u64,
                        asker: r.get::<_, i64>(3)? as u64,
                        text: r.get(4)?,
                        answered: r.get(5)?,
                        passage_id: r.get(6)?,
                        asked_at: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether the bot has answered a question in this channel (a thread it
    /// answered in takes follow-ups without a mention).
    pub fn answered_in_channel(&self, channel: u64) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM questions WHERE channel_id = ?1 LIMIT 1",
                [id(channel)],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The most recent declined questions in a guild, newest first.
    pub fn declined(&self, guild: u64, limit: usize) -> Result<Vec<StoredQuestion>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, channel_id, asker_id, text, asked_at FROM questions
             WHERE guild_id = ?1 AND answered = 0 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id(guild), limit as i64], |r| {
            Ok(StoredQuestion {
                id: r.get(0)?,
                guild: Some(guild),
                channel: r.get::<_, i64>(1)? as u64,
                asker: r.get::<_, i64>(2)? as u64,
                text: r.get(3)?,
                answered: false,
                passage_id: None,
                asked_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record a member's vote on one answer; a second vote replaces the first.
    /// Returns true when the vote is new or changed.
    pub fn vote(
        &self,
        question: i64,
        passage_id: &str,
        user: u64,
        up: bool,
        at: i64,
    ) -> Result<bool, StoreError> {
        let conn = self.conn();
        let previous: Option<bool> = conn
            .query_row(
                "SELECT up FROM votes WHERE question_id = ?1 AND passage_id = ?2 AND user_id = ?3",
                params![question, passage_id, id(user)],
                |r| r.get(0),
            )
            .optional()?;
        if previous == Some(up) {
            return Ok(false);
        }
        conn.execute(
            "INSERT INTO votes (question_id, passage_id, user_id, up, voted_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (question_id, passage_id, user_id) DO UPDATE SET up = ?4, voted_at = ?5",
            params![question, passage_id, id(user), up, at],
        )?;
        Ok(true)
    }

    /// Votes on one answer: (up, down).
    pub fn votes(&self, question: i64, passage_id: &str) -> Result<(u32, u32), StoreError> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(up), 0), COALESCE(SUM(1 - up), 0) FROM votes
             WHERE question_id = ?1 AND passage_id = ?2",
            params![question, passage_id],
            |r| Ok((r.get::<_, i64>(0)? as u32, r.get::<_, i64>(1)? as u32)),
        )?)
    }

    /// Answers in a guild that members voted down, most recent first.
    pub fn downvoted(&self, guild: u64, limit: usize) -> Result<Vec<VotedAnswer>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT q.text, v.passage_id, SUM(1 - v.up), SUM(v.up), MAX(v.voted_at) AS last
             FROM votes v JOIN questions q ON q.id = v.question_id
             WHERE q.guild_id = ?1
             GROUP BY v.question_id, v.passage_id
             HAVING SUM(1 - v.up) > 0
             ORDER BY last DESC, q.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id(guild), limit as i64], |r| {
            Ok(VotedAnswer {
                question: r.get(0)?,
                passage_id: r.get(1)?,
                down: r.get::<_, i64>(2)? as u32,
                up: r.get::<_, i64>(3)? as u32,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forget answered questions older than `before` that nobody voted on:
    /// their buttons have long expired, and members' words are not kept
    /// longer than needed. Declined questions stay for `/unanswered`.
    pub fn prune_questions(&self, before: i64) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM questions WHERE answered = 1 AND asked_at < ?1
             AND id NOT IN (SELECT question_id FROM votes)",
            [before],
        )?)
    }

    pub fn add_guild_brief(&self, guild: u64, brief: &GuildBrief) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO guild_briefs (guild_id, file, title, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (guild_id, file) DO UPDATE SET title = ?3, added_by = ?4, added_at = ?5",
            params![
                id(guild),
                brief.file,
                brief.title,
                id(brief.added_by),
                brief.added_at
            ],
        )?;
        Ok(())
    }

    /// Returns whether the brief was recorded.
    pub fn remove_guild_brief(&self, guild: u64, file: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM guild_briefs WHERE guild_id = ?1 AND file = ?2",
            params![id(guild), file],
        )? > 0)
    }

    pub fn guild_briefs(&self, guild: u64) -> Result<Vec<GuildBrief>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT file, title, added_by, added_at FROM guild_briefs
             WHERE guild_id = ?1 ORDER BY file",
        )?;
        let rows = stmt.query_map([id(guild)], |r| {
            Ok(GuildBrief {
                file: r.get(0)?,
                title: r.get(1)?,
                added_by: r.get::<_, i64>(2)? as u64,
                added_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO audit_log (guild_id, user_id, action, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![opt_id(entry.guild), id(entry.user), entry.action, entry.detail, entry.at],
        )?;
        Ok(())
    }

    /// The audit log of a guild, newest first.
    pub fn audit_log(&self, guild: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT user_id, action, detail, at FROM audit_log
             WHERE guild_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id(guild), limit as i64], |r| {
            Ok(AuditEntry {
                guild: Some(guild),
                user: r.get::<_, i64>(0)? as u64,
                action: r.get(1)?,
                detail: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
