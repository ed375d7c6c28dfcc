//! Several processes, one database, one content: every process sharing the
//! store serves the same briefs at the same content generation.
//!
//! The database is the record of the briefs tenants added and of a
//! generation counter that goes up at each change (`/reindex`, a brief added
//! or removed). Each process materialises the briefs into its engine and
//! rebuilds when the generation passes the one it serves. It hears of a change
//! at once through PostgreSQL's `LISTEN/NOTIFY`, and re-reads the counter at
//! every heartbeat ([`follow`]), so a notification missed during an outage is
//! caught on the next beat. Each heartbeat records the generation served, so a
//! moderator's reply can say when every live process has caught up
//! ([`Cluster::wait_caught_up`]).
//!
//! The database going away costs no answers: the engine's index is in memory.

mod follow;
mod identity;
mod import;
mod purge;
mod settings;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::store::{NewBrief, ProcessRow, Store, StoreError};
use briefbot_engine::{Engine, EngineError, IndexReport, TenantId};

pub use follow::follow;
pub use identity::Identity;
pub use import::import_legacy_briefs;
pub use settings::ServerSettings;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("the rebuild thread stopped unexpectedly: {0}")]
    Task(String),
}

/// How often to beat and how long a moderator waits for the others.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub heartbeat: Duration,
    pub catch_up: Duration,
}

impl Timing {
    /// A process silent for three heartbeats is taken for gone.
    fn alive_since_ms(&self) -> i64 {
        now_ms() - 3 * self.heartbeat.as_millis() as i64
    }
}

/// The outcome of a change this process made.
#[derive(Debug)]
pub struct Change {
    /// The generation the change created.
    pub generation: i64,
    /// This process's rebuild for it; Err leaves the previous index serving.
    pub rebuilt: Result<IndexReport, ClusterError>,
}

/// Which live processes serve a generation after waiting for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatchUp {
    pub generation: i64,
    /// Live processes (this one included) serving it or a later one.
    pub caught_up: Vec<ProcessRow>,
    /// Live processes that had not within the wait.
    pub lagging: Vec<ProcessRow>,
    /// From the change to the last process serving it, in ms (when all did).
    pub slowest_ms: Option<i64>,
}

pub struct Cluster {
    store: Store,
    engine: Arc<Engine>,
    me: Identity,
    timing: Timing,
    served: AtomicI64,
    served_at_ms: AtomicI64,
    /// One rebuild at a time: a change made here and one heard of may race.
    applying: tokio::sync::Mutex<()>,
    /// Told how long each rebuild took (the metrics).
    on_rebuild: std::sync::OnceLock<RebuildObserver>,
    /// Each server's own settings, re-read at every heartbeat.
    servers: ServerSettings,
}

type RebuildObserver = Box<dyn Fn(std::time::Duration) + Send + Sync>;

impl Cluster {
    /// A cluster member that has not yet caught up (see [`Cluster::catch_up`]).
    pub fn new(store: Store, engine: Arc<Engine>, me: Identity, timing: Timing) -> Cluster {
        Cluster {
            store,
            engine,
            me,
            timing,
            served: AtomicI64::new(-1),
            served_at_ms: AtomicI64::new(0),
            applying: tokio::sync::Mutex::new(()),
            on_rebuild: std::sync::OnceLock::new(),
            servers: ServerSettings::default(),
        }
    }

    /// Have `observe` told the duration of every rebuild from now on (the
    /// first observer set is the one kept).
    pub fn on_rebuild(&self, observe: impl Fn(std::time::Duration) + Send + Sync + 'static) {
        let _ = self.on_rebuild.set(Box::new(observe));
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub fn identity(&self) -> &Identity {
        &self.me
    }

    /// Each server's own settings, as this process last read them.
    pub fn servers(&self) -> &ServerSettings {
        &self.servers
    }

    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// The content generation this process serves (-1 before the first sync).
    pub fn served(&self) -> i64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Bring this process to the database's generation if it is behind:
    /// write the briefs that changed, rebuild, record the new generation.
    /// Returns the rebuild's report, or None when already current.
    pub async fn catch_up(&self) -> Result<Option<(i64, IndexReport)>, ClusterError> {
        let _one = self.applying.lock().await;
        self.catch_up_locked(false).await
    }

    /// [`Cluster::catch_up`] for a caller holding `applying`; `rebuild`
    /// rebuilds even on the first sync (a change this process made).
    async fn catch_up_locked(
        &self,
        rebuild: bool,
    ) -> Result<Option<(i64, IndexReport)>, ClusterError> {
        let target = self.store.generation().await?;
        if target.number <= self.served() {
            return Ok(None);
        }
        let changed = self.materialise(None).await?;
        // The first sync after start needs no rebuild when the files the
        // engine opened were already current.
        let report = if changed || rebuild || self.served() >= 0 {
            let engine = self.engine.clone();
            tokio::task::spawn_blocking(move || engine.reindex())
                .await
                .map_err(|e| ClusterError::Task(e.to_string()))??
        } else {
            IndexReport::default()
        };
        if let (true, Some(observe)) = (report.rebuilt, self.on_rebuild.get()) {
            observe(std::time::Duration::from_millis(report.millis as u64));
        }
        let lag_ms = now_ms() - target.changed_at_ms;
        self.served.store(target.number, Ordering::SeqCst);
        self.served_at_ms.store(now_ms(), Ordering::SeqCst);
        tracing::info!(
            generation = target.number,
            briefs = self.engine.stats().briefs,
            since_change_ms = (target.changed_at_ms > 0).then_some(lag_ms),
            "serving content generation {}",
            target.number
        );
        if let Err(e) = self.heartbeat().await {
            tracing::warn!("recording the generation served: {e}");
        }
        // A purge raises the generation and deletes a server's settings,
        // which re-reading changed rows cannot see.
        if let Err(e) = self.servers.reload(&self.store).await {
            tracing::warn!("re-reading the servers' settings: {e}");
        }
        Ok(Some((target.number, report)))
    }

    /// Write into the engine the briefs the database holds (of every
    /// tenant, or of `only` one) and drop those it no longer does. Returns
    /// whether anything changed.
    async fn materialise(&self, only: Option<&str>) -> Result<bool, ClusterError> {
        let wanted = self.store.briefs(only).await?;
        let engine = self.engine.clone();
        let mut held = tokio::task::spawn_blocking(move || engine.tenant_briefs())
            .await
            .map_err(|e| ClusterError::Task(e.to_string()))??;
        held.retain(|h| only.is_none_or(|t| h.tenant.as_str() == t));
        let mut changed = false;
        for w in &wanted {
            let current = held
                .iter()
                .find(|h| h.tenant.as_str() == w.tenant && h.file == w.file);
            if current.is_some_and(|h| h.sha256 == w.sha256) {
                continue;
            }
            let Some(body) = self.store.brief_body(&w.tenant, &w.file).await? else {
                continue; // removed meanwhile: the next generation says so
            };
            let tenant = TenantId::new(w.tenant.clone())?;
            let (engine, file) = (self.engine.clone(), w.file.clone());
            let added =
                tokio::task::spawn_blocking(move || engine.add_brief(&tenant, &file, &body))
                    .await
                    .map_err(|e| ClusterError::Task(e.to_string()))?;
            match added {
                Ok(_) => changed = true,
                // Checked when it was added; a brief this version cannot read
                // is reported, not a reason to stop serving the others.
                Err(e) => {
                    tracing::warn!(tenant = %w.tenant, file = %w.file, "brief not served: {e}")
                }
            }
        }
        for h in held {
            let kept = wanted
                .iter()
                .any(|w| w.tenant == h.tenant.as_str() && w.file == h.file);
            if !kept {
                let engine = self.engine.clone();
                tokio::task::spawn_blocking(move || engine.remove_brief(&h.tenant, &h.file))
                    .await
                    .map_err(|e| ClusterError::Task(e.to_string()))??;
                changed = true;
            }
        }
        Ok(changed)
    }

    /// Record that this process is alive and which generation it serves.
    pub async fn heartbeat(&self) -> Result<(), StoreError> {
        self.store
            .heartbeat(&ProcessRow {
                id: self.me.id.clone(),
                host: self.me.host.clone(),
                pid: self.me.pid,
                shards: self.me.shards.clone(),
                started_at_ms: self.me.started_at_ms,
                heartbeat_at_ms: now_ms(),
                generation: self.served(),
                served_at_ms: self.served_at_ms.load(Ordering::SeqCst),
            })
            .await
    }

    /// `/reindex`: every process sharing the database rebuilds.
    pub async fn reindex(&self, reason: &str) -> Result<Change, StoreError> {
        let _one = self.applying.lock().await;
        let generation = self.store.bump_generation(now_ms(), reason).await?;
        Ok(self.rebuild_for(generation).await)
    }

    /// One tenant's `/reindex`: its briefs are written again from the
    /// database and rebuilt in this process, which serves that tenant's
    /// questions; the shipped briefs, other tenants' and the other
    /// processes are left alone (no generation is raised).
    pub async fn reindex_tenant(&self, tenant: &TenantId) -> Result<IndexReport, ClusterError> {
        let _one = self.applying.lock().await;
        self.materialise(Some(tenant.as_str())).await?;
        let (engine, t) = (self.engine.clone(), tenant.clone());
        let report = tokio::task::spawn_blocking(move || engine.reindex_tenant(&t))
            .await
            .map_err(|e| ClusterError::Task(e.to_string()))??;
        if let (true, Some(observe)) = (report.rebuilt, self.on_rebuild.get()) {
            observe(std::time::Duration::from_millis(report.millis as u64));
        }
        Ok(report)
    }

    /// Keep a tenant's brief (checked first by the caller) and have every
    /// process serve it. Returns whether it replaced one.
    pub async fn add_brief(&self, brief: &NewBrief) -> Result<(bool, Change), StoreError> {
        let _one = self.applying.lock().await;
        let (existed, generation) = self.store.put_brief(brief, now_ms()).await?;
        Ok((existed, self.rebuild_for(generation).await))
    }

    /// Drop a tenant's brief everywhere; None when it had none of that name.
    pub async fn remove_brief(
        &self,
        tenant: &str,
        file: &str,
    ) -> Result<Option<Change>, StoreError> {
        let _one = self.applying.lock().await;
        match self.store.remove_brief(tenant, file, now_ms()).await? {
            Some(generation) => Ok(Some(self.rebuild_for(generation).await)),
            None => Ok(None),
        }
    }

    /// This process's rebuild after its own change, made while holding
    /// `applying` so the follower cannot apply it first and leave no report.
    async fn rebuild_for(&self, generation: i64) -> Change {
        let rebuilt = match self.catch_up_locked(true).await {
            Ok(Some((_, report))) => Ok(report),
            // Unreachable while `applying` is held; say so rather than invent a report.
            Ok(None) => Err(ClusterError::Task(format!(
                "generation {generation} was already served"
            ))),
            Err(e) => Err(e),
        };
        Change {
            generation,
            rebuilt,
        }
    }

    /// Wait (up to `database.catch_up_secs`) until every live process serves
    /// `generation`; a process that stops beating meanwhile is not waited for.
    pub async fn wait_caught_up(&self, generation: i64) -> Result<CatchUp, StoreError> {
        let started = Instant::now();
        let changed_at = self.store.generation().await?.changed_at_ms;
        loop {
            let live = self.store.processes(self.timing.alive_since_ms()).await?;
            let (caught_up, lagging): (Vec<_>, Vec<_>) =
                live.into_iter().partition(|p| p.generation >= generation);
            if lagging.is_empty() || started.elapsed() >= self.timing.catch_up {
                let slowest_ms = lagging.is_empty().then(|| {
                    caught_up
                        .iter()
                        .map(|p| p.served_at_ms - changed_at)
                        .max()
                        .unwrap_or(0)
                        .max(0)
                });
                return Ok(CatchUp {
                    generation,
                    caught_up,
                    lagging,
                    slowest_ms,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Leave the cluster on a clean stop, and forget processes long gone.
    pub async fn leave(&self) {
        let day_ago = now_ms() - 24 * 3600 * 1000;
        if let Err(e) = self.store.forget_process(&self.me.id, day_ago).await {
            tracing::warn!("removing this process's heartbeat: {e}");
        }
    }
}

/// Wall-clock milliseconds, for what the database keeps.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
