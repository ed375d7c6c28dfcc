//! `/settings` and `/help`: thin adapters, as the other commands.

use poise::serenity_prelude as serenity;

use super::{admit, finish, moderator_member};
use crate::bot::convert::command_member;
use crate::bot::server_settings::{self, SettingsRequest};
use crate::bot::{help as help_text, Context, Error};

/// See or change how the bot behaves in this server (moderators).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("settings_show", "settings_set", "settings_reset"),
    subcommand_required
)]
pub(crate) async fn settings(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// This server's settings, and which were chosen here.
#[poise::command(slash_command, guild_only, rename = "show")]
pub(crate) async fn settings_show(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let done = server_settings::show(&state, &command_member(ctx)).await;
    finish(ctx, done).await
}

/// Change one or more of this server's settings; the others stay as they are.
#[allow(clippy::too_many_arguments)] // one per option of Discord's form
#[poise::command(slash_command, guild_only, rename = "set")]
pub(crate) async fn settings_set(
    ctx: Context<'_>,
    #[description = "Answer any question asked in this channel"]
    #[channel_types("Text", "News")]
    watch: Option<serenity::PartialChannel>,
    #[description = "Stop answering questions in this channel unless I'm mentioned"]
    #[channel_types("Text", "News")]
    unwatch: Option<serenity::PartialChannel>,
    #[description = "Members of this role may use the moderator commands"]
    add_moderator_role: Option<serenity::Role>,
    #[description = "Members of this role are no longer moderators"] remove_moderator_role: Option<
        serenity::Role,
    >,
    #[description = "Post every moderator action in this channel"]
    #[channel_types("Text", "News")]
    log_channel: Option<serenity::PartialChannel>,
    #[description = "Post moderator actions nowhere (they are still recorded)"] log_off: Option<
        bool,
    >,
    #[description = "Answer the prefix command (e.g. !ask how many soldiers?)"] prefix: Option<
        bool,
    >,
    #[description = "Answer with embeds (off: plain text)"] embeds: Option<bool>,
    #[description = "Seconds a member waits between questions (0: no wait)"]
    #[min = 0]
    #[max = 86400]
    cooldown: Option<f64>,
    #[description = "Only the asker sees /ask answers"] private_answers: Option<bool>,
) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let m = moderator_member(ctx).await?;
    let request = SettingsRequest {
        watch: watch.map(|c| c.id.get()),
        unwatch: unwatch.map(|c| c.id.get()),
        add_moderator_role: add_moderator_role.map(|r| r.id.get()),
        remove_moderator_role: remove_moderator_role.map(|r| r.id.get()),
        log_channel: log_channel.map(|c| c.id.get()),
        log_off: log_off.unwrap_or(false),
        prefix,
        embeds,
        cooldown_secs: cooldown,
        private_answers,
    };
    let done = server_settings::set(&state, &m, &request).await;
    finish(ctx, done).await
}

/// Put every setting of this server back to the bot's defaults.
#[poise::command(slash_command, guild_only, rename = "reset")]
pub(crate) async fn settings_reset(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let m = moderator_member(ctx).await?;
    let done = server_settings::reset(&state, &m).await;
    finish(ctx, done).await
}

/// How to ask, which briefs I answer from here, and what you can do.
#[poise::command(slash_command)]
pub(crate) async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let Some(_pass) = admit(ctx).await? else {
        return Ok(());
    };
    let state = ctx.data().clone();
    let reply = help_text::help(&state, &command_member(ctx));
    ctx.send(reply.to_poise()).await?;
    Ok(())
}
