//! Several processes: two `briefbot serve --shards` processes share
//! one PostgreSQL and one fake Discord. A brief a moderator adds on shard 0 is
//! stored for every process; an owner's `/reindex` issued on shard 0 makes the process
//! on shard 1 serve a new brief; and a process restarted with another shard
//! split, on a fresh data directory, still has the guild's briefs, votes and
//! `/unanswered`, because they live in the database.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{asker, moderator, run, MOD_ROLE, T};
use crate::pg_cluster;
use crate::processes::{ServeConfig, ServeProcess};
use fake_discord::{ButtonPress, FakeDiscord, Guild, Member, Msg, Recorded, Role, Slash, User};

/// On shard 0 of 2: (10 >> 22) % 2 == 0.
const S0: u64 = 10;
/// On shard 1 of 2.
const S1: u64 = (1 << 22) + 20;
const CH_S0: u64 = 510;
const CH_S1: u64 = 610;
/// Starting a process (index, gateway, registration) on a busy machine.
const START: Duration = Duration::from_secs(120);

const PENGUINS: &str = "---
title: The Zorblatt accord
publisher: Penguin Gazette
---
Forty-two emperor penguins signed the Zorblatt accord at the Halley research station yesterday.
";
const PENGUIN_Q: &str = "how many penguins signed the zorblatt accord?";

const LLAMAS: &str = "---
title: The Quorbl festival
publisher: Andean Herald
---
Seventeen llamas attended the Quorbl festival in Lima on Sunday, a record for the event.
";
const LLAMA_Q: &str = "how many llamas attended the quorbl festival?";

fn guild(id: u64, channel: u64) -> Guild {
    Guild::new(id, &format!("Guild {id}"))
        .role(Role::new(
            MOD_ROLE,
            "Moderators",
            serenity::model::Permissions::MANAGE_GUILD,
        ))
        .channel(channel, "general")
        .member(asker())
        .member(moderator())
}

async fn reply_to(fake: &FakeDiscord, message: &Value) -> Arc<Recorded> {
    let path = format!(
        "/channels/{}/messages",
        message["channel_id"].as_str().unwrap()
    );
    let id = message["id"].clone();
    fake.wait_for_request(
        move |r| r.is("POST", &path) && r.body["message_reference"]["message_id"] == id,
        T,
    )
    .await
}

async fn ask(fake: &FakeDiscord, g: &Guild, channel: u64, q: &str) -> Arc<Recorded> {
    let msg = fake.send_message(&Msg::mention_bot(g, channel, &asker(), q));
    reply_to(fake, &msg).await
}

async fn slash(fake: &FakeDiscord, slash: &Slash) -> String {
    let token = fake.send_slash(slash);
    fake.wait_for_interaction_reply(&token, T).await.text()
}

/// Every process registered its commands: it is connected and serving.
async fn registered(fake: &FakeDiscord, processes: usize) {
    fake.wait_for_requests(
        processes,
        |r| r.method == "PUT" && r.path.ends_with("/commands"),
        START,
    )
    .await;
}

#[test]
fn two_processes_share_one_postgres_and_a_reindex_reaches_both() {
    run(async {
        let Some(db) = tokio::task::block_in_place(|| pg_cluster::database("e2e")) else {
            return;
        };
        let fake = FakeDiscord::start().await;
        let (s0, s1) = (guild(S0, CH_S0), guild(S1, CH_S1));
        fake.add_guild(s0.clone());
        fake.add_guild(s1.clone());
        let dir = tempfile::tempdir().unwrap();
        let briefs = dir.path().join("briefs");
        std::fs::create_dir_all(&briefs).unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
        for e in std::fs::read_dir(shipped).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), briefs.join(e.file_name())).unwrap();
        }
        let fake_url = fake.url();
        let config = |shards: &'static str, own: &str| ServeConfig {
            fake_url: &fake_url,
            database_url: &db,
            shards,
            briefs: &briefs,
            own_dir: dir.path().join(own),
            dev_guild: S0,
        };
        let mut a = ServeProcess::spawn(&config("0-0/2", "a"));
        let mut b = ServeProcess::spawn(&config("1-1/2", "b"));
        registered(&fake, 2).await;

        // A moderator in a guild on shard 0 adds a brief: process a stores it
        // and both processes serve the new generation.
        let file = fake.host_attachment("zorblatt.md", PENGUINS.as_bytes());
        let add = Slash::new("brief", &s0, CH_S0, &moderator())
            .subcommand("add")
            .attachment("file", file);
        let text = slash(&fake, &add).await;
        assert!(text.contains("Added **The Zorblatt accord**"), "{text}");
        assert!(
            text.contains("All 2 processes serve content generation"),
            "{text}"
        );
        let answer = ask(&fake, &s0, CH_S0, PENGUIN_Q).await;
        assert!(
            answer.plain_text().contains("Forty-two emperor penguins"),
            "{}",
            answer.plain_text()
        );

        // A brief file dropped into the shipped briefs: shard 1 does not
        // know it until one of the bot's owners re-indexes (a moderator's
        // /reindex rebuilds only that server's briefs, in its process).
        let before = ask(&fake, &s1, CH_S1, LLAMA_Q).await;
        assert!(
            before.plain_text().contains("I couldn't find that"),
            "{}",
            before.plain_text()
        );
        std::fs::write(briefs.join("quorbl.md"), LLAMAS).unwrap();
        let text = slash(&fake, &Slash::new("reindex", &s0, CH_S0, &moderator())).await;
        assert!(
            text.starts_with("This server's briefs") && !text.contains("quorbl"),
            "{text}"
        );
        let owner = Member::new(User::app_owner());
        let text = slash(&fake, &Slash::new("reindex", &s0, CH_S0, &owner)).await;
        assert!(text.contains("Added: quorbl.md"), "{text}");
        let caught_up = text
            .lines()
            .find(|l| l.starts_with("All 2 processes serve content generation"))
            .unwrap_or_else(|| panic!("no catch-up line in {text}"));
        eprintln!("/reindex on shard 0 → both processes: {caught_up}");
        let after = ask(&fake, &s1, CH_S1, LLAMA_Q).await;
        assert!(
            after.plain_text().contains("Seventeen llamas"),
            "{}",
            after.plain_text()
        );

        // In the guild on shard 0: a question the briefs cannot answer, and a
        // vote down on the penguin answer.
        let declined = ask(&fake, &s0, CH_S0, "what is the capital of france?").await;
        assert!(declined.plain_text().contains("I couldn't find that"));
        let down = answer.response["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().into_iter().flatten())
            .filter_map(|b| b["custom_id"].as_str())
            .find(|id| id.starts_with("bb:down:"))
            .unwrap_or_else(|| panic!("no vote-down button on {}", answer.response))
            .to_string();
        let press = fake.press_button(&ButtonPress::new(&s0, &asker(), &answer.response, &down));
        let thanks = fake.wait_for_interaction_reply(&press, T).await;
        assert!(thanks.text().contains("recorded"), "{}", thanks.text());

        // Both stop; one comes back alone with every shard, on a fresh data
        // directory, as it would on another machine.
        tokio::task::block_in_place(|| {
            a.stop(T);
            b.stop(T);
        });
        let mut alone = ServeProcess::spawn(&config("0-0/1", "alone"));
        registered(&fake, 3).await;
        let again = ask(&fake, &s0, CH_S0, PENGUIN_Q).await;
        assert!(
            again.plain_text().contains("Forty-two emperor penguins"),
            "{}",
            again.plain_text()
        );
        let text = slash(&fake, &Slash::new("unanswered", &s0, CH_S0, &moderator())).await;
        assert!(text.contains("what is the capital of france?"), "{text}");
        let text = slash(&fake, &Slash::new("feedback", &s0, CH_S0, &moderator())).await;
        assert!(text.contains(PENGUIN_Q) && text.contains("👎 1"), "{text}");
        tokio::task::block_in_place(|| alone.stop(T));
    });
}
