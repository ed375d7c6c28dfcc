//! The shared backend: PostgreSQL through a deadpool connection pool, for a
//! bot split over several processes. Everything is async, so no call blocks a
//! runtime worker. A change to the briefs is announced with `NOTIFY` in the
//! transaction that makes it, so listeners hear of it only once it is visible.

use std::path::Path;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

mod privacy;
mod queries;
mod settings;
mod tls;

use super::migrations::{Dialect, LATEST, MIGRATIONS};
use super::records::Columns;
use super::sql;
use super::StoreError;

/// The channel changes are announced on; the payload is the new generation.
pub(super) const CHANNEL: &str = "briefbot_generation";

/// The channel a server's settings changes are announced on; the payload is
/// the change's revision.
pub(super) const SETTINGS_CHANNEL: &str = "briefbot_settings";

/// Connecting, and waiting for a pooled connection, give up after this: a
/// question must not hang on an unreachable database.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Serialises migrations of processes starting together (an arbitrary key).
const MIGRATION_LOCK: i64 = 0x6272_6965_6662_6f74;

#[derive(Clone)]
pub(super) struct Postgres {
    pool: Pool,
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

fn id(v: u64) -> i64 {
    v as i64
}

impl Columns for Row {
    type Error = tokio_postgres::Error;
    fn int(&self, i: usize) -> Result<i64, Self::Error> {
        self.try_get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error> {
        self.try_get(i)
    }
    fn text(&self, i: usize) -> Result<String, Self::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error> {
        self.try_get(i)
    }
}

impl Postgres {
    /// Connect (once, to fail fast on a wrong URL, an unreachable server or
    /// a certificate not trusted) and migrate. `ca_file` holds the CAs that
    /// `sslmode=verify-ca|verify-full` trust (see [`tls`]).
    pub(super) async fn open(
        url: &str,
        pool_size: usize,
        ca_file: Option<&Path>,
    ) -> Result<Postgres, StoreError> {
        let (mode, url) = tls::split_sslmode(url)?;
        let connector = tls::connector(mode, ca_file)?;
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Url(e.to_string()))?;
        config.connect_timeout(TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("briefbot");
        }
        let manager = Manager::from_config(
            config.clone(),
            connector.clone(),
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
        let db = Postgres {
            pool,
            config,
            tls: connector,
        };
        match db.migrate().await {
            Err(StoreError::Postgres(e)) if tls::is_tls_failure(&e) => Err(StoreError::Tls(
                tls::explain(mode, ca_file.map(Path::to_path_buf).as_ref(), &e),
            )),
            other => other.map(|()| db),
        }
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

    /// A connection of its own that `LISTEN`s for changes: each announced
    /// generation arrives on [`Listener::changes`], which closes when the
    /// connection is lost (the caller reconnects and re-checks the counter).
    pub(super) async fn listen(&self) -> Result<Listener, StoreError> {
        let (client, mut connection) = self.config.connect(self.tls.clone()).await?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (settings_tx, settings_rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(AsyncMessage::Notification(n))) => {
                        let number = n.payload().parse().unwrap_or(i64::MAX);
                        let to = if n.channel() == SETTINGS_CHANNEL {
                            &settings_tx
                        } else {
                            &tx
                        };
                        if to.send(number).is_err() {
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
        client
            .batch_execute(&format!("LISTEN {CHANNEL}; LISTEN {SETTINGS_CHANNEL}"))
            .await?;
        Ok(Listener {
            changes: rx,
            settings: settings_rx,
            _client: client,
        })
    }
}

/// A `LISTEN`ing connection; dropping it closes the connection.
pub(crate) struct Listener {
    pub changes: tokio::sync::mpsc::UnboundedReceiver<i64>,
    /// Revisions of servers' settings changes, as they commit.
    pub settings: tokio::sync::mpsc::UnboundedReceiver<i64>,
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
