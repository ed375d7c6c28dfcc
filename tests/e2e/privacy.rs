//! Privacy, on SQLite and on PostgreSQL: a member's `/forget-me` leaves none
//! of their rows; a server that removes the bot loses its rows and files
//! after the grace period, while a server in an outage loses nothing; a
//! pending purge survives a restart, a server left while no process was
//! connected is found at the next connection, and a rejoin cancels a purge.
//!
//! Ids here are snowflake-sized, so no row count, generation or timestamp
//! can be mistaken for them when every column of every table is scanned.

use std::sync::Arc;
use std::time::Duration;

use serenity::model::Permissions;

use crate::harness::*;
use crate::pg_cluster;
use crate::rows::{files_containing, Db};
use fake_discord::{ButtonPress, Guild, Member, Msg, Recorded, Role, Slash, User};

const LEAVING: u64 = 1_200_000_000_000_000_101;
const STAYING: u64 = 1_200_000_000_000_000_202;
const CH_LEAVING: u64 = 1_200_000_000_000_000_111;
const CH_STAYING: u64 = 1_200_000_000_000_000_212;
const UNSEEN: u64 = 1_200_000_000_000_000_303;
const CH_UNSEEN: u64 = 1_200_000_000_000_000_313;
const FORGETFUL: u64 = 1_210_000_000_000_000_001;
const KEEPER: u64 = 1_210_000_000_000_000_002;
const MODERATOR: u64 = 1_210_000_000_000_000_003;
const CH_DM_FORGETFUL: u64 = 1_220_000_000_000_000_001;

const LLAMAS: &str = "---\ntitle: The Quorbl festival\npublisher: Andean Herald\n---\n\
Seventeen llamas attended the Quorbl festival in Lima on Sunday, a record for the event.\n";
const LLAMA_Q: &str = "how many llamas attended the quorbl festival?";
const PENGUINS: &str = "---\ntitle: The Zorblatt accord\npublisher: Penguin Gazette\n---\n\
Forty-two emperor penguins signed the Zorblatt accord at the Halley research station yesterday.\n";
const PENGUIN_Q: &str = "how many penguins signed the zorblatt accord?";

fn forgetful() -> Member {
    Member::new(User::new(FORGETFUL, "forgetful"))
}

fn keeper() -> Member {
    Member::new(User::new(KEEPER, "keeper"))
}

fn moderator() -> Member {
    Member::new(User::new(MODERATOR, "moderator")).role(MOD_ROLE)
}

fn guild(id: u64, channel: u64) -> Guild {
    Guild::new(id, &format!("Guild {id}"))
        .role(Role::new(MOD_ROLE, "Moderators", Permissions::MANAGE_GUILD))
        .channel(channel, "general")
        .member(forgetful())
        .member(keeper())
        .member(moderator())
}

/// A fresh database of each kind; None when PostgreSQL is not installed.
fn sqlite(dir: &tempfile::TempDir) -> Db {
    Db::Sqlite(dir.path().join("privacy.sqlite3"))
}

fn postgres() -> Option<Db> {
    tokio::task::block_in_place(|| pg_cluster::database("privacy")).map(Db::Postgres)
}

async fn bot(db: &Db, grace_secs: u64) -> Bot {
    bot_in(db, grace_secs, Vec::new()).await
}

/// A bot whose first READY lists `guilds` too.
async fn bot_in(db: &Db, grace_secs: u64, guilds: Vec<Guild>) -> Bot {
    Bot::start(BotOptions {
        env: vec![
            ("BRIEFBOT_DATABASE_URL", db.url()),
            ("BRIEFBOT_PRIVACY_LEAVE_GRACE_SECS", grace_secs.to_string()),
        ],
        guilds,
        ..Default::default()
    })
    .await
}

async fn mention(bot: &Bot, g: &Guild, channel: u64, who: &Member, q: &str) -> Arc<Recorded> {
    let msg = bot.fake.send_message(&Msg::mention_bot(g, channel, who, q));
    bot.reply_to(&msg).await
}

async fn slash(bot: &Bot, slash: &Slash) -> String {
    let token = bot.fake.send_slash(slash);
    bot.fake.wait_for_interaction_reply(&token, T).await.text()
}

/// Press the answer's button whose id starts with `prefix` (`bb:up:`, …).
async fn press(bot: &Bot, g: &Guild, who: &Member, answer: &Recorded, prefix: &str) -> String {
    let id = answer.response["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|b| b["custom_id"].as_str())
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} button on {}", answer.response))
        .to_string();
    let token = bot
        .fake
        .press_button(&ButtonPress::new(g, who, &answer.response, &id));
    let reply = bot
        .fake
        .wait_for_request(|r| r.path.contains(&token) && r.ok(), T);
    reply.await.text()
}

/// A moderator's brief, a member's answered question and vote, in `g`.
async fn fill(bot: &Bot, g: &Guild, channel: u64, brief: (&str, &str), q: &str) {
    let file = bot.fake.host_attachment(brief.0, brief.1.as_bytes());
    let add = Slash::new("brief", g, channel, &moderator())
        .subcommand("add")
        .attachment("file", file);
    let added = slash(bot, &add).await;
    assert!(added.contains("Added"), "{added}");
    let answer = mention(bot, g, channel, &keeper(), q).await;
    assert!(
        !answer.plain_text().contains("couldn't find"),
        "{}",
        answer.plain_text()
    );
    let voted = press(bot, g, &keeper(), &answer, "bb:up:").await;
    assert!(voted.contains("recorded"), "{voted}");
}

/// Poll (bounded by `T`) until `done` holds.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    let deadline = tokio::time::Instant::now() + T;
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {T:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn forget_me_erases_one_member(db: Db) {
    let bot = bot(&db, 3600).await;
    let g = guild(LEAVING, CH_LEAVING);
    bot.fake.add_guild(g.clone());
    let me = forgetful();

    // The member asks three ways, votes, and a moderator deletes one of
    // their answers (an audit entry that names them).
    let answer = mention(&bot, &g, CH_LEAVING, &me, "how many soldiers?").await;
    let voted = press(&bot, &g, &me, &answer, "bb:up:").await;
    assert!(voted.contains("recorded"), "{voted}");
    let dm = bot.fake.send_message(&Msg::dm(
        CH_DM_FORGETFUL,
        me.user.clone(),
        "how many soldiers?",
    ));
    bot.reply_to(&dm).await;
    let declined =
        Slash::new("ask", &g, CH_LEAVING, &me).string("question", "what is the capital of france?");
    slash(&bot, &declined).await;
    press(&bot, &g, &moderator(), &answer, "bb:del:").await;
    // Another member's question and vote.
    let theirs = mention(&bot, &g, CH_LEAVING, &keeper(), "how many soldiers?").await;
    press(&bot, &g, &keeper(), &theirs, "bb:down:").await;
    assert!(!db.rows_naming(FORGETFUL, true).await.is_empty());

    let text = slash(&bot, &Slash::new("forget-me", &g, CH_LEAVING, &me)).await;
    assert!(
        text.contains("deleted 3 of your stored questions and 1 vote,"),
        "{text}"
    );
    assert!(text.contains("1 moderator record that named you"), "{text}");

    let left = db.rows_naming(FORGETFUL, true).await;
    assert!(left.is_empty(), "rows still naming the member: {left:?}");
    let kept = db.rows_naming(KEEPER, false).await;
    let tables: Vec<&str> = kept.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tables, ["questions", "votes"], "{kept:?}");
    let erasures = db
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'forget-me' AND user_id = 0")
        .await;
    assert_eq!(
        erasures, 1,
        "the erasure is audited without naming the member"
    );
    bot.stop().await.expect("clean stop");
}

async fn a_server_that_removed_the_bot_is_purged_and_an_outage_is_not(db: Db) {
    let bot = bot(&db, 1).await;
    let (leaving, staying) = (guild(LEAVING, CH_LEAVING), guild(STAYING, CH_STAYING));
    bot.fake.add_guild(leaving.clone());
    bot.fake.add_guild(staying.clone());
    fill(&bot, &leaving, CH_LEAVING, ("quorbl.md", LLAMAS), LLAMA_Q).await;
    fill(
        &bot,
        &staying,
        CH_STAYING,
        ("zorblatt.md", PENGUINS),
        PENGUIN_Q,
    )
    .await;
    let staying_rows = db.rows_naming(STAYING, false).await;
    assert!(!db.rows_naming(LEAVING, false).await.is_empty());
    assert!(bot
        .data_dir()
        .join("briefs")
        .join(LEAVING.to_string())
        .is_dir());
    // What the checks below look for is there to be found.
    assert!(!files_containing(&bot.index_dir(), "Quorbl").is_empty());
    assert!(!files_containing(&bot.data_dir(), "Quorbl").is_empty());

    bot.fake.guild_outage(STAYING);
    bot.fake.remove_guild(LEAVING);
    eventually("the departed server's rows are gone", || async {
        db.rows_naming(LEAVING, false).await.is_empty()
    })
    .await;
    // The rows go first, then the two rebuilds that drop its passages.
    eventually("its briefs leave the index", || async {
        files_containing(&bot.index_dir(), "Quorbl").is_empty()
    })
    .await;
    assert!(
        files_containing(&bot.data_dir(), "Quorbl").is_empty(),
        "its brief files are gone"
    );
    let ops = db
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE guild_id IS NULL AND action = 'purge'
             AND detail LIKE '%{LEAVING}%'"
        ))
        .await;
    assert_eq!(ops, 1, "the purge is audited at operator level");

    // The server in an outage kept everything, and nothing waits to delete it.
    assert_eq!(db.rows_naming(STAYING, false).await, staying_rows);
    assert!(!files_containing(&bot.data_dir(), "Zorblatt").is_empty());
    let pending = db.count("SELECT COUNT(*) FROM guild_departures").await;
    assert_eq!(pending, 0);
    let answer = mention(&bot, &staying, CH_STAYING, &keeper(), PENGUIN_Q).await;
    assert!(
        answer.plain_text().contains("Forty-two"),
        "{}",
        answer.plain_text()
    );
    bot.stop().await.expect("clean stop");
}

async fn a_pending_purge_survives_a_restart_and_a_rejoin_cancels_one(db: Db) {
    let first = bot(&db, 3600).await;
    let (leaving, back) = (guild(LEAVING, CH_LEAVING), guild(STAYING, CH_STAYING));
    first.fake.add_guild(leaving.clone());
    first.fake.add_guild(back.clone());
    fill(&first, &leaving, CH_LEAVING, ("quorbl.md", LLAMAS), LLAMA_Q).await;
    fill(
        &first,
        &back,
        CH_STAYING,
        ("zorblatt.md", PENGUINS),
        PENGUIN_Q,
    )
    .await;
    let back_rows = db.rows_naming(STAYING, false).await;
    // A server the bot will have left while no process was connected.
    let unseen = guild(UNSEEN, CH_UNSEEN);
    first.fake.add_guild(unseen.clone());
    mention(&first, &unseen, CH_UNSEEN, &keeper(), "how many soldiers?").await;

    first.fake.remove_guild(LEAVING);
    first.fake.remove_guild(STAYING);
    let departures = || db.count("SELECT COUNT(*) FROM guild_departures");
    eventually("both departures recorded", || async {
        departures().await == 2
    })
    .await;
    first.fake.add_guild(back.clone());
    eventually("the rejoin cancels one", || async {
        departures().await == 1
    })
    .await;
    assert!(
        !db.rows_naming(LEAVING, false).await.is_empty(),
        "not yet due"
    );
    first.stop().await.expect("clean stop");

    // Started again with a grace period that has passed: it purges at start.
    // Its READY lists the server that came back, not the one left unseen.
    let second = bot_in(&db, 1, vec![back.clone()]).await;
    eventually("the purge recorded before the restart happens", || async {
        db.rows_naming(LEAVING, false).await.is_empty()
    })
    .await;
    eventually(
        "the server left while no process was connected is purged",
        || async { db.rows_naming(UNSEEN, false).await.is_empty() },
    )
    .await;
    assert_eq!(departures().await, 0);
    eventually("its briefs leave this process's index", || async {
        files_containing(&second.index_dir(), "Quorbl").is_empty()
    })
    .await;
    assert!(files_containing(&second.data_dir(), "Quorbl").is_empty());
    assert_eq!(
        db.rows_naming(STAYING, false).await,
        back_rows,
        "the rejoined server keeps all"
    );
    let answer = mention(&second, &back, CH_STAYING, &keeper(), PENGUIN_Q).await;
    assert!(
        answer.plain_text().contains("Forty-two"),
        "{}",
        answer.plain_text()
    );
    second.stop().await.expect("clean stop");
}

#[test]
fn forget_me_leaves_none_of_the_members_rows_on_sqlite() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        forget_me_erases_one_member(sqlite(&dir)).await;
    });
}

#[test]
fn forget_me_leaves_none_of_the_members_rows_on_postgres() {
    run(async {
        if let Some(db) = postgres() {
            forget_me_erases_one_member(db).await;
        }
    });
}

#[test]
fn a_removal_purges_after_the_grace_and_an_outage_deletes_nothing_on_sqlite() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        a_server_that_removed_the_bot_is_purged_and_an_outage_is_not(sqlite(&dir)).await;
    });
}

#[test]
fn a_removal_purges_after_the_grace_and_an_outage_deletes_nothing_on_postgres() {
    run(async {
        if let Some(db) = postgres() {
            a_server_that_removed_the_bot_is_purged_and_an_outage_is_not(db).await;
        }
    });
}

#[test]
fn a_pending_purge_survives_a_restart_and_a_rejoin_cancels_it_on_sqlite() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        a_pending_purge_survives_a_restart_and_a_rejoin_cancels_one(sqlite(&dir)).await;
    });
}

#[test]
fn a_pending_purge_survives_a_restart_and_a_rejoin_cancels_it_on_postgres() {
    run(async {
        if let Some(db) = postgres() {
            a_pending_purge_survives_a_restart_and_a_rejoin_cancels_one(db).await;
        }
    });
}
