//! Joining and leaving servers: Discord's GUILD_DELETE says the bot was
//! removed from a server (kicked, banned, the server deleted), or, with
//! `unavailable` set, that the server is out of reach in an outage; only
//! the first schedules the deletion of the server's data. GUILD_CREATE (at
//! every connection, and when the bot is added back) cancels one pending.
//! The deletion itself is [`crate::privacy`]'s, run by [`spawn_housekeeping`].

use poise::serenity_prelude::UnavailableGuild;
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
