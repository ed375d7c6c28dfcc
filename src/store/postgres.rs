//! The shared backend: PostgreSQL through a deadpool connection pool, for a
//! bot split over several processes. Everything is async, so no call blocks a
//! runtime worker. A change to the briefs is announced with `NOTIFY` in the
//! transaction that makes it, so listeners hear of it only once it is visible.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, NoTls, Row};

use super::migrations::{Dialect, LATEST, MIGRATIONS};
use super::sql;
use super::{
    AuditEntry, BriefRecord, Generation, LegacyBrief, NewBrief, ProcessRow, StoreError,
    StoredQuestion, VotedAnswer,
};

/// The channel changes are announced on; the payload is the new generation.
pub const CHANNEL: &str = "briefbot_generation";

/// Connecting, and waiting for a pooled connection, give up after this: a
/// question must not hang on an unreachable database.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Serialises migrations of processes starting together (an arbitrary key).
const MIGRATION_LOCK: i64 = 0x6272_6965_6662_6f74;

#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    config: tokio_postgres::Config,
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

fn id(v: u64) -> i64 {
    v as i64
}

impl Postgres {
    /// Connect (once, to fail fast on a wrong URL or an unreachable server)
    /// and migrate.
    pub async fn open(url: &str, pool_size: usize) -> Result<Postgres, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Url(e.to_string()))?;
        config.connect_timeout(TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("briefbot");
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(TIMEOUT))
            .create_timeout(Some(TIMEOUT))
            .recycle_timeout(Some(TIMEOUT))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let db = Postgres { pool, config };
        db.migrate().await?;
        Ok(db)
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::Postgres(e),
            other => StoreError::Pool(other.to_string()),
        })
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .await?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await?
            .get(0);
        if current > LATEST {
            return Err(StoreError::TooNew {
                found: current,
                known: LATEST,
            });
        }
        for (i, ddl) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(&Dialect::Postgres.ddl(ddl)).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&((i + 1) as i64)],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query(&stmt, params).await?)
    }

    async fn query_opt(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query_opt(&stmt, params).await?)
    }

    async fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.execute(&stmt, params).await?)
    }

    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let row = self
            .query_opt("SELECT MAX(version) FROM schema_migrations", &[])
            .await?;
        Ok(row.and_then(|r| r.get::<_, Option<i64>>(0)).unwrap_or(0))
    }

    pub async fn record_question(&self, q: &StoredQuestion) -> Result<i64, StoreError> {
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
                ],
            )
            .await?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or(0))
    }

    pub async fn question(&self, qid: i64) -> Result<Option<StoredQuestion>, StoreError> {
        Ok(self
            .query_opt(sql::QUESTION, &[&qid])
            .await?
            .map(|r| StoredQuestion {
                id: r.get(0),
                guild: r.get::<_, Option<i64>>(1).map(|g| g as u64),
                channel: r.get::<_, i64>(2) as u64,
                asker: r.get::<_, i64>(3) as u64,
                text: r.get(4),
                answered: r.get::<_, i64>(5) != 0,
                passage_id: r.get(6),
                asked_at: r.get(7),
            }))
    }

    pub async fn answered_in_channel(&self, channel: u64) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(sql::ANSWERED_IN_CHANNEL, &[&id(channel)])
            .await?
            .is_some())
    }

    pub async fn declined(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<StoredQuestion>, StoreError> {
        let rows = self
            .query(sql::DECLINED, &[&id(guild), &(limit as i64)])
            .await?;
        Ok(rows
            .iter()
            .map(|r| StoredQuestion {
                id: r.get(0),
                guild: Some(guild),
                channel: r.get::<_, i64>(1) as u64,
                asker: r.get::<_, i64>(2) as u64,
                text: r.get(3),
                answered: false,
                passage_id: None,
                asked_at: r.get(4),
            })
            .collect())
    }

    pub async fn vote(
        &self,
        question: i64,
        passage_id: &str,
        user: u64,
        up: bool,
        at: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .query_opt(
                sql::VOTE,
                &[&question, &passage_id, &id(user), &(up as i64), &at],
            )
            .await?;
        Ok(changed.is_some())
    }

    pub async fn votes(&self, question: i64, passage_id: &str) -> Result<(u32, u32), StoreError> {
        let rows = self.query(sql::VOTES, &[&question, &passage_id]).await?;
        Ok(rows
            .first()
            .map(|r| (r.get::<_, i64>(0) as u32, r.get::<_, i64>(1) as u32))
            .unwrap_or((0, 0)))
    }

    pub async fn downvoted(
        &self,
        guild: u64,
        limit: usize,
    ) -> Result<Vec<VotedAnswer>, StoreError> {
        let rows = self
            .query(sql::DOWNVOTED, &[&id(guild), &(limit as i64)])
            .await?;
        Ok(rows
            .iter()
            .map(|r| VotedAnswer {
                question: r.get(0),
                passage_id: r.get(1),
                down: r.get::<_, i64>(2) as u32,
                up: r.get::<_, i64>(3) as u32,
            })
            .collect())
    }

    pub async fn prune_questions(&self, before: i64) -> Result<usize, StoreError> {
        Ok(self.execute(sql::PRUNE_QUESTIONS, &[&before]).await? as usize)
    }

    pub async fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.execute(
            sql::AUDIT,
            &[&e.guild.map(id), &id(e.user), &e.action, &e.detail, &e.at],
        )
        .await?;
        Ok(())
    }

    pub async fn audit_log(&self, guild: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self
            .query(sql::AUDIT_LOG, &[&id(guild), &(limit as i64)])
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                guild: Some(guild),
                user: r.get::<_, i64>(0) as u64,
                action: r.get(1),
                detail: r.get(2),
                at: r.get(3),
            })
            .collect())
    }

    pub async fn put_brief(
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

    pub async fn remove_brief(
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

    pub async fn bump_generation(&self, now_ms: i64, reason: &str) -> Result<i64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let generation = bump_and_notify(&tx, now_ms, reason).await?;
        tx.commit().await?;
        Ok(generation)
    }

    pub async fn briefs(&self, tenant: Option<&str>) -> Result<Vec<BriefRecord>, StoreError> {
        let sql = sql::brief_list(tenant.is_some());
        let rows = match tenant {
            Some(t) => self.query(&sql, &[&t]).await?,
            None => self.query(&sql, &[]).await?,
        };
        Ok(rows
            .iter()
            .map(|r| BriefRecord {
                tenant: r.get(0),
                file: r.get(1),
                title: r.get(2),
                publisher: r.get(3),
                published: r.get(4),
                url: r.get(5),
                sha256: r.get(6),
                added_by: r.get::<_, i64>(7) as u64,
                added_at: r.get(8),
            })
            .collect())
    }

    pub async fn brief_body(
        &self,
        tenant: &str,
        file: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .query_opt(sql::BRIEF_BODY, &[&tenant, &file])
            .await?
            .map(|r| r.get(0)))
    }

    pub async fn generation(&self) -> Result<Generation, StoreError> {
        let rows = self.query(sql::GENERATION, &[]).await?;
        let row = rows.first().ok_or(StoreError::NoGenerationRow)?;
        Ok(Generation {
            number: row.get(0),
            changed_at_ms: row.get(1),
        })
    }

    pub async fn heartbeat(&self, p: &ProcessRow) -> Result<(), StoreError> {
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

    pub async fn processes(&self, alive_since_ms: i64) -> Result<Vec<ProcessRow>, StoreError> {
        let rows = self.query(sql::PROCESSES, &[&alive_since_ms]).await?;
        Ok(rows
            .iter()
            .map(|r| ProcessRow {
                id: r.get(0),
                host: r.get(1),
                pid: r.get(2),
                shards: r.get(3),
                started_at_ms: r.get(4),
                heartbeat_at_ms: r.get(5),
                generation: r.get(6),
                served_at_ms: r.get(7),
            })
            .collect())
    }

    pub async fn forget_process(
        &self,
        process: &str,
        dead_before_ms: i64,
    ) -> Result<(), StoreError> {
        self.execute(sql::FORGET_PROCESS, &[&process]).await?;
        self.execute(sql::FORGET_DEAD_PROCESSES, &[&dead_before_ms])
            .await?;
        Ok(())
    }

    pub async fn legacy_briefs(&self) -> Result<Vec<LegacyBrief>, StoreError> {
        let rows = self.query(sql::LEGACY_BRIEFS, &[]).await?;
        Ok(rows
            .iter()
            .map(|r| LegacyBrief {
                guild: r.get::<_, i64>(0) as u64,
                file: r.get(1),
                title: r.get(2),
                added_by: r.get::<_, i64>(3) as u64,
                added_at: r.get(4),
            })
            .collect())
    }

    pub async fn forget_legacy_brief(&self, guild: u64, file: &str) -> Result<(), StoreError> {
        self.execute(sql::FORGET_LEGACY_BRIEF, &[&id(guild), &file])
            .await?;
        Ok(())
    }

    /// A connection of its own that `LISTEN`s for changes: each announced
    /// generation arrives on [`Listener::changes`], which closes when the
    /// connection is lost (the caller reconnects and re-checks the counter).
    pub async fn listen(&self) -> Result<Listener, StoreError> {
        let (client, mut connection) = self.config.connect(NoTls).await?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(AsyncMessage::Notification(n))) => {
                        let generation = n.payload().parse().unwrap_or(i64::MAX);
                        if tx.send(generation).is_err() {
                            return;
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        tracing::warn!("database notifications connection lost: {e}");
                        return;
                    }
                    None => return,
                }
            }
        });
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        Ok(Listener {
            changes: rx,
            _client: client,
        })
    }
}

/// A `LISTEN`ing connection; dropping it closes the connection.
pub struct Listener {
    pub changes: tokio::sync::mpsc::UnboundedReceiver<i64>,
    _client: tokio_postgres::Client,
}

async fn bump_and_notify(
    tx: &deadpool_postgres::Transaction<'_>,
    now_ms: i64,
    reason: &str,
) -> Result<i64, StoreError> {
    let generation: i64 = tx
        .query_one(sql::BUMP_GENERATION, &[&now_ms, &reason])
        .await?
        .get(0);
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &generation.to_string()],
    )
    .await?;
    Ok(generation)
}
