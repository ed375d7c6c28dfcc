//! Moderator commands: re-index, manage this server's briefs, and see what
//! members could not get answered. Each checks the invoker itself (Discord's
//! default member permissions only hide commands), and each action is audited.

use std::path::Path;
use std::time::Duration;

use super::events::Member;
use super::render;
use super::reply::Reply;
use super::state::BotState;
use crate::cluster::{CatchUp, Change, Identity};
use crate::store::AuditEntry;
use briefbot_engine::{IndexReport, TenantId};

mod briefs;
pub(crate) mod progress;

pub use briefs::{add, list, remove};

/// A moderator command's reply and the line for the log channel, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub reply: Reply,
    pub log: Option<String>,
}

impl Done {
    pub(crate) fn refused(text: impl Into<String>) -> Done {
        Done {
            reply: Reply::private(text),
            log: None,
        }
    }
}

/// The guild the moderator acts in, or the refusal to send.
pub(crate) fn require_moderator(state: &BotState, m: &Member, command: &str) -> Result<u64, Done> {
    let Some(guild) = m.guild else {
        return Err(Done::refused(format!(
            "{command} works in a server, not in direct messages."
        )));
    };
    if !state.is_moderator(m) {
        return Err(Done::refused(format!(
            "Only moderators can use {command}: members with Manage Server or a moderator role."
        )));
    }
    Ok(guild)
}

/// The tenant the engine and the database know a guild's briefs by.
pub fn tenant(guild: u64) -> TenantId {
    TenantId::new(guild.to_string()).expect("a number is a valid tenant id")
}

/// What a moderator did, as the audit log and the log channel name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Reindex,
    /// A `/reindex` after which no new index serves: the database was out of
    /// reach, or this process's rebuild failed.
    ReindexFailed,
    BriefAdd,
    BriefRemove,
    /// An answer deleted by a moderator (not by its asker).
    Delete,
    /// A change to the server's settings (`/settings set|reset`).
    Settings,
}

impl AuditAction {
    /// The name stored in the audit log's `action` column.
    pub fn name(self) -> &'static str {
        match self {
            AuditAction::Reindex => "reindex",
            AuditAction::ReindexFailed => "reindex failed",
            AuditAction::BriefAdd => "brief add",
            AuditAction::BriefRemove => "brief remove",
            AuditAction::Delete => "delete",
            AuditAction::Settings => "settings",
        }
    }
}

/// Record a moderator action and return the log-channel line.
pub async fn audit(state: &BotState, m: &Member, action: AuditAction, detail: &str) -> String {
    audit_shown(state, m, action, detail, &render::escape(detail)).await
}

/// [`audit`] of a detail the bot wrote itself from ids alone (channel and
/// role mentions): shown as written, so the mentions link (the log channel's
/// empty allowed mentions keep a role mention from pinging).
pub(crate) async fn audit_own_words(
    state: &BotState,
    m: &Member,
    action: AuditAction,
    detail: &str,
) -> String {
    audit_shown(state, m, action, detail, detail).await
}

async fn audit_shown(
    state: &BotState,
    m: &Member,
    action: AuditAction,
    detail: &str,
    shown: &str,
) -> String {
    let action = action.name();
    let entry = AuditEntry {
        guild: m.guild,
        user: m.user,
        action: action.to_string(),
        detail: detail.to_string(),
        at: state.now(),
    };
    if let Err(e) = state.store.audit(&entry).await {
        // The action itself is done; the log channel line and this log keep
        // the record while the database is away.
        tracing::error!(guild = ?m.guild, user = m.user, action, detail, "writing the audit log: {e}");
    }
    tracing::info!(guild = ?m.guild, user = m.user, action, "moderator action");
    let guild = m
        .guild
        .map(|g| format!(" (server {g})"))
        .unwrap_or_default();
    render::clip(
        &format!("<@{}>{guild} {action}: {shown}", m.user),
        render::limits::CONTENT,
    )
}

/// Who asks for a `/reindex`, which decides what it rebuilds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reindexer {
    /// One of the bot's owners: every brief, in every process.
    Owner,
    /// A member of the server (a moderator, or refused): that server's
    /// own briefs, at most once per `discord.server_reindex_every_secs`.
    Member,
}

/// `/reindex`. An owner's rebuilds the shipped briefs and every server's in
/// every process (an operator event); a moderator's only the server's own.
pub async fn reindex(state: &BotState, m: &Member, who: Reindexer) -> Done {
    match who {
        Reindexer::Owner => reindex_everything(state, m).await,
        Reindexer::Member => reindex_server(state, m).await,
    }
}

async fn reindex_everything(state: &BotState, m: &Member) -> Done {
    let guild = m.guild.unwrap_or(0);
    // Not who: the reason outlives the member's right to be forgotten; the
    // audit log names them.
    let reason = "/reindex by an owner".to_string();
    let (action, text) = match state.cluster.reindex(&reason).await {
        Ok(change) => {
            let action = if change.rebuilt.is_ok() {
                AuditAction::Reindex
            } else {
                AuditAction::ReindexFailed
            };
            (action, report_change(state, &change, guild).await)
        }
        Err(e) => (
            AuditAction::ReindexFailed,
            format!(
                "Re-indexing failed: the database could not be reached, so no process rebuilt; \
                 the current index keeps serving. {e}"
            ),
        ),
    };
    let text = format!("Every brief, shipped and servers', in every process. {text}");
    // An operator event: audited without a server, so no server's log holds it.
    let operator = Member {
        guild: None,
        ..m.clone()
    };
    let log = audit(state, &operator, action, &text).await;
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: Some(log),
    }
}

async fn reindex_server(state: &BotState, m: &Member) -> Done {
    let guild = match require_moderator(state, m, "/reindex") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let every = Duration::from_secs(state.settings.discord.server_reindex_every_secs);
    if let Err(r) = state
        .reindexes
        .check(Some(guild), 0, every, std::time::Instant::now())
    {
        return Done::refused(format!(
            "This server's briefs were re-indexed less than {} s ago: /reindex again in {} s.",
            every.as_secs(),
            r.wait.as_secs_f64().ceil().max(1.0)
        ));
    }
    let (action, text) = match state.cluster.reindex_tenant(&tenant(guild)).await {
        Ok(report) => (
            AuditAction::Reindex,
            format!("This server's briefs: {}", describe(state, &report, guild)),
        ),
        Err(e) => (
            AuditAction::ReindexFailed,
            format!(
                "Re-indexing this server's briefs failed; the current index keeps serving. {e}"
            ),
        ),
    };
    let log = audit(state, m, action, &text).await;
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: Some(log),
    }
}

/// This process's rebuild after a change, and then how far the others got.
pub(crate) async fn report_change(state: &BotState, change: &Change, guild: u64) -> String {
    let mut text = match &change.rebuilt {
        Ok(report) => describe(state, report, guild),
        Err(e) => format!("Re-indexing failed; the previous index keeps serving. {e}"),
    };
    match state.cluster.wait_caught_up(change.generation).await {
        Ok(c) => {
            if let Some(line) = describe_catch_up(&c) {
                text.push('\n');
                text.push_str(&line);
            }
        }
        Err(e) => text.push_str(&format!(
            "\nCould not check the other processes sharing the database: {e}"
        )),
    }
    text
}

/// Whether every process sharing the database serves the change; nothing to
/// say when this process is the only one.
pub fn describe_catch_up(c: &CatchUp) -> Option<String> {
    if c.lagging.is_empty() && c.caught_up.len() <= 1 {
        return None;
    }
    if c.lagging.is_empty() {
        let after = c
            .slowest_ms
            .map(|ms| format!(", the last {ms} ms after the change"))
            .unwrap_or_default();
        return Some(format!(
            "All {} processes serve content generation {}{after}.",
            c.caught_up.len(),
            c.generation
        ));
    }
    let names: Vec<String> = c.lagging.iter().map(Identity::describe).collect();
    Some(format!(
        "Content generation {}: {} of {} processes serve it; not yet: {}.",
        c.generation,
        c.caught_up.len(),
        c.caught_up.len() + c.lagging.len(),
        names.join(", ")
    ))
}

/// What a rebuild did, as a moderator of `guild` may see it: files of other
/// servers are counted, never named.
pub fn describe(state: &BotState, r: &IndexReport, guild: u64) -> String {
    let own = state.guild_dir(guild);
    let others = state.guild_dir(0);
    let others = others.parent().unwrap_or(Path::new(""));
    let mut hidden = 0;
    let mut names = |files: &mut dyn Iterator<Item = &Path>| -> String {
        let mut shown = Vec::new();
        for f in files {
            if f.starts_with(&own) || !f.starts_with(others) {
                shown.push(display_name(state, f));
            } else {
                hidden += 1;
            }
        }
        if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        }
    };
    let added = names(&mut r.added.iter().map(|p| p.as_path()));
    let removed = names(&mut r.removed.iter().map(|p| p.as_path()));
    let changed = names(&mut r.changed.iter().map(|p| p.as_path()));
    let mut problems = Vec::new();
    for p in &r.problems {
        if p.file.starts_with(&own) || !p.file.starts_with(others) {
            problems.push(format!("{}: {}", display_name(state, &p.file), p.problem));
        } else {
            hidden += 1;
        }
    }
    let mut text = format!(
        "Re-indexed in {} ms: briefs {} → {}, passages {} → {}.\nAdded: {added}. Removed: {removed}. Changed: {changed}.",
        r.millis, r.briefs_before, r.briefs, r.passages_before, r.passages
    );
    if problems.is_empty() {
        text.push_str("\nProblems: none.");
    } else {
        text.push_str("\nProblems:\n");
        text.push_str(&problems.join("\n"));
    }
    if hidden > 0 {
        let noun = if hidden == 1 { "change" } else { "changes" };
        text.push_str(&format!(
            "\n({hidden} {noun} in other servers' briefs not shown.)"
        ));
    }
    text
}

/// A brief's name as moderators know it: relative to its directory.
fn display_name(state: &BotState, file: &Path) -> String {
    let guilds_root = state.guild_dir(0);
    let guilds_root = guilds_root.parent().unwrap_or(Path::new(""));
    let roots = [state.settings.paths.briefs.as_path(), guilds_root];
    for root in roots {
        if let Ok(rel) = file.strip_prefix(root) {
            let mut parts = rel.components();
            if root != roots[0] {
                parts.next(); // the guild id directory
            }
            return parts.as_path().display().to_string();
        }
    }
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string())
}

/// `/unanswered`: the most recent questions the bot declined in this server.
pub async fn unanswered(state: &BotState, m: &Member) -> Done {
    let guild = match require_moderator(state, m, "/unanswered") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let text = match state.store.declined(guild, 15).await {
        Ok(list) if list.is_empty() => "No declined questions in this server yet.".to_string(),
        Ok(list) => {
            let mut t = String::from("Recent questions the briefs could not answer:");
            for (i, q) in list.iter().enumerate() {
                // A question the briefs are about but do not answer is a
                // gap in a brief, not a question about something else.
                let kind = if q.not_stated {
                    " (on topic, not stated)"
                } else {
                    ""
                };
                t.push_str(&format!(
                    "\n{}. “{}”{kind} <t:{}:R>",
                    i + 1,
                    render::escape(&render::clip(&q.text, 200)),
                    q.asked_at
                ));
            }
            t
        }
        Err(e) => format!("Could not read the declined questions: {e}"),
    };
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: None,
    }
}

/// `/feedback`: answers members voted down in this server.
pub async fn feedback(state: &BotState, m: &Member) -> Done {
    let guild = match require_moderator(state, m, "/feedback") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let text = match state.store.downvoted(guild, 15).await {
        Ok(list) if list.is_empty() => "No answers voted down in this server yet.".to_string(),
        Ok(list) => {
            let mut t = String::from("Answers members voted down:");
            for (i, v) in list.iter().enumerate() {
                t.push_str(&format!(
                    "\n{}. “{}” → {} (👎 {}, 👍 {})",
                    i + 1,
                    render::escape(&render::clip(&v.question, 200)),
                    render::escape(&v.passage_id),
                    v.down,
                    v.up
                ));
            }
            t
        }
        Err(e) => format!("Could not read the feedback: {e}"),
    };
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: None,
    }
}
