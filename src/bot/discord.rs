//! Running the bot: connect, take events until `shutdown` resolves, then
//! stop taking questions, let the ones in flight finish, and close the
//! gateway. Set-up is [`super::setup`]; events are [`super::dispatch`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use tokio::sync::oneshot;

use super::readiness::Readiness;
use super::{gateway_watch, setup, Data};
use crate::config::Settings;
use briefbot_engine::Engine;

/// How long closing the gateway may take once the questions in flight are
/// done. serenity waits up to 5 s per shard, and forever when no shard is
/// running (the gateway has been unreachable); past this the bot stops
/// without a clean close, so it always exits within the grace plus 2 s.
const CLOSE_LIMIT: Duration = Duration::from_millis(1500);

/// Run the bot until `shutdown` resolves, then stop taking questions, let the
/// ones in flight finish (up to `discord.shutdown_grace_secs`), and close the
/// gateway.
pub async fn run(
    settings: Settings,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(settings, engine, shutdown, Readiness::default()).await
}

/// [`run`], reporting the bot's state in `readiness`.
pub async fn run_with(
    settings: Settings,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    readiness: Readiness,
) -> anyhow::Result<()> {
    // The token is checked before anything is opened.
    settings.discord.require_token()?;
    let state = setup::state(settings, engine, readiness).await?;
    if let Some(addr) = state.settings.ops.listen {
        crate::ops::serve(addr, state.clone()).await?;
    }
    let follower = super::follower::join(&state).await?;
    // Stops when shutdown begins; a purge it leaves half done is finished
    // by the next start (its rows go in one transaction).
    let _housekeeping = super::departures::spawn_housekeeping(&state);
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
    let shards: Vec<u32> = match state.settings.discord.shards {
        Some(r) => (r.first..=r.last).collect(),
        None => vec![0],
    };
    tokio::spawn(gateway_watch::poll(
        shard_manager.clone(),
        shards,
        state.readiness.clone(),
        state.shutdown.clone(),
    ));

    let (closed_tx, closed) = oneshot::channel::<()>();
    let stopping = state.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(in_flight = stopping.in_flight.len(), "shutting down");
        stopping.shutdown.cancel();
        stopping.in_flight.close();
        let grace = Duration::from_secs(stopping.settings.discord.shutdown_grace_secs);
        if !stopping.in_flight.drained(grace).await {
            tracing::warn!(
                in_flight = stopping.in_flight.len(),
                "events still in flight after the grace period"
            );
        }
        if tokio::time::timeout(CLOSE_LIMIT, shard_manager.shutdown_all())
            .await
            .is_err()
        {
            tracing::warn!("the gateway did not close in time; stopping without a clean close");
        }
        let _ = closed_tx.send(());
    });

    let started = async {
        match state.settings.discord.shards {
            Some(r) => client.start_shard_range(r.first..r.last + 1, r.total).await,
            None => client.start().await,
        }
    };
    // serenity's client only returns when a shard runner tells it to: with
    // none running (the gateway unreachable), shutdown alone must end it.
    tokio::select! {
        started = started => started.context("Discord gateway")?,
        _ = closed => {}
    }
    tracing::info!("stopped");
    Ok(())
}
