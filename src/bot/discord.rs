//! Running the bot: connect, take events until `shutdown` resolves, then
//! stop taking questions, let the ones in flight finish, and close the
//! gateway. Set-up is [`super::setup`]; events are [`super::dispatch`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;

use super::{setup, Data};
use crate::config::Settings;
use briefbot_engine::Engine;

/// Run the bot until `shutdown` resolves, then stop taking questions, let the
/// ones in flight finish (up to `discord.shutdown_grace_secs`), and close the
/// gateway.
pub async fn run(
    settings: Settings,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // The token is checked before anything is opened.
    if settings.discord.token.is_none() {
        anyhow::bail!(
            "no Discord token: set DISCORD_TOKEN (or DISCORD_TOKEN_FILE); see \"Run it on Discord\" in the README"
        );
    }
    let state = setup::state(settings, engine).await?;
    let follower = super::follower::join(&state).await?;
    let client = setup::client(&state).await?;
    let served = serve(client, state, shutdown).await;
    follower.stop().await;
    served
}

/// The gateway loop, with the shutdown that ends it.
async fn serve(
    mut client: serenity::Client,
    state: Data,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let shard_manager = client.shard_manager.clone();
    let stopping = state.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(in_flight = stopping.in_flight.len(), "shutting down");
        stopping.in_flight.close();
        let grace = Duration::from_secs(stopping.settings.discord.shutdown_grace_secs);
        if !stopping.in_flight.drained(grace).await {
            tracing::warn!(
                in_flight = stopping.in_flight.len(),
                "events still in flight after the grace period"
            );
        }
        shard_manager.shutdown_all().await;
    });

    let started = match state.settings.discord.shards {
        Some(r) => client.start_shard_range(r.first..r.last + 1, r.total).await,
        None => client.start().await,
    };
    started.context("Discord gateway")?;
    tracing::info!("stopped");
    Ok(())
}
