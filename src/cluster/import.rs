//! First start after the upgrade to briefs in the database: the briefs
//! moderators added earlier are files under `<data>/briefs/<guild>/` (and,
//! with schema version 1, rows naming them). Each is stored in the database
//! with who added it and when, so every process serves it, and nothing is
//! lost: a file whose name the database already holds with other content is
//! stored under a new name beside it. A marker file then records that this
//! data directory's files are a copy of the database, no longer a source.

use std::path::Path;

use super::{now_ms, Cluster, ClusterError};
use crate::store::NewBrief;
use briefbot_engine::Scope;

/// Import once per data directory; returns how many briefs were stored.
pub async fn import_legacy_briefs(cluster: &Cluster, marker: &Path) -> Result<usize, ClusterError> {
    if marker.exists() {
        return Ok(0);
    }
    let store = cluster.store();
    let engine = cluster.engine().clone();
    let held = {
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || engine.tenant_briefs())
            .await
            .map_err(|e| ClusterError::Task(e.to_string()))??
    };
    let legacy = store.legacy_briefs().await?;
    let stored = store.briefs(None).await?;
    let mut imported = 0;
    for h in &held {
        let same_name = stored
            .iter()
            .find(|s| s.tenant == h.tenant.as_str() && s.file == h.file);
        let file = match same_name {
            Some(s) if s.sha256 == h.sha256 => continue,
            Some(_) => free_name(&h.file, |n| {
                stored
                    .iter()
                    .any(|s| s.tenant == h.tenant.as_str() && s.file == n)
            }),
            None => h.file.clone(),
        };
        let (body, meta) = {
            let (engine, tenant, held_as, file) = (
                engine.clone(),
                h.tenant.clone(),
                h.file.clone(),
                file.clone(),
            );
            tokio::task::spawn_blocking(move || {
                let body = engine.tenant_brief_bytes(&tenant, &held_as)?;
                // Only for the title and source; a brief this version cannot
                // read is imported all the same and reported at indexing.
                let meta = engine
                    .check_brief(&file, &body, Scope::Global)
                    .ok()
                    .map(|p| p.meta);
                Ok::<_, briefbot_engine::EngineError>((body, meta))
            })
            .await
            .map_err(|e| ClusterError::Task(e.to_string()))??
        };
        let recorded = legacy
            .iter()
            .find(|l| l.guild.to_string() == h.tenant.as_str() && l.file == h.file);
        let brief = NewBrief {
            tenant: h.tenant.to_string(),
            file: file.clone(),
            title: meta
                .as_ref()
                .map(|m| m.title.clone())
                .or_else(|| recorded.map(|r| r.title.clone()))
                .unwrap_or_else(|| file.clone()),
            publisher: meta.as_ref().and_then(|m| m.publisher.clone()),
            published: meta.as_ref().and_then(|m| m.date.clone()),
            url: meta.as_ref().and_then(|m| m.url.clone()),
            body,
            added_by: recorded.map_or(0, |r| r.added_by),
            added_at: recorded.map_or(now_ms() / 1000, |r| r.added_at),
        };
        store.put_brief(&brief, now_ms()).await?;
        tracing::info!(tenant = %h.tenant, file = %file, "imported a brief into the database");
        imported += 1;
    }
    for l in &legacy {
        let has_file = held
            .iter()
            .any(|h| h.tenant.as_str() == l.guild.to_string() && h.file == l.file);
        if !has_file {
            tracing::warn!(
                guild = l.guild,
                file = %l.file,
                "a brief recorded before the upgrade has no file to import; it was not being served"
            );
        }
        store.forget_legacy_brief(l.guild, &l.file).await?;
    }
    if let Some(dir) = marker.parent() {
        std::fs::create_dir_all(dir).map_err(|e| briefbot_engine::EngineError::io(dir, e))?;
    }
    std::fs::write(
        marker,
        "The briefs in this directory are copies of those in the database (database.url).\n",
    )
    .map_err(|e| briefbot_engine::EngineError::io(marker, e))?;
    Ok(imported)
}

/// `notes.md` → `notes-2.md`, `notes-3.md`, … the first name not `taken`.
fn free_name(file: &str, taken: impl Fn(&str) -> bool) -> String {
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, "md"));
    (2..)
        .map(|n| format!("{stem}-{n}.{ext}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| file.to_string())
}

#[cfg(test)]
mod tests {
    use super::free_name;

    #[test]
    fn a_clashing_name_gets_the_first_free_number() {
        assert_eq!(free_name("notes.md", |n| n == "notes-2.md"), "notes-3.md");
    }
}
