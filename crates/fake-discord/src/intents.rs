//! What the gateway's intents change, as on Discord: an application without
//! the Message Content intent turned on in the Developer Portal is refused
//! when it asks for it (close code 4014), and a session without it receives
//! server messages with their content blanked, unless the message mentions
//! the bot or replies to one of its messages (a reply mentions its author by
//! default). Direct messages always carry their content.

use serde_json::{json, Value};

use super::payloads::APP_ID;

/// The Message Content intent's bit.
pub const MESSAGE_CONTENT: u64 = 1 << 15;

/// Discord's close code for intents the application may not use.
pub(crate) const DISALLOWED_INTENTS: u16 = 4014;

/// `d` of a dispatch `t` as a session with `intents` receives it.
pub(crate) fn as_seen_with(intents: u64, t: &str, mut d: Value) -> Value {
    if t != "MESSAGE_CREATE" || intents & MESSAGE_CONTENT != 0 || d["guild_id"].is_null() {
        return d;
    }
    let bot = APP_ID.to_string();
    let mentioned = d["mentions"]
        .as_array()
        .is_some_and(|m| m.iter().any(|u| u["id"] == bot.as_str()));
    let replies_to_bot = d["referenced_message"]["author"]["id"] == bot.as_str();
    if !mentioned && !replies_to_bot {
        d["content"] = json!("");
        d["embeds"] = json!([]);
        d["attachments"] = json!([]);
        d["components"] = json!([]);
    }
    d
}
