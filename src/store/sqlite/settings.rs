//! Each server's settings on SQLite (see `store/settings.rs`).

use rusqlite::{params, Connection};

use super::id;
use crate::store::settings::{GuildSettingsRow, SettingsChange, BUMP, PUT, SINCE};
use crate::store::StoreError;

pub(in crate::store) fn put_guild_settings(
    c: &mut Connection,
    change: SettingsChange,
    settings: &str,
) -> Result<i64, StoreError> {
    let tx = c.transaction()?;
    let revision: i64 = tx.query_row(BUMP, [], |r| r.get(0))?;
    tx.execute(
        PUT,
        params![
            id(change.guild),
            settings,
            revision,
            id(change.by),
            change.at
        ],
    )?;
    tx.commit()?;
    Ok(revision)
}

pub(in crate::store) fn guild_settings_since(
    c: &mut Connection,
    revision: i64,
) -> Result<Vec<GuildSettingsRow>, StoreError> {
    let mut stmt = c.prepare(SINCE)?;
    let rows = stmt.query_map([revision], |r| {
        Ok(GuildSettingsRow {
            guild: r.get::<_, i64>(0)? as u64,
            settings: r.get(1)?,
            revision: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
