//! `briefbot --log-format json serve`: every line on stderr is one JSON
//! object a log shipper can take as is, and the token is in none of them.

use std::time::Duration;

use fake_discord::{FakeDiscord, Msg};

use crate::harness::*;
use crate::processes::ServeProcess;

/// Building the index and connecting, in a debug build on a shared machine.
const START: Duration = Duration::from_secs(120);

const TOKEN: &str = "fake-token-5e1f0c9a7b";

#[test]
fn json_logs_are_one_object_per_line_without_the_token() {
    run(async {
        let fake = FakeDiscord::start().await;
        fake.add_guild(guild_a());
        let dir = tempfile::tempdir().unwrap();
        let mut serve = ServeProcess::spawn_alone(
            &fake.url(),
            dir.path(),
            &[
                ("DISCORD_TOKEN", TOKEN),
                // The bot's debug lines too: the token must be in none.
                ("RUST_LOG", "info,briefbot=debug"),
                ("BRIEFBOT_SHUTDOWN_GRACE_SECS", "2"),
            ],
            &["--log-format", "json"],
        );
        fake.wait_for_request(is_registration, START).await;
        let asked = fake.send_message(&Msg::mention_bot(
            &guild_a(),
            CH_MENTION,
            &asker(),
            "how many soldiers?",
        ));
        let id = asked["id"].clone();
        let path = format!("/channels/{CH_MENTION}/messages");
        fake.wait_for_request(
            move |r| r.is("POST", &path) && r.body["message_reference"]["message_id"] == id,
            START,
        )
        .await;
        tokio::task::block_in_place(|| serve.stop(Duration::from_secs(4)));

        let log = serve.log();
        let lines: Vec<&str> = log.lines().collect();
        assert!(lines.len() >= 3, "too few lines:\n{log}");
        for line in &lines {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
            assert!(
                v.is_object() && v["level"].is_string() && v["timestamp"].is_string(),
                "{line}"
            );
            assert!(!line.contains(TOKEN), "the token is logged: {line}");
        }
        let question = lines
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["message"] == "question")
            .unwrap_or_else(|| panic!("no question line in\n{log}"));
        assert_eq!(question["outcome"], "answered", "{question}");
    });
}
