//! The Discord front end: events in, engine calls off the async threads,
//! rendered replies out.
//!
//! - [`events`]: what a handler needs to know about an incoming event, as
//!   plain data; `convert` fills it from serenity's models, and `markup`
//!   turns the mentions in a question into the names they stand for.
//! - [`ask`], [`press`], [`moderation`]: the handlers; they return replies and
//!   never touch the network, so tests drive them directly.
//! - [`render`]: answers into replies (pure); [`reply`]: one reply, any transport.
//! - `cooldown`, `channel_budget`: how often a member may ask, and how
//!   often the bot may post in a channel.
//! - `send`: replies that survive Discord's transient faults, never twice.
//! - `in_flight`: what shutdown waits for.
//! - [`readiness`]: whether the gateway is connected and the slash commands
//!   registered, for the log and health checks; `registration` registers
//!   them, retrying, without holding events up; `gateway_watch` follows
//!   the shards' connections.
//! - `setup` builds the client, `discord` runs it until shutdown, `dispatch`
//!   routes events and `commands` the slash commands, `log_channel` posts
//!   moderator actions.
//! - `departures`: the bot removed from a server or back in one, and the
//!   housekeeping that deletes what is no longer to be kept; [`forget`]:
//!   a member's `/forget-me`.

pub mod ask;
pub(crate) mod buttons;
pub(crate) mod channel_budget;
pub mod commands;
pub(crate) mod convert;
pub(crate) mod cooldown;
pub(crate) mod deferral;
mod departures;
mod discord;
mod dispatch;
pub mod events;
mod follower;
pub mod forget;
mod gateway_watch;
pub mod help;
pub(crate) mod in_flight;
mod log_channel;
pub(crate) mod markup;
pub mod moderation;
pub mod press;
pub mod readiness;
pub(crate) mod registration;
pub mod render;
pub mod reply;
pub(crate) mod send;
pub mod server_settings;
mod setup;
pub(crate) mod state;

use std::sync::Arc;

pub use discord::{run, run_with};
pub use readiness::Readiness;
pub use setup::{intents, message_content_warning};
pub use state::BotState;

/// poise's user data: shared by every command and event.
pub type Data = Arc<BotState>;
pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;
