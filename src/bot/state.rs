//! Everything the handlers share: settings, engine, store, cooldowns, and the
//! gate that lets shutdown wait for questions in flight.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use tokio::sync::Notify;

use super::cooldown::Cooldowns;
use super::events::Member;
use crate::cluster::{Cluster, Identity, Timing};
use crate::config::Settings;
use crate::engine::Engine;
use crate::store::Store;

pub struct BotState {
    pub settings: Settings,
    pub engine: Arc<Engine>,
    pub store: Store,
    /// Keeps this process at the content generation of the others sharing the database.
    pub cluster: Arc<Cluster>,
    pub cooldowns: Cooldowns,
    pub gate: Gate,
    /// Downloads `/brief add` attachments.
    pub downloads: reqwest::Client,
    bot_id: AtomicU64,
    clock_skew: AtomicI64,
}

impl BotState {
    /// Open the database `database.url` names; an unreachable one fails here.
    pub async fn open(settings: Settings, engine: Arc<Engine>) -> anyhow::Result<BotState> {
        let url = settings.database_url();
        let store = Store::connect(&url, settings.database.pool_size)
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
        Ok(BotState {
            cooldowns: Cooldowns::new(d.user_cooldown_secs, d.channel_cooldown_secs),
            settings,
            engine,
            store,
            cluster: Arc::new(cluster),
            gate: Gate::default(),
            downloads,
            bot_id: AtomicU64::new(0),
            clock_skew: AtomicI64::new(0),
        })
    }

    /// The bot's own user id, known once the gateway is ready.
    pub fn bot_id(&self) -> u64 {
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

    /// Move the wall clock forward, so tests can expire buttons without waiting.
    pub fn advance_clock(&self, secs: i64) {
        self.clock_skew.fetch_add(secs, Ordering::Relaxed);
    }

    /// Manage Server (or Administrator), or one of the configured moderator roles.
    pub fn is_moderator(&self, m: &Member) -> bool {
        let by_permission = m
            .permissions
            .is_some_and(|p| p.manage_guild() || p.administrator());
        by_permission
            || m.roles
                .iter()
                .any(|r| self.settings.discord.moderator_roles.contains(r))
    }

    /// Where briefs added in `guild` live (the engine reads the same place).
    pub fn guild_dir(&self, guild: u64) -> PathBuf {
        self.settings
            .engine_config()
            .tenant_briefs_dir
            .unwrap_or_else(|| self.settings.paths.data.join("briefs"))
            .join(guild.to_string())
    }
}

/// Lets shutdown stop new questions and wait for the ones in flight.
#[derive(Default)]
pub struct Gate {
    closed: AtomicBool,
    in_flight: AtomicUsize,
    idle: Notify,
}

/// Held while a question is being answered.
pub struct Pass<'a>(&'a Gate);

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Gate {
    /// None once shutdown has begun.
    pub fn enter(&self) -> Option<Pass<'_>> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let pass = Pass(self);
        (!self.closed.load(Ordering::SeqCst)).then_some(pass)
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Wait until no question is in flight, or `limit` passes; true when drained.
    pub async fn drained(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.idle.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if self.in_flight() == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_waits_for_questions_in_flight_and_refuses_new_ones() {
        let gate = Gate::default();
        let pass = gate.enter().expect("open");
        gate.close();
        assert!(gate.enter().is_none(), "no new questions once closed");
        assert_eq!(gate.in_flight(), 1);
        assert!(!gate.drained(Duration::from_millis(20)).await);
        drop(pass);
        assert!(gate.drained(Duration::from_millis(20)).await);
    }
}
