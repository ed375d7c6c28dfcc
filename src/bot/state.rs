//! Everything the handlers share: settings, engine, store, cooldowns, the
//! channel budgets, and the events in flight that shutdown waits for.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;

use super::channel_budget::ChannelBudget;
use super::cooldown::Cooldowns;
use super::events::Member;
use super::in_flight::InFlight;
use super::readiness::Readiness;
use crate::cluster::{Cluster, Identity, Timing};
use crate::config::{GuildOverrides, GuildSettings, Settings};
use crate::ops::Metrics;
use crate::store::Store;
use briefbot_engine::Engine;

pub struct BotState {
    pub settings: Settings,
    pub engine: Arc<Engine>,
    pub store: Store,
    /// Keeps this process at the content generation of the others sharing the database.
    pub cluster: Arc<Cluster>,
    pub cooldowns: Cooldowns,
    /// Each server's last `/reindex` (`discord.server_reindex_every_secs`).
    pub reindexes: Cooldowns,
    pub channels: ChannelBudget,
    pub in_flight: InFlight,
    /// Gateway and slash-command state, for the log and health checks.
    pub readiness: Readiness,
    /// This bot's Prometheus series (its own registry, not a process-wide one).
    pub metrics: Arc<Metrics>,
    /// Cancelled when shutdown begins: background work (the command
    /// registration, the gateway watch) stops.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Starts a sweep of [`crate::privacy::keep`] early (a server removed the bot).
    pub housekeeping: Arc<tokio::sync::Notify>,
    /// Downloads `/brief add` attachments.
    pub downloads: reqwest::Client,
    /// Talks to Discord's REST API (serenity's HTTP is built on it), with a
    /// timeout so a request that hangs is retried instead of waited on forever.
    pub discord_client: reqwest::Client,
    bot_id: AtomicU64,
    clock_skew: AtomicI64,
}

impl BotState {
    /// Open the database `database.url` names; an unreachable one fails here.
    pub async fn open(settings: Settings, engine: Arc<Engine>) -> anyhow::Result<BotState> {
        let url = settings.database_url();
        let store = Store::connect_with(
            &url,
            settings.database.pool_size,
            settings.database.ca_file.as_deref(),
        )
        .await
        .with_context(|| format!("opening the database (setting `database.url` = {url})"))?;
        BotState::with_store(settings, engine, store)
    }

    pub fn with_store(
        settings: Settings,
        engine: Arc<Engine>,
        store: Store,
    ) -> anyhow::Result<BotState> {
        let downloads = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .context("building the attachment download client")?;
        let d = &settings.discord;
        let mut discord_client =
            reqwest::Client::builder().timeout(Duration::from_secs_f64(d.request_timeout_secs));
        if d.rest_proxy.is_some() {
            // reqwest would send the proxy's own traffic through HTTP(S)_PROXY.
            discord_client = discord_client.no_proxy();
        }
        let discord_client = discord_client
            .build()
            .context("building the Discord HTTP client (setting `discord.request_timeout_secs`)")?;
        let shards = d
            .shards
            .map(|r| format!("{}-{}/{}", r.first, r.last, r.total))
            .unwrap_or_else(|| "all".into());
        let timing = Timing {
            heartbeat: Duration::from_secs(settings.database.sync_secs),
            catch_up: Duration::from_secs(settings.database.catch_up_secs),
        };
        let cluster = Cluster::new(
            store.clone(),
            engine.clone(),
            Identity::of_this_process(shards),
            timing,
        );
        let metrics = Arc::new(Metrics::new());
        let observer = metrics.clone();
        cluster.on_rebuild(move |took| observer.rebuild(took));
        Ok(BotState {
            cooldowns: Cooldowns::default(),
            reindexes: Cooldowns::default(),
            channels: ChannelBudget::new(
                d.channel_budget,
                Duration::from_secs_f64(d.channel_window_secs),
                d.channel_queue,
            ),
            in_flight: InFlight::default(),
            readiness: Readiness::default(),
            metrics,
            shutdown: tokio_util::sync::CancellationToken::new(),
            housekeeping: Arc::default(),
            settings,
            engine,
            store,
            cluster: Arc::new(cluster),
            downloads,
            discord_client,
            bot_id: AtomicU64::new(0),
            clock_skew: AtomicI64::new(0),
        })
    }

    /// The bot's own user id, known once the gateway is ready.
    pub(crate) fn bot_id(&self) -> u64 {
        self.bot_id.load(Ordering::Relaxed)
    }

    pub fn set_bot_id(&self, id: u64) {
        self.bot_id.store(id, Ordering::Relaxed);
    }

    /// Unix seconds, for what the database keeps.
    pub fn now(&self) -> i64 {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        secs + self.clock_skew.load(Ordering::Relaxed)
    }

    /// Test hook: move the wall clock forward, so tests can expire buttons
    /// without waiting. Public only for the in-process bot tests (`tests/`).
    #[doc(hidden)]
    pub fn advance_clock(&self, secs: i64) {
        self.clock_skew.fetch_add(secs, Ordering::Relaxed);
    }

    /// The settings in force in `guild`: its own where its moderators chose,
    /// else the operator's (and the operator's alone outside a server).
    pub fn server(&self, guild: Option<u64>) -> GuildSettings {
        let own = guild
            .map(|g| self.cluster.servers().get(g))
            .unwrap_or_default();
        own.resolve(&self.settings.discord)
    }

    /// What `guild`'s moderators changed (nothing for a server that never did).
    pub fn server_overrides(&self, guild: u64) -> GuildOverrides {
        self.cluster.servers().get(guild)
    }

    /// Manage Server (or Administrator), or one of the server's moderator roles.
    pub(crate) fn is_moderator(&self, m: &Member) -> bool {
        let by_permission = m
            .permissions
            .is_some_and(|p| p.manage_guild() || p.administrator());
        by_permission || {
            let roles = self.server(m.guild).moderator_roles;
            m.roles.iter().any(|r| roles.contains(r))
        }
    }

    /// Where briefs added in `guild` live (the engine reads the same place).
    pub fn guild_dir(&self, guild: u64) -> PathBuf {
        self.settings.paths.tenant_briefs().join(guild.to_string())
    }
}
