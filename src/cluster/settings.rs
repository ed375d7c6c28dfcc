//! Every server's own settings, held in memory by each process and kept in
//! step with the database: a change made here applies at once, and one made
//! by another process is read at this process's next heartbeat.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::RwLock;

use crate::config::GuildOverrides;
use crate::store::{SettingsChange, Store, StoreError};

/// Servers' settings as last read; servers absent follow the operator's.
#[derive(Default)]
pub struct ServerSettings {
    /// Each server's overrides with the revision that wrote them.
    by_guild: RwLock<HashMap<u64, (i64, GuildOverrides)>>,
    /// The highest revision read from the database.
    seen: AtomicI64,
}

impl ServerSettings {
    /// What `guild` chose (nothing, for a server that never changed a setting).
    pub fn get(&self, guild: u64) -> GuildOverrides {
        let map = self.by_guild.read().unwrap_or_else(|p| p.into_inner());
        map.get(&guild).map(|(_, o)| o.clone()).unwrap_or_default()
    }

    /// The highest revision read from the database (0 before any).
    pub fn seen(&self) -> i64 {
        self.seen.load(Ordering::SeqCst)
    }

    /// Store a server's new settings and apply them here at once.
    pub async fn put(
        &self,
        store: &Store,
        change: SettingsChange,
        overrides: GuildOverrides,
    ) -> Result<(), StoreError> {
        let revision = store
            .put_guild_settings(change, &overrides.to_json())
            .await?;
        self.apply(change.guild, revision, overrides);
        Ok(())
    }

    /// Read the servers changed since the last refresh; returns how many.
    pub async fn refresh(&self, store: &Store) -> Result<usize, StoreError> {
        let rows = store
            .guild_settings_since(self.seen.load(Ordering::SeqCst))
            .await?;
        for row in &rows {
            match GuildOverrides::from_json(&row.settings) {
                Ok(o) => self.apply(row.guild, row.revision, o),
                // The server keeps its previous settings; the row is not
                // read again until it changes.
                Err(e) => tracing::warn!(
                    guild = row.guild,
                    revision = row.revision,
                    "a server's stored settings cannot be read: {e}"
                ),
            }
            self.seen.fetch_max(row.revision, Ordering::SeqCst);
        }
        Ok(rows.len())
    }

    /// Read every server's settings afresh, forgetting those whose row is
    /// gone: a server purged after it removed the bot. Run at each new
    /// content generation, which a purge raises, so every process forgets.
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let rows = store.guild_settings_since(0).await?;
        let top = rows.iter().map(|r| r.revision).max().unwrap_or(0);
        let mut fresh = HashMap::with_capacity(rows.len());
        for row in rows {
            match GuildOverrides::from_json(&row.settings) {
                Ok(o) => {
                    fresh.insert(row.guild, (row.revision, o));
                }
                Err(e) => tracing::warn!(
                    guild = row.guild,
                    revision = row.revision,
                    "a server's stored settings cannot be read: {e}"
                ),
            }
        }
        let mut map = self.by_guild.write().unwrap_or_else(|p| p.into_inner());
        // A change made here since the read is newer than all it saw.
        for (guild, held) in map.drain() {
            if held.0 > top {
                fresh.insert(guild, held);
            }
        }
        *map = fresh;
        self.seen.fetch_max(top, Ordering::SeqCst);
        Ok(())
    }

    /// Keep `overrides` unless a later revision is already held (two
    /// refreshes, or a refresh and a local change, may cross).
    fn apply(&self, guild: u64, revision: i64, overrides: GuildOverrides) {
        let mut map = self.by_guild.write().unwrap_or_else(|p| p.into_inner());
        let newer = map.get(&guild).is_none_or(|(r, _)| *r < revision);
        if newer {
            map.insert(guild, (revision, overrides));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(guild: u64) -> SettingsChange {
        SettingsChange {
            guild,
            by: 1,
            at: 0,
        }
    }

    #[tokio::test]
    async fn a_change_by_another_process_is_read_at_the_next_refresh() {
        let store = Store::open_in_memory().unwrap();
        let (here, there) = (ServerSettings::default(), ServerSettings::default());
        let embeds_off = GuildOverrides {
            embeds: Some(false),
            ..GuildOverrides::default()
        };
        here.put(&store, change(5), embeds_off.clone())
            .await
            .unwrap();
        assert_eq!(here.get(5), embeds_off, "applied at once where it was made");
        assert_eq!(there.get(5), GuildOverrides::default());
        assert_eq!(there.refresh(&store).await.unwrap(), 1);
        assert_eq!(there.get(5), embeds_off);
        assert_eq!(there.refresh(&store).await.unwrap(), 0, "read once");
        assert_eq!(there.get(6), GuildOverrides::default());
    }

    #[tokio::test]
    async fn a_reload_forgets_a_server_whose_settings_were_deleted() {
        let store = Store::open_in_memory().unwrap();
        let here = ServerSettings::default();
        let off = GuildOverrides {
            prefix: Some(false),
            ..GuildOverrides::default()
        };
        here.put(&store, change(5), off.clone()).await.unwrap();
        here.put(&store, change(6), off.clone()).await.unwrap();
        // Server 5 removed the bot and its grace period passed.
        store.record_departure(5, 100).await.unwrap();
        store.purge_guild(5, 100, 200, 200_000).await.unwrap();
        here.reload(&store).await.unwrap();
        assert_eq!(here.get(5), GuildOverrides::default(), "purged: forgotten");
        assert_eq!(here.get(6), off);
    }

    #[test]
    fn an_older_revision_never_replaces_a_newer_one() {
        let s = ServerSettings::default();
        let new = GuildOverrides {
            prefix: Some(false),
            ..GuildOverrides::default()
        };
        s.apply(1, 4, new.clone());
        s.apply(1, 3, GuildOverrides::default());
        assert_eq!(s.get(1), new);
    }
}
