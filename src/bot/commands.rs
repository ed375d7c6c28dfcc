//! Slash commands. Each is a thin adapter: enter the in-flight set once,
//! describe the invocation, call the handler, send what it returns. The `///`
//! comments and `#[description]`s are what members see in Discord.

use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;

use super::ask;
use super::convert::{command_member, names};
use super::deferral::answer_or_defer;
use super::events::{Attachment, Member, SlashAsk};
use super::in_flight::Pass;
use super::log_channel::{self, LogTo};
use super::moderation::{self, progress, Done, Reindexer};
use super::send::{Rest, Retry};
use super::{Context, Error};
use briefbot_engine::{Vectors, MAX_QUESTION_CHARS};

mod settings;

/// Enter the in-flight set for this command. Once shutdown has begun the
/// command is refused, privately, like a question; None then.
async fn admit(ctx: Context<'_>) -> Result<Option<Pass>, Error> {
    let pass = ctx.data().in_flight.enter();
    if !pass.closing() {
        return Ok(Some(pass));
    }
    ctx.send(ask::restarting_privately().to_poise()).await?;
    Ok(None)
}

/// The invoking member of a moderator command. A moderator's reply is
/// deferred privately at once, since a rebuild or a download can outlast
/// Discord's 3 seconds; anyone else is refused straight away by the handler.
async fn moderator_member(ctx: Context<'_>) -> Result<Member, Error> {
    let m = command_member(ctx);
    if ctx.data().is_moderator(&m) {
        ctx.defer_ephemeral().await?;
    }
    Ok(m)
}

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<super::Data, Error>> {
    let mut ask = ask();
    // The engine owns the question cap; Discord enforces it in the form.
    // (poise's `#[max_length]` only takes a literal.)
    for p in ask.parameters.iter_mut().filter(|p| p.name == "question") {
        p.type_setter = Some(|o| {
            o.kind(serenity::CommandOptionType::String)
                .max_length(MAX_QUESTION_CHARS as u16)
        });
    }
    vec![
        ask,
        settings::help(),
        forget_me(),
        reindex(),
        brief(),
        settings::settings(),
        unanswered(),
        feedback(),
    ]
}

/// Ask a question; the answer comes from the briefs with its source.
#[poise::command(slash_command)]
pub(crate) async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, e.g. how many soldiers?"] question: String,
) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        anyhow::bail!("/ask is a slash command");
    };
    let state = ctx.data().clone();
    // Held until the reply is sent, so shutdown waits for it.
    let pass = state.in_flight.enter();
    let request = SlashAsk {
        member: command_member(ctx),
        names: names(ctx.serenity_context(), ctx.guild_id(), &question, &[]),
        question,
        embeds: embeds_allowed(ctx, &state),
        received: Instant::now(),
    };
    let work = async {
        if pass.closing() {
            ask::restarting_privately()
        } else {
            ask::slash(&state, &request).await
        }
    };
    // A server may keep /ask answers between the asker and the bot.
    let private = state.server(request.member.guild).ask_private;
    let work = async {
        let mut reply = work.await;
        reply.ephemeral |= private;
        reply
    };
    let defer = async {
        if private {
            ctx.defer_ephemeral().await
        } else {
            ctx.defer().await
        }
    };
    let wait = Duration::from_millis(state.settings.discord.defer_after_ms);
    let (reply, deferred) = answer_or_defer(work, wait, defer).await;
    // A failed deferral may still have landed; sending the reply tells.
    let deferred = deferred.unwrap_or_else(|e| {
        tracing::warn!("deferring /ask failed: {e}");
        false
    });
    let rest = Rest {
        http: &ctx.serenity_context().http,
        client: &state.discord_client,
        retry: Retry::default(),
        metrics: &state.metrics,
    };
    let i = app.interaction;
    rest.interaction(i.id, i.application_id, &i.token, &reply, deferred)
        .await?;
    Ok(())
}

/// Delete the questions and votes briefbot keeps about you, everywhere.
#[poise::command(slash_command, rename = "forget-me")]
pub(crate) async fn forget_me(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let reply = super::forget::forget_me(ctx.data(), &command_member(ctx)).await;
    ctx.send(reply.to_poise()).await?;
    Ok(())
}

/// Rebuild this server's briefs without a restart (moderators).
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub(crate) async fn reindex(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let who = if is_owner(ctx) {
        ctx.defer_ephemeral().await?;
        Reindexer::Owner
    } else {
        Reindexer::Member
    };
    let m = moderator_member(ctx).await?;
    let done = moderation::reindex(&state, &m, who).await;
    match who {
        Reindexer::Owner => finish_to(ctx, done, LogTo::Operator).await,
        Reindexer::Member => finish(ctx, done).await,
    }
}

/// One of the bot's owners: the application's owner or its team
/// (poise reads them from Discord when it starts).
pub(crate) fn is_owner(ctx: Context<'_>) -> bool {
    ctx.framework().options().owners.contains(&ctx.author().id)
}

/// Manage this server's own briefs (moderators).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("brief_add", "brief_remove", "brief_list"),
    subcommand_required
)]
pub(crate) async fn brief(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a brief (Markdown or text) that only this server's members are answered from.
#[poise::command(slash_command, guild_only, rename = "add")]
pub(crate) async fn brief_add(
    ctx: Context<'_>,
    #[description = "A .md or .txt file, optionally with front-matter (title, publisher, date)"]
    file: serenity::Attachment,
) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let m = moderator_member(ctx).await?;
    let file = Attachment {
        filename: file.filename.clone(),
        url: file.url.clone(),
        size: u64::from(file.size),
    };
    let done = moderation::add(&state, &m, &file).await;
    let filling = matches!(state.engine.vectors(), Vectors::Filling { .. });
    if !filling {
        return finish(ctx, done).await;
    }
    // The brief answers by its words already; the reply follows the model
    // through its passages, then says it is done.
    let line = |v| progress::line(v).unwrap_or_default();
    let first = progress::with_line(&done.reply, &line(state.engine.vectors()));
    let handle = ctx.send(first.to_poise()).await?;
    if let (Some(log), Some(g)) = (done.log, ctx.guild_id()) {
        let to = LogTo::Server(g.get());
        log_channel::post(ctx.serenity_context(), ctx.data(), to, &log).await;
    }
    loop {
        tokio::time::sleep(progress::EVERY).await;
        let now = state.engine.vectors();
        let reply = progress::with_line(&done.reply, &line(now));
        if let Err(e) = handle.edit(ctx, reply.to_poise()).await {
            tracing::warn!("updating the /brief add reply: {e}");
            break;
        }
        if !matches!(now, Vectors::Filling { .. }) {
            break;
        }
    }
    Ok(())
}

/// Remove one of this server's briefs.
#[poise::command(slash_command, guild_only, rename = "remove")]
pub(crate) async fn brief_remove(
    ctx: Context<'_>,
    #[description = "The brief's file name, as /brief list shows it"] name: String,
) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let m = moderator_member(ctx).await?;
    let done = moderation::remove(&state, &m, &name).await;
    finish(ctx, done).await
}

/// List the briefs this server's questions are answered from.
#[poise::command(slash_command, guild_only, rename = "list")]
pub(crate) async fn brief_list(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let done = moderation::list(&state, &command_member(ctx)).await;
    finish(ctx, done).await
}

/// The latest questions the briefs could not answer here (moderators).
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub(crate) async fn unanswered(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let done = moderation::unanswered(&state, &command_member(ctx)).await;
    finish(ctx, done).await
}

/// Answers members voted down here (moderators).
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub(crate) async fn feedback(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let done = moderation::feedback(&state, &command_member(ctx)).await;
    finish(ctx, done).await
}

/// Send a moderator command's reply and post its log line in the server's
/// own log channel.
pub(crate) async fn finish(ctx: Context<'_>, done: Done) -> Result<(), Error> {
    match ctx.guild_id() {
        Some(g) => finish_to(ctx, done, LogTo::Server(g.get())).await,
        None => Ok(ctx.send(done.reply.to_poise()).await.map(|_| ())?),
    }
}

async fn finish_to(ctx: Context<'_>, done: Done, to: LogTo) -> Result<(), Error> {
    ctx.send(done.reply.to_poise()).await?;
    if let Some(line) = done.log {
        log_channel::post(ctx.serenity_context(), ctx.data(), to, &line).await;
    }
    Ok(())
}

fn embeds_allowed(ctx: Context<'_>, state: &super::BotState) -> bool {
    let app = match ctx {
        poise::Context::Application(a) => a.interaction.app_permissions,
        poise::Context::Prefix(_) => None,
    };
    let guild = ctx.guild_id().map(|g| g.get());
    state.server(guild).embeds && app.is_none_or(|p| p.embed_links())
}
