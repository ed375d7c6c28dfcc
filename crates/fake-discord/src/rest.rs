//! The REST side: every request under `/api/v10` is recorded, faults are
//! applied, and the routes a poise bot uses are answered the way Discord
//! answers them (including its refusals).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::messages::{build_message, edit, same_nonce, store, stored};
use super::payloads::{User, APP_ID, APP_OWNER_ID, BOT_NAME};
use super::validate::{self, Refusal};
use super::{Recorded, RestFault, Shared};

type Reply = Result<(u16, Value), Refusal>;

/// Attachment downloads (Discord's CDN), recorded like API requests.
pub(crate) async fn attachment(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    let bytes = shared.attachments.lock().unwrap().get(&file).cloned();
    let status = if bytes.is_some() { 200 } else { 404 };
    shared.record(Recorded {
        seq: 0,
        method: "GET".into(),
        path: format!("/attachments/{file}"),
        query: String::new(),
        body: Value::Null,
        status,
        response: Value::Null,
        at: std::time::Instant::now(),
    });
    match bytes {
        Some(b) => (StatusCode::OK, b).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path()
        .strip_prefix("/api/v10")
        .unwrap_or(uri.path())
        .to_string();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut rec = Recorded {
        seq: 0,
        method: method.to_string(),
        path,
        query: uri.query().unwrap_or_default().to_string(),
        body: parse_body(content_type, &body),
        status: 0,
        response: Value::Null,
        at: std::time::Instant::now(),
    };
    // Discord answers 401 to any API call without a bot token (but /gateway).
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("Bot ") && a.len() > 4);
    let fault = if !authorized && rec.path != "/gateway" {
        Some(RestFault::Unauthorized)
    } else {
        let mut faults = shared.faults.lock().unwrap();
        let pos = faults.iter().position(|(m, _)| m(&rec));
        pos.map(|p| faults.remove(p).1)
    };
    let (status, answer, retry_after) = match fault {
        Some(RestFault::RateLimited { retry_after }) => {
            let body = json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false, "code": 0});
            (429, body, Some(retry_after))
        }
        Some(RestFault::Unauthorized) => (
            401,
            json!({"message": "401: Unauthorized", "code": 0}),
            None,
        ),
        Some(RestFault::ServerError) => (
            500,
            json!({"message": "500: Internal Server Error", "code": 0}),
            None,
        ),
        Some(RestFault::Refused {
            status,
            code,
            message,
        }) => (status, json!({"message": message, "code": code}), None),
        Some(RestFault::Lost(status)) => {
            let _took_effect = answer(&shared, &rec);
            (
                status,
                json!({"message": format!("{status}: the answer was lost"), "code": 0}),
                None,
            )
        }
        Some(RestFault::Delay(d)) => {
            // Like Discord, the fake finishes a request whose client gave up
            // waiting (a timeout): the effect happens and is recorded.
            let (late_shared, mut late) = (shared.clone(), rec.clone());
            let done = tokio::spawn(async move {
                tokio::time::sleep(d).await;
                let (status, body, retry_after) = answer(&late_shared, &late);
                late.status = status;
                late.at = std::time::Instant::now();
                late.response = body.clone();
                late_shared.record(late);
                (status, body, retry_after)
            });
            let (status, body, _) = done.await.unwrap_or((500, Value::Null, None));
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return if status == 204 {
                code.into_response()
            } else {
                (code, axum::Json(body)).into_response()
            };
        }
        Some(RestFault::Hold(hold)) => {
            hold.hold().await;
            answer(&shared, &rec)
        }
        None => answer(&shared, &rec),
    };
    rec.status = status;
    rec.at = std::time::Instant::now();
    rec.response = answer.clone();
    shared.record(rec);
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if status == 204 {
        code.into_response()
    } else {
        (code, axum::Json(answer)).into_response()
    };
    if let Some(secs) = retry_after {
        let h = response.headers_mut();
        h.insert("retry-after", secs.ceil().to_string().parse().unwrap());
        h.insert("x-ratelimit-scope", "user".parse().unwrap());
    }
    response
}

/// JSON bodies as sent; for multipart (files), the `payload_json` part.
fn parse_body(content_type: &str, body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    if content_type.starts_with("multipart/") {
        let text = String::from_utf8_lossy(body);
        let Some(start) = text.find("name=\"payload_json\"") else {
            return Value::Null;
        };
        let part = &text[start..];
        let json_start = part.find("\r\n\r\n").map_or(0, |i| i + 4);
        let json_end = part[json_start..]
            .find("\r\n--")
            .map_or(part.len(), |i| json_start + i);
        return serde_json::from_str(&part[json_start..json_end]).unwrap_or(Value::Null);
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into()))
}

fn answer(shared: &Shared, rec: &Recorded) -> (u16, Value, Option<f64>) {
    match route(shared, rec) {
        Ok((status, body)) => (status, body, None),
        Err(refusal) => (refusal.status, refusal.body, None),
    }
}

fn route(shared: &Shared, rec: &Recorded) -> Reply {
    let segs: Vec<&str> = rec.path.trim_matches('/').split('/').collect();
    let body = &rec.body;
    let app = APP_ID.to_string();
    match (rec.method.as_str(), segs.as_slice()) {
        ("GET", ["gateway"]) => Ok((200, json!({"url": format!("ws://{}/gateway", shared.addr)}))),
        ("GET", ["gateway", "bot"]) => Ok((
            200,
            json!({
                "url": format!("ws://{}/gateway", shared.addr), "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }),
        )),
        ("GET", ["oauth2", "applications", "@me"]) => Ok((
            200,
            json!({
                "id": app, "name": BOT_NAME, "description": "", "icon": null, "bot_public": true,
                "bot_require_code_grant": false, "verify_key": "00", "flags": 0,
                "owner": {"id": APP_OWNER_ID.to_string(), "username": "owner", "discriminator": "0", "avatar": null},
            }),
        )),
        ("GET", ["users", "@me"]) => Ok((200, User::bot().json())),
        ("PUT", ["applications", a, "commands"]) => register(shared, a, None, body),
        ("PUT", ["applications", a, "guilds", g, "commands"]) => {
            register(shared, a, g.parse().ok(), body)
        }
        ("GET", ["applications", _, "commands"]) => Ok((
            200,
            json!(shared
                .commands
                .lock()
                .unwrap()
                .get(&None)
                .cloned()
                .unwrap_or_default()),
        )),
        ("GET", ["applications", _, "guilds", g, "commands"]) => {
            let g = g.parse().ok();
            Ok((
                200,
                json!(shared
                    .commands
                    .lock()
                    .unwrap()
                    .get(&g)
                    .cloned()
                    .unwrap_or_default()),
            ))
        }
        ("POST", ["channels", c, "messages"]) => {
            validate::message(body, false)?;
            if let Some(existing) = same_nonce(shared, body)? {
                return Ok((200, existing));
            }
            let mut msg = build_message(shared, c, body, None);
            if let Some(reference) = body["message_reference"].as_object() {
                msg["type"] = json!(19);
                msg["message_reference"] = json!(reference);
            }
            Ok((200, store(shared, msg)))
        }
        ("PATCH", ["channels", _, "messages", m]) => edit(shared, m.parse().unwrap_or(0), body),
        ("GET", ["channels", _, "messages", m]) => stored(shared, m.parse().unwrap_or(0)),
        ("DELETE", ["channels", _, "messages", m]) => {
            let gone = shared
                .messages
                .lock()
                .unwrap()
                .remove(&m.parse().unwrap_or(0));
            gone.map(|_| (204, Value::Null))
                .ok_or_else(|| Refusal::new(404, 10008, "Unknown Message"))
        }
        ("POST", ["channels", _, "typing"]) => Ok((204, Value::Null)),
        ("PUT" | "DELETE", ["channels", _, "messages", _, "reactions", ..]) => {
            Ok((204, Value::Null))
        }
        ("POST", ["interactions", id, token, "callback"]) => callback(shared, id, token, body),
        ("POST", ["webhooks", a, token]) if *a == app => {
            let inter = interaction(shared, token)?;
            if inter.responded.is_none() {
                return Err(Refusal::new(404, 10015, "Unknown Webhook"));
            }
            validate::message(body, false)?;
            let msg = build_message(shared, &inter.channel_id.to_string(), body, Some(token));
            Ok((200, store(shared, msg)))
        }
        (method, ["webhooks", a, token, "messages", which]) if *a == app => {
            let inter = interaction(shared, token)?;
            let id = match *which {
                "@original" => inter.original.or(inter.component_message),
                other => other.parse().ok(),
            };
            let Some(id) = id.filter(|_| inter.responded.is_some()) else {
                return Err(Refusal::new(404, 10015, "Unknown Webhook"));
            };
            match method {
                "GET" => stored(shared, id),
                "PATCH" => edit(shared, id, body),
                "DELETE" => {
                    shared.messages.lock().unwrap().remove(&id);
                    Ok((204, Value::Null))
                }
                _ => Err(Refusal::new(405, 0, "405: Method Not Allowed")),
            }
        }
        ("POST" | "PATCH" | "GET" | "DELETE", ["webhooks", ..]) => {
            Err(Refusal::new(404, 10015, "Unknown Webhook"))
        }
        _ => Err(Refusal::new(404, 0, "404: Not Found")),
    }
}

fn register(shared: &Shared, app: &str, guild: Option<u64>, body: &Value) -> Reply {
    if app != APP_ID.to_string() {
        return Err(Refusal::new(
            403,
            50001,
            "Missing Access (wrong application id)",
        ));
    }
    let mut out = Vec::new();
    for c in body.as_array().into_iter().flatten() {
        let name = c["name"].as_str().unwrap_or_default();
        let mut c = c.clone();
        let obj = c.as_object_mut().unwrap();
        // The same name keeps its id across registrations, as on Discord.
        let existing = shared.commands.lock().unwrap().get(&guild).and_then(|l| {
            l.iter()
                .find(|e| e["name"] == name)
                .map(|e| e["id"].clone())
        });
        let id = existing.unwrap_or_else(|| json!(shared.next_id().to_string()));
        obj.insert("id".into(), id);
        obj.insert("application_id".into(), json!(APP_ID.to_string()));
        obj.insert("version".into(), json!(shared.next_id().to_string()));
        obj.entry("type").or_insert(json!(1));
        obj.entry("description").or_insert(json!(""));
        if let Some(g) = guild {
            obj.insert("guild_id".into(), json!(g.to_string()));
        }
        out.push(c);
    }
    shared.commands.lock().unwrap().insert(guild, out.clone());
    Ok((200, Value::Array(out)))
}

fn interaction(shared: &Shared, token: &str) -> Result<super::InteractionState, Refusal> {
    let inters = shared.interactions.lock().unwrap();
    inters
        .get(token)
        .cloned()
        .ok_or_else(|| Refusal::new(404, 10015, "Unknown Webhook"))
}

fn callback(shared: &Shared, id: &str, token: &str, body: &Value) -> Reply {
    let unknown = || Refusal::new(404, 10062, "Unknown interaction");
    let mut inter = interaction(shared, token).map_err(|_| unknown())?;
    if inter.id.to_string() != id {
        return Err(unknown());
    }
    if inter.responded.is_some() {
        return Err(Refusal::new(
            400,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    if inter.dispatched.elapsed() > shared.interaction_deadline {
        return Err(unknown());
    }
    let kind = body["type"].as_u64().unwrap_or(0);
    let data = &body["data"];
    let component = inter.component_message;
    match (kind, component) {
        (4, _) => {
            validate::message(data, false)?;
            let msg = build_message(shared, &inter.channel_id.to_string(), data, Some(token));
            inter.original = Some(store(shared, msg)["id"].as_str().unwrap().parse().unwrap());
        }
        (5, _) => {
            let placeholder = json!({"content": "", "flags": data["flags"]});
            let msg = build_message(
                shared,
                &inter.channel_id.to_string(),
                &placeholder,
                Some(token),
            );
            inter.original = Some(store(shared, msg)["id"].as_str().unwrap().parse().unwrap());
        }
        (6, Some(_)) => {}
        (7, Some(m)) => {
            edit(shared, m, data)?;
        }
        (9, _) => {}
        _ => {
            return Err(Refusal::new(
                400,
                50035,
                "Invalid interaction response type for this interaction",
            ))
        }
    }
    inter.responded = Some(kind);
    shared
        .interactions
        .lock()
        .unwrap()
        .insert(token.to_string(), inter);
    Ok((204, Value::Null))
}
