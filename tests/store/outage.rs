//! Losing the database: questions keep being answered from the index in
//! memory, writes fail with an error the caller reports, and everything
//! reconnects by itself when the server is back.

use std::sync::Arc;
use std::time::Duration;

use briefbot::config::{DatabaseUrl, Settings};
use briefbot_engine::{Engine, EngineConfig};

use crate::cluster::{Process, PENGUINS};
use crate::contract::{brief, question};
use crate::pg_cluster;

const T: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_costs_no_answers_and_everything_reconnects() {
    let Some(mut pg) = pg_cluster::start() else {
        return;
    };
    let url = DatabaseUrl::Postgres(pg.database("outage"));
    let beat = Duration::from_millis(200);
    let a = Process::start(&url, beat).await;
    let b = Process::start(&url, beat).await;
    let (_, change) = a
        .cluster
        .add_brief(&brief("5", "zorblatt.md", PENGUINS))
        .await
        .unwrap();
    b.serves(change.generation).await;

    tokio::task::block_in_place(|| pg.stop());
    let q = "how many penguins signed the zorblatt accord?";
    assert!(b.answers(q, 5).is_some(), "answered from memory");
    let store = a.cluster.store();
    assert!(store
        .record_question(&question(5, "q", true))
        .await
        .is_err());
    assert!(
        a.cluster.reindex("during the outage").await.is_err(),
        "a change fails and says so"
    );

    tokio::task::block_in_place(|| pg.restart());
    let recovered = tokio::time::timeout(T, async {
        loop {
            if store.record_question(&question(5, "q", true)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(recovered.is_ok(), "the pool reconnects by itself");
    // A change made now reaches b: its listener reconnects, or its next
    // heartbeat re-reads the generation.
    let change = a.cluster.reindex("after the outage").await.unwrap();
    b.serves(change.generation).await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn starting_with_the_database_unreachable_fails_naming_database_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let briefs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
    let engine = Engine::open(EngineConfig::in_memory(briefs)).unwrap().0;
    let mut settings = Settings::default();
    settings.paths.data = dir.path().to_path_buf();
    settings.database.url = Some(format!("postgres://bot:s3cret@127.0.0.1:{port}/briefbot"));
    // Fails rather than hangs (every wait in these tests is bounded).
    let opened = tokio::time::timeout(T, briefbot::bot::BotState::open(settings, Arc::new(engine)));
    let err = opened.await.expect("returns").err().expect("no database");
    let text = format!("{err:#}");
    assert!(text.contains("`database.url`"), "{text}");
    assert!(text.contains("postgres://bot:***@127.0.0.1"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}
