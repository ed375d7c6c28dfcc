//! The moderators' log channel: every moderator action is posted there (it
//! is also kept in the database, so a failed post loses nothing).

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, CreateAllowedMentions, CreateMessage};

use super::state::BotState;

/// Post a moderator action to `discord.log_channel`, if one is configured.
pub(super) async fn post(ctx: &serenity::Context, state: &BotState, line: &str) {
    let Some(channel) = state.settings.discord.log_channel else {
        return;
    };
    let message = CreateMessage::new()
        .content(line)
        .allowed_mentions(CreateAllowedMentions::new());
    if let Err(e) = ChannelId::new(channel).send_message(ctx, message).await {
        tracing::warn!(channel, "posting to the log channel failed: {e}");
    }
}
