//! Discord front end. Thin glue: events in, engine calls, rendered replies out.
//!
//! - [`events`]: what a handler needs to know about an incoming event, as plain data.
//! - [`ask`], [`press`], [`moderation`]: the handlers; they return replies and
//!   never touch the network, so tests drive them directly.
//! - [`render`]: answers into replies (pure); [`reply`]: one reply, any transport.
//! - `commands`, `discord`: the serenity/poise wiring.

pub mod ask;
pub mod buttons;
pub mod commands;
pub mod cooldown;
pub mod deferral;
mod discord;
pub mod events;
mod follower;
pub mod moderation;
pub mod press;
pub mod render;
pub mod reply;
pub mod state;

use std::sync::Arc;

pub use discord::{intents, run};
pub use state::BotState;

/// poise's user data: shared by every command and event.
pub type Data = Arc<BotState>;
pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;
