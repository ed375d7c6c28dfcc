//! Joining and leaving servers: Discord's GUILD_DELETE says the bot was
//! removed from a server (kicked, banned, the server deleted), or, with
//! `unavailable` set, that the server is out of reach in an outage; only
//! the first schedules the deletion of the server's data. GUILD_CREATE (at
//! every connection, and when the bot is added back) cancels one pending.
//! READY, at each connection, finds the servers left while no process was
//! connected to hear of it.
//! The deletion itself is [`crate::privacy`]'s, run by [`spawn_housekeeping`].

use std::collections::HashSet;

use poise::serenity_prelude::{Ready, UnavailableGuild};
use tokio::task::JoinHandle;

use super::Data;
use crate::privacy;

pub(super) async fn guild_deleted(state: &Data, g: &UnavailableGuild) {
    let guild = g.id.get();
    if g.unavailable {
        tracing::info!(
            guild,
            "a server is unavailable (a Discord outage); nothing is deleted"
        );
        return;
    }
    privacy::departed(&state.store, &state.settings, guild, state.now()).await;
    state.housekeeping.notify_one();
}

/// A shard connected: its READY lists every server of the shard the bot is
/// in, so one it left while no process was connected is found here.
pub(super) async fn ready(state: &Data, ready: &Ready) {
    let shard = ready.shard.map_or((0, 1), |s| (s.id.0, s.total));
    let present: HashSet<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
    privacy::absent_at_connect(&state.store, &state.settings, shard, &present, state.now()).await;
    state.housekeeping.notify_one();
}

pub(super) async fn guild_created(state: &Data, guild: u64) {
    privacy::returned(&state.store, guild, state.now()).await;
}

/// Prune old questions and purge departed servers until shutdown begins.
pub(super) fn spawn_housekeeping(state: &Data) -> JoinHandle<()> {
    let clock = state.clone();
    tokio::spawn(privacy::keep(
        state.cluster.clone(),
        state.settings.clone(),
        move || clock.now(),
        state.housekeeping.clone(),
        state.shutdown.clone(),
    ))
}
