//! Where moderator actions are posted (they are also kept in the database,
//! so a failed post loses nothing). A server's actions go to the log channel
//! its moderators chose, and nowhere else: the operator's `discord.log_channel`
//! receives only the operator's events (start-up, the owners' actions), so no
//! server's details ever reach a channel of another server.

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, CreateAllowedMentions, CreateMessage};

use super::state::BotState;

/// Whose log a line belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogTo {
    /// A server's moderators' action: that server's own log channel, if any.
    Server(u64),
    /// Start-up, an owner's action: the operator's channel, if any.
    Operator,
}

impl LogTo {
    /// The channel a line goes to, if the server or the operator chose one.
    pub(crate) fn channel(self, state: &BotState) -> Option<u64> {
        match self {
            LogTo::Server(guild) => state.server(Some(guild)).log_channel,
            LogTo::Operator => state.settings.discord.log_channel,
        }
    }
}

/// Post `line` to `to`'s log channel, if it has one.
pub(crate) async fn post(ctx: &serenity::Context, state: &BotState, to: LogTo, line: &str) {
    post_with(&ctx.http, state, to, line).await
}

pub(crate) async fn post_with(http: &serenity::Http, state: &BotState, to: LogTo, line: &str) {
    let Some(channel) = to.channel(state) else {
        return;
    };
    let message = CreateMessage::new()
        .content(line)
        .allowed_mentions(CreateAllowedMentions::new());
    if let Err(e) = ChannelId::new(channel).send_message(http, message).await {
        tracing::warn!(channel, "posting to the log channel failed: {e}");
    }
}
