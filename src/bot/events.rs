//! What the handlers need to know about an incoming Discord event, as plain
//! data. The glue layer fills these from serenity's models; tests build them
//! directly, so every handler runs without a network.

use std::time::Instant;

use poise::serenity_prelude::Permissions;

use super::markup::Names;

/// Who acts, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: u64,
    /// None in direct messages.
    pub guild: Option<u64>,
    pub channel: u64,
    /// The member's permissions in the channel, when Discord sent them.
    pub permissions: Option<Permissions>,
    pub roles: Vec<u64>,
}

/// A message in a channel the bot can read.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    pub id: u64,
    pub author: Member,
    pub author_is_bot: bool,
    /// Empty when the bot lacks the Message Content intent and is not mentioned.
    pub content: String,
    /// Names of the members, roles and channels the content mentions.
    pub names: Names,
    pub mentions_bot: bool,
    /// It replies to one of the bot's messages.
    pub replies_to_bot: bool,
    /// The channel is a thread.
    pub in_thread: bool,
    /// The bot may send embeds in the channel.
    pub embeds: bool,
    pub received: Instant,
}

/// A slash command's question.
#[derive(Debug, Clone)]
pub struct SlashAsk {
    pub member: Member,
    pub question: String,
    /// Names of what the question mentions, as far as the cache knows them.
    pub names: Names,
    pub embeds: bool,
    pub received: Instant,
}

/// A press on one of the bot's buttons.
#[derive(Debug, Clone)]
pub struct ButtonPress {
    pub custom_id: String,
    pub member: Member,
    pub embeds: bool,
    pub received: Instant,
}

/// A file given to `/brief add`.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    pub url: String,
    /// Size Discord reports, in bytes.
    pub size: u64,
}
