//! Rows read back into records, written once for both backends: each
//! statement of `sql.rs` returns the same columns in the same order on
//! SQLite and PostgreSQL, and both keep every integer as a signed 64-bit
//! value (Discord ids are u64, stored bit for bit).

use super::VotedAnswer;
use super::{AuditEntry, BriefRecord, Generation, LegacyBrief, ProcessRow, StoredQuestion};

/// One result row, read by column position; each backend's row type
/// implements it with its own driver's errors.
pub(super) trait Columns {
    type Error;
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
}

/// A row of `sql::QUESTION`.
pub(super) fn question<R: Columns>(r: &R) -> Result<StoredQuestion, R::Error> {
    Ok(StoredQuestion {
        id: r.int(0)?,
        guild: r.opt_int(1)?.map(|g| g as u64),
        channel: r.int(2)? as u64,
        asker: r.int(3)? as u64,
        text: r.text(4)?,
        answered: r.int(5)? != 0,
        passage_id: r.opt_text(6)?,
        asked_at: r.int(7)?,
        not_stated: r.int(8)? != 0,
    })
}

/// A row of `sql::DECLINED`: a question `guild` could not get answered.
pub(super) fn declined<R: Columns>(r: &R, guild: u64) -> Result<StoredQuestion, R::Error> {
    Ok(StoredQuestion {
        id: r.int(0)?,
        guild: Some(guild),
        channel: r.int(1)? as u64,
        asker: r.int(2)? as u64,
        text: r.text(3)?,
        answered: false,
        passage_id: None,
        asked_at: r.int(4)?,
        not_stated: r.int(5)? != 0,
    })
}

/// A row of `sql::VOTES`: (up, down).
pub(super) fn votes<R: Columns>(r: &R) -> Result<(u32, u32), R::Error> {
    Ok((r.int(0)? as u32, r.int(1)? as u32))
}

/// A row of `sql::DOWNVOTED`.
pub(super) fn voted_answer<R: Columns>(r: &R) -> Result<VotedAnswer, R::Error> {
    Ok(VotedAnswer {
        question: r.text(0)?,
        passage_id: r.text(1)?,
        down: r.int(2)? as u32,
        up: r.int(3)? as u32,
    })
}

/// A row of `sql::AUDIT_LOG`, an action in `guild`.
pub(super) fn audit_entry<R: Columns>(r: &R, guild: u64) -> Result<AuditEntry, R::Error> {
    Ok(AuditEntry {
        guild: Some(guild),
        user: r.int(0)? as u64,
        action: r.text(1)?,
        detail: r.text(2)?,
        at: r.int(3)?,
    })
}

/// A row of `sql::brief_list`.
pub(super) fn brief_record<R: Columns>(r: &R) -> Result<BriefRecord, R::Error> {
    Ok(BriefRecord {
        tenant: r.text(0)?,
        file: r.text(1)?,
        title: r.text(2)?,
        publisher: r.opt_text(3)?,
        published: r.opt_text(4)?,
        url: r.opt_text(5)?,
        sha256: r.text(6)?,
        added_by: r.int(7)? as u64,
        added_at: r.int(8)?,
    })
}

/// The row of `sql::GENERATION`.
pub(super) fn generation<R: Columns>(r: &R) -> Result<Generation, R::Error> {
    Ok(Generation {
        number: r.int(0)?,
        changed_at_ms: r.int(1)?,
    })
}

/// A row of `sql::PROCESSES`.
pub(super) fn process<R: Columns>(r: &R) -> Result<ProcessRow, R::Error> {
    Ok(ProcessRow {
        id: r.text(0)?,
        host: r.text(1)?,
        pid: r.int(2)?,
        shards: r.text(3)?,
        started_at_ms: r.int(4)?,
        heartbeat_at_ms: r.int(5)?,
        generation: r.int(6)?,
        served_at_ms: r.int(7)?,
    })
}

/// A row of `sql::LEGACY_BRIEFS`.
pub(super) fn legacy_brief<R: Columns>(r: &R) -> Result<LegacyBrief, R::Error> {
    Ok(LegacyBrief {
        guild: r.int(0)? as u64,
        file: r.text(1)?,
        title: r.text(2)?,
        added_by: r.int(3)? as u64,
        added_at: r.int(4)?,
    })
}
