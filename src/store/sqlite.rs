//! The embedded backend: one SQLite file, for a bot that runs as one process.
//! rusqlite is synchronous, so every call runs on tokio's blocking pool
//! ([`Sqlite::run`]) and never holds up a runtime worker.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, Row};

mod settings;

pub(super) use settings::{guild_settings_since, put_guild_settings};

use super::migrations::{Dialect, LATEST, MIGRATIONS};
use super::records::{self, Columns};
use super::sql;
use super::{
    AuditEntry, BriefRecord, Generation, LegacyBrief, NewBrief, ProcessRow, StoreError,
    StoredQuestion, Vote, VotedAnswer,
};

#[derive(Clone)]
pub(super) struct Sqlite {
    conn: Arc<Mutex<Connection>>,
}

impl Sqlite {
    pub(super) fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let wrap = |source| StoreError::OpenSqlite {
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
        // Several processes on one machine may share the file: wait for a
        // writer rather than failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        check_integrity(&conn, path)?;
        Sqlite::init(conn)
    }

    pub(super) fn open_in_memory() -> Result<Sqlite, StoreError> {
        Sqlite::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Sqlite, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(Sqlite {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Run `f` with the connection on the blocking pool.
    pub(super) async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave SQLite inconsistent
            // (statements are atomic), so a poisoned lock is safe to reuse.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// SQLite's quick check (structure and page checks, without the slower index
/// cross-checks): the bot's database is small, so this costs milliseconds at
/// start and catches a damaged file before anything is written into it.
fn check_integrity(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let damaged = |report: String| StoreError::DamagedSqlite {
        path: path.to_path_buf(),
        report,
    };
    let mut stmt = conn
        .prepare("PRAGMA quick_check")
        .map_err(|e| damaged(e.to_string()))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| damaged(e.to_string()))?;
    match rows.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        problems => Err(damaged(
            problems
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            known: LATEST,
        });
    }
    for (i, ddl) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(&Dialect::Sqlite.ddl(ddl))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn id(v: u64) -> i64 {
    v as i64
}

impl Columns for Row<'_> {
    type Error = rusqlite::Error;
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.get(i)
    }
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
}

pub(super) fn ping(c: &mut Connection) -> Result<(), StoreError> {
    c.query_row("SELECT 1", [], |_| Ok(()))?;
    Ok(())
}

pub(super) fn schema_version(c: &mut Connection) -> Result<i64, StoreError> {
    Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub(super) fn record_question(c: &mut Connection, q: &StoredQuestion) -> Result<i64, StoreError> {
    Ok(c.query_row(
        sql::RECORD_QUESTION,
        params![
            q.guild.map(id),
            id(q.channel),
            id(q.asker),
            q.text,
            q.answered as i64,
            q.passage_id,
            q.asked_at,
            q.not_stated as i64
        ],
        |r| r.get(0),
    )?)
}

pub(super) fn question(c: &mut Connection, qid: i64) -> Result<Option<StoredQuestion>, StoreError> {
    Ok(c.query_row(sql::QUESTION, [qid], |r| records::question(r))
        .optional()?)
}

pub(super) fn answered_in_channel(c: &mut Connection, channel: u64) -> Result<bool, StoreError> {
    Ok(
        c.query_row(sql::ANSWERED_IN_CHANNEL, [id(channel)], |_| Ok(()))
            .optional()?
            .is_some(),
    )
}

pub(super) fn declined(
    c: &mut Connection,
    guild: u64,
    limit: usize,
) -> Result<Vec<StoredQuestion>, StoreError> {
    let mut stmt = c.prepare(sql::DECLINED)?;
    let rows = stmt.query_map(params![id(guild), limit as i64], |r| {
        records::declined(r, guild)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn vote(c: &mut Connection, v: &Vote) -> Result<bool, StoreError> {
    Ok(c.query_row(
        sql::VOTE,
        params![v.question, v.passage_id, id(v.user), v.up as i64, v.at],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

pub(super) fn votes(
    c: &mut Connection,
    question: i64,
    passage_id: &str,
) -> Result<(u32, u32), StoreError> {
    Ok(c.query_row(sql::VOTES, params![question, passage_id], |r| {
        records::votes(r)
    })?)
}

pub(super) fn downvoted(
    c: &mut Connection,
    guild: u64,
    limit: usize,
) -> Result<Vec<VotedAnswer>, StoreError> {
    let mut stmt = c.prepare(sql::DOWNVOTED)?;
    let rows = stmt.query_map(params![id(guild), limit as i64], |r| {
        records::voted_answer(r)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn audit(c: &mut Connection, e: &AuditEntry) -> Result<(), StoreError> {
    c.execute(
        sql::AUDIT,
        params![e.guild.map(id), id(e.user), e.action, e.detail, e.at],
    )?;
    Ok(())
}

pub(super) fn audit_log(
    c: &mut Connection,
    guild: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = c.prepare(sql::AUDIT_LOG)?;
    let rows = stmt.query_map(params![id(guild), limit as i64], |r| {
        records::audit_entry(r, guild)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Store a brief and bump the generation in one transaction; returns whether
/// it replaced one and the new generation.
pub(super) fn put_brief(
    c: &mut Connection,
    b: &NewBrief,
    now_ms: i64,
    reason: &str,
) -> Result<(bool, i64), StoreError> {
    let tx = c.transaction()?;
    let existed = tx
        .query_row(sql::BRIEF_EXISTS, params![b.tenant, b.file], |_| Ok(()))
        .optional()?
        .is_some();
    tx.execute(
        sql::PUT_BRIEF,
        params![
            b.tenant,
            b.file,
            b.title,
            b.publisher,
            b.published,
            b.url,
            b.body,
            b.sha256(),
            id(b.added_by),
            b.added_at
        ],
    )?;
    let generation = bump(&tx, now_ms, reason)?;
    tx.commit()?;
    Ok((existed, generation))
}

/// Remove a brief and bump the generation; None when there was no such brief.
pub(super) fn remove_brief(
    c: &mut Connection,
    tenant: &str,
    file: &str,
    now_ms: i64,
    reason: &str,
) -> Result<Option<i64>, StoreError> {
    let tx = c.transaction()?;
    if tx.execute(sql::REMOVE_BRIEF, params![tenant, file])? == 0 {
        return Ok(None);
    }
    let generation = bump(&tx, now_ms, reason)?;
    tx.commit()?;
    Ok(Some(generation))
}

fn bump(c: &Connection, now_ms: i64, reason: &str) -> Result<i64, StoreError> {
    Ok(c.query_row(sql::BUMP_GENERATION, params![now_ms, reason], |r| r.get(0))?)
}

pub(super) fn bump_generation(
    c: &mut Connection,
    now_ms: i64,
    reason: &str,
) -> Result<i64, StoreError> {
    bump(c, now_ms, reason)
}

pub(super) fn briefs(
    c: &mut Connection,
    tenant: Option<&str>,
) -> Result<Vec<BriefRecord>, StoreError> {
    let mut stmt = c.prepare(&sql::brief_list(tenant.is_some()))?;
    let map = |r: &Row<'_>| records::brief_record(r);
    let rows = match tenant {
        Some(t) => stmt.query_map([t], map)?.collect::<Result<_, _>>()?,
        None => stmt.query_map([], map)?.collect::<Result<_, _>>()?,
    };
    Ok(rows)
}

pub(super) fn brief_body(
    c: &mut Connection,
    tenant: &str,
    file: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        c.query_row(sql::BRIEF_BODY, params![tenant, file], |r| r.get(0))
            .optional()?,
    )
}

pub(super) fn generation(c: &mut Connection) -> Result<Generation, StoreError> {
    Ok(c.query_row(sql::GENERATION, [], |r| records::generation(r))?)
}

pub(super) fn heartbeat(c: &mut Connection, p: &ProcessRow) -> Result<(), StoreError> {
    c.execute(
        sql::HEARTBEAT,
        params![
            p.id,
            p.host,
            p.pid,
            p.shards,
            p.started_at_ms,
            p.heartbeat_at_ms,
            p.generation,
            p.served_at_ms
        ],
    )?;
    Ok(())
}

pub(super) fn processes(
    c: &mut Connection,
    alive_since_ms: i64,
) -> Result<Vec<ProcessRow>, StoreError> {
    let mut stmt = c.prepare(sql::PROCESSES)?;
    let rows = stmt.query_map([alive_since_ms], |r| records::process(r))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn forget_process(
    c: &mut Connection,
    process: &str,
    dead_before_ms: i64,
) -> Result<(), StoreError> {
    c.execute(sql::FORGET_PROCESS, [process])?;
    c.execute(sql::FORGET_DEAD_PROCESSES, [dead_before_ms])?;
    Ok(())
}

pub(super) fn legacy_briefs(c: &mut Connection) -> Result<Vec<LegacyBrief>, StoreError> {
    let mut stmt = c.prepare(sql::LEGACY_BRIEFS)?;
    let rows = stmt.query_map([], |r| records::legacy_brief(r))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn forget_legacy_brief(
    c: &mut Connection,
    guild: u64,
    file: &str,
) -> Result<(), StoreError> {
    c.execute(sql::FORGET_LEGACY_BRIEF, params![id(guild), file])?;
    Ok(())
}
