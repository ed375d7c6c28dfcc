//! Every statement, written once for both backends. Parameters are `$1`,
//! `$2`, … in order of first use: PostgreSQL numbers them so, and SQLite
//! reads `$N` as a named parameter numbered by first appearance, so the same
//! text binds the same values in both (a test below keeps it that way).
//! Sums are cast to BIGINT because PostgreSQL widens `SUM(bigint)` to numeric.

pub(super) const RECORD_QUESTION: &str =
    "INSERT INTO questions (guild_id, channel_id, asker_id, text, answered, passage_id, asked_at,
     not_stated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

pub(super) const QUESTION: &str =
    "SELECT id, guild_id, channel_id, asker_id, text, answered, passage_id, asked_at, not_stated
     FROM questions WHERE id = $1";

pub(super) const ANSWERED_IN_CHANNEL: &str =
    "SELECT id FROM questions WHERE channel_id = $1 LIMIT 1";

pub(super) const DECLINED: &str = "SELECT id, channel_id, asker_id, text, asked_at, not_stated
     FROM questions
     WHERE guild_id = $1 AND answered = 0 ORDER BY id DESC LIMIT $2";

/// Returns a row only when the vote is new or changed.
pub(super) const VOTE: &str = "INSERT INTO votes (question_id, passage_id, user_id, up, voted_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (question_id, passage_id, user_id)
     DO UPDATE SET up = excluded.up, voted_at = excluded.voted_at
     WHERE votes.up <> excluded.up
     RETURNING question_id";

pub(super) const VOTES: &str =
    "SELECT CAST(COALESCE(SUM(up), 0) AS BIGINT), CAST(COALESCE(SUM(1 - up), 0) AS BIGINT)
     FROM votes WHERE question_id = $1 AND passage_id = $2";

pub(super) const DOWNVOTED: &str = "SELECT q.text, v.passage_id, CAST(SUM(1 - v.up) AS BIGINT),
            CAST(SUM(v.up) AS BIGINT), MAX(v.voted_at) AS last
     FROM votes v JOIN questions q ON q.id = v.question_id
     WHERE q.guild_id = $1
     GROUP BY q.id, q.text, v.passage_id
     HAVING SUM(1 - v.up) > 0
     ORDER BY last DESC, q.id DESC LIMIT $2";

pub(super) const AUDIT: &str = "INSERT INTO audit_log (guild_id, user_id, action, detail, at)
     VALUES ($1, $2, $3, $4, $5)";

pub(super) const AUDIT_LOG: &str = "SELECT user_id, action, detail, at FROM audit_log
     WHERE guild_id = $1 ORDER BY id DESC LIMIT $2";

pub(super) const BRIEF_EXISTS: &str = "SELECT sha256 FROM briefs WHERE tenant = $1 AND file = $2";

pub(super) const PUT_BRIEF: &str =
    "INSERT INTO briefs (tenant, file, title, publisher, published, url, body, sha256, added_by, added_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant, file) DO UPDATE SET title = excluded.title,
        publisher = excluded.publisher, published = excluded.published, url = excluded.url,
        body = excluded.body, sha256 = excluded.sha256, added_by = excluded.added_by,
        added_at = excluded.added_at";

pub(super) const REMOVE_BRIEF: &str = "DELETE FROM briefs WHERE tenant = $1 AND file = $2";

const BRIEF_COLUMNS: &str =
    "tenant, file, title, publisher, published, url, sha256, added_by, added_at";

pub(super) fn brief_list(one_tenant: bool) -> String {
    let filter = if one_tenant { "WHERE tenant = $1" } else { "" };
    format!("SELECT {BRIEF_COLUMNS} FROM briefs {filter} ORDER BY tenant, file")
}

pub(super) const BRIEF_BODY: &str = "SELECT body FROM briefs WHERE tenant = $1 AND file = $2";

pub(super) const GENERATION: &str =
    "SELECT generation, changed_at_ms FROM content_generation WHERE id = 1";

pub(super) const BUMP_GENERATION: &str = "UPDATE content_generation
     SET generation = generation + 1, changed_at_ms = $1, reason = $2
     WHERE id = 1 RETURNING generation";

pub(super) const HEARTBEAT: &str = "INSERT INTO processes
        (id, host, pid, shards, started_at_ms, heartbeat_at_ms, generation, served_at_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at_ms = excluded.heartbeat_at_ms,
        generation = excluded.generation, served_at_ms = excluded.served_at_ms";

pub(super) const PROCESSES: &str = "SELECT id, host, pid, shards, started_at_ms, heartbeat_at_ms,
        generation, served_at_ms
     FROM processes WHERE heartbeat_at_ms >= $1 ORDER BY id";

pub(super) const FORGET_PROCESS: &str = "DELETE FROM processes WHERE id = $1";

pub(super) const FORGET_DEAD_PROCESSES: &str = "DELETE FROM processes WHERE heartbeat_at_ms < $1";

pub(super) const LEGACY_BRIEFS: &str =
    "SELECT guild_id, file, title, added_by, added_at FROM guild_briefs
     ORDER BY guild_id, file";

pub(super) const FORGET_LEGACY_BRIEF: &str =
    "DELETE FROM guild_briefs WHERE guild_id = $1 AND file = $2";

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// SQLite numbers `$N` by first appearance, not by N: a statement
    /// binds the same values in both backends only when the numbers first
    /// appear in order. Every module of statements checks its own with this.
    pub(in crate::store) fn assert_numbered_in_order(sql: &str) {
        let mut highest = 0;
        for part in sql.split('$').skip(1) {
            let n: usize = part
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or_else(|_| panic!("a bare $ in {sql}"));
            assert!(n <= highest + 1, "${n} before ${} in {sql}", highest + 1);
            highest = highest.max(n);
        }
    }

    #[test]
    fn parameters_are_numbered_in_order_of_first_use() {
        let list_all = brief_list(false);
        let list_one = brief_list(true);
        let all = [
            RECORD_QUESTION,
            QUESTION,
            ANSWERED_IN_CHANNEL,
            DECLINED,
            VOTE,
            VOTES,
            DOWNVOTED,
            AUDIT,
            AUDIT_LOG,
            BRIEF_EXISTS,
            PUT_BRIEF,
            REMOVE_BRIEF,
            &list_all,
            &list_one,
            BRIEF_BODY,
            GENERATION,
            BUMP_GENERATION,
            HEARTBEAT,
            PROCESSES,
            FORGET_PROCESS,
            FORGET_DEAD_PROCESSES,
            LEGACY_BRIEFS,
            FORGET_LEGACY_BRIEF,
        ];
        for sql in all {
            assert_numbered_in_order(sql);
        }
    }
}
