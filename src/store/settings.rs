//! Each server's own settings, as the database keeps them: one JSON object
//! per server holding only the keys its moderators changed (the operator's
//! TOML supplies the rest), and a revision that every change raises. A
//! process keeps every server's settings in memory and, at each heartbeat,
//! re-reads only the rows whose revision passed the last one it saw, so a
//! change reaches every process sharing the database within `sync_secs`.

use std::sync::atomic::Ordering;

use super::{sqlite, Backend, Store, StoreError};

/// One server's stored settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildSettingsRow {
    pub guild: u64,
    /// The JSON object of the keys this server overrides.
    pub settings: String,
    /// The change that wrote it; later changes have higher revisions.
    pub revision: i64,
}

/// Who changed a server's settings, and when (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsChange {
    pub guild: u64,
    pub by: u64,
    pub at: i64,
}

pub(super) const PUT: &str = "INSERT INTO guild_settings
        (guild_id, settings, revision, changed_by, changed_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (guild_id) DO UPDATE SET settings = excluded.settings,
        revision = excluded.revision, changed_by = excluded.changed_by,
        changed_at = excluded.changed_at";

/// Taking the revision locks its row until commit, so revisions become
/// visible in the order they were taken: a reader that has seen revision N
/// has seen every change below it.
pub(super) const BUMP: &str =
    "UPDATE settings_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision";

pub(super) const SINCE: &str = "SELECT guild_id, settings, revision FROM guild_settings
     WHERE revision > $1 ORDER BY revision";

impl Store {
    /// Replace a server's settings with `settings` (a JSON object) and
    /// return the revision of the change.
    pub async fn put_guild_settings(
        &self,
        change: SettingsChange,
        settings: &str,
    ) -> Result<i64, StoreError> {
        call!(self, put_guild_settings(change, &settings), owned: settings = settings.to_string())
    }

    /// Servers whose settings changed after `revision`, oldest change first.
    pub async fn guild_settings_since(
        &self,
        revision: i64,
    ) -> Result<Vec<GuildSettingsRow>, StoreError> {
        call!(self, guild_settings_since(revision))
    }
}
