//! Each server runs its own bot: two servers on one process with their own
//! settings (a watched channel, a moderator role, a log channel), kept
//! across a restart; a server's `/reindex` rebuilds only its own briefs and
//! is rate-limited, an owner's rebuilds the shipped ones; a server's
//! moderator actions reach its own log channel only. Each scenario runs on
//! SQLite and on PostgreSQL; a second process sharing the database applies a
//! change at its next heartbeat (SQLite) or as it is announced (PostgreSQL).

use std::path::Path;
use std::time::Instant;

use serenity::model::Permissions;

use crate::harness::*;
use crate::pg_cluster;
use fake_discord::{FakeDiscord, Guild, Member, Msg, Recorded, Role, Slash, User};

const HELPERS_A: u64 = 12;
const HELPERS_B: u64 = 22;
const CH_A_QUESTIONS: u64 = 120;
const CH_A_LOG: u64 = 121;
const CH_B_QUESTIONS: u64 = 220;
const CH_B_LOG: u64 = 221;
const CH_B_OTHER: u64 = 222;
/// The operator's `discord.log_channel`.
const CH_OPERATOR: u64 = 130;

const LLAMAS: &str = "---
title: The Quorbl festival
publisher: Andean Herald
---
Seventeen llamas attended the Quorbl festival in Lima on Sunday, a record for the event.
";
const LLAMA_Q: &str = "how many llamas attended the quorbl festival?";
const OVERHEARD_Q: &str = "how many soldiers did north korea send?";

fn a() -> Guild {
    guild_a().role(Role::new(HELPERS_A, "Helpers", Permissions::empty()))
}

fn b() -> Guild {
    guild_b().role(Role::new(HELPERS_B, "Helpers B", Permissions::empty()))
}

fn admin_b() -> Member {
    Member::new(User::new(304, "admin-b")).permissions(Permissions::MANAGE_GUILD)
}

fn helper(role: u64) -> Member {
    Member::new(User::new(305, "helper")).role(role)
}

fn private(f: &FakeDiscord, token: &str) -> bool {
    f.interaction_requests(token)
        .iter()
        .any(|r| r.message()["flags"].as_u64().unwrap_or(0) & 64 == 64)
}

/// A command's reply text, checked to be private.
async fn command(f: &FakeDiscord, slash: &Slash) -> String {
    let token = f.send_slash(slash);
    let reply = f.wait_for_interaction_reply(&token, T).await;
    assert!(private(f, &token), "not private: {}", reply.body);
    assert_no_pings(&reply);
    reply.text()
}

async fn slash_ask(f: &FakeDiscord, g: &Guild, m: &Member, q: &str) -> String {
    let token = f.send_slash(&Slash::new("ask", g, CH_ASK, m).string("question", q));
    f.wait_for_interaction_reply(&token, T).await.plain_text()
}

fn posted_in(f: &FakeDiscord, channel: u64) -> Vec<String> {
    let path = format!("/channels/{channel}/messages");
    f.requests_matching(|r| r.is("POST", &path))
        .iter()
        .map(|r| r.text())
        .collect()
}

async fn wait_posted(f: &FakeDiscord, channel: u64, needle: &'static str) -> String {
    let path = format!("/channels/{channel}/messages");
    let r = f
        .wait_for_request(move |r| r.is("POST", &path) && r.text().contains(needle), T)
        .await;
    r.text()
}

/// Whether a message in `channel` that does not mention the bot is answered:
/// a mention sent after it is answered first or not at all, so waiting for
/// that one settles it without a timed wait.
async fn overheard(bot: &Bot, g: &Guild, channel: u64) -> bool {
    let f = &bot.fake;
    let q = f.send_message(&Msg::new(g, channel, &asker(), OVERHEARD_Q));
    let marker = f.send_message(&Msg::mention_bot(
        g,
        channel,
        &asker(),
        "how many soldiers?",
    ));
    bot.reply_to(&marker).await;
    let id = q["id"].clone();
    let answered =
        f.requests_matching(|r: &Recorded| r.body["message_reference"]["message_id"] == id);
    !answered.is_empty()
}

async fn start(env: &[(&'static str, String)]) -> Bot {
    let mut all = vec![
        ("BRIEFBOT_LOG_CHANNEL", CH_OPERATOR.to_string()),
        ("BRIEFBOT_SERVER_REINDEX_EVERY_SECS", "3600".to_string()),
        ("BRIEFBOT_WATCHED_CHANNELS", String::new()),
    ];
    all.extend(env.iter().cloned());
    Bot::start(BotOptions {
        env: all,
        ..BotOptions::default()
    })
    .await
}

/// The whole story on one backend: `db` names the database (and `data` the
/// data directory that outlives the first bot).
async fn two_servers_each_by_its_own_settings(db: String, data: &Path) {
    let env = [
        ("BRIEFBOT_DATABASE_URL", db),
        ("BRIEFBOT_PATHS_DATA", data.display().to_string()),
    ];
    let bot = start(&env).await;
    let f = &bot.fake;
    let (ga, gb) = (a(), b());

    // Each server's moderator picks a watched channel, a moderator role and
    // a log channel, with Discord's pickers.
    let set_a = Slash::new("settings", &ga, CH_MOD, &moderator())
        .subcommand("set")
        .channel("watch", CH_A_QUESTIONS)
        .role(
            "add_moderator_role",
            &Role::new(HELPERS_A, "Helpers", Permissions::empty()),
        )
        .channel("log_channel", CH_A_LOG);
    let text = command(f, &set_a).await;
    assert!(text.contains("Settings changed"), "{text}");
    let set_b = Slash::new("settings", &gb, CH_B, &admin_b())
        .subcommand("set")
        .channel("watch", CH_B_QUESTIONS)
        .role(
            "add_moderator_role",
            &Role::new(HELPERS_B, "Helpers B", Permissions::empty()),
        )
        .boolean("prefix", false)
        .boolean("embeds", false)
        .boolean("private_answers", true);
    let text = command(f, &set_b).await;
    assert!(text.contains(&format!("<#{CH_B_QUESTIONS}>")), "{text}");
    // Until B picks a log channel, its actions are posted nowhere: not in
    // the operator's channel, and so never in another server's.
    let log_b = Slash::new("settings", &gb, CH_B, &admin_b())
        .subcommand("set")
        .channel("log_channel", CH_B_LOG);
    command(f, &log_b).await;

    // Each behaves by its own: /ask private and in plain text in B only...
    for (g, in_b) in [(&ga, false), (&gb, true)] {
        let ask = Slash::new("ask", g, CH_ASK, &asker()).string("question", "how many soldiers?");
        let token = f.send_slash(&ask);
        let answer = f.wait_for_interaction_reply(&token, T).await;
        assert!(answer.plain_text().contains("11,000"), "{}", answer.body);
        assert_eq!(private(f, &token), in_b, "{}", answer.body);
        let embeds = answer.message()["embeds"].as_array().map_or(0, Vec::len);
        assert_eq!(embeds == 0, in_b, "{}", answer.body);
    }
    // ...watched channels, moderator roles.
    assert!(
        overheard(&bot, &ga, CH_A_QUESTIONS).await,
        "A's watched channel"
    );
    assert!(
        overheard(&bot, &gb, CH_B_QUESTIONS).await,
        "B's watched channel"
    );
    assert!(!overheard(&bot, &gb, CH_B_OTHER).await, "B's other channel");
    let show = |g: &Guild, m: Member| Slash::new("settings", g, CH_MOD, &m).subcommand("show");
    let text = command(f, &show(&ga, helper(HELPERS_A))).await;
    assert!(text.contains(&format!("<#{CH_A_LOG}>")), "{text}");
    let text = command(f, &show(&gb, helper(HELPERS_A))).await;
    assert!(text.contains("Only moderators"), "A's role in B: {text}");
    let text = command(f, &show(&ga, helper(HELPERS_B))).await;
    assert!(text.contains("Only moderators"), "B's role in A: {text}");

    // Moderator scope: B's /reindex rebuilds B's briefs only, then is
    // refused within the limit; an owner's rebuilds the shipped briefs.
    std::fs::write(bot.briefs_dir().join("quorbl.md"), LLAMAS).unwrap();
    let reindex = |m: &Member| Slash::new("reindex", &gb, CH_B, m);
    let text = command(f, &reindex(&helper(HELPERS_B))).await;
    assert!(text.starts_with("This server's briefs"), "{text}");
    assert!(!text.contains("quorbl"), "{text}");
    let answer = slash_ask(f, &gb, &asker(), LLAMA_Q).await;
    assert!(!answer.contains("Seventeen llamas"), "{answer}");
    let text = command(f, &reindex(&admin_b())).await;
    assert!(text.contains("/reindex again in "), "{text}");
    let text = command(f, &reindex(&Member::new(User::app_owner()))).await;
    assert!(text.contains("Added: quorbl.md"), "{text}");
    let answer = slash_ask(f, &gb, &asker(), LLAMA_Q).await;
    assert!(answer.contains("Seventeen llamas"), "{answer}");

    // Logs: each server's actions in its own channel, the owner's in the
    // operator's, and nothing of B's anywhere else.
    wait_posted(f, CH_A_LOG, "settings").await;
    wait_posted(f, CH_B_LOG, "reindex").await;
    wait_posted(f, CH_OPERATOR, "Every brief").await;
    wait_posted(f, CH_OPERATOR, "briefbot started").await;
    let b_marks = ["(server 20)", "<@304>", "<@305>", &CH_B_LOG.to_string()];
    for line in posted_in(f, CH_A_LOG)
        .iter()
        .chain(&posted_in(f, CH_OPERATOR))
    {
        assert!(
            !b_marks.iter().any(|m| line.contains(m)),
            "B leaked: {line}"
        );
    }
    assert!(
        posted_in(f, CH_OPERATOR)
            .iter()
            .all(|l| !l.contains("settings")),
        "{:?}",
        posted_in(f, CH_OPERATOR)
    );
    bot.stop().await.unwrap();
    drop(bot);

    // After a restart the settings are still there.
    let bot = start(&env).await;
    assert!(
        overheard(&bot, &gb, CH_B_QUESTIONS).await,
        "after a restart"
    );
    let text = command(&bot.fake, &show(&gb, helper(HELPERS_B))).await;
    assert!(text.contains(&format!("<#{CH_B_LOG}>")), "{text}");
    bot.stop().await.unwrap();
}

#[test]
fn on_sqlite_two_servers_each_follow_their_own_settings() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("b.sqlite3").display().to_string();
        two_servers_each_by_its_own_settings(db, dir.path()).await;
    });
}

#[test]
fn on_postgres_two_servers_each_follow_their_own_settings() {
    run(async {
        let Some(db) = tokio::task::block_in_place(|| pg_cluster::database("e2e")) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        two_servers_each_by_its_own_settings(db, dir.path()).await;
    });
}

/// Two bots share `db`: a change made on one is applied by the other.
async fn a_change_reaches_the_other_process(db: String, sync_secs: u64) {
    let env = [
        ("BRIEFBOT_DATABASE_URL", db),
        ("BRIEFBOT_DATABASE_SYNC_SECS", sync_secs.to_string()),
    ];
    let (one, two) = (start(&env).await, start(&env).await);
    let gb = b();
    let set = || Slash::new("settings", &gb, CH_B, &admin_b()).subcommand("set");
    let show = Slash::new("settings", &gb, CH_B, &admin_b()).subcommand("show");
    let applied = |needle: String| {
        let show = show.clone();
        let f = &two.fake;
        async move {
            let since = Instant::now();
            loop {
                let text = command(f, &show).await;
                if text.contains(&needle) {
                    return since.elapsed();
                }
                assert!(since.elapsed() < T, "never applied: {text}");
            }
        }
    };
    // The first change may reach the second process at its first heartbeat,
    // which also opens its notifications; the second one cannot.
    command(&one.fake, &set().boolean("embeds", false)).await;
    applied("Embeds: off ✎".into()).await;
    command(&one.fake, &set().channel("watch", CH_B_OTHER)).await;
    let took = applied(format!("<#{CH_B_OTHER}>")).await;
    eprintln!(
        "a settings change reached the second process in {} ms (sync_secs = {sync_secs})",
        took.as_millis()
    );
    assert!(overheard(&two, &gb, CH_B_OTHER).await);
    one.stop().await.unwrap();
    two.stop().await.unwrap();
}

/// SQLite announces nothing: the other process reads the change at its
/// next heartbeat.
#[test]
fn a_second_process_sharing_sqlite_applies_a_change_at_its_next_heartbeat() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shared.sqlite3").display().to_string();
        a_change_reaches_the_other_process(db, 1).await;
    });
}

/// PostgreSQL announces the change as it commits: applied long before the
/// next heartbeat (a minute away; every wait here is bounded by 30 s).
#[test]
fn a_second_process_sharing_postgres_applies_a_change_as_it_is_announced() {
    run(async {
        let Some(db) = tokio::task::block_in_place(|| pg_cluster::database("e2e")) else {
            return;
        };
        a_change_reaches_the_other_process(db, 60).await;
    });
}

#[test]
fn help_shows_a_member_the_member_view_and_a_moderator_the_moderator_view() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let g = guild_a();
        let member = command(f, &Slash::new("help", &g, CH_ASK, &asker())).await;
        assert!(member.contains("/ask question:"), "{member}");
        assert!(
            member.contains("North Korea"),
            "the server's briefs: {member}"
        );
        assert!(
            !member.contains("/settings") && !member.contains("/reindex"),
            "{member}"
        );
        let moderator = command(f, &Slash::new("help", &g, CH_ASK, &moderator())).await;
        for c in [
            "/settings set",
            "/reindex",
            "/brief add",
            "Watched channels",
        ] {
            assert!(moderator.contains(c), "{c}: {moderator}");
        }
    });
}
