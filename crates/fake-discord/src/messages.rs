//! The messages the bot creates: built as Discord returns them, stored for
//! GET/PATCH/DELETE and button presses, and checked to parse as serenity's
//! Message so the fake never answers something Discord would not.

use serde_json::{json, Value};

use super::payloads::{timestamp, User, APP_ID};
use super::validate::{self, Refusal};
use super::Shared;

type Reply = Result<(u16, Value), Refusal>;

pub(crate) fn stored(shared: &Shared, id: u64) -> Reply {
    let msg = shared.messages.lock().unwrap().get(&id).cloned();
    msg.map(|m| (200, m))
        .ok_or_else(|| Refusal::new(404, 10008, "Unknown Message"))
}

pub(crate) fn edit(shared: &Shared, id: u64, body: &Value) -> Reply {
    validate::message(body, true)?;
    let mut messages = shared.messages.lock().unwrap();
    let msg = messages
        .get_mut(&id)
        .ok_or_else(|| Refusal::new(404, 10008, "Unknown Message"))?;
    for key in ["content", "embeds", "components", "flags"] {
        if !body[key].is_null() {
            msg[key] = body[key].clone();
        }
    }
    msg["edited_timestamp"] = json!(timestamp());
    let after = msg.clone();
    drop(messages);
    check_parses(&after)?;
    Ok((200, after))
}

pub(crate) fn store(shared: &Shared, msg: Value) -> Value {
    let id = msg["id"].as_str().unwrap().parse().unwrap();
    shared.messages.lock().unwrap().insert(id, msg.clone());
    if let Some(nonce) = msg["nonce"].as_str() {
        let mut nonces = shared.nonces.lock().unwrap();
        nonces.insert(nonce.to_string(), (id, std::time::Instant::now()));
    }
    msg
}

/// A Message as Discord returns it for a sent body (channel message or webhook).
pub(crate) fn build_message(
    shared: &Shared,
    channel: &str,
    body: &Value,
    webhook_token: Option<&str>,
) -> Value {
    let mut m = json!({
        "id": shared.next_id().to_string(), "channel_id": channel, "author": User::bot().json(),
        "content": body["content"].as_str().unwrap_or_default(), "timestamp": timestamp(),
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": body["embeds"].as_array().cloned().unwrap_or_default(),
        "components": body["components"].as_array().cloned().unwrap_or_default(),
        "pinned": false, "type": 0, "flags": body["flags"].as_u64().unwrap_or(0),
    });
    match &body["nonce"] {
        Value::String(n) => m["nonce"] = json!(n),
        Value::Number(n) => m["nonce"] = json!(n.to_string()),
        _ => {}
    }
    if let Some(token) = webhook_token {
        m["webhook_id"] = json!(APP_ID.to_string());
        m["application_id"] = json!(APP_ID.to_string());
        if let Some(inter) = shared.interactions.lock().unwrap().get(token) {
            if let Some(g) = inter.guild_id {
                m["guild_id"] = json!(g.to_string());
            }
        }
    }
    if let Err(refusal) = check_parses(&m) {
        eprintln!(
            "fake discord: built message does not parse: {}",
            refusal.body
        );
    }
    m
}

/// The fake's own answers must parse as serenity's Message, or the bot would
/// see a failure that real Discord never causes.
fn check_parses(m: &Value) -> Result<(), Refusal> {
    serde_json::from_value::<serenity::model::channel::Message>(m.clone())
        .map(|_| ())
        .map_err(|e| {
            Refusal::new(
                500,
                0,
                &format!("fake discord built an unparseable message: {e}"),
            )
        })
}

/// Discord's `enforce_nonce`: a message created by the same author with the
/// same nonce in the last few minutes is returned instead of a new one.
pub(crate) fn same_nonce(shared: &Shared, body: &Value) -> Result<Option<Value>, Refusal> {
    let nonce = match &body["nonce"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Ok(None),
    };
    if nonce.chars().count() > 25 {
        return Err(Refusal::new(
            400,
            50035,
            "Invalid Form Body (nonce over 25 characters)",
        ));
    }
    if body["enforce_nonce"] != true {
        return Ok(None);
    }
    let nonces = shared.nonces.lock().unwrap();
    let seen = nonces
        .get(&nonce)
        .filter(|(_, at)| at.elapsed() < std::time::Duration::from_secs(300));
    Ok(seen.and_then(|(id, _)| shared.messages.lock().unwrap().get(id).cloned()))
}
