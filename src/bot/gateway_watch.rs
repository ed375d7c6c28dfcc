//! The shards' gateway state, for [`Readiness`]. Connecting, resuming and
//! connected come from serenity's events; a shard whose runner is gone
//! (serenity gave up reconnecting and waits to start it again) raises no
//! event, so the shard manager is also read every [`POLL`].

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{async_trait, ConnectionStage, ShardId, ShardManager, ShardStageUpdateEvent};
use tokio_util::sync::CancellationToken;

use super::readiness::{Gateway, Readiness};

/// How often the shard manager is read.
const POLL: Duration = Duration::from_millis(500);

/// serenity's events about the connection, as readiness.
pub(super) struct Events {
    pub readiness: Readiness,
}

#[async_trait]
impl serenity::EventHandler for Events {
    async fn ready(&self, ctx: serenity::Context, _: serenity::Ready) {
        self.readiness.set_shard(ctx.shard_id.0, Gateway::Connected);
    }

    async fn resume(&self, ctx: serenity::Context, _: serenity::ResumedEvent) {
        self.readiness.set_shard(ctx.shard_id.0, Gateway::Connected);
    }

    async fn shard_stage_update(&self, _: serenity::Context, event: ShardStageUpdateEvent) {
        self.readiness
            .set_shard(event.shard_id.0, gateway_of(event.new));
    }
}

fn gateway_of(stage: ConnectionStage) -> Gateway {
    match stage {
        ConnectionStage::Connected => Gateway::Connected,
        ConnectionStage::Disconnected => Gateway::Disconnected,
        _ => Gateway::Connecting,
    }
}

/// Until `stop`: mark a shard disconnected once it has had no runner at two
/// reads in a row (a runner starts before serenity lists it, so one read
/// could miss a shard that is connecting).
pub(super) async fn poll(
    manager: Arc<ShardManager>,
    shards: Vec<u32>,
    readiness: Readiness,
    stop: CancellationToken,
) {
    for &shard in &shards {
        readiness.set_shard(shard, Gateway::Connecting);
    }
    let mut absent_before = BTreeSet::new();
    loop {
        let absent: BTreeSet<u32> = {
            let runners = manager.runners.lock().await;
            shards
                .iter()
                .copied()
                .filter(|s| !runners.contains_key(&ShardId(*s)))
                .collect()
        };
        for shard in absent.intersection(&absent_before) {
            readiness.set_shard(*shard, Gateway::Disconnected);
        }
        absent_before = absent;
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.cancelled() => return,
        }
    }
}
