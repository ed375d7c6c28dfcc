//! `/help`: what the bot can do for the member asking, in this server. Every
//! member sees how to ask, this server's briefs and what they can do with an
//! answer; a moderator also sees the moderator commands and the settings.

use super::events::Member;
use super::moderation::tenant;
use super::render;
use super::reply::Reply;
use super::server_settings;
use super::state::BotState;

/// The moderator commands, as `/help` lists them.
pub const MODERATOR_COMMANDS: &str = "**Moderator commands** (only you see the replies):
• `/settings show`: this server's settings. `/settings set`: change them \
(watched channels, moderator roles, log channel, prefix, embeds, cooldown, private answers); \
`/settings reset`: back to the defaults.
• `/brief add file:` a brief only this server is answered from; `/brief remove name:`; `/brief list`.
• `/reindex`: rebuild this server's briefs.
• `/unanswered`: questions the briefs could not answer here. `/feedback`: answers voted down.";

/// The `/help` reply for `m`, private.
pub fn help(state: &BotState, m: &Member) -> Reply {
    let s = state.server(m.guild);
    let d = &state.settings.discord;
    let content = d.message_content_intent;
    let mut ways = vec![
        "• `/ask question: how many soldiers?`".to_string(),
        "• mention me: `@briefbot how many soldiers?`, or reply to one of my answers".to_string(),
    ];
    if let (Some(p), true) = (&s.prefix, content && m.guild.is_some()) {
        ways.push(format!("• `{p} how many soldiers?`"));
    }
    let here: Vec<u64> = s.watched_channels.clone();
    if content && m.guild.is_some() && !here.is_empty() {
        let list: Vec<String> = here.iter().map(|c| format!("<#{c}>")).collect();
        ways.push(format!(
            "• any question in {} (I only speak up when the briefs answer)",
            list.join(", ")
        ));
    }
    if d.dms {
        ways.push("• a direct message to me".into());
    }
    let mut text = format!(
        "**How to ask**\n{}\n\n**Briefs I answer from here**\n{}\n\n**With an answer**\n\
         • **Next match**: the next passage that may answer (only you, for a while)\n\
         • 👍/👎: tell the moderators whether it helped\n\
         • **Delete**: remove my answer to your question{}",
        ways.join("\n"),
        briefs(state, m.guild),
        cooldown_line(s.user_cooldown_secs),
    );
    if s.ask_private && m.guild.is_some() {
        text.push_str("\n• `/ask` answers here are private: only you see them");
    }
    if let Some(guild) = m.guild.filter(|_| state.is_moderator(m)) {
        text.push_str("\n\n");
        text.push_str(MODERATOR_COMMANDS);
        text.push_str("\n\n**Settings**\n");
        text.push_str(&server_settings::describe(state, guild));
    }
    Reply::private(render::clip(&text, render::limits::CONTENT))
}

fn cooldown_line(secs: f64) -> String {
    if secs > 0.0 {
        format!("\n• one question every {secs} s")
    } else {
        String::new()
    }
}

/// The titles of the briefs `guild`'s questions see: the shipped ones and
/// its own.
fn briefs(state: &BotState, guild: Option<u64>) -> String {
    let tenant = guild.map(tenant);
    let mut lines: Vec<String> = state
        .engine
        .briefs(tenant.as_ref())
        .iter()
        .map(|(b, _)| {
            let own = tenant.is_some() && b.scope != briefbot_engine::Scope::Global;
            let whose = if own { " (this server's)" } else { "" };
            format!("• {}{whose}", render::escape(&b.title))
        })
        .collect();
    lines.sort();
    const SHOWN: usize = 15;
    let more = lines.len().saturating_sub(SHOWN);
    lines.truncate(SHOWN);
    if more > 0 {
        lines.push(format!("…and {more} more (`/brief list` for moderators)"));
    }
    if lines.is_empty() {
        "none yet".into()
    } else {
        lines.join("\n")
    }
}
