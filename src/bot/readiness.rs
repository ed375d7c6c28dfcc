//! Whether the bot can answer, as one shared value: per shard, the state of
//! its gateway connection, and whether the slash commands are registered.
//! The log gets a line at every change of the overall [`Level`]; anything
//! else (a health endpoint, a test) reads a [`Snapshot`] or waits on
//! `Readiness::subscribe`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;

/// One shard's gateway connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gateway {
    /// Identified or resumed: events arrive.
    Connected,
    /// Handshaking, identifying or resuming.
    Connecting,
    /// No connection, and none under way (or no shard runner at all).
    Disconnected,
}

/// What the bot can do, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Every shard connected and the slash commands registered.
    Answering,
    /// Every shard connected: mentions, `!ask`, DMs and buttons are answered,
    /// but Discord does not offer `/ask` yet.
    CommandsUnregistered,
    /// At least one shard is not connected: its guilds go unanswered.
    GatewayDown,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Answering => "connected and answering",
            Level::CommandsUnregistered => "connected, slash commands not registered yet",
            Level::GatewayDown => "gateway down",
        })
    }
}

/// Everything a health check reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// Every shard this process runs, by id.
    pub shards: BTreeMap<u32, Gateway>,
    pub commands_registered: bool,
}

impl Snapshot {
    pub fn level(&self) -> Level {
        let connected =
            !self.shards.is_empty() && self.shards.values().all(|g| *g == Gateway::Connected);
        match (connected, self.commands_registered) {
            (false, _) => Level::GatewayDown,
            (true, false) => Level::CommandsUnregistered,
            (true, true) => Level::Answering,
        }
    }
}

/// The shared readiness; clones share one value.
#[derive(Clone)]
pub struct Readiness {
    tx: Arc<watch::Sender<Snapshot>>,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            tx: Arc::new(watch::channel(Snapshot::default()).0),
        }
    }
}

impl Readiness {
    pub fn snapshot(&self) -> Snapshot {
        self.tx.borrow().clone()
    }

    pub fn level(&self) -> Level {
        self.tx.borrow().level()
    }

    /// Woken at every change.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.tx.subscribe()
    }

    /// Wait until the level is `level` (or forever).
    pub async fn wait_for(&self, level: Level) {
        let mut rx = self.subscribe();
        let _ = rx.wait_for(|s| s.level() == level).await;
    }

    pub(crate) fn set_shard(&self, shard: u32, gateway: Gateway) {
        self.update(|s| {
            let old = s.shards.insert(shard, gateway);
            if old != Some(gateway) {
                tracing::debug!(shard, ?gateway, "shard gateway");
            }
            old != Some(gateway)
        });
    }

    pub(crate) fn set_commands_registered(&self) {
        self.update(|s| !std::mem::replace(&mut s.commands_registered, true));
    }

    fn update(&self, change: impl FnOnce(&mut Snapshot) -> bool) {
        let mut before = None;
        let mut after = None;
        self.tx.send_if_modified(|s| {
            before = Some(s.level());
            let changed = change(s);
            after = Some(s.level());
            changed
        });
        if let (Some(before), Some(after)) = (before, after) {
            if before != after {
                let snapshot = self.snapshot();
                let down: Vec<String> = snapshot
                    .shards
                    .iter()
                    .filter(|(_, g)| **g != Gateway::Connected)
                    .map(|(id, _)| id.to_string())
                    .collect();
                tracing::info!(
                    was = %before,
                    shards_not_connected = %down.join(","),
                    "readiness: {after}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_moves_through_gateway_down_unregistered_and_answering() {
        let r = Readiness::default();
        let mut rx = r.subscribe();
        assert_eq!(r.level(), Level::GatewayDown, "no shard connected yet");
        r.set_shard(0, Gateway::Connecting);
        r.set_shard(1, Gateway::Connected);
        assert_eq!(r.level(), Level::GatewayDown, "shard 0 is still connecting");
        r.set_shard(0, Gateway::Connected);
        assert_eq!(r.level(), Level::CommandsUnregistered);
        assert!(rx.has_changed().unwrap());
        rx.borrow_and_update();
        r.set_shard(0, Gateway::Connected);
        assert!(!rx.has_changed().unwrap(), "no change, no wake-up");
        r.set_commands_registered();
        assert_eq!(r.level(), Level::Answering);
        r.set_shard(1, Gateway::Disconnected);
        assert_eq!(r.level(), Level::GatewayDown);
        assert_eq!(
            r.snapshot().shards.get(&1),
            Some(&Gateway::Disconnected),
            "per shard"
        );
        r.set_shard(1, Gateway::Connected);
        assert_eq!(r.level(), Level::Answering, "registration is kept");
    }

    #[test]
    fn a_snapshot_serializes_for_a_health_endpoint() {
        let r = Readiness::default();
        r.set_shard(0, Gateway::Connected);
        let json = serde_json::to_value(r.snapshot()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"shards": {"0": "connected"}, "commands_registered": false})
        );
    }
}
