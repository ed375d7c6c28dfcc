//! The statements of `sql.rs` on PostgreSQL: parameters bound
//! with PostgreSQL's types (every integer column is BIGINT), rows read back.

use super::{bump_and_notify, id, Postgres};
use crate::store::records;
use crate::store::sql;
use crate::store::{
    AuditEntry, BriefRecord, Generation, LegacyBrief, NewBrief, ProcessRow, StoreError,
    StoredQuestion, Vote, VotedAnswer,
};

impl Postgres {
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        self.query_opt("SELECT 1", &[]).await?;
        Ok(())
    }

    pub(crate) async fn schema_version(&self) -> Result<i64, StoreError> {
        let row = self
            .query_opt("SELECT MAX(version) FROM schema_migrations", &[])
            .await?;
        Ok(row.and_then(|r| r.get::<_, Option<i64>>(0)).unwrap_or(0))
    }

    pub(crate) async fn record_question(&self, q: &StoredQuestion) -> Result<i64, StoreError> {
        let rows = self
            .query(
                sql::RECORD_QUESTION,
                &[
                    &q.guild.map(id),
                    &id(q.channel),
                    &id(q.asker),
                    &q.text,
                    &(q.answered as i64),
                    &q.passage_id,
                    &q.asked_at,
                    &(q.not_stated as i64),
                ],
            )
            .await?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or(0))
    }

    pub(crate) async fn question(&self, qid: i64) -> Result<Option<StoredQuestion>, StoreError> {
        let row = self.query_opt(sql::QUESTION, &[&qid]).await?;
        Ok(row.as_ref().map(records::question).transpose()?)
    }

    pub(crate) async fn answered_in_channel(&self, channel: u64) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(sql::ANSWERED_IN_CHANNEL, &[&id(channel)])
            .await?
            .is_some())
    }

    pub(crate) async fn declined(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<StoredQuestion>, StoreError> {
        let rows = self
            .query(sql::DECLINED, &[&id(guild), &(limit as i64)])
            .await?;
        Ok(rows
            .iter()
            .map(|r| records::declined(r, guild))
            .collect::<Result<_, _>>()?)
    }

    pub(crate) async fn vote(&self, v: &Vote) -> Result<bool, StoreError> {
        let changed = self
            .query_opt(
                sql::VOTE,
                &[
                    &v.question,
                    &v.passage_id,
                    &id(v.user),
                    &(v.up as i64),
                    &v.at,
                ],
            )
            .await?;
        Ok(changed.is_some())
    }

    pub(crate) async fn votes(
        &self,
        question: i64,
        passage_id: &str,
    ) -> Result<(u32, u32), StoreError> {
        let rows = self.query(sql::VOTES, &[&question, &passage_id]).await?;
        Ok(rows
            .first()
            .map(records::votes)
            .transpose()?
            .unwrap_or((0, 0)))
    }

    pub(crate) async fn downvoted(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<VotedAnswer>, StoreError> {
        let rows = self
            .query(sql::DOWNVOTED, &[&id(guild), &(limit as i64)])
            .await?;
        Ok(rows
            .iter()
            .map(records::voted_answer)
            .collect::<Result<_, _>>()?)
    }

    pub(crate) async fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.execute(
            sql::AUDIT,
            &[&e.guild.map(id), &id(e.user), &e.action, &e.detail, &e.at],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn audit_log(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self
            .query(sql::AUDIT_LOG, &[&id(guild), &(limit as i64)])
            .await?;
        Ok(rows
            .iter()
            .map(|r| records::audit_entry(r, guild))
            .collect::<Result<_, _>>()?)
    }

    pub(crate) async fn put_brief(
        &self,
        b: &NewBrief,
        now_ms: i64,
        reason: &str,
    ) -> Result<(bool, i64), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let existed = tx
            .query_opt(sql::BRIEF_EXISTS, &[&b.tenant, &b.file])
            .await?
            .is_some();
        tx.execute(
            sql::PUT_BRIEF,
            &[
                &b.tenant,
                &b.file,
                &b.title,
                &b.publisher,
                &b.published,
                &b.url,
                &b.body,
                &b.sha256(),
                &id(b.added_by),
                &b.added_at,
            ],
        )
        .await?;
        let generation = bump_and_notify(&tx, now_ms, reason).await?;
        tx.commit().await?;
        Ok((existed, generation))
    }

    pub(crate) async fn remove_brief(
        &self,
        tenant: &str,
        file: &str,
        now_ms: i64,
        reason: &str,
    ) -> Result<Option<i64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if tx.execute(sql::REMOVE_BRIEF, &[&tenant, &file]).await? == 0 {
            return Ok(None);
        }
        let generation = bump_and_notify(&tx, now_ms, reason).await?;
        tx.commit().await?;
        Ok(Some(generation))
    }

    pub(crate) async fn bump_generation(
        &self,
        now_ms: i64,
        reason: &str,
    ) -> Result<i64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let generation = bump_and_notify(&tx, now_ms, reason).await?;
        tx.commit().await?;
        Ok(generation)
    }

    pub(crate) async fn briefs(
        &self,
        tenant: Option<&str>,
    ) -> Result<Vec<BriefRecord>, StoreError> {
        let sql = sql::brief_list(tenant.is_some());
        let rows = match tenant {
            Some(t) => self.query(&sql, &[&t]).await?,
            None => self.query(&sql, &[]).await?,
        };
        Ok(rows
            .iter()
            .map(records::brief_record)
            .collect::<Result<_, _>>()?)
    }

    pub(crate) async fn brief_body(
        &self,
        tenant: &str,
        file: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .query_opt(sql::BRIEF_BODY, &[&tenant, &file])
            .await?
            .map(|r| r.get(0)))
    }

    pub(crate) async fn generation(&self) -> Result<Generation, StoreError> {
        let rows = self.query(sql::GENERATION, &[]).await?;
        let row = rows.first().ok_or(StoreError::NoGenerationRow)?;
        Ok(records::generation(row)?)
    }

    pub(crate) async fn heartbeat(&self, p: &ProcessRow) -> Result<(), StoreError> {
        self.execute(
            sql::HEARTBEAT,
            &[
                &p.id,
                &p.host,
                &p.pid,
                &p.shards,
                &p.started_at_ms,
                &p.heartbeat_at_ms,
                &p.generation,
                &p.served_at_ms,
            ],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn processes(
        &self,
        alive_since_ms: i64,
    ) -> Result<Vec<ProcessRow>, StoreError> {
        let rows = self.query(sql::PROCESSES, &[&alive_since_ms]).await?;
        Ok(rows
            .iter()
            .map(records::process)
            .collect::<Result<_, _>>()?)
    }

    pub(crate) async fn forget_process(
        &self,
        process: &str,
        dead_before_ms: i64,
    ) -> Result<(), StoreError> {
        self.execute(sql::FORGET_PROCESS, &[&process]).await?;
        self.execute(sql::FORGET_DEAD_PROCESSES, &[&dead_before_ms])
            .await?;
        Ok(())
    }

    pub(crate) async fn legacy_briefs(&self) -> Result<Vec<LegacyBrief>, StoreError> {
        let rows = self.query(sql::LEGACY_BRIEFS, &[]).await?;
        Ok(rows
            .iter()
            .map(records::legacy_brief)
            .collect::<Result<_, _>>()?)
    }

    pub(crate) async fn forget_legacy_brief(
        &self,
        guild: u64,
        file: &str,
    ) -> Result<(), StoreError> {
        self.execute(sql::FORGET_LEGACY_BRIEF, &[&id(guild), &file])
            .await?;
        Ok(())
    }
}
