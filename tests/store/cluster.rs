//! Several processes on one database: a change made through one reaches the
//! others, by notification (PostgreSQL) or at the next heartbeat; briefs kept
//! as files by an older version are imported once, and nothing is lost.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use briefbot::cluster::{self, Cluster, Identity, Timing};
use briefbot::config::DatabaseUrl;
use briefbot::store::Store;
use briefbot_engine::{Engine, EngineConfig, Question, TenantId};
use tempfile::TempDir;
use tokio::sync::oneshot;

use crate::contract::brief;
use crate::pg_cluster;

pub const PENGUINS: &str = "---
title: The Zorblatt accord
publisher: Penguin Gazette
---
Forty-two emperor penguins signed the Zorblatt accord at the Halley research station yesterday.
";

const QUESTION: &str = "how many penguins signed the zorblatt accord?";
/// Every wait is bounded by this; generous because the machine is shared.
const T: Duration = Duration::from_secs(60);

/// One process's engine over its own copy of the shipped briefs.
pub struct Process {
    pub cluster: Arc<Cluster>,
    pub dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    follower: Option<tokio::task::JoinHandle<()>>,
}

impl Process {
    pub async fn start(url: &DatabaseUrl, heartbeat: Duration) -> Process {
        let dir = tempfile::tempdir().unwrap();
        Process::start_in(url, heartbeat, dir).await
    }

    pub async fn start_in(url: &DatabaseUrl, heartbeat: Duration, dir: TempDir) -> Process {
        Process::start_with(url, heartbeat, dir, true).await
    }

    /// `follow: false` is a process that stopped listening (hung, say): it
    /// beat once at start and hears of nothing since.
    pub async fn start_with(
        url: &DatabaseUrl,
        heartbeat: Duration,
        dir: TempDir,
        follow: bool,
    ) -> Process {
        let briefs = dir.path().join("briefs");
        std::fs::create_dir_all(&briefs).unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
        for e in std::fs::read_dir(shipped).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), briefs.join(e.file_name())).unwrap();
        }
        let mut cfg = EngineConfig::in_memory(&briefs);
        cfg.tenant_briefs_dir = Some(dir.path().join("data/briefs"));
        let engine = tokio::task::spawn_blocking(move || Engine::open(cfg).unwrap().0)
            .await
            .unwrap();
        let store = Store::connect(url, 4).await.unwrap();
        let timing = Timing {
            heartbeat,
            catch_up: T,
        };
        let me = Identity::of_this_process("all".into());
        let cluster = Arc::new(Cluster::new(store, Arc::new(engine), me, timing));
        let marker = dir.path().join("data/briefs/.imported-to-database");
        cluster::import_legacy_briefs(&cluster, &marker)
            .await
            .unwrap();
        cluster.catch_up().await.unwrap();
        if !follow {
            return Process {
                cluster,
                dir,
                stop: None,
                follower: None,
            };
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let follower = tokio::spawn(cluster::follow(cluster.clone(), async move {
            let _ = stopped.await;
        }));
        Process {
            cluster,
            dir,
            stop: Some(stop),
            follower: Some(follower),
        }
    }

    pub fn answers(&self, question: &str, tenant: u64) -> Option<String> {
        let tenant = TenantId::new(tenant.to_string()).unwrap();
        let a = self
            .cluster
            .engine()
            .ask_with(&Question {
                text: question,
                tenant: Some(&tenant),
                top: 1,
            })
            .unwrap();
        a.answered.then(|| a.hits[0].passage.text.clone())
    }

    /// Wait until this process serves at least `generation`.
    pub async fn serves(&self, generation: i64) {
        let waited = tokio::time::timeout(T, async {
            while self.cluster.served() < generation {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "still at generation {} after {T:?}, waiting for {generation}",
            self.cluster.served()
        );
    }

    pub async fn stop(mut self) -> TempDir {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.follower.take() {
            Some(f) => f.await.unwrap(),
            None => self.cluster.leave().await,
        }
        self.dir
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brief_added_through_one_process_is_announced_to_the_other() {
    let Some(db) = pg_cluster::database("notify") else {
        return;
    };
    let url = DatabaseUrl::Postgres(db);
    // Heartbeats far apart: only the notification can bring the news.
    let slow = Duration::from_secs(3600);
    let a = Process::start(&url, slow).await;
    let b = Process::start(&url, slow).await;
    assert!(b.answers(QUESTION, 5).is_none());

    let (existed, change) = a
        .cluster
        .add_brief(&brief("5", "zorblatt.md", PENGUINS))
        .await
        .unwrap();
    assert!(!existed);
    let report = change.rebuilt.expect("a rebuilt");
    assert_eq!(report.briefs, report.briefs_before + 1);
    b.serves(change.generation).await;
    let text = b
        .answers(QUESTION, 5)
        .expect("b answers from the new brief");
    assert!(text.contains("Forty-two emperor penguins"), "{text}");
    assert!(b.answers(QUESTION, 6).is_none(), "only in its own tenant");

    let caught = a.cluster.wait_caught_up(change.generation).await.unwrap();
    assert_eq!(caught.caught_up.len(), 2, "{caught:?}");
    assert!(caught.lagging.is_empty());
    assert!(caught.slowest_ms.is_some());

    // Removing it reaches b the same way.
    let change = a.cluster.remove_brief("5", "zorblatt.md").await.unwrap();
    let change = change.expect("it was there");
    b.serves(change.generation).await;
    assert!(b.answers(QUESTION, 5).is_none());
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notifications_the_next_heartbeat_catches_the_change() {
    // Two processes sharing one SQLite file: no NOTIFY, only the re-check.
    let shared = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(shared.path().join("shared.sqlite3"));
    let a = Process::start(&url, Duration::from_millis(200)).await;
    let b = Process::start(&url, Duration::from_millis(200)).await;
    let change = a.cluster.reindex("/reindex in a test").await.unwrap();
    b.serves(change.generation).await;
    let (_, change) = a
        .cluster
        .add_brief(&brief("5", "zorblatt.md", PENGUINS))
        .await
        .unwrap();
    b.serves(change.generation).await;
    assert!(b.answers(QUESTION, 5).is_some());
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_process_is_named_and_a_stopped_one_is_not_waited_for() {
    let shared = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(shared.path().join("shared.sqlite3"));
    let a = Process::start(&url, Duration::from_secs(3600)).await;
    let b = Process::start_with(
        &url,
        Duration::from_secs(3600),
        tempfile::tempdir().unwrap(),
        false,
    )
    .await;
    // b beat once and hears of nothing: it cannot catch up.
    let mut timing = a.cluster.timing();
    timing.catch_up = Duration::from_millis(300);
    let change = a.cluster.reindex("test").await.unwrap();
    let waiting = Cluster::new(
        a.cluster.store().clone(),
        a.cluster.engine().clone(),
        a.cluster.identity().clone(),
        timing,
    );
    let caught = waiting.wait_caught_up(change.generation).await.unwrap();
    assert_eq!(caught.lagging.len(), 1, "{caught:?}");
    assert_eq!(caught.lagging[0].id, b.cluster.identity().id);
    let line = briefbot::bot::moderation::describe_catch_up(&caught).unwrap();
    assert!(
        line.contains("1 of 2 processes") && line.contains("not yet"),
        "{line}"
    );
    b.stop().await;
    let caught = waiting.wait_caught_up(change.generation).await.unwrap();
    assert!(
        caught.lagging.is_empty(),
        "a stopped process left: {caught:?}"
    );
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefs_kept_as_files_by_the_old_version_are_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let guild_dir = data.join("briefs/5");
    std::fs::create_dir_all(&guild_dir).unwrap();
    std::fs::write(guild_dir.join("zorblatt.md"), PENGUINS).unwrap();
    // A version 1 database recording who added it.
    let db = data.join("briefbot.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE guild_briefs (guild_id INTEGER NOT NULL, file TEXT NOT NULL,
                title TEXT NOT NULL, added_by INTEGER NOT NULL, added_at INTEGER NOT NULL,
                PRIMARY KEY (guild_id, file));
             CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER,
                channel_id INTEGER NOT NULL, asker_id INTEGER NOT NULL, text TEXT NOT NULL,
                answered INTEGER NOT NULL, passage_id TEXT, asked_at INTEGER NOT NULL);
             CREATE INDEX questions_channel ON questions (channel_id);
             CREATE INDEX questions_guild ON questions (guild_id, answered, id);
             CREATE TABLE votes (question_id INTEGER NOT NULL REFERENCES questions (id),
                passage_id TEXT NOT NULL, user_id INTEGER NOT NULL, up INTEGER NOT NULL,
                voted_at INTEGER NOT NULL, PRIMARY KEY (question_id, passage_id, user_id));
             CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER,
                user_id INTEGER NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL,
                at INTEGER NOT NULL);
             INSERT INTO guild_briefs VALUES (5, 'zorblatt.md', 'The Zorblatt accord', 303, 1700000000);
             INSERT INTO guild_briefs VALUES (5, 'gone.md', 'Lost', 303, 1700000000);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let url = DatabaseUrl::Sqlite(db);
    let p = Process::start_in(&url, Duration::from_secs(3600), dir).await;
    let stored = p.cluster.store().briefs(None).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (
            stored[0].file.as_str(),
            stored[0].added_by,
            stored[0].added_at
        ),
        ("zorblatt.md", 303, 1_700_000_000)
    );
    assert_eq!(stored[0].publisher.as_deref(), Some("Penguin Gazette"));
    assert!(p.answers(QUESTION, 5).is_some());
    assert!(p.cluster.store().legacy_briefs().await.unwrap().is_empty());

    // From now on the files are a copy: one removed from the database goes.
    p.cluster.remove_brief("5", "zorblatt.md").await.unwrap();
    let dir = p.stop().await;
    let p = Process::start_in(&url, Duration::from_secs(3600), dir).await;
    assert!(p.cluster.store().briefs(None).await.unwrap().is_empty());
    assert!(p.answers(QUESTION, 5).is_none());
    p.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clashing_file_is_imported_beside_the_stored_brief() {
    let Some(db) = pg_cluster::database("clash") else {
        return;
    };
    let url = DatabaseUrl::Postgres(db);
    let a = Process::start(&url, Duration::from_secs(3600)).await;
    a.cluster
        .add_brief(&brief("5", "zorblatt.md", "Stored first.\n"))
        .await
        .unwrap();
    // Another machine's data directory has its own file of that name.
    let dir = tempfile::tempdir().unwrap();
    let guild_dir = dir.path().join("data/briefs/5");
    std::fs::create_dir_all(&guild_dir).unwrap();
    std::fs::write(guild_dir.join("zorblatt.md"), PENGUINS).unwrap();
    let b = Process::start_in(&url, Duration::from_secs(3600), dir).await;
    let files: Vec<String> = b
        .cluster
        .store()
        .briefs(Some("5"))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.file)
        .collect();
    assert_eq!(files, vec!["zorblatt-2.md", "zorblatt.md"]);
    assert!(b.answers(QUESTION, 5).is_some());
    a.stop().await;
    b.stop().await;
}
