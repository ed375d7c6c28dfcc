//! Joining the processes that share the database, before the gateway
//! connects: import the briefs an older version kept only as files, serve the
//! database's content generation, then follow it until shutdown.

use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::BotState;
use crate::cluster;

/// The running follower; [`Follower::stop`] ends it and removes this
/// process's heartbeat, so moderators' replies stop waiting for it.
pub(super) struct Follower {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

pub(super) async fn join(state: &Arc<BotState>) -> anyhow::Result<Follower> {
    let url = state.settings.database_url();
    let briefs = state.settings.paths.tenant_briefs();
    let marker = briefs.join(".imported-to-database");
    let imported = cluster::import_legacy_briefs(&state.cluster, &marker)
        .await
        .with_context(|| {
            format!(
                "importing the briefs in {} into the database (setting `database.url` = {url})",
                briefs.display()
            )
        })?;
    if imported > 0 {
        tracing::info!(
            briefs = imported,
            "briefs added from Discord are now kept in the database"
        );
    }
    state.cluster.catch_up().await.with_context(|| {
        format!("loading the briefs from the database (setting `database.url` = {url})")
    })?;
    state
        .cluster
        .servers()
        .refresh(&state.store)
        .await
        .with_context(|| {
            format!("reading the servers' settings (setting `database.url` = {url})")
        })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(cluster::follow(state.cluster.clone(), async move {
        let _ = stopped.await;
    }));
    Ok(Follower { stop, task })
}

impl Follower {
    pub(super) async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::warn!("the database follower stopped abnormally: {e}");
        }
    }
}
