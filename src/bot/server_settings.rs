//! `/settings`: a server's moderators see and change how the bot behaves in
//! their server. Each change is stored (every process sharing the database
//! applies it within `database.sync_secs`), audited, and posted to the
//! server's own log channel.

use super::events::Member;
use super::moderation::{audit_own_words, require_moderator, AuditAction, Done};
use super::render;
use super::reply::Reply;
use super::state::BotState;
use crate::config::{GuildOverrides, MAX_COOLDOWN_SECS};
use crate::store::SettingsChange;

/// What one `/settings set` asks for; every field is optional in Discord's form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsRequest {
    pub watch: Option<u64>,
    pub unwatch: Option<u64>,
    pub add_moderator_role: Option<u64>,
    pub remove_moderator_role: Option<u64>,
    pub log_channel: Option<u64>,
    /// Post moderator actions nowhere.
    pub log_off: bool,
    pub prefix: Option<bool>,
    pub embeds: Option<bool>,
    pub cooldown_secs: Option<f64>,
    pub private_answers: Option<bool>,
}

/// The most watched channels, or moderator roles, a server may list: every
/// message and command reads them, and `/settings show` must fit a reply.
const MAX_LISTED: usize = 50;

/// What a moderator must enable for the prefix and watched channels to work.
pub(crate) const NO_MESSAGE_CONTENT: &str = "This bot runs without the Message Content intent, \
so the prefix command and watched channels are ignored here (mentions, replies, DMs and /ask \
work). The bot's operator must enable **Message Content Intent** for the application (Discord \
developer portal → Bot → Privileged Gateway Intents) and set \
`discord.message_content_intent = true`.";

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

fn channels(ids: &[u64]) -> String {
    if ids.is_empty() {
        return "none".into();
    }
    ids.iter()
        .map(|c| format!("<#{c}>"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The server's settings in force, one per line; ✎ marks those its
/// moderators chose (the others follow the operator's defaults).
pub fn describe(state: &BotState, guild: u64) -> String {
    let own = state.server_overrides(guild);
    let s = state.server(Some(guild));
    let mark = |chosen: bool| if chosen { " ✎" } else { "" };
    let roles = if s.moderator_roles.is_empty() {
        "none (members with Manage Server only)".to_string()
    } else {
        let r: Vec<String> = s
            .moderator_roles
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect();
        format!("{} (and members with Manage Server)", r.join(", "))
    };
    let prefix = match &s.prefix {
        Some(p) => format!("`{p}` on"),
        None => "off".into(),
    };
    let mut lines = vec![
        format!(
            "• Watched channels: {}{}",
            channels(&s.watched_channels),
            mark(own.watched_channels.is_some())
        ),
        format!(
            "• Moderator roles: {roles}{}",
            mark(own.moderator_roles.is_some())
        ),
        format!(
            "• Log channel: {}{}",
            s.log_channel.map_or("none".into(), |c| format!("<#{c}>")),
            mark(own.log_channel.is_some())
        ),
        format!("• Prefix command: {prefix}{}", mark(own.prefix.is_some())),
        format!(
            "• Embeds: {}{}",
            on_off(s.embeds),
            mark(own.embeds.is_some())
        ),
        format!(
            "• Member cooldown: {} s{}",
            s.user_cooldown_secs,
            mark(own.user_cooldown_secs.is_some())
        ),
        format!(
            "• /ask answers: {}{}",
            if s.ask_private {
                "private (only the asker sees them)"
            } else {
                "public"
            },
            mark(own.ask_private.is_some())
        ),
        format!(
            "• /reindex: at most once every {} s (set by the bot's operator)",
            state.settings.discord.server_reindex_every_secs
        ),
    ];
    if !state.settings.discord.message_content_intent {
        lines.push(String::new());
        lines.push(NO_MESSAGE_CONTENT.to_string());
    }
    lines.join("\n")
}

/// `/settings show`.
pub async fn show(state: &BotState, m: &Member) -> Done {
    let guild = match require_moderator(state, m, "/settings") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let text = format!(
        "Settings for this server (✎: chosen here; the others are the bot's defaults):\n{}",
        describe(state, guild)
    );
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: None,
    }
}

/// Apply `req` to `own`; returns what changed, in words, or why it cannot.
fn apply(
    state: &BotState,
    guild: u64,
    own: &mut GuildOverrides,
    req: &SettingsRequest,
) -> Result<Vec<String>, String> {
    let now = state.server(Some(guild));
    let mut said = Vec::new();
    if let Some(c) = req.cooldown_secs {
        if !(0.0..=MAX_COOLDOWN_SECS).contains(&c) {
            return Err(format!(
                "The cooldown must be between 0 and {MAX_COOLDOWN_SECS} seconds, not {c}."
            ));
        }
    }
    if req.log_off && req.log_channel.is_some() {
        return Err("Choose a log channel or `log_off`, not both.".into());
    }
    let mut watched = now.watched_channels.clone();
    if let Some(c) = req.watch {
        if !watched.contains(&c) {
            watched.push(c);
        }
        said.push(format!("watching <#{c}>"));
    }
    if let Some(c) = req.unwatch {
        watched.retain(|w| *w != c);
        said.push(format!("not watching <#{c}>"));
    }
    if watched.len() > MAX_LISTED {
        return Err(format!(
            "A server can watch at most {MAX_LISTED} channels: unwatch one first."
        ));
    }
    if req.watch.is_some() || req.unwatch.is_some() {
        own.watched_channels = Some(watched);
    }
    let mut roles = now.moderator_roles.clone();
    if let Some(r) = req.add_moderator_role {
        if !roles.contains(&r) {
            roles.push(r);
        }
        said.push(format!("<@&{r}> are moderators"));
    }
    if let Some(r) = req.remove_moderator_role {
        roles.retain(|x| *x != r);
        said.push(format!("<@&{r}> are no longer moderators"));
    }
    if roles.len() > MAX_LISTED {
        return Err(format!(
            "A server can have at most {MAX_LISTED} moderator roles: remove one first."
        ));
    }
    if req.add_moderator_role.is_some() || req.remove_moderator_role.is_some() {
        own.moderator_roles = Some(roles);
    }
    if let Some(c) = req.log_channel {
        own.log_channel = Some(Some(c));
        said.push(format!("log channel <#{c}>"));
    }
    if req.log_off {
        own.log_channel = Some(None);
        said.push("no log channel".into());
    }
    if let Some(on) = req.prefix {
        own.prefix = Some(on);
        said.push(format!("prefix command {}", on_off(on)));
    }
    if let Some(on) = req.embeds {
        own.embeds = Some(on);
        said.push(format!("embeds {}", on_off(on)));
    }
    if let Some(c) = req.cooldown_secs {
        own.user_cooldown_secs = Some(c);
        said.push(format!("member cooldown {c} s"));
    }
    if let Some(on) = req.private_answers {
        own.ask_private = Some(on);
        said.push(format!("private /ask answers {}", on_off(on)));
    }
    Ok(said)
}

/// `/settings set`: change what the request names, keep the rest.
pub async fn set(state: &BotState, m: &Member, req: &SettingsRequest) -> Done {
    let guild = match require_moderator(state, m, "/settings") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let mut own = state.server_overrides(guild);
    let said = match apply(state, guild, &mut own, req) {
        Ok(said) if said.is_empty() => {
            return Done::refused("Nothing to change: pick at least one option of /settings set.")
        }
        Ok(said) => said,
        Err(why) => return Done::refused(why),
    };
    store(state, m, guild, own, &said.join("; ")).await
}

/// `/settings reset`: every setting back to the bot's defaults.
pub async fn reset(state: &BotState, m: &Member) -> Done {
    let guild = match require_moderator(state, m, "/settings") {
        Ok(g) => g,
        Err(refusal) => return refusal,
    };
    let what = "every setting back to the bot's defaults";
    store(state, m, guild, GuildOverrides::default(), what).await
}

async fn store(state: &BotState, m: &Member, guild: u64, own: GuildOverrides, what: &str) -> Done {
    let change = SettingsChange {
        guild,
        by: m.user,
        at: state.now(),
    };
    if let Err(e) = state.cluster.servers().put(&state.store, change, own).await {
        tracing::error!(guild, "storing a server's settings: {e}");
        return Done::refused(format!(
            "The settings could not be saved (the database is unreachable); nothing changed. {e}"
        ));
    }
    let log = audit_own_words(state, m, AuditAction::Settings, what).await;
    let text = format!("Settings changed: {what}.\n{}", describe(state, guild));
    Done {
        reply: Reply::private(render::clip(&text, render::limits::CONTENT)),
        log: Some(log),
    }
}
