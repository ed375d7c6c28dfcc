//! Deleting what the bot keeps about people and servers: a member's
//! `/forget-me`, answered questions past their retention, and a server that
//! removed the bot, once its grace period has passed.
//!
//! A server's rows are found through one list, [`GUILD_ROWS`], so a table
//! that gains rows of a server is purged by adding one line there (a test
//! checks that every table with a `guild_id` or `tenant` column is listed).
//! The purge and the record of it are one transaction: a purge is never half
//! done, and two processes finding the same due departure purge it once.

mod sqlite;

use super::{Backend, Store, StoreError};
use std::sync::atomic::Ordering;

/// Who a row names when the member it named erased their data: "nobody".
pub const ERASED_MEMBER: u64 = 0;

/// What `/forget-me` removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// The member's questions (with their words, channel and time).
    pub questions: u64,
    /// Their votes, and votes others gave on their answers.
    pub votes: u64,
    /// Moderator records (audit entries, briefs' "added by") that named them
    /// and now name nobody: what was done stays on record, not who.
    pub anonymised: u64,
}

impl Erased {
    /// Every record deleted or changed.
    pub fn total(&self) -> u64 {
        self.questions + self.votes + self.anonymised
    }
}

/// A server that removed the bot, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Departure {
    pub guild: u64,
    /// Unix seconds.
    pub left_at: i64,
}

/// What a purge deleted: rows per table, and the content generation it
/// raised so every process drops the server's briefs from its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    pub guild: u64,
    pub rows: Vec<(&'static str, u64)>,
    pub generation: i64,
}

impl Purged {
    /// The operator-level audit line: counts only, no content of the server.
    pub fn describe(&self) -> String {
        let counts: Vec<String> = self
            .rows
            .iter()
            .map(|(table, n)| format!("{table} {n}"))
            .collect();
        format!(
            "server {} removed the bot; its data was deleted after the grace period: {}",
            self.guild,
            counts.join(", ")
        )
    }
}

/// How a table's rows of one server are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    /// By the guild id (`$1` bound to it as an integer).
    Guild,
    /// By the tenant the engine knows the guild's briefs by (its id as text).
    Tenant,
}

/// One table's rows of a server, and the statement that deletes them.
pub(super) struct GuildRows {
    pub table: &'static str,
    pub delete: &'static str,
    pub key: Key,
    /// The column naming the server, when the table has one: the servers
    /// the database holds rows of are read from these.
    pub column: Option<&'static str>,
}

impl GuildRows {
    /// The servers this table holds rows of (integers, or tenants as text).
    pub(super) fn known(&self) -> Option<String> {
        self.column.map(|c| {
            format!(
                "SELECT DISTINCT {c} FROM {} WHERE {c} IS NOT NULL",
                self.table
            )
        })
    }
}

/// Every table holding rows of one server. Votes come before the questions
/// they reference.
pub(super) const GUILD_ROWS: &[GuildRows] = &[
    GuildRows {
        table: "votes",
        delete: "DELETE FROM votes WHERE question_id IN
                 (SELECT id FROM questions WHERE guild_id = $1)",
        key: Key::Guild,
        column: None,
    },
    GuildRows {
        table: "questions",
        delete: "DELETE FROM questions WHERE guild_id = $1",
        key: Key::Guild,
        column: Some("guild_id"),
    },
    GuildRows {
        table: "audit_log",
        delete: "DELETE FROM audit_log WHERE guild_id = $1",
        key: Key::Guild,
        column: Some("guild_id"),
    },
    GuildRows {
        table: "briefs",
        delete: "DELETE FROM briefs WHERE tenant = $1",
        key: Key::Tenant,
        column: Some("tenant"),
    },
    GuildRows {
        table: "guild_briefs",
        delete: "DELETE FROM guild_briefs WHERE guild_id = $1",
        key: Key::Guild,
        column: Some("guild_id"),
    },
    GuildRows {
        table: "guild_settings",
        delete: "DELETE FROM guild_settings WHERE guild_id = $1",
        key: Key::Guild,
        column: Some("guild_id"),
    },
];

/// Tables that name servers but hold none of a server's own data.
#[cfg(test)]
const NOT_A_SERVERS_ROWS: &[&str] = &["guild_departures"];

pub(super) const FORGET_VOTES: &str = "DELETE FROM votes WHERE user_id = $1
     OR question_id IN (SELECT id FROM questions WHERE asker_id = $1)";

pub(super) const FORGET_QUESTIONS: &str = "DELETE FROM questions WHERE asker_id = $1";

/// `$2` is the member's mention, `$3` what replaces it, `$4` a LIKE pattern
/// finding it.
pub(super) const ANONYMISE_AUDIT: &str = "UPDATE audit_log
     SET user_id = CASE WHEN user_id = $1 THEN 0 ELSE user_id END,
         detail = REPLACE(detail, $2, $3)
     WHERE user_id = $1 OR detail LIKE $4";

pub(super) const ANONYMISE_BRIEFS: &str = "UPDATE briefs SET added_by = 0 WHERE added_by = $1";

pub(super) const ANONYMISE_LEGACY_BRIEFS: &str =
    "UPDATE guild_briefs SET added_by = 0 WHERE added_by = $1";

pub(super) const ANONYMISE_SETTINGS: &str =
    "UPDATE guild_settings SET changed_by = 0 WHERE changed_by = $1";

/// The first departure recorded stands: a repeated event never postpones it.
pub(super) const RECORD_DEPARTURE: &str = "INSERT INTO guild_departures (guild_id, left_at)
     VALUES ($1, $2) ON CONFLICT (guild_id) DO NOTHING";

pub(super) const CANCEL_DEPARTURE: &str = "DELETE FROM guild_departures WHERE guild_id = $1";

pub(super) const DEPARTURES: &str =
    "SELECT guild_id, left_at FROM guild_departures ORDER BY left_at, guild_id";

/// Takes a due departure off the list; 0 rows when it is not due, was
/// cancelled, or another process purged it first.
pub(super) const CLAIM_DEPARTURE: &str =
    "DELETE FROM guild_departures WHERE guild_id = $1 AND left_at <= $2";

pub(super) const QUESTION_GUILDS: &str =
    "SELECT DISTINCT guild_id FROM questions WHERE answered = 1";

pub(super) const PRUNE_GUILD_QUESTIONS: &str = "DELETE FROM questions
     WHERE guild_id = $1 AND answered = 1 AND asked_at < $2
     AND id NOT IN (SELECT question_id FROM votes)";

pub(super) const PRUNE_DM_QUESTIONS: &str = "DELETE FROM questions
     WHERE guild_id IS NULL AND answered = 1 AND asked_at < $1
     AND id NOT IN (SELECT question_id FROM votes)";

/// The content generation's reason for a purge: no server id, since the
/// row outlives the server's data.
pub(super) const PURGE_REASON: &str = "a server's data purged after it removed the bot";

/// The text that stands for an erased member in moderator records.
pub(super) const ERASED_MENTION: &str = "(a member who erased their data)";

/// How a member is written in audit details: `<@id>`.
pub(super) fn mention(user: u64) -> String {
    format!("<@{user}>")
}

impl Store {
    /// `/forget-me`: delete `user`'s questions and votes (and the votes on
    /// their answers, which cannot stand without them), and make the
    /// moderator records that name them name nobody. One transaction.
    pub async fn forget_member(&self, user: u64) -> Result<Erased, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => db.run(move |c| sqlite::forget_member(c, user)).await,
            Backend::Postgres(db) => db.forget_member(user).await,
        })
    }

    /// Note that the bot left `guild` at `left_at`; a departure already
    /// noted keeps its time. Returns whether this one is new.
    pub async fn record_departure(&self, guild: u64, left_at: i64) -> Result<bool, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => {
                db.run(move |c| sqlite::record_departure(c, guild, left_at))
                    .await
            }
            Backend::Postgres(db) => db.record_departure(guild, left_at).await,
        })
    }

    /// The bot is (back) in `guild`: nothing of it is to be deleted.
    /// Returns whether a pending purge was cancelled.
    pub async fn cancel_departure(&self, guild: u64) -> Result<bool, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => db.run(move |c| sqlite::cancel_departure(c, guild)).await,
            Backend::Postgres(db) => db.cancel_departure(guild).await,
        })
    }

    /// Servers whose data waits for deletion, longest gone first.
    pub async fn departures(&self) -> Result<Vec<Departure>, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => db.run(sqlite::departures).await,
            Backend::Postgres(db) => db.departures().await,
        })
    }

    /// Delete every row of `guild` if it left at or before `left_before`,
    /// record it in an operator-level audit entry (no server, no member),
    /// and raise the content generation so every process drops its briefs.
    /// None when there was nothing due (cancelled, or purged elsewhere).
    pub async fn purge_guild(
        &self,
        guild: u64,
        left_before: i64,
        now: i64,
        now_ms: i64,
    ) -> Result<Option<Purged>, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => {
                db.run(move |c| sqlite::purge_guild(c, guild, left_before, now, now_ms))
                    .await
            }
            Backend::Postgres(db) => db.purge_guild(guild, left_before, now, now_ms).await,
        })
    }

    /// Every server the database holds rows of, by the tables of
    /// `GUILD_ROWS`: at a connection, those missing from Discord's list of
    /// the bot's servers were left while no process was connected.
    pub async fn known_guilds(&self) -> Result<Vec<u64>, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => db.run(sqlite::known_guilds).await,
            Backend::Postgres(db) => db.known_guilds().await,
        })
    }

    /// The servers (None: direct messages) with answered questions, so each
    /// can be pruned by its own retention.
    pub async fn question_guilds(&self) -> Result<Vec<Option<u64>>, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => db.run(sqlite::question_guilds).await,
            Backend::Postgres(db) => db.question_guilds().await,
        })
    }

    /// Forget answered questions of `guild` (None: direct messages) asked
    /// before `before` that nobody voted on: their buttons have long expired,
    /// and members' words are not kept longer than needed. Declined questions
    /// stay for `/unanswered`.
    pub async fn prune_questions(
        &self,
        guild: Option<u64>,
        before: i64,
    ) -> Result<usize, StoreError> {
        self.counted(match &self.backend {
            Backend::Sqlite(db) => {
                db.run(move |c| sqlite::prune_questions(c, guild, before))
                    .await
            }
            Backend::Postgres(db) => db.prune_questions(guild, before).await,
        })
    }

    fn counted<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if result.is_err() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_naming_a_server_is_purged_or_named_as_exempt() {
        let store = Store::open_in_memory().unwrap();
        let Backend::Sqlite(db) = &store.backend else {
            unreachable!("an in-memory store is SQLite");
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let keyed = rt.block_on(db.run(sqlite::tables_naming_a_server)).unwrap();
        assert!(keyed.len() >= 4, "found only {keyed:?}");
        let missing: Vec<&String> = keyed
            .iter()
            .filter(|t| {
                !GUILD_ROWS.iter().any(|g| g.table == t.as_str())
                    && !NOT_A_SERVERS_ROWS.contains(&t.as_str())
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{missing:?} hold a server's rows but GUILD_ROWS does not purge them"
        );
    }

    #[test]
    fn parameters_are_numbered_in_order_of_first_use() {
        let mut all = vec![
            FORGET_VOTES,
            FORGET_QUESTIONS,
            ANONYMISE_AUDIT,
            ANONYMISE_BRIEFS,
            ANONYMISE_LEGACY_BRIEFS,
            RECORD_DEPARTURE,
            CANCEL_DEPARTURE,
            DEPARTURES,
            CLAIM_DEPARTURE,
            QUESTION_GUILDS,
            PRUNE_GUILD_QUESTIONS,
            PRUNE_DM_QUESTIONS,
        ];
        all.extend(GUILD_ROWS.iter().map(|g| g.delete));
        for sql in all {
            crate::store::sql::tests::assert_numbered_in_order(sql);
        }
    }
}
