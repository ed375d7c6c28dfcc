//! `/brief add|remove|list`: briefs that belong to one server. They are kept
//! in the database under the server's tenant id, so a moderator can only ever
//! touch their own server's briefs, and every process sharing the database
//! serves them (see [`crate::cluster`]).

use super::{audit, report_change, require_moderator, tenant, AuditAction, Done};
use crate::bot::events::{Attachment, Member};
use crate::bot::render;
use crate::bot::reply::Reply;
use crate::bot::state::BotState;
use crate::store::NewBrief;
use briefbot_engine::Scope;

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
        .check_brief(&name, &bytes, Scope::Tenant(tenant(guild)))
        .map_err(|e| format!("{e}."))?;

    let brief = NewBrief {
        tenant: tenant(guild).to_string(),
        file: name.clone(),
        title: parsed.meta.title.clone(),
        publisher: parsed.meta.publisher.clone(),
        published: parsed.meta.date.clone(),
        url: parsed.meta.url.clone(),
        body: bytes,
        added_by: m.user,
        added_at: state.now(),
    };
    let (existed, change) = state.cluster.add_brief(&brief).await.map_err(|e| {
        tracing::error!("storing brief {name}: {e}");
        "the database could not be reached, so nothing changed. Please try again later.".to_string()
    })?;
    let report = report_change(state, &change, guild).await;
    let verb = if existed { "Replaced" } else { "Added" };
    let text = format!(
        "{verb} **{}** ({name}, {} passages) for this server only.\n{report}",
        render::escape(&parsed.meta.title),
        parsed.passages.len()
    );
    let log = audit(
        state,
        m,
        AuditAction::BriefAdd,
        &format!("{name} ({})", parsed.meta.title),
    )
    .await;
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
    let change = match state
        .cluster
        .remove_brief(tenant(guild).as_str(), &name)
        .await
    {
        Ok(Some(change)) => change,
        Ok(None) => {
            return Done::refused(format!(
                "This server has no brief named {}. /brief list shows them.",
                render::escape(&name)
            ))
        }
        Err(e) => {
            tracing::error!("removing brief {name}: {e}");
            return Done::refused(
                "The database could not be reached, so nothing changed. Please try again later.",
            );
        }
    };
    let report = report_change(state, &change, guild).await;
    let log = audit(state, m, AuditAction::BriefRemove, &name).await;
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
    let briefs =
        match tokio::task::spawn_blocking(move || engine.briefs(Some(&tenant(guild)))).await {
            Ok(b) => b,
            Err(e) => return Done::refused(format!("Could not list the briefs: {e}")),
        };
    let line = |meta: &briefbot_engine::BriefMeta, passages: usize| {
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
        match &meta.scope {
            Scope::Global => shipped.push_str(&line(meta, *passages)),
            Scope::Tenant(t) if *t == tenant(guild) => own.push_str(&line(meta, *passages)),
            Scope::Tenant(_) => {}
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

/// A file name the engine accepts for a tenant's brief, or why not.
fn safe_name(name: &str) -> Result<String, String> {
    briefbot_engine::check_file_name(name)
        .map(|()| name.to_string())
        .map_err(|e| match e {
            briefbot_engine::BriefError::UnsupportedType { .. } => {
                "briefs are Markdown (.md) or text (.txt) files.".to_string()
            }
            other => format!("{other}."),
        })
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
