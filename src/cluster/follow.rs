//! The follower: keeps this process at the database's generation until told
//! to stop. It beats every `database.sync_secs` (recording the generation it
//! serves and re-reading the counter and the servers' settings) and, with
//! PostgreSQL, also rebuilds, or re-reads a server's settings, as soon as a
//! change is announced. A lost notification connection is
//! re-opened at the next beat and the counter re-checked, so nothing announced
//! while it was down is missed.

use std::future::Future;
use std::sync::Arc;

use tokio::time::MissedTickBehavior;

use super::Cluster;
use crate::store::Listener;

enum Event {
    Stop,
    Beat,
    Announced(i64),
    /// A server's settings changed (its revision).
    SettingsAnnounced(i64),
    ListenerLost,
}

/// Follow the database's generation until `stop` resolves, then leave.
pub async fn follow(cluster: Arc<Cluster>, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut ticker = tokio::time::interval(cluster.timing().heartbeat);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut listener: Option<Listener> = None;
    let mut health = Health::default();
    loop {
        let event = {
            let announced = async {
                match listener.as_mut() {
                    Some(l) => tokio::select! {
                        g = l.changes.recv() => g.map_or(Event::ListenerLost, Event::Announced),
                        r = l.settings.recv() => {
                            r.map_or(Event::ListenerLost, Event::SettingsAnnounced)
                        }
                    },
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut stop => Event::Stop,
                _ = ticker.tick() => Event::Beat,
                e = announced => e,
            }
        };
        match event {
            Event::Stop => break,
            Event::Announced(g) if g <= cluster.served() => {}
            Event::Announced(_) => check(&cluster, &mut health).await,
            Event::SettingsAnnounced(r) if r <= cluster.servers().seen() => {}
            Event::SettingsAnnounced(_) => {
                if let Err(e) = cluster.servers().refresh(cluster.store()).await {
                    health.failed("reading the servers' settings", &e);
                }
            }
            Event::ListenerLost => {
                tracing::warn!(
                    "lost the database's change notifications; reconnecting at the next heartbeat"
                );
                listener = None;
            }
            Event::Beat => {
                if listener.is_none() && cluster.store().notifies() {
                    match cluster.store().listen().await {
                        Ok(l) => {
                            tracing::debug!("listening for content changes");
                            listener = l;
                        }
                        Err(e) => health.failed("listening for changes", &e),
                    }
                }
                match cluster.heartbeat().await {
                    Ok(()) => check(&cluster, &mut health).await,
                    Err(e) => health.failed("heartbeat", &e),
                }
            }
        }
    }
    cluster.leave().await;
}

/// Catch up if behind, and re-read the servers' settings changed since the
/// last look; failures are logged once per outage.
async fn check(cluster: &Cluster, health: &mut Health) {
    if let Err(e) = cluster.servers().refresh(cluster.store()).await {
        return health.failed("reading the servers' settings", &e);
    }
    match cluster.catch_up().await {
        Ok(_) => health.ok(),
        Err(e) => health.failed("catching up with the database", &e),
    }
}

/// Logs the database going away and coming back, not every failed beat.
#[derive(Default)]
struct Health {
    down: bool,
}

impl Health {
    fn failed(&mut self, what: &str, e: &dyn std::fmt::Display) {
        if !self.down {
            tracing::error!(
                "{what}: {e}. Questions are still answered from the index in memory; \
                 retrying every heartbeat"
            );
        } else {
            tracing::debug!("{what}: {e}");
        }
        self.down = true;
    }

    fn ok(&mut self) {
        if self.down {
            tracing::info!("the database is reachable again");
        }
        self.down = false;
    }
}
