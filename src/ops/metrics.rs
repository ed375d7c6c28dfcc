//! The bot's Prometheus series. Each bot owns its own registry (kept in its
//! state) rather than a process-wide recorder, so several bots in one process
//! (the tests) never count each other's questions. Labels name kinds, never
//! members, channels or words: a series per user or per question would grow
//! without bound and leak what members asked.
//!
//! Counters are bumped where things happen; what is a state rather than an
//! event (the shards, the index served, the channel lines, the database's
//! error count) is read when scraped, by [`Metrics::encode`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use crate::bot::readiness::{Gateway, Snapshot};

/// The content type of [`Metrics::encode`]'s text (OpenMetrics, which
/// Prometheus scrapes natively).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// How a question reached the bot.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum EntryPoint {
    /// `/ask`.
    Slash,
    /// A mention, the prefix, a reply to the bot or a DM.
    Message,
    /// A watched channel, or a thread the bot answered in.
    Overheard,
}

/// What became of a question.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum Verdict {
    Answered,
    Declined,
    /// The member asked again before their cooldown ran out.
    Throttled,
    /// The engine failed (a damaged index, a crashed search).
    Failed,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QuestionLabels {
    entry_point: EntryPoint,
    verdict: Verdict,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    /// The HTTP status, or `timeout` for a request that got no answer.
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShardLabels {
    shard: u32,
    state: GatewayState,
}

#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
enum GatewayState {
    Connected,
    Connecting,
    Disconnected,
}

/// Label values in lower case, as Prometheus users expect.
macro_rules! label_values {
    ($t:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl EncodeLabelValue for $t {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                let name = match self {
                    $(<$t>::$variant => $name,)*
                };
                EncodeLabelValue::encode(&name, encoder)
            }
        }
    };
}

label_values!(EntryPoint { Slash => "slash", Message => "message", Overheard => "overheard" });
label_values!(Verdict {
    Answered => "answered",
    Declined => "declined",
    Throttled => "throttled",
    Failed => "failed",
});
label_values!(GatewayState {
    Connected => "connected",
    Connecting => "connecting",
    Disconnected => "disconnected",
});

impl From<Gateway> for GatewayState {
    fn from(g: Gateway) -> Self {
        match g {
            Gateway::Connected => GatewayState::Connected,
            Gateway::Connecting => GatewayState::Connecting,
            Gateway::Disconnected => GatewayState::Disconnected,
        }
    }
}

/// What is read at scrape time.
pub struct Observed<'a> {
    pub readiness: &'a Snapshot,
    pub generation: u64,
    pub briefs: usize,
    pub passages: usize,
    pub channel_queue: usize,
    pub database_errors: u64,
}

pub struct Metrics {
    registry: Registry,
    questions: Family<QuestionLabels, Counter>,
    latency: Histogram,
    rest_errors: Family<StatusLabels, Counter>,
    rest_retries: Counter,
    gateway: Family<ShardLabels, Gauge>,
    commands_registered: Gauge,
    generation: Gauge,
    briefs: Gauge,
    passages: Gauge,
    channel_queue: Gauge,
    database_errors: Counter,
    database_errors_seen: AtomicU64,
    rebuild: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("briefbot");
        let m = Metrics {
            questions: Family::default(),
            // 5 ms to about 20 s.
            latency: Histogram::new(exponential_buckets(0.005, 2.0, 13)),
            rest_errors: Family::default(),
            rest_retries: Counter::default(),
            gateway: Family::default(),
            commands_registered: Gauge::default(),
            generation: Gauge::default(),
            briefs: Gauge::default(),
            passages: Gauge::default(),
            channel_queue: Gauge::default(),
            database_errors: Counter::default(),
            database_errors_seen: AtomicU64::new(0),
            // 50 ms to about 7 minutes.
            rebuild: Histogram::new(exponential_buckets(0.05, 2.0, 14)),
            registry: Registry::default(),
        };
        registry.register(
            "questions",
            "Questions, by how they were asked and what became of them",
            m.questions.clone(),
        );
        registry.register_with_unit(
            "answer_latency",
            "From a question's arrival to its answer or decline being ready",
            Unit::Seconds,
            m.latency.clone(),
        );
        registry.register(
            "discord_rest_errors",
            "Discord REST requests that failed, by HTTP status (or timeout)",
            m.rest_errors.clone(),
        );
        registry.register(
            "discord_rest_retries",
            "Discord REST requests sent again after a transient failure",
            m.rest_retries.clone(),
        );
        registry.register(
            "gateway_shard",
            "1 for each shard's current gateway state",
            m.gateway.clone(),
        );
        registry.register(
            "commands_registered",
            "1 once the slash commands are registered with Discord",
            m.commands_registered.clone(),
        );
        registry.register(
            "index_generation",
            "The index generation this process serves",
            m.generation.clone(),
        );
        registry.register(
            "index_briefs",
            "Briefs in the index served",
            m.briefs.clone(),
        );
        registry.register(
            "index_passages",
            "Passages in the index served",
            m.passages.clone(),
        );
        registry.register(
            "channel_queue",
            "Questions holding a place in a channel's line, not yet posted",
            m.channel_queue.clone(),
        );
        registry.register(
            "database_errors",
            "Database calls that failed",
            m.database_errors.clone(),
        );
        registry.register_with_unit(
            "index_rebuild_duration",
            "Index rebuilds (a reindex, a brief added or removed, catching up)",
            Unit::Seconds,
            m.rebuild.clone(),
        );
        Metrics { registry, ..m }
    }

    pub fn question(&self, entry_point: EntryPoint, verdict: Verdict) {
        self.questions
            .get_or_create(&QuestionLabels {
                entry_point,
                verdict,
            })
            .inc();
    }

    pub fn answer_latency(&self, took: Duration) {
        self.latency.observe(took.as_secs_f64());
    }

    /// A REST request that failed with `status` (None: no answer in time, or
    /// the connection broke).
    pub fn rest_error(&self, status: Option<u16>) {
        let status = status.map_or_else(|| "timeout".to_string(), |s| s.to_string());
        self.rest_errors
            .get_or_create(&StatusLabels { status })
            .inc();
    }

    pub fn rest_retry(&self) {
        self.rest_retries.inc();
    }

    pub fn rebuild(&self, took: Duration) {
        self.rebuild.observe(took.as_secs_f64());
    }

    /// The exposition text, with the states in `now`.
    pub fn encode(&self, now: &Observed<'_>) -> String {
        for (&shard, &gateway) in &now.readiness.shards {
            for state in [
                GatewayState::Connected,
                GatewayState::Connecting,
                GatewayState::Disconnected,
            ] {
                let on = GatewayState::from(gateway) == state;
                self.gateway
                    .get_or_create(&ShardLabels { shard, state })
                    .set(i64::from(on));
            }
        }
        self.commands_registered
            .set(i64::from(now.readiness.commands_registered));
        self.generation.set(clamp(now.generation));
        self.briefs.set(clamp(now.briefs as u64));
        self.passages.set(clamp(now.passages as u64));
        self.channel_queue.set(clamp(now.channel_queue as u64));
        // The store counts its own errors; the counter catches up to it.
        let before = self
            .database_errors_seen
            .fetch_max(now.database_errors, Ordering::Relaxed);
        if now.database_errors > before {
            self.database_errors.inc_by(now.database_errors - before);
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
