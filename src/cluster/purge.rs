//! A departed server's purge, as the cluster sees it: the rows go in one
//! transaction that raises the content generation, so every process drops
//! the server's briefs from its index.

use super::{now_ms, Change, Cluster};
use crate::store::{Purged, StoreError};

impl Cluster {
    /// Delete every row of `guild` if it left at or before `left_before`
    /// (Unix seconds; `now` dates the audit entry), then rebuild twice: an
    /// index keeps the generation before the current one for processes that
    /// still read it, and that one holds the server's passages too. None
    /// when nothing was due (the bot came back, or another process purged).
    pub async fn purge_guild(
        &self,
        guild: u64,
        left_before: i64,
        now: i64,
    ) -> Result<Option<(Purged, Change)>, StoreError> {
        let _one = self.applying.lock().await;
        let Some(purged) = self
            .store
            .purge_guild(guild, left_before, now, now_ms())
            .await?
        else {
            return Ok(None);
        };
        let first = self.rebuild_for(purged.generation).await;
        if first.rebuilt.is_err() {
            return Ok(Some((purged, first)));
        }
        let again = self
            .store
            .bump_generation(now_ms(), "the index generation before a purge retired")
            .await?;
        Ok(Some((purged, self.rebuild_for(again).await)))
    }
}
