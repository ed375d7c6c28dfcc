//! The database: migrations, votes, what moderators read back.

use briefbot::store::{GuildBrief, Store, StoredQuestion, SCHEMA_VERSION};

fn question(guild: u64, text: &str, answered: bool) -> StoredQuestion {
    StoredQuestion {
        id: 0,
        guild: Some(guild),
        channel: 10,
        asker: 1,
        text: text.into(),
        answered,
        passage_id: answered.then(|| "nk#3".to_string()),
        asked_at: 1_700_000_000,
    }
}

#[test]
fn the_database_survives_a_reopen_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/briefbot.sqlite3");
    let id = {
        let store = Store::open(&path).unwrap();
        store
            .add_guild_brief(
                5,
                &GuildBrief {
                    file: "a.md".into(),
                    title: "A".into(),
                    added_by: 3,
                    added_at: 1,
                },
            )
            .unwrap();
        store.record_question(&question(5, "q", false)).unwrap()
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.guild_briefs(5).unwrap().len(), 1);
    assert_eq!(store.question(id).unwrap().unwrap().text, "q");
}

#[test]
fn one_vote_per_member_per_answer_and_a_change_of_mind_replaces_it() {
    let store = Store::open_in_memory().unwrap();
    let q = store
        .record_question(&question(5, "how many?", true))
        .unwrap();
    assert!(store.vote(q, "nk#3", 1, false, 1).unwrap());
    assert!(!store.vote(q, "nk#3", 1, false, 2).unwrap());
    assert!(store.vote(q, "nk#3", 2, false, 3).unwrap());
    assert_eq!(store.votes(q, "nk#3").unwrap(), (0, 2));
    assert!(store.vote(q, "nk#3", 1, true, 4).unwrap());
    assert_eq!(store.votes(q, "nk#3").unwrap(), (1, 1));
    let down = store.downvoted(5, 10).unwrap();
    assert_eq!(down.len(), 1);
    assert_eq!((down[0].down, down[0].up), (1, 1));
    assert!(
        store.downvoted(6, 10).unwrap().is_empty(),
        "other guilds see nothing"
    );
}

#[test]
fn declined_questions_are_listed_per_guild_newest_first() {
    let store = Store::open_in_memory().unwrap();
    store
        .record_question(&question(5, "first?", false))
        .unwrap();
    store
        .record_question(&question(5, "answered", true))
        .unwrap();
    store
        .record_question(&question(5, "second?", false))
        .unwrap();
    store
        .record_question(&question(6, "elsewhere?", false))
        .unwrap();
    let texts: Vec<String> = store
        .declined(5, 10)
        .unwrap()
        .into_iter()
        .map(|q| q.text)
        .collect();
    assert_eq!(texts, vec!["second?", "first?"]);
}

#[test]
fn old_answered_questions_are_pruned_but_declined_and_voted_ones_stay() {
    let store = Store::open_in_memory().unwrap();
    let old = store.record_question(&question(5, "old", true)).unwrap();
    let voted = store.record_question(&question(5, "voted", true)).unwrap();
    let declined = store
        .record_question(&question(5, "declined", false))
        .unwrap();
    let mut recent = question(5, "recent", true);
    recent.asked_at += 100;
    let recent = store.record_question(&recent).unwrap();
    store.vote(voted, "nk#3", 9, true, 1).unwrap();
    assert_eq!(store.prune_questions(1_700_000_050).unwrap(), 1);
    assert!(store.question(old).unwrap().is_none());
    for kept in [voted, declined, recent] {
        assert!(store.question(kept).unwrap().is_some());
    }
}
