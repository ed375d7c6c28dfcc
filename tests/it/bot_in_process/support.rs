//! Shared helpers: a bot state over a temporary copy of the shipped briefs,
//! members and events built as Discord would describe them.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use briefbot::bot::events::{ButtonPress, IncomingMessage, Member, SlashAsk};
use briefbot::bot::BotState;
use briefbot::config::Settings;
use briefbot::store::Store;
use briefbot_engine::Engine;
use poise::serenity_prelude::Permissions;
use serde_json::Value;
use tempfile::TempDir;

pub const BOT: u64 = 900;
pub const GUILD: u64 = 100;
pub const OTHER_GUILD: u64 = 200;
pub const CHANNEL: u64 = 10;
pub const WATCHED: u64 = 11;
pub const ASKER: u64 = 1;
pub const MEMBER: u64 = 2;
pub const MODERATOR: u64 = 3;
pub const MOD_ROLE: u64 = 77;

pub struct TestBot {
    pub state: Arc<BotState>,
    /// Kept alive so the briefs, index and data outlive the test.
    pub _dir: TempDir,
}

/// A bot without cooldowns (tests that need them set them).
pub fn bot() -> TestBot {
    bot_with(|_| {})
}

pub fn bot_with(configure: impl FnOnce(&mut Settings)) -> TestBot {
    let dir = tempfile::tempdir().expect("temp dir");
    let briefs = dir.path().join("briefs");
    std::fs::create_dir_all(&briefs).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
    for entry in std::fs::read_dir(shipped).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), briefs.join(entry.file_name())).unwrap();
    }
    let mut settings = Settings::default();
    settings.paths.briefs = briefs;
    settings.paths.index = dir.path().join("index");
    settings.paths.data = dir.path().join("data");
    settings.paths.synonyms = dir.path().join("no-synonyms.txt");
    settings.discord.user_cooldown_secs = 0.0;
    settings.discord.watched_channels = vec![WATCHED];
    settings.discord.moderator_roles = vec![MOD_ROLE];
    // Tests re-index as often as they need; the limit's own test sets it.
    settings.discord.server_reindex_every_secs = 0;
    configure(&mut settings);
    let (engine, _) = Engine::open(settings.engine_config()).expect("engine opens");
    let store = Store::open_in_memory().expect("store");
    let state = BotState::with_store(settings, Arc::new(engine), store).expect("state");
    state.set_bot_id(BOT);
    TestBot {
        state: Arc::new(state),
        _dir: dir,
    }
}

pub fn member(user: u64) -> Member {
    Member {
        user,
        guild: Some(GUILD),
        channel: CHANNEL,
        permissions: Some(Permissions::SEND_MESSAGES | Permissions::VIEW_CHANNEL),
        roles: vec![],
    }
}

/// A member with Manage Server.
pub fn moderator() -> Member {
    Member {
        permissions: Some(Permissions::MANAGE_GUILD | Permissions::SEND_MESSAGES),
        ..member(MODERATOR)
    }
}

pub fn in_guild(mut m: Member, guild: u64) -> Member {
    m.guild = Some(guild);
    m
}

pub fn slash(user: u64, question: &str) -> SlashAsk {
    SlashAsk {
        member: member(user),
        question: question.into(),
        names: Default::default(),
        embeds: true,
        received: Instant::now(),
    }
}

pub fn message(user: u64, content: &str) -> IncomingMessage {
    IncomingMessage {
        id: 5000,
        author: member(user),
        author_is_bot: false,
        content: content.into(),
        names: Default::default(),
        mentions_bot: false,
        replies_to_bot: false,
        in_thread: false,
        embeds: true,
        received: Instant::now(),
    }
}

pub fn press(user: u64, custom_id: &str) -> ButtonPress {
    ButtonPress {
        custom_id: custom_id.into(),
        member: member(user),
        embeds: true,
        received: Instant::now(),
    }
}

pub fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serialisable")
}

/// The custom ids of a payload's buttons, in order.
pub fn button_ids(payload: &Value) -> Vec<String> {
    payload["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .map(|b| b["custom_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// What the handlers should send for `question` asked as question `qid`,
/// rendered from the engine's own answer: tests compare whole payloads.
pub async fn expected(
    state: &BotState,
    question: &str,
    guild: Option<u64>,
    qid: i64,
    page: usize,
) -> briefbot::bot::reply::Reply {
    let answer = briefbot::bot::ask::ask_engine(state, question, guild)
        .await
        .expect("engine answers");
    briefbot::bot::render::answer(
        &answer,
        briefbot::bot::render::View {
            question_id: qid,
            page,
            embeds: true,
        },
    )
}

/// No reply may ping: the exact allowed-mentions object on every payload.
pub fn assert_no_pings(payload: &Value) {
    assert_eq!(
        payload["allowed_mentions"],
        serde_json::json!({"parse": [], "users": [], "roles": []}),
        "{payload}"
    );
}
