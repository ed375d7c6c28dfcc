//! `/brief add|remove|list`: briefs that belong to one server. Files live in
//! `<data>/briefs/<guild id>/`, so a moderator can only ever touch their own
//! server's directory, and `/reindex` rebuilds everything from files.

use std::path::Path;

use super::{audit, describe, require_moderator, run_reindex, Done};
use crate::bot::events::{Attachment, Member};
use crate::bot::render;
use crate::bot::reply::Reply;
use crate::bot::state::BotState;
use crate::engine::{Scope, BRIEF_EXTENSIONS};
use crate::store::GuildBrief;

/// `/brief add file:<attachment>`.
pub async fn add(state: &BotState, m: &Member, file: &Attachment) -> Done {
    let guild = match require_moderator(state, m, "/brief add") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    match add_checked(state, m, guild, file).await {
        Ok(done) => done,
        Err(why) => Done::refused(format!(
            "Could not add {}: {why}",
            render::escape(&file.filename)
        )),
    }
}

async fn add_checked(
    state: &BotState,
    m: &Member,
    guild: u64,
    file: &Attachment,
) -> Result<Done, String> {
    let name = safe_name(&file.filename)?;
    let limit = state.settings.engine.max_brief_kb * 1024;
    if file.size > limit {
        return Err(format!(
            "it is {} KB, over the limit of {} KB (setting `engine.max_brief_kb`).",
            file.size.div_ceil(1024),
            state.settings.engine.max_brief_kb
        ));
    }
    check_host(&file.url, &state.settings.discord.attachment_hosts)?;
    let bytes = download(state, &file.url, limit).await?;
    let parsed = state
        .engine
        .check_brief(&name, &bytes, Scope::Guild(guild))
        .map_err(|e| format!("{e}."))?;

    let dir = state.guild_dir(guild);
    let path = dir.join(&name);
    let existed = path.exists();
    write_atomically(&dir, &name, &bytes).map_err(|e| {
        tracing::error!("writing brief {}: {e}", path.display());
        "the file could not be saved on the bot's disk.".to_string()
    })?;
    let record = GuildBrief {
        file: name.clone(),
        title: parsed.meta.title.clone(),
        added_by: m.user,
        added_at: state.now(),
    };
    if let Err(e) = state.store.add_guild_brief(guild, &record) {
        tracing::error!("recording brief {name}: {e}");
    }
    let report = match run_reindex(state).await {
        Ok(r) => describe(state, &r, guild),
        Err(e) => format!("Re-indexing failed; the previous index keeps serving: {e}"),
    };
    let verb = if existed { "Replaced" } else { "Added" };
    let text = format!(
        "{verb} **{}** ({name}, {} passages) for this server only.\n{report}",
        render::escape(&parsed.meta.title),
        parsed.passages.len()
    );
    let log = audit(
        state,
        m,
        "brief add",
        &format!("{name} ({})", parsed.meta.title),
    );
    Ok(Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: Some(log),
    })
}

/// `/brief remove name:`.
pub async fn remove(state: &BotState, m: &Member, name: &str) -> Done {
    let guild = match require_moderator(state, m, "/brief remove") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let name = match safe_name(name.trim()) {
        Ok(n) => n,
        Err(why) => return Done::refused(format!("No such brief: {why}")),
    };
    let path = state.guild_dir(guild).join(&name);
    let recorded = state
        .store
        .remove_guild_brief(guild, &name)
        .unwrap_or(false);
    let removed = match std::fs::remove_file(&path) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            tracing::error!("removing {}: {e}", path.display());
            return Done::refused("The file could not be removed from the bot's disk.");
        }
    };
    if !removed && !recorded {
        return Done::refused(format!(
            "This server has no brief named {}. /brief list shows them.",
            render::escape(&name)
        ));
    }
    let report = match run_reindex(state).await {
        Ok(r) => describe(state, &r, guild),
        Err(e) => format!("Re-indexing failed; the previous index keeps serving: {e}"),
    };
    let log = audit(state, m, "brief remove", &name);
    Done {
        reply: Reply::private(render::clip(
            &format!(
                "Removed {} from this server.\n{report}",
                render::escape(&name)
            ),
            render::limits::CONTENT,
        )),
        log: Some(log),
    }
}

/// `/brief list`: shipped briefs and this server's own.
pub async fn list(state: &BotState, m: &Member) -> Done {
    let guild = match require_moderator(state, m, "/brief list") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let engine = state.engine.clone();
    let briefs = match tokio::task::spawn_blocking(move || engine.briefs(Some(guild))).await {
        Ok(b) => b,
        Err(e) => return Done::refused(format!("Could not list the briefs: {e}")),
    };
    let line = |meta: &crate::engine::BriefMeta, passages: usize| {
        let file = meta
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!(
            "\n• **{}** ({}, {passages} passages)",
            render::escape(&meta.title),
            render::escape(&file)
        )
    };
    let mut shipped = String::new();
    let mut own = String::new();
    for (meta, passages) in &briefs {
        match meta.scope {
            Scope::Global => shipped.push_str(&line(meta, *passages)),
            Scope::Guild(g) if g == guild => own.push_str(&line(meta, *passages)),
            Scope::Guild(_) => {}
        }
    }
    let none = "\nnone";
    let text = format!(
        "Shipped briefs (every server):{}\nThis server's briefs:{}",
        if shipped.is_empty() { none } else { &shipped },
        if own.is_empty() { none } else { &own }
    );
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: None,
    }
}

/// A file name safe to create in the guild's directory: no path, no hidden
/// files, a brief extension.
fn safe_name(name: &str) -> Result<String, String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if name.is_empty() || name.len() > 100 || !ok_chars || name.starts_with('.') {
        return Err(format!(
            "{:?} is not a usable file name (letters, digits, '-', '_' and '.', up to 100).",
            name
        ));
    }
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !BRIEF_EXTENSIONS.contains(&ext.as_str()) {
        return Err("briefs are Markdown (.md) or text (.txt) files.".into());
    }
    Ok(name.to_string())
}

/// Only Discord's attachment hosts (or those the config adds) are fetched, so
/// the command cannot be used to make the bot request arbitrary URLs.
fn check_host(url: &str, hosts: &[String]) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "its URL is not valid.".to_string())?;
    let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
    let allowed = matches!(parsed.scheme(), "https" | "http")
        && hosts.iter().any(|h| h.eq_ignore_ascii_case(&host));
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "attachments are only downloaded from {} (setting `discord.attachment_hosts`).",
            hosts.join(", ")
        ))
    }
}

async fn download(state: &BotState, url: &str, limit: u64) -> Result<Vec<u8>, String> {
    let failed = |e: reqwest::Error| {
        tracing::warn!("downloading an attachment: {e}");
        "the attachment could not be downloaded.".to_string()
    };
    let mut resp = state.downloads.get(url).send().await.map_err(failed)?;
    if !resp.status().is_success() {
        return Err(format!(
            "downloading it failed with HTTP {}.",
            resp.status().as_u16()
        ));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(failed)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > limit {
            return Err(format!("it is over the limit of {} KB.", limit / 1024));
        }
    }
    Ok(bytes)
}

/// Write then rename, so the indexer never sees half a file.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.partial"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_the_guild_directory() {
        assert!(safe_name("notes.md").is_ok());
        for bad in [
            "../x.md",
            "a/b.md",
            ".hidden.md",
            "x.exe",
            "",
            "x y.md",
            "x",
        ] {
            assert!(safe_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_listed_hosts_are_fetched() {
        let hosts = vec!["cdn.discordapp.com".to_string()];
        assert!(check_host("https://cdn.discordapp.com/attachments/1/2/a.md", &hosts).is_ok());
        assert!(check_host("https://evil.example/a.md", &hosts).is_err());
        assert!(check_host("file:///etc/passwd", &hosts).is_err());
        assert!(check_host("https://cdn.discordapp.com.evil.example/a.md", &hosts).is_err());
    }
}
