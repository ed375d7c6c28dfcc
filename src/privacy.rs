//! What the bot deletes on its own: answered questions past their retention
//! (`privacy.question_retention_days`), and everything of a server that
//! removed the bot once `privacy.leave_grace_secs` have passed. Departures are
//! recorded in the database, so a restart neither forgets nor repeats one;
//! [`keep`] runs a sweep at start, then whenever the next purge falls due,
//! a departure is recorded, or an hour has passed, on every process (a purge
//! is claimed in the database, so only one performs it).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::cluster::Cluster;
use crate::config::Settings;
use crate::store::{AuditEntry, Store, StoreError, ERASED_MEMBER};

/// The longest pause between two sweeps: answered questions are pruned
/// within the hour they pass their retention.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// How long answered questions of `guild` (None: direct messages) are kept,
/// in seconds. Pruning asks here for each server, so a server's own setting
/// can take over in this one place.
pub async fn question_retention_secs(settings: &Settings, _guild: Option<u64>) -> i64 {
    settings.privacy.question_retention_secs()
}

/// Delete answered questions past their server's retention; returns how many.
pub async fn prune_questions(
    store: &Store,
    settings: &Settings,
    now: i64,
) -> Result<usize, StoreError> {
    let mut pruned = 0;
    for guild in store.question_guilds().await? {
        let before = now - question_retention_secs(settings, guild).await;
        pruned += store.prune_questions(guild, before).await?;
    }
    Ok(pruned)
}

/// The bot was removed from `guild` (not an outage): its data is deleted
/// once the grace period has passed, unless it comes back first.
pub async fn departed(store: &Store, settings: &Settings, guild: u64, now: i64) {
    let grace = settings.privacy.leave_grace_secs;
    match store.record_departure(guild, now).await {
        Ok(true) => {
            tracing::info!(
                guild,
                grace_secs = grace,
                "removed from a server; its data is deleted after the grace period \
                 (privacy.leave_grace_secs) unless the bot is added back"
            );
            operator_audit(
                store,
                "departure",
                format!("removed from server {guild}; its data is deleted in {grace} s unless the bot is added back"),
                now,
            )
            .await;
        }
        Ok(false) => {}
        Err(e) => tracing::error!(
            guild,
            "recording the bot's removal from a server failed, so its data is kept: {e}"
        ),
    }
}

/// At a connection of shard `shard` of `total`, Discord lists the servers
/// the bot is in (`present`). A server of that shard the database holds rows
/// of but that is not listed removed the bot while no process was connected
/// (no GUILD_DELETE reached one): its departure is recorded as of now.
pub async fn absent_at_connect(
    store: &Store,
    settings: &Settings,
    (shard, total): (u32, u32),
    present: &std::collections::HashSet<u64>,
    now: i64,
) {
    let known = match store.known_guilds().await {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!("listing the servers the database holds rows of: {e}");
            return;
        }
    };
    for guild in known {
        let on_this_shard = (guild >> 22) % u64::from(total.max(1)) == u64::from(shard);
        if on_this_shard && !present.contains(&guild) {
            tracing::info!(guild, "a server removed the bot while it was not connected");
            departed(store, settings, guild, now).await;
        }
    }
}

/// The bot is in `guild` (it connected, or was added back): cancel a purge
/// waiting for it.
pub async fn returned(store: &Store, guild: u64, now: i64) {
    match store.cancel_departure(guild).await {
        Ok(true) => {
            tracing::info!(guild, "added back to a server; its data is kept");
            operator_audit(
                store,
                "departure cancelled",
                format!("added back to server {guild} within the grace period; nothing deleted"),
                now,
            )
            .await;
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(guild, "checking for a pending purge of a server: {e}"),
    }
}

/// Purge every server whose grace period has passed; returns when the next
/// one falls due (Unix seconds), if any waits.
pub async fn purge_due(
    cluster: &Cluster,
    settings: &Settings,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let grace = settings.privacy.leave_grace_secs as i64;
    let mut next: Option<i64> = None;
    for d in cluster.store().departures().await? {
        let due = d.left_at + grace;
        if due > now {
            next = Some(next.map_or(due, |n| n.min(due)));
            continue;
        }
        let Some((purged, change)) = cluster.purge_guild(d.guild, now - grace, now).await? else {
            continue;
        };
        // What the rebuild left of the server's copy of its briefs (a
        // half-written file, say): none of it is to stay.
        let dir = settings.paths.tenant_briefs().join(d.guild.to_string());
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(dir = %dir.display(), "removing a purged server's briefs: {e}");
            }
        }
        tracing::info!(guild = d.guild, "{}", purged.describe());
        if let Err(e) = change.rebuilt {
            tracing::error!(
                guild = d.guild,
                "rebuilding the index after a purge failed; the next rebuild drops the server's briefs: {e}"
            );
        }
    }
    Ok(next)
}

/// Prune and purge until `stop` is cancelled; `wake` starts a sweep early
/// (a departure was recorded). `now` is the wall clock in Unix seconds.
pub async fn keep(
    cluster: Arc<Cluster>,
    settings: Settings,
    now: impl Fn() -> i64,
    wake: Arc<Notify>,
    stop: CancellationToken,
) {
    loop {
        let started = now();
        match prune_questions(cluster.store(), &settings, started).await {
            Ok(n) if n > 0 => tracing::info!(questions = n, "pruned old answered questions"),
            Ok(_) => {}
            Err(e) => tracing::warn!("pruning old questions: {e}"),
        }
        let next = match purge_due(&cluster, &settings, started).await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!("purging the data of servers that removed the bot: {e}");
                None
            }
        };
        let pause = next
            .map(|due| Duration::from_secs((due - now()).max(0) as u64))
            .map_or(SWEEP_EVERY, |d| d.min(SWEEP_EVERY));
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// An operator-level audit entry: no server, no member, so it outlives
/// both and is never shown in a server's log.
async fn operator_audit(store: &Store, action: &str, detail: String, now: i64) {
    let entry = AuditEntry {
        guild: None,
        user: ERASED_MEMBER,
        action: action.to_string(),
        detail,
        at: now,
    };
    if let Err(e) = store.audit(&entry).await {
        tracing::error!(action, "writing the audit log: {e}");
    }
}
