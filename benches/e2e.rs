//! Dispatch → reply latency and sustained questions per second, measured
//! through the real serenity/poise client and the fake Discord on loopback.
//!
//! `cargo bench --bench e2e [-- QUESTIONS]`. A measurement, not a test: it
//! prints a table and asserts nothing about speed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use briefbot::config::{Settings, Token};
use briefbot_engine::Engine;
use fake_discord::{FakeDiscord, Guild, Member, Msg, User};
use serde_json::Value;

const GUILD: u64 = 10;
const CHANNEL: u64 = 11;
const TIMEOUT: Duration = Duration::from_secs(120);
const IN_FLIGHT: usize = 50;
const QUESTIONS: [&str; 4] = [
    "how many soldiers?",
    "what does russia get?",
    "who is jennifer jun?",
    "how long is military service in north korea?",
];

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench(n));
}

async fn bench(n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = FakeDiscord::start().await;
    let asker = Member::new(User::new(301, "asker"));
    let guild = Guild::new(GUILD, "Bench")
        .channel(CHANNEL, "questions")
        .member(asker.clone());
    fake.add_guild(guild.clone());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let settings = settings(&fake, dir.path());
    let cfg = settings.engine_config();
    let engine = tokio::task::spawn_blocking(move || Engine::open(cfg))
        .await
        .expect("engine thread")
        .expect("engine")
        .0;
    tokio::spawn(briefbot::bot::run(settings, Arc::new(engine), async move {
        let _ = stopped.await;
    }));
    fake.wait_for_request(
        |r| r.method == "PUT" && r.path.ends_with("/commands"),
        TIMEOUT,
    )
    .await;
    let ask = |i: usize| Msg::mention_bot(&guild, CHANNEL, &asker, QUESTIONS[i % QUESTIONS.len()]);

    // Warm up: first-touch costs (caches, connections) are not latency.
    for i in 0..20 {
        let q = fake.send_message(&ask(i));
        reply(&fake, &q).await;
    }

    // Latency: one question at a time, dispatch → reply arriving at the fake.
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        let q = fake.send_message(&ask(i));
        let r = reply(&fake, &q).await;
        latencies.push(r.at.duration_since(sent));
    }
    latencies.sort();

    // Throughput: n questions with IN_FLIGHT outstanding at any time.
    let start = Instant::now();
    let mut sent: Vec<Value> = Vec::with_capacity(n);
    let mut done = 0;
    while done < n {
        while sent.len() < n && sent.len() - done < IN_FLIGHT {
            sent.push(fake.send_message(&ask(sent.len())));
        }
        reply(&fake, &sent[done]).await;
        done += 1;
    }
    let elapsed = start.elapsed();

    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    println!(
        "\ne2e: dispatch → reply through the fake Discord ({} build)",
        profile()
    );
    println!("{:<28} {:>14}", "metric", "value");
    println!("{:<28} {:>14}", "questions (sequential)", n);
    println!("{:<28} {:>14}", "latency p50", ms(pct(0.50)));
    println!("{:<28} {:>14}", "latency p90", ms(pct(0.90)));
    println!("{:<28} {:>14}", "latency p99", ms(pct(0.99)));
    println!(
        "{:<28} {:>14}",
        "latency max",
        ms(*latencies.last().unwrap())
    );
    println!(
        "{:<28} {:>14}",
        format!("sustained ({IN_FLIGHT} in flight)"),
        format!("{:.0} q/s", n as f64 / elapsed.as_secs_f64())
    );
    let refused = fake.requests_matching(|r| !r.ok()).len();
    println!("{:<28} {:>14}", "replies refused by Discord", refused);
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "optimised"
    }
}

/// The bot's reply to message `q`.
async fn reply(fake: &FakeDiscord, q: &Value) -> Arc<fake_discord::Recorded> {
    let id = q["id"].clone();
    fake.wait_for_request(
        move |r| r.body["message_reference"]["message_id"] == id,
        TIMEOUT,
    )
    .await
}

fn settings(fake: &FakeDiscord, dir: &Path) -> Settings {
    let briefs = dir.join("briefs");
    std::fs::create_dir_all(&briefs).expect("briefs dir");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
    for entry in std::fs::read_dir(shipped).expect("the repository's briefs/") {
        let entry = entry.expect("dir entry");
        std::fs::copy(entry.path(), briefs.join(entry.file_name())).expect("copy a brief");
    }
    let mut s = Settings::default();
    s.paths.briefs = briefs;
    s.paths.index = dir.join("index");
    s.paths.data = dir.join("data");
    s.paths.synonyms = dir.join("no-synonyms.txt");
    s.discord.token = Some(Token::new("bench-token"));
    s.discord.rest_proxy = Some(fake.url());
    s.discord.dev_guild = Some(GUILD);
    s.discord.user_cooldown_secs = 0.0;
    // The bench measures the bot, not Discord's per-channel posting limit.
    s.discord.channel_budget = 50;
    s.discord.channel_window_secs = 0.1;
    s.discord.channel_queue = 1_000;
    // BRIEFBOT_OPS_LISTEN=127.0.0.1:0 measures the bot with its metrics and
    // health listener on, to compare with a run without it.
    s.ops.listen = std::env::var("BRIEFBOT_OPS_LISTEN").ok().map(|a| {
        a.parse()
            .expect("BRIEFBOT_OPS_LISTEN: an address such as 127.0.0.1:0")
    });
    s
}
