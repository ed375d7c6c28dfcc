//! What the bot relies on from either backend. Each test runs twice.

use briefbot::config::DatabaseUrl;
use briefbot::store::{NewBrief, ProcessRow, Store, StoredQuestion, Vote, SCHEMA_VERSION};

use crate::pg_cluster;

pub fn question(guild: u64, text: &str, answered: bool) -> StoredQuestion {
    StoredQuestion {
        id: 0,
        guild: Some(guild),
        channel: 10,
        asker: 1,
        text: text.into(),
        answered,
        passage_id: answered.then(|| "nk#3".to_string()),
        asked_at: 1_700_000_000,
        not_stated: false,
    }
}

pub fn brief(tenant: &str, file: &str, body: &str) -> NewBrief {
    NewBrief {
        tenant: tenant.into(),
        file: file.into(),
        title: format!("Title of {file}"),
        publisher: Some("Penguin Gazette".into()),
        published: None,
        url: None,
        body: body.as_bytes().to_vec(),
        added_by: 3,
        added_at: 1_700_000_000,
    }
}

/// Run `test` on a fresh SQLite file and on a fresh PostgreSQL database.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let url = briefbot::config::DatabaseUrl::Sqlite(dir.path().join("b.sqlite3"));
                let store = briefbot::store::Store::connect(&url, 4).await.unwrap();
                super::$name(&store).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = crate::pg_cluster::database("contract") else {
                    return;
                };
                let url = briefbot::config::DatabaseUrl::Postgres(db);
                let store = briefbot::store::Store::connect(&url, 4).await.unwrap();
                super::$name(&store).await;
            }
        }
    };
}

/// A vote on passage "nk#3".
fn vote(question: i64, user: u64, up: bool, at: i64) -> Vote {
    Vote {
        question,
        passage_id: "nk#3".into(),
        user,
        up,
        at,
    }
}

on_both!(one_vote_per_member_per_answer_and_a_change_of_mind_replaces_it);
async fn one_vote_per_member_per_answer_and_a_change_of_mind_replaces_it(store: &Store) {
    let q = store
        .record_question(&question(5, "how many?", true))
        .await
        .unwrap();
    assert!(store.vote(&vote(q, 1, false, 1)).await.unwrap());
    assert!(!store.vote(&vote(q, 1, false, 2)).await.unwrap());
    assert!(store.vote(&vote(q, 2, false, 3)).await.unwrap());
    assert_eq!(store.votes(q, "nk#3").await.unwrap(), (0, 2));
    assert!(store.vote(&vote(q, 1, true, 4)).await.unwrap());
    assert_eq!(store.votes(q, "nk#3").await.unwrap(), (1, 1));
    let down = store.downvoted(5, 10).await.unwrap();
    assert_eq!(down.len(), 1);
    assert_eq!((down[0].down, down[0].up), (1, 1));
    assert_eq!(down[0].question, "how many?");
    assert!(
        store.downvoted(6, 10).await.unwrap().is_empty(),
        "other guilds see nothing"
    );
}

on_both!(declined_questions_are_listed_per_guild_newest_first);
async fn declined_questions_are_listed_per_guild_newest_first(store: &Store) {
    for (guild, text, answered) in [
        (5, "first?", false),
        (5, "answered", true),
        (5, "second?", false),
        (6, "elsewhere?", false),
    ] {
        store
            .record_question(&question(guild, text, answered))
            .await
            .unwrap();
    }
    let texts: Vec<String> = store
        .declined(5, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.text)
        .collect();
    assert_eq!(texts, vec!["second?", "first?"]);
    let gap = store
        .record_question(&StoredQuestion {
            not_stated: true,
            ..question(5, "on topic?", false)
        })
        .await
        .unwrap();
    let listed = store.declined(5, 1).await.unwrap();
    assert_eq!(
        (listed[0].text.as_str(), listed[0].not_stated),
        ("on topic?", true)
    );
    assert!(store.question(gap).await.unwrap().unwrap().not_stated);
    assert!(!store.declined(5, 10).await.unwrap()[1].not_stated);
    assert!(store.answered_in_channel(10).await.unwrap());
    assert!(!store.answered_in_channel(11).await.unwrap());
}

on_both!(old_answered_questions_are_pruned_but_declined_and_voted_ones_stay);
async fn old_answered_questions_are_pruned_but_declined_and_voted_ones_stay(store: &Store) {
    let old = store
        .record_question(&question(5, "old", true))
        .await
        .unwrap();
    let voted = store
        .record_question(&question(5, "voted", true))
        .await
        .unwrap();
    let declined = store
        .record_question(&question(5, "declined", false))
        .await
        .unwrap();
    let mut recent = question(5, "recent", true);
    recent.asked_at += 100;
    let recent = store.record_question(&recent).await.unwrap();
    store.vote(&vote(voted, 9, true, 1)).await.unwrap();
    assert_eq!(
        store.prune_questions(Some(5), 1_700_000_050).await.unwrap(),
        1
    );
    assert!(store.question(old).await.unwrap().is_none());
    for kept in [voted, declined, recent] {
        let q = store.question(kept).await.unwrap().expect("kept");
        assert_eq!(q.guild, Some(5));
    }
}

on_both!(briefs_are_kept_whole_and_each_change_moves_the_generation);
async fn briefs_are_kept_whole_and_each_change_moves_the_generation(store: &Store) {
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    let start = store.generation().await.unwrap().number;
    let body = "---\ntitle: Penguins\n---\nForty-two penguins.\n";
    let (existed, g1) = store
        .put_brief(&brief("5", "p.md", body), 10)
        .await
        .unwrap();
    assert!(!existed);
    assert_eq!(g1, start + 1);
    let (existed, g2) = store
        .put_brief(&brief("5", "p.md", "changed"), 20)
        .await
        .unwrap();
    assert!(existed, "the same name replaces");
    assert_eq!(g2, g1 + 1);
    store
        .put_brief(&brief("6", "q.md", "other"), 30)
        .await
        .unwrap();
    let mine = store.briefs(Some("5")).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].title, "Title of p.md");
    assert_eq!(mine[0].added_by, 3);
    assert_eq!(
        store.brief_body("5", "p.md").await.unwrap().as_deref(),
        Some(&b"changed"[..])
    );
    assert_eq!(store.briefs(None).await.unwrap().len(), 2);
    assert_eq!(store.remove_brief("5", "nope.md", 40).await.unwrap(), None);
    let g4 = store.remove_brief("5", "p.md", 50).await.unwrap().unwrap();
    assert_eq!(g4, g2 + 2);
    let g5 = store.bump_generation(60, "/reindex").await.unwrap();
    let now = store.generation().await.unwrap();
    assert_eq!((now.number, now.changed_at_ms), (g5, 60));
    assert!(store.brief_body("5", "p.md").await.unwrap().is_none());
}

on_both!(heartbeats_say_which_processes_are_alive_and_what_they_serve);
async fn heartbeats_say_which_processes_are_alive_and_what_they_serve(store: &Store) {
    let row = |id: &str, beat: i64, generation: i64| ProcessRow {
        id: id.into(),
        host: "h".into(),
        pid: 1,
        shards: "0-0/2".into(),
        started_at_ms: 0,
        heartbeat_at_ms: beat,
        generation,
        served_at_ms: beat,
    };
    store.heartbeat(&row("a", 1_000, 1)).await.unwrap();
    store.heartbeat(&row("b", 5_000, 1)).await.unwrap();
    store.heartbeat(&row("a", 6_000, 2)).await.unwrap();
    let live = store.processes(4_000).await.unwrap();
    assert_eq!(live.len(), 2);
    assert_eq!(
        live[0],
        row("a", 6_000, 2),
        "the later beat replaces the first"
    );
    store.forget_process("a", 5_500).await.unwrap();
    assert!(
        store.processes(0).await.unwrap().is_empty(),
        "leaving removes this one and those silent since"
    );
}

#[tokio::test]
async fn the_sqlite_file_survives_a_reopen_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("data/briefbot.sqlite3"));
    let id = {
        let store = Store::connect(&url, 1).await.unwrap();
        store.put_brief(&brief("5", "a.md", "A"), 1).await.unwrap();
        store
            .record_question(&question(5, "q", false))
            .await
            .unwrap()
    };
    let store = Store::connect(&url, 1).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(store.briefs(Some("5")).await.unwrap().len(), 1);
    assert_eq!(store.question(id).await.unwrap().unwrap().text, "q");
}

/// A damaged file is refused at start, by name, rather than run half-working:
/// one that is not a database at all, and a real one with a page overwritten.
#[tokio::test]
async fn a_damaged_sqlite_file_is_refused_at_start_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.sqlite3");
    std::fs::write(&garbage, vec![0x5a_u8; 16 * 1024]).unwrap();
    let err = Store::connect(&DatabaseUrl::Sqlite(garbage.clone()), 1)
        .await
        .err()
        .expect("a file that is not a database is refused");
    assert!(
        err.to_string().contains(&garbage.display().to_string()),
        "{err}"
    );

    let damaged = dir.path().join("damaged.sqlite3");
    {
        let store = Store::connect(&DatabaseUrl::Sqlite(damaged.clone()), 1)
            .await
            .unwrap();
        for i in 0..300 {
            let text = format!("question {i} {}", "padding ".repeat(20));
            store
                .record_question(&question(5, &text, false))
                .await
                .unwrap();
        }
    }
    let mut bytes = std::fs::read(&damaged).unwrap();
    let page = 4096;
    assert!(bytes.len() > 4 * page, "the database spans several pages");
    bytes[2 * page..3 * page].fill(0xab);
    std::fs::write(&damaged, &bytes).unwrap();
    let err = Store::connect(&DatabaseUrl::Sqlite(damaged.clone()), 1)
        .await
        .err()
        .expect("a database with a damaged page is refused");
    assert!(
        err.to_string().contains(&damaged.display().to_string()),
        "{err}"
    );
}

#[tokio::test]
async fn two_processes_migrating_one_postgres_at_once_both_start() {
    let Some(db) = pg_cluster::database("racing") else {
        return;
    };
    let url = DatabaseUrl::Postgres(db);
    let (a, b) = tokio::join!(Store::connect(&url, 2), Store::connect(&url, 2));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(b.schema_version().await.unwrap(), SCHEMA_VERSION);
    // And what one writes, the other reads.
    a.put_brief(&brief("5", "a.md", "A"), 1).await.unwrap();
    assert_eq!(b.briefs(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unreachable_postgres_fails_at_once_with_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Nothing listens there now.
    let url = DatabaseUrl::Postgres(format!("postgres://bot:s3cret@127.0.0.1:{port}/x"));
    let err = Store::connect(&url, 2).await.err().expect("no server");
    let text = err.to_string();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("database"), "{text}");
    assert_eq!(
        url.to_string(),
        format!("postgres://bot:***@127.0.0.1:{port}/x")
    );
}
