//! Erasing a member, purging a departed server and pruning per server, on
//! both backends (`on_both!` from the contract tests).

use briefbot::store::{AuditEntry, Erased, Store, StoredQuestion, Vote};

use crate::contract::{brief, question};

fn asked_by(asker: u64, guild: Option<u64>, text: &str, answered: bool) -> StoredQuestion {
    StoredQuestion {
        asker,
        guild,
        ..question(guild.unwrap_or(0), text, answered)
    }
}

fn vote(question: i64, user: u64) -> Vote {
    Vote {
        question,
        passage_id: "nk#3".into(),
        user,
        up: true,
        at: 1,
    }
}

fn audit(guild: Option<u64>, user: u64, detail: &str) -> AuditEntry {
    AuditEntry {
        guild,
        user,
        action: "delete".into(),
        detail: detail.into(),
        at: 1,
    }
}

on_both!(forget_member_takes_a_members_rows_and_leaves_the_others);
async fn forget_member_takes_a_members_rows_and_leaves_the_others(store: &Store) {
    let mine = store
        .record_question(&asked_by(1, Some(5), "mine?", true))
        .await
        .unwrap();
    let dm = store
        .record_question(&asked_by(1, None, "in a DM?", true))
        .await
        .unwrap();
    let theirs = store
        .record_question(&asked_by(2, Some(5), "theirs?", true))
        .await
        .unwrap();
    store.vote(&vote(mine, 1)).await.unwrap();
    store.vote(&vote(mine, 2)).await.unwrap();
    store.vote(&vote(theirs, 1)).await.unwrap();
    store.vote(&vote(theirs, 2)).await.unwrap();
    store.audit(&audit(Some(5), 1, "a brief")).await.unwrap();
    let about = "deleted the answer asked by <@1>";
    store.audit(&audit(Some(5), 3, about)).await.unwrap();
    let mut b = brief("5", "notes.md", "Some text.");
    b.added_by = 1;
    store.put_brief(&b, 1).await.unwrap();

    let erased = store.forget_member(1).await.unwrap();
    assert_eq!(
        erased,
        Erased {
            questions: 2,
            // Their own two, and the other member's vote on their answer.
            votes: 3,
            anonymised: 3,
        }
    );
    for gone in [mine, dm] {
        assert!(store.question(gone).await.unwrap().is_none());
    }
    assert!(store.question(theirs).await.unwrap().is_some());
    assert_eq!(store.votes(theirs, "nk#3").await.unwrap(), (1, 0));
    let log = store.audit_log(5, 10).await.unwrap();
    assert!(
        log.iter()
            .all(|e| e.user != 1 && !e.detail.contains("<@1>")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|e| e.user == 3),
        "the moderator is still named"
    );
    let briefs = store.briefs(Some("5")).await.unwrap();
    assert_eq!(briefs[0].added_by, 0);
    assert_eq!(store.forget_member(1).await.unwrap(), Erased::default());
}

on_both!(a_departure_is_purged_once_when_due_and_a_return_cancels_it);
async fn a_departure_is_purged_once_when_due_and_a_return_cancels_it(store: &Store) {
    let q = store
        .record_question(&asked_by(1, Some(5), "here?", false))
        .await
        .unwrap();
    store.vote(&vote(q, 2)).await.unwrap();
    store.audit(&audit(Some(5), 3, "a brief")).await.unwrap();
    store.put_brief(&brief("5", "a.md", "A."), 1).await.unwrap();
    let other = store
        .record_question(&asked_by(1, Some(6), "there?", false))
        .await
        .unwrap();
    store.put_brief(&brief("6", "b.md", "B."), 1).await.unwrap();

    assert_eq!(store.known_guilds().await.unwrap(), [5, 6]);
    assert!(store.record_departure(5, 100).await.unwrap());
    assert!(
        !store.record_departure(5, 200).await.unwrap(),
        "the first time stands"
    );
    assert_eq!(store.departures().await.unwrap()[0].left_at, 100);
    assert!(store.cancel_departure(5).await.unwrap());
    assert!(store.departures().await.unwrap().is_empty());
    assert!(store.record_departure(5, 100).await.unwrap());

    assert!(
        store.purge_guild(5, 99, 1000, 1).await.unwrap().is_none(),
        "not due"
    );
    let generation = store.generation().await.unwrap().number;
    let purged = store
        .purge_guild(5, 100, 1000, 1)
        .await
        .unwrap()
        .expect("due");
    let count = |t: &str| purged.rows.iter().find(|(n, _)| *n == t).unwrap().1;
    assert_eq!(
        (
            count("questions"),
            count("votes"),
            count("briefs"),
            count("audit_log")
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(purged.generation, generation + 1);
    assert!(
        store.purge_guild(5, 100, 1000, 1).await.unwrap().is_none(),
        "once"
    );
    assert!(store.question(q).await.unwrap().is_none());
    assert!(store.briefs(Some("5")).await.unwrap().is_empty());
    assert!(store.audit_log(5, 10).await.unwrap().is_empty());
    assert!(store.question(other).await.unwrap().is_some());
    assert_eq!(store.briefs(Some("6")).await.unwrap().len(), 1);
    assert!(store.departures().await.unwrap().is_empty());
    assert_eq!(store.known_guilds().await.unwrap(), [6]);
}

on_both!(answered_questions_are_pruned_per_server);
async fn answered_questions_are_pruned_per_server(store: &Store) {
    let five = store
        .record_question(&asked_by(1, Some(5), "five", true))
        .await
        .unwrap();
    let six = store
        .record_question(&asked_by(1, Some(6), "six", true))
        .await
        .unwrap();
    let dm = store
        .record_question(&asked_by(1, None, "dm", true))
        .await
        .unwrap();
    let mut guilds = store.question_guilds().await.unwrap();
    guilds.sort();
    assert_eq!(guilds, [None, Some(5), Some(6)]);
    let later = 1_700_000_001;
    assert_eq!(store.prune_questions(Some(5), later).await.unwrap(), 1);
    assert!(store.question(five).await.unwrap().is_none());
    assert!(store.question(six).await.unwrap().is_some());
    assert_eq!(store.prune_questions(None, later).await.unwrap(), 1);
    assert!(store.question(dm).await.unwrap().is_none());
    assert!(store.question(six).await.unwrap().is_some());
}

on_both!(answered_questions_live_as_long_as_the_retention_setting_says);
async fn answered_questions_live_as_long_as_the_retention_setting_says(store: &Store) {
    let now = 1_800_000_000;
    let day = 24 * 3600;
    let mut old = asked_by(1, Some(5), "two days old", true);
    old.asked_at = now - 2 * day;
    let old = store.record_question(&old).await.unwrap();
    let mut recent = asked_by(1, Some(5), "an hour old", true);
    recent.asked_at = now - 3600;
    let recent = store.record_question(&recent).await.unwrap();

    let mut settings = briefbot::config::Settings::default();
    settings.privacy.question_retention_days = 3;
    let pruned = briefbot::privacy::prune_questions(store, &settings, now)
        .await
        .unwrap();
    assert_eq!(pruned, 0, "both within three days");
    settings.privacy.question_retention_days = 1;
    let pruned = briefbot::privacy::prune_questions(store, &settings, now)
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    assert!(store.question(old).await.unwrap().is_none());
    assert!(store.question(recent).await.unwrap().is_some());
}
