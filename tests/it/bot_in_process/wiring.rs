//! The Discord wiring that can be checked without a network: the commands
//! registered, the intents requested, and start-up without a token.

use std::sync::Arc;

use briefbot::bot;
use briefbot::config::Settings;
use serde_json::{json, Value};

use super::support::*;

fn registered() -> Vec<Value> {
    let commands = bot::commands::all();
    poise::builtins::create_application_commands(&commands)
        .iter()
        .map(json)
        .collect()
}

fn find<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter().find(|c| c["name"] == name).expect(name)
}

#[test]
fn exactly_the_members_and_moderators_commands_are_registered() {
    let all = registered();
    let names: Vec<&str> = all.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "ask",
            "help",
            "forget-me",
            "reindex",
            "brief",
            "settings",
            "unanswered",
            "feedback"
        ]
    );
    assert_eq!(
        find(&all, "help")["default_member_permissions"],
        Value::Null,
        "everyone may ask for help"
    );
    let forget = find(&all, "forget-me");
    assert_eq!(
        forget["default_member_permissions"],
        Value::Null,
        "every member may erase their data"
    );
    assert!(forget["options"].as_array().is_none_or(|o| o.is_empty()));

    let ask = find(&all, "ask");
    assert_eq!(
        ask["default_member_permissions"],
        Value::Null,
        "everyone may ask"
    );
    assert_eq!(ask["options"][0]["name"], "question");
    assert_eq!(ask["options"][0]["required"], true);
    assert_eq!(
        ask["options"][0]["max_length"],
        briefbot_engine::MAX_QUESTION_CHARS,
        "the form caps questions where the engine does"
    );

    // Manage Server is 1 << 5: moderator commands are hidden from others and
    // absent from DMs.
    for name in ["reindex", "brief", "settings", "unanswered", "feedback"] {
        let c = find(&all, name);
        assert_eq!(c["default_member_permissions"], "32", "{name}");
        assert_eq!(c["contexts"], json!([0]), "{name}: guild only");
    }
    let subs: Vec<&str> = find(&all, "brief")["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(subs, vec!["add", "remove", "list"]);
    let set = &find(&all, "settings")["options"][1];
    assert_eq!(set["name"], "set");
    let kinds: Vec<(&str, u64)> = set["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["type"].as_u64().unwrap()))
        .collect();
    // Discord's pickers (channel 7, role 8), never pasted ids.
    assert!(kinds.contains(&("watch", 7)) && kinds.contains(&("log_channel", 7)));
    assert!(kinds.contains(&("add_moderator_role", 8)), "{kinds:?}");
    assert_eq!(
        find(&all, "brief")["options"][0]["options"][0]["type"],
        json!(11),
        "an attachment"
    );
}

#[test]
fn message_content_is_requested_only_when_configured() {
    let mut s = Settings::default();
    // GUILDS (1) + GUILD_MESSAGES (512) + DIRECT_MESSAGES (4096)
    assert_eq!(bot::intents(&s).bits(), 4609, "not by default");
    s.discord.message_content_intent = true;
    // + MESSAGE_CONTENT (32768)
    assert_eq!(bot::intents(&s).bits(), 37377);
}

#[test]
fn without_message_content_the_prefix_and_watched_channels_are_warned_about() {
    let mut s = Settings::default();
    let line = bot::message_content_warning(&s).expect("the default prefix needs it");
    assert!(line.contains("prefix command (\"!ask\")"), "{line}");
    assert!(
        line.contains("discord.message_content_intent = true"),
        "{line}"
    );
    assert!(line.contains("Developer Portal"), "{line}");
    s.discord.prefix.clear();
    assert_eq!(bot::message_content_warning(&s), None, "nothing needs it");
    s.discord.watched_channels = vec![7];
    let line = bot::message_content_warning(&s).unwrap();
    assert!(
        line.starts_with("the 1 watched channels cannot work"),
        "{line}"
    );
    s.discord.message_content_intent = true;
    assert_eq!(bot::message_content_warning(&s), None);
}

#[tokio::test]
async fn without_a_token_the_bot_stops_at_once_naming_discord_token() {
    let b = bot();
    let settings = b.state.settings.clone();
    assert!(settings.discord.token.is_none());
    let err = bot::run(
        settings,
        Arc::clone(&b.state.engine),
        std::future::pending(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("DISCORD_TOKEN"), "{err}");
    assert!(err.contains("Run it on Discord"), "{err}");
}
