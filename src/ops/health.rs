//! `/healthz`: healthy only when members can be answered everywhere: every
//! shard's gateway connected, the slash commands registered, the index open
//! and the database answering. Anything less names itself in `problems`.

use std::time::Duration;

use serde::Serialize;

use crate::bot::readiness::{Gateway, Snapshot};
use crate::bot::BotState;

/// A database that takes longer than this to answer a ping is reported down:
/// the health check must answer well within a prober's timeout.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: &'static str,
    /// What keeps the bot from answering, one phrase each; empty when ok.
    pub problems: Vec<String>,
    pub gateway: Snapshot,
    pub index: Index,
    /// `ok`, or why the database did not answer.
    pub database: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Index {
    pub opened: bool,
    pub generation: u64,
    pub briefs: usize,
    pub passages: usize,
}

impl Health {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check everything now. The bot's state exists only once its index opened,
/// so `index.opened` is true here; it is reported so a prober sees which
/// generation it gets.
pub async fn check(state: &BotState) -> Health {
    let gateway = state.readiness.snapshot();
    let database = match tokio::time::timeout(DATABASE_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {DATABASE_TIMEOUT:?}")),
    };
    let stats = state.engine.stats();
    let index = Index {
        opened: true,
        generation: stats.generation,
        briefs: stats.briefs,
        passages: stats.passages,
    };
    judge(gateway, index, database)
}

/// The verdict on what was read (pure, so each case is tested).
pub fn judge(gateway: Snapshot, index: Index, database: Option<String>) -> Health {
    let mut problems = Vec::new();
    if gateway.shards.is_empty() {
        problems.push("gateway: no shard started yet".to_string());
    }
    for (shard, g) in &gateway.shards {
        match g {
            Gateway::Connected => {}
            Gateway::Connecting => problems.push(format!("gateway: shard {shard} connecting")),
            Gateway::Disconnected => problems.push(format!("gateway: shard {shard} disconnected")),
        }
    }
    if !gateway.commands_registered {
        problems.push("slash commands not registered".to_string());
    }
    if !index.opened {
        problems.push("index not opened".to_string());
    }
    if let Some(why) = &database {
        problems.push(format!("database: {why}"));
    }
    Health {
        status: if problems.is_empty() {
            "ok"
        } else {
            "unavailable"
        },
        problems,
        gateway,
        index,
        database: database.unwrap_or_else(|| "ok".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        Index {
            opened: true,
            generation: 3,
            briefs: 1,
            passages: 40,
        }
    }

    fn up() -> Snapshot {
        Snapshot {
            shards: [(0, Gateway::Connected), (1, Gateway::Connected)].into(),
            commands_registered: true,
        }
    }

    #[test]
    fn healthy_only_when_everything_is_up() {
        assert!(judge(up(), index(), None).ok());
        let mut one_down = up();
        one_down.shards.insert(1, Gateway::Disconnected);
        let h = judge(one_down, index(), None);
        assert_eq!(h.problems, ["gateway: shard 1 disconnected"]);
        let mut unregistered = up();
        unregistered.commands_registered = false;
        assert_eq!(
            judge(unregistered, index(), None).problems,
            ["slash commands not registered"]
        );
        let h = judge(up(), index(), Some("connection refused".into()));
        assert_eq!(h.problems, ["database: connection refused"]);
        assert_eq!(h.status, "unavailable");
        let h = judge(Snapshot::default(), index(), None);
        assert_eq!(
            h.problems,
            [
                "gateway: no shard started yet",
                "slash commands not registered"
            ]
        );
    }
}
