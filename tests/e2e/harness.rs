//! The bot under test: `briefbot::bot::run` in-process against a fake
//! Discord, with briefs copied from the repository into a temp dir.
//!
//! One runtime for the whole binary so that tests can share one bot (starting
//! a bot is the slow part); tests that break the connection or stop the bot
//! start their own.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use briefbot::config::Settings;
use briefbot_engine::Engine;
use serenity::model::Permissions;
use tokio::sync::{oneshot, watch, OnceCell};
use tokio::task::JoinHandle;

use briefbot::bot::Readiness;
use fake_discord::{self, FakeDiscord, Guild, Member, Recorded, RestFault, Role, User};

/// The bots' `discord.request_timeout_secs`.
pub const REQUEST_TIMEOUT_SECS: u64 = 3;

/// Every wait is bounded by this; generous because 2 cores are shared.
pub const T: Duration = Duration::from_secs(30);

// Fixture ids. Guild A is the dev guild of the shared bot; each test uses its
// own channels so that tests sharing the bot never see each other's replies.
pub const GUILD_A: u64 = 10;
pub const GUILD_B: u64 = 20;
pub const MOD_ROLE: u64 = 11;
pub const CH_ASK: u64 = 101;
pub const CH_MENTION: u64 = 102;
pub const CH_PREFIX: u64 = 103;
pub const CH_WATCHED: u64 = 104;
pub const CH_UNWATCHED: u64 = 105;
pub const CH_BUTTONS: u64 = 106;
pub const CH_MOD: u64 = 107;
pub const CH_LOAD: u64 = 108;
pub const CH_HOSTILE: u64 = 109;
pub const CH_BURST: u64 = 110;
pub const CH_RETRY: u64 = 111;
pub const CH_TIMEOUT: u64 = 112;
pub const CH_B: u64 = 201;
pub const CH_DM: u64 = 401;

pub fn asker() -> Member {
    Member::new(User::new(301, "asker"))
}

pub fn other() -> Member {
    Member::new(User::new(302, "bystander"))
}

pub fn moderator() -> Member {
    Member::new(User::new(303, "moderator")).role(MOD_ROLE)
}

pub fn guild_a() -> Guild {
    let mut g = Guild::new(GUILD_A, "Guild A")
        .role(Role::new(MOD_ROLE, "Moderators", Permissions::MANAGE_GUILD))
        .member(asker())
        .member(other())
        .member(moderator());
    for (id, name) in [
        (CH_ASK, "ask"),
        (CH_MENTION, "mention"),
        (CH_PREFIX, "prefix"),
        (CH_WATCHED, "questions"),
        (CH_UNWATCHED, "chat"),
        (CH_BUTTONS, "buttons"),
        (CH_MOD, "moderation"),
        (CH_LOAD, "load"),
        (CH_HOSTILE, "hostile"),
        (CH_BURST, "burst"),
        (CH_RETRY, "retry"),
        (CH_TIMEOUT, "timeout"),
    ] {
        g = g.channel(id, name);
    }
    g
}

pub fn guild_b() -> Guild {
    Guild::new(GUILD_B, "Guild B")
        .channel(CH_B, "general")
        .member(asker())
}

/// Log lines (warnings and errors) of every bot in this binary, so a test can
/// check that a failure was reported.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Warning and error lines logged so far that contain `needle`.
pub fn logged(needle: &str) -> Vec<String> {
    let logs = LOGS.lock().unwrap();
    String::from_utf8_lossy(&logs)
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

/// The runtime every test runs on (the shared bot lives in it).
pub fn run<F: Future>(f: F) -> F::Output {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    static SUBSCRIBER: OnceLock<()> = OnceLock::new();
    SUBSCRIBER.get_or_init(|| {
        // E2E_LOG=<filter> shows the bot's logs on stderr when debugging a test.
        if let Ok(filter) = std::env::var("E2E_LOG") {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
            return;
        }
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn,briefbot=warn")
            .with_ansi(false)
            .with_writer(|| LogWriter)
            .try_init();
    });
    let rt = RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    });
    rt.block_on(f)
}

/// How a test bot differs from the shared one.
pub struct BotOptions {
    pub dev_guild: Option<u64>,
    pub fake: fake_discord::Options,
    /// Answers to the bot's command registrations, in order, before the
    /// fake answers normally.
    pub registration_faults: Vec<RestFault>,
    /// Settings overrides, as environment variables.
    pub env: Vec<(&'static str, String)>,
    /// Start with the gateway refusing connections (an outage from the
    /// start): `start` returns without waiting for the bot to connect.
    pub gateway_refused: bool,
    /// `discord.message_content_intent`; None keeps the committed config's.
    pub message_content_intent: Option<bool>,
    /// Guilds the bot is in besides A and B, listed in its first READY.
    pub guilds: Vec<Guild>,
}

impl Default for BotOptions {
    fn default() -> Self {
        BotOptions {
            dev_guild: Some(GUILD_A),
            fake: fake_discord::Options::default(),
            registration_faults: Vec::new(),
            env: Vec::new(),
            gateway_refused: false,
            message_content_intent: Some(true),
            guilds: Vec::new(),
        }
    }
}

/// The bot's bulk overwrite of its slash commands (global or in a guild).
pub fn is_registration(r: &Recorded) -> bool {
    r.method == "PUT" && r.path.ends_with("/commands")
}

pub struct Bot {
    pub fake: FakeDiscord,
    pub engine: Arc<Engine>,
    pub readiness: Readiness,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<anyhow::Result<()>>>>,
    stopped: watch::Receiver<bool>,
    dir: tempfile::TempDir,
}

impl Bot {
    /// A bot connected, identified and with its commands registered.
    pub async fn start(options: BotOptions) -> Bot {
        let fake = FakeDiscord::start_with(options.fake).await;
        for fault in options.registration_faults {
            fake.fail_next(is_registration, fault);
        }
        fake.refuse_gateway(options.gateway_refused);
        fake.add_guild(guild_a());
        fake.add_guild(guild_b());
        for g in options.guilds {
            fake.add_guild(g);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let briefs = dir.path().join("briefs");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs"),
            &briefs,
        );

        // The operator's path: the committed config file, then the environment
        // (a lookup here, so tests never touch the process environment).
        let dir_path = dir.path().to_path_buf();
        let mut env: HashMap<&str, String> = HashMap::from([
            ("DISCORD_TOKEN", "fake-token".to_string()),
            ("BRIEFBOT_REST_PROXY", fake.url()),
            (
                "BRIEFBOT_ATTACHMENT_HOSTS",
                "cdn.discordapp.com,127.0.0.1".into(),
            ),
            ("BRIEFBOT_PATHS_BRIEFS", briefs.display().to_string()),
            (
                "BRIEFBOT_PATHS_INDEX",
                dir_path.join("index").display().to_string(),
            ),
            (
                "BRIEFBOT_PATHS_DATA",
                dir_path.join("data").display().to_string(),
            ),
            (
                "BRIEFBOT_PATHS_SYNONYMS",
                dir_path.join("no-synonyms.txt").display().to_string(),
            ),
            ("BRIEFBOT_WATCHED_CHANNELS", CH_WATCHED.to_string()),
            ("BRIEFBOT_USER_COOLDOWN_SECS", "0".into()),
            // Tests sharing a bot re-index guild A each; the limit's own
            // test sets it.
            ("BRIEFBOT_SERVER_REINDEX_EVERY_SECS", "0".into()),
            // Discord's budget of 5 posts per channel, over 1 s instead of 5 s
            // so the burst test takes seconds.
            ("BRIEFBOT_CHANNEL_WINDOW_SECS", "1".into()),
            // A lost request is given up after 3 s instead of 10, so the
            // timeout test takes seconds.
            (
                "BRIEFBOT_REQUEST_TIMEOUT_SECS",
                REQUEST_TIMEOUT_SECS.to_string(),
            ),
        ]);
        if let Some(g) = options.dev_guild {
            env.insert("BRIEFBOT_DEV_GUILD", g.to_string());
        }
        // The prefix and watched channels need it; it is off by default.
        if let Some(on) = options.message_content_intent {
            env.insert("BRIEFBOT_MESSAGE_CONTENT_INTENT", on.to_string());
        }
        env.extend(options.env);
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/briefbot.toml");
        let settings = Settings::load_with(Some(&config), &|k| env.get(k).cloned())
            .expect("the committed config with test overrides is valid");
        assert_eq!(
            settings.discord.rest_proxy.as_deref(),
            Some(fake.url().as_str())
        );

        let cfg = settings.engine_config();
        let (engine, _report) = tokio::task::spawn_blocking(move || Engine::open(cfg))
            .await
            .expect("engine thread")
            .expect("engine opens the shipped briefs");
        let engine = Arc::new(engine);
        let (tx, rx) = oneshot::channel::<()>();
        let (stopped_tx, stopped) = watch::channel(false);
        let readiness = Readiness::default();
        let shutdown = async move {
            let _ = rx.await;
        };
        let run = briefbot::bot::run_with(settings, engine.clone(), shutdown, readiness.clone());
        let task = tokio::spawn(async move {
            let result = run.await;
            stopped_tx.send_replace(true);
            result
        });
        // The first registration request comes once poise's setup has run.
        if !options.gateway_refused {
            fake.wait_for_request(is_registration, T).await;
        }
        Bot {
            fake,
            engine,
            readiness,
            shutdown: Mutex::new(Some(tx)),
            task: Mutex::new(Some(task)),
            stopped,
            dir,
        }
    }

    /// The shipped briefs this bot reads (a copy of the repository's).
    pub fn briefs_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("briefs")
    }

    /// The bot's `paths.data` (its SQLite file unless `database.url` says
    /// otherwise, and its copy of the briefs added from Discord).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// The bot's `paths.index`.
    pub fn index_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("index")
    }

    /// Resolve the shutdown future and wait for `run` to return.
    pub async fn stop(&self) -> anyhow::Result<()> {
        self.trigger_shutdown();
        self.join().await
    }

    pub fn trigger_shutdown(&self) {
        if let Some(tx) = self.shutdown.lock().unwrap().take() {
            let _ = tx.send(());
        }
    }

    /// Wait for `run` to return (bounded by [`T`]).
    pub async fn join(&self) -> anyhow::Result<()> {
        let task = self.task.lock().unwrap().take().expect("bot still running");
        tokio::time::timeout(T, task)
            .await
            .expect("bot::run returned within the timeout")
            .expect("bot task did not panic")
    }

    pub fn is_running(&self) -> bool {
        !*self.stopped.borrow()
    }

    /// True if `run` returns within `timeout`.
    pub async fn wait_stopped(&self, timeout: Duration) -> bool {
        let mut rx = self.stopped.clone();
        let stopped = tokio::time::timeout(timeout, rx.wait_for(|s| *s)).await;
        stopped.is_ok()
    }

    /// The bot's reply to a member's message: the first message it posted with
    /// a reference to `message`.
    pub async fn reply_to(&self, message: &serde_json::Value) -> Arc<Recorded> {
        let channel = message["channel_id"].as_str().unwrap().to_string();
        let path = format!("/channels/{channel}/messages");
        let id = message["id"].clone();
        self.fake
            .wait_for_request(
                move |r| r.is("POST", &path) && r.body["message_reference"]["message_id"] == id,
                T,
            )
            .await
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.trigger_shutdown();
    }
}

/// The bot most tests share: dev guild A, default fake.
pub async fn shared() -> &'static Bot {
    static SHARED: OnceCell<Bot> = OnceCell::const_new();
    SHARED
        .get_or_init(|| Bot::start(BotOptions::default()))
        .await
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create briefs dir");
    for entry in std::fs::read_dir(from).expect("read the repository's briefs/") {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a brief");
        }
    }
}

/// Every message the bot sends must be unable to ping anyone.
pub fn assert_no_pings(r: &Recorded) {
    let am = &r.message()["allowed_mentions"];
    assert!(am.is_object(), "no allowed_mentions in {}", r.body);
    let empty = |k: &str| am[k].as_array().is_none_or(|a| a.is_empty());
    assert!(
        empty("parse") && empty("users") && empty("roles"),
        "allowed_mentions lets pings through: {am}"
    );
    assert_ne!(am["replied_user"], true, "the reply pings its author: {am}");
}
