//! `briefbot bench --store`: how many answered questions per second each
//! database backend records (the write every question makes), and, with
//! PostgreSQL, how long a `/reindex` takes to reach a second process.
//!
//! The PostgreSQL figures need a server: `--postgres URL` or
//! `BRIEFBOT_BENCH_POSTGRES_URL`. Use a scratch database: the questions the
//! bench records are dated 1970 and pruned afterwards, but its re-indexes
//! also reach any bot sharing that database.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;

use briefbot::cluster::{self, Cluster, Identity, Timing};
use briefbot::config::DatabaseUrl;
use briefbot::store::{Store, StoredQuestion};
use briefbot_engine::{Engine, EngineConfig};

/// How many tasks record at once: questions arrive concurrently.
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Serialize)]
pub struct StoreRow {
    pub backend: String,
    pub questions: usize,
    pub concurrency: usize,
    pub questions_per_sec: f64,
    /// `/reindex` through one process until a second serves the new
    /// generation, in ms, one per round (PostgreSQL only).
    pub reindex_reaches_other_ms: Vec<f64>,
}

pub async fn run(
    briefs: &Path,
    postgres: Option<&str>,
    questions: usize,
) -> anyhow::Result<Vec<StoreRow>> {
    let dir = tempfile::tempdir().context("a temporary directory for the SQLite bench")?;
    let sqlite = DatabaseUrl::Sqlite(dir.path().join("bench.sqlite3"));
    let mut rows = vec![throughput("sqlite", &sqlite, questions).await?];
    if let Some(url) = postgres {
        let url = DatabaseUrl::Postgres(url.to_string());
        let mut row = throughput("postgres", &url, questions).await?;
        row.reindex_reaches_other_ms = propagation(&url, briefs, 5).await?;
        rows.push(row);
    }
    Ok(rows)
}

async fn throughput(name: &str, url: &DatabaseUrl, total: usize) -> anyhow::Result<StoreRow> {
    let store = Store::connect(url, CONCURRENCY)
        .await
        .with_context(|| format!("opening {url}"))?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..CONCURRENCY {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in (t..total).step_by(CONCURRENCY) {
                let q = StoredQuestion {
                    id: 0,
                    guild: Some(1),
                    channel: 1 + t as u64,
                    asker: 1,
                    text: format!("bench question {i}: how many soldiers?"),
                    answered: true,
                    passage_id: Some("bench#1".into()),
                    // 1970: pruned below, and by any bot sharing the database.
                    asked_at: 0,
                    not_stated: false,
                };
                store.record_question(&q).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    store.prune_questions(Some(1), 1).await?;
    Ok(StoreRow {
        backend: name.to_string(),
        questions: total,
        concurrency: CONCURRENCY,
        questions_per_sec: total as f64 / secs,
        reindex_reaches_other_ms: Vec::new(),
    })
}

/// Two cluster members over the shipped briefs; the second hears of changes
/// only through `NOTIFY` (its heartbeat is an hour apart).
async fn propagation(url: &DatabaseUrl, briefs: &Path, rounds: usize) -> anyhow::Result<Vec<f64>> {
    let dir = tempfile::tempdir()?;
    let timing = Timing {
        heartbeat: Duration::from_secs(3600),
        catch_up: Duration::from_secs(60),
    };
    let mut members = Vec::new();
    for name in ["a", "b"] {
        let mut cfg = EngineConfig::in_memory(briefs);
        cfg.tenant_briefs_dir = Some(dir.path().join(name));
        let engine = tokio::task::spawn_blocking(move || Engine::open(cfg))
            .await??
            .0;
        let store = Store::connect(url, 2).await?;
        let me = Identity::of_this_process(format!("bench-{name}"));
        let member = Arc::new(Cluster::new(store, Arc::new(engine), me, timing));
        member.catch_up().await?;
        members.push(member);
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(cluster::follow(members[1].clone(), async move {
        let _ = stopped.await;
    }));
    // Let the follower open its LISTEN connection (on its first beat).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut times = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let change = members[0].reindex("briefbot bench").await?;
        while members[1].served() < change.generation {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "the second process did not serve generation {} within a minute",
                change.generation
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = stop.send(());
    follower.await?;
    members[0].leave().await;
    Ok(times)
}

pub fn table(rows: &[StoreRow], postgres_missing: bool) -> String {
    let mut t = String::from("backend   | questions | tasks | recorded questions/s | /reindex reaches a 2nd process (ms)\n");
    t.push_str("----------|-----------|-------|----------------------|-----------------------------------\n");
    for r in rows {
        let reach = if r.reindex_reaches_other_ms.is_empty() {
            "-".to_string()
        } else {
            let mut sorted = r.reindex_reaches_other_ms.clone();
            sorted.sort_by(f64::total_cmp);
            format!(
                "median {:.0}, max {:.0} (of {})",
                sorted[sorted.len() / 2],
                sorted[sorted.len() - 1],
                sorted.len()
            )
        };
        t.push_str(&format!(
            "{:<9} | {:>9} | {:>5} | {:>20.0} | {reach}\n",
            r.backend, r.questions, r.concurrency, r.questions_per_sec
        ));
    }
    if postgres_missing {
        t.push_str("(PostgreSQL not measured: pass --postgres URL or set BRIEFBOT_BENCH_POSTGRES_URL to a scratch database)\n");
    }
    t
}
