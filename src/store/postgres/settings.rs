//! Each server's settings on PostgreSQL (see `store/settings.rs`).

use super::{id, Postgres, SETTINGS_CHANNEL};
use crate::store::settings::{GuildSettingsRow, SettingsChange, BUMP, PUT, SINCE};
use crate::store::StoreError;

impl Postgres {
    pub(crate) async fn put_guild_settings(
        &self,
        change: SettingsChange,
        settings: &str,
    ) -> Result<i64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let revision: i64 = tx.query_one(BUMP, &[]).await?.get(0);
        tx.execute(
            PUT,
            &[
                &id(change.guild),
                &settings,
                &revision,
                &id(change.by),
                &change.at,
            ],
        )
        .await?;
        // Heard by the other processes once the change is visible.
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&SETTINGS_CHANNEL, &revision.to_string()],
        )
        .await?;
        tx.commit().await?;
        Ok(revision)
    }

    pub(crate) async fn guild_settings_since(
        &self,
        revision: i64,
    ) -> Result<Vec<GuildSettingsRow>, StoreError> {
        let rows = self.query(SINCE, &[&revision]).await?;
        rows.iter()
            .map(|r| {
                Ok(GuildSettingsRow {
                    guild: r.try_get::<_, i64>(0)? as u64,
                    settings: r.try_get(1)?,
                    revision: r.try_get(2)?,
                })
            })
            .collect()
    }
}
