//! Versioned schema. Each entry upgrades the database by one version
//! (`PRAGMA user_version`); entries are append-only so an old database always
//! upgrades the same way. Discord ids are stored as INTEGER (snowflakes fit in
//! 63 bits); times as Unix seconds.

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: everything that must survive a restart.
    "CREATE TABLE guild_briefs (
        guild_id INTEGER NOT NULL,
        file TEXT NOT NULL,
        title TEXT NOT NULL,
        added_by INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, file)
    );
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id INTEGER,
        channel_id INTEGER NOT NULL,
        asker_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        answered INTEGER NOT NULL,
        passage_id TEXT,
        asked_at INTEGER NOT NULL
    );
    CREATE INDEX questions_channel ON questions (channel_id);
    CREATE INDEX questions_guild ON questions (guild_id, answered, id);
    CREATE TABLE votes (
        question_id INTEGER NOT NULL REFERENCES questions (id),
        passage_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        up INTEGER NOT NULL,
        voted_at INTEGER NOT NULL,
        PRIMARY KEY (question_id, passage_id, user_id)
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id INTEGER,
        user_id INTEGER NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        at INTEGER NOT NULL
    );",
];

/// The version a fully migrated database reports.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            known: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
