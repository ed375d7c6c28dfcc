//! Slash commands. Each is a thin adapter: describe the invocation, call the
//! handler, send what it returns. The `///` comments and `#[description]`s
//! are what members see in Discord.

use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;

use super::deferral::answer_or_defer;
use super::events::{Attachment, Member, SlashAsk};
use super::moderation::{self, Done};
use super::{ask, Context, Error};

/// The invoking member of a moderator command. A moderator's reply is
/// deferred privately at once, since a rebuild or a download can outlast
/// Discord's 3 seconds; anyone else is refused straight away by the handler.
async fn moderator_member(ctx: Context<'_>) -> Result<Member, Error> {
    let m = member(ctx);
    if ctx.data().is_moderator(&m) {
        ctx.defer_ephemeral().await?;
    }
    Ok(m)
}

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<super::Data, Error>> {
    vec![ask(), reindex(), brief(), unanswered(), feedback()]
}

/// Ask a question; the answer comes from the briefs with its source.
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, e.g. how many soldiers?"]
    #[max_length = 500]
    question: String,
) -> Result<(), Error> {
    let state = ctx.data().clone();
    // Held until the reply is sent, so shutdown waits for it.
    let _in_flight = state.gate.enter();
    let request = SlashAsk {
        member: member(ctx),
        question,
        embeds: embeds_allowed(ctx, &state),
        received: Instant::now(),
    };
    let wait = Duration::from_millis(state.settings.discord.defer_after_ms);
    let (reply, deferred) = answer_or_defer(ask::slash(&state, &request), wait, ctx.defer()).await;
    deferred?;
    ctx.send(reply.to_poise()).await?;
    Ok(())
}

/// Rebuild the index from the brief files, without a restart (moderators).
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn reindex(ctx: Context<'_>) -> Result<(), Error> {
    let state = ctx.data().clone();
    let _in_flight = state.gate.enter();
    let m = moderator_member(ctx).await?;
    let done = moderation::reindex(&state, &m).await;
    finish(ctx, done).await
}

/// Manage this server's own briefs (moderators).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("brief_add", "brief_remove", "brief_list"),
    subcommand_required
)]
pub async fn brief(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a brief (Markdown or text) that only this server's members are answered from.
#[poise::command(slash_command, guild_only, rename = "add")]
pub async fn brief_add(
    ctx: Context<'_>,
    #[description = "A .md or .txt file, optionally with front-matter (title, publisher, date)"]
    file: serenity::Attachment,
) -> Result<(), Error> {
    let state = ctx.data().clone();
    let _in_flight = state.gate.enter();
    let m = moderator_member(ctx).await?;
    let file = Attachment {
        filename: file.filename.clone(),
        url: file.url.clone(),
        size: u64::from(file.size),
    };
    let done = moderation::add(&state, &m, &file).await;
    finish(ctx, done).await
}

/// Remove one of this server's briefs.
#[poise::command(slash_command, guild_only, rename = "remove")]
pub async fn brief_remove(
    ctx: Context<'_>,
    #[description = "The brief's file name, as /brief list shows it"] name: String,
) -> Result<(), Error> {
    let state = ctx.data().clone();
    let _in_flight = state.gate.enter();
    let m = moderator_member(ctx).await?;
    let done = moderation::remove(&state, &m, &name).await;
    finish(ctx, done).await
}

/// List the briefs this server's questions are answered from.
#[poise::command(slash_command, guild_only, rename = "list")]
pub async fn brief_list(ctx: Context<'_>) -> Result<(), Error> {
    let state = ctx.data().clone();
    let done = moderation::list(&state, &member(ctx)).await;
    finish(ctx, done).await
}

/// The latest questions the briefs could not answer here (moderators).
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn unanswered(ctx: Context<'_>) -> Result<(), Error> {
    let state = ctx.data().clone();
    let done = moderation::unanswered(&state, &member(ctx)).await;
    finish(ctx, done).await
}

/// Answers members voted down here (moderators).
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn feedback(ctx: Context<'_>) -> Result<(), Error> {
    let state = ctx.data().clone();
    let done = moderation::feedback(&state, &member(ctx)).await;
    finish(ctx, done).await
}

/// Send a moderator command's reply and post its log line.
async fn finish(ctx: Context<'_>, done: Done) -> Result<(), Error> {
    ctx.send(done.reply.to_poise()).await?;
    if let Some(line) = done.log {
        super::discord::post_log(ctx.serenity_context(), ctx.data(), &line).await;
    }
    Ok(())
}

/// The invoker as the handlers see it. Slash commands carry the member's
/// permissions in the payload, so no cache is needed.
fn member(ctx: Context<'_>) -> Member {
    let (permissions, roles) = match ctx {
        poise::Context::Application(a) => a
            .interaction
            .member
            .as_ref()
            .map(|m| (m.permissions, m.roles.iter().map(|r| r.get()).collect()))
            .unwrap_or_default(),
        poise::Context::Prefix(p) => p
            .msg
            .member
            .as_ref()
            .map(|m| (m.permissions, m.roles.iter().map(|r| r.get()).collect()))
            .unwrap_or_default(),
    };
    Member {
        user: ctx.author().id.get(),
        guild: ctx.guild_id().map(|g| g.get()),
        channel: ctx.channel_id().get(),
        permissions,
        roles,
    }
}

fn embeds_allowed(ctx: Context<'_>, state: &super::BotState) -> bool {
    let app = match ctx {
        poise::Context::Application(a) => a.interaction.app_permissions,
        poise::Context::Prefix(_) => None,
    };
    state.settings.discord.embeds && app.is_none_or(|p| p.embed_links())
}
