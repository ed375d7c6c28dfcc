//! The Gateway side: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats,
//! RESUME with replay, dispatches, and the faults a real gateway produces.
//!
//! Dispatches sent while no session is live (before IDENTIFY, after a drop)
//! wait in an outbox and go out once the client has identified or resumed, so
//! a test can ask its next question straight after injecting a fault.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use serenity::model::event::{Event, GatewayEvent};
use tokio::sync::mpsc;

use super::intents::{DISALLOWED_INTENTS, MESSAGE_CONTENT};
use super::payloads::{Guild, Msg, User, APP_ID};
pub(crate) use super::sessions::GatewayState;
use super::sessions::{shard_of, Outbound, Session};
use super::{ButtonPress, FakeDiscord, InteractionState, Shared, Slash};

/// A frame the client sent.
#[derive(Debug, Clone)]
pub struct GatewayFrame {
    pub op: u64,
    pub d: Value,
    pub at: Instant,
}

pub(crate) async fn upgrade(ws: WebSocketUpgrade, State(shared): State<Arc<Shared>>) -> Response {
    if shared.gateway.lock().unwrap().refusing {
        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    ws.max_message_size(1 << 24)
        .on_upgrade(move |socket| serve(socket, shared))
}

async fn serve(mut socket: WebSocket, shared: Arc<Shared>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn_id = {
        let mut gw = shared.gateway.lock().unwrap();
        gw.conn_counter += 1;
        let id = gw.conn_counter;
        gw.conns.insert(id, (tx, None));
        id
    };
    let hello = json!({"op": 10, "d": {"heartbeat_interval": shared.heartbeat_interval}});
    if socket.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => on_frame(&shared, conn_id, &text),
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map(|f| f.code).unwrap_or(1005);
                    shared.gateway.lock().unwrap().client_close_codes.push((code, Instant::now()));
                    break;
                }
                Some(Err(_)) | None => break,
            },
            out = rx.recv() => match out {
                Some(Outbound::Text(text)) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Outbound::Close(code)) => {
                    let frame = CloseFrame { code, reason: "fake discord".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    break;
                }
                Some(Outbound::Drop) | None => break,
            },
        }
    }
    let mut gw = shared.gateway.lock().unwrap();
    gw.conns.remove(&conn_id);
    for s in gw.sessions.values_mut() {
        if s.conn == Some(conn_id) {
            s.conn = None;
            s.live = false;
        }
    }
    drop(gw);
    shared.frames_tx.send_modify(|_| {});
}

fn on_frame(shared: &Shared, conn: u64, text: &str) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        eprintln!("fake discord: unparseable gateway frame: {text}");
        return;
    };
    let op = v["op"].as_u64().unwrap_or(u64::MAX);
    let d = v["d"].clone();
    {
        let mut frames = shared.frames.lock().unwrap();
        frames.push(Arc::new(GatewayFrame {
            op,
            d: d.clone(),
            at: Instant::now(),
        }));
        shared.frames_tx.send_replace(frames.len());
    }
    let mut gw = shared.gateway.lock().unwrap();
    match op {
        1 if !gw.mute_heartbeat_acks => gw.send_on(conn, json!({"op": 11}).to_string()),
        2 if !d["token"].as_str().is_some_and(|t| t.starts_with("Bot ")) => {
            // Authentication failed: fatal to the client, as on Discord.
            if let Some((tx, _)) = gw.conns.get(&conn) {
                let _ = tx.send(Outbound::Close(4004));
            }
        }
        2 => identify(shared, &mut gw, conn, &d),
        6 => {
            let wanted = d["session_id"].as_str();
            let shard = gw
                .sessions
                .iter()
                .find(|(_, s)| wanted.is_some() && s.session_id.as_deref() == wanted)
                .map(|(shard, _)| *shard);
            let Some(shard) = shard else {
                gw.send_on(conn, json!({"op": 9, "d": false}).to_string());
                return;
            };
            if let Some((_, bound)) = gw.conns.get_mut(&conn) {
                *bound = Some(shard);
            }
            let from = d["seq"].as_u64().unwrap_or(0);
            let session = gw.sessions.entry(shard).or_default();
            session.conn = Some(conn);
            let replay: Vec<String> = session
                .log
                .iter()
                .filter(|(s, _)| *s > from)
                .map(|(_, f)| f.clone())
                .collect();
            for frame in replay {
                gw.send_on(conn, frame);
            }
            gw.dispatch_now(shard, "RESUMED", json!({}));
            gw.go_live(shard);
        }
        _ => {}
    }
}

fn identify(shared: &Shared, gw: &mut GatewayState, conn: u64, d: &Value) {
    let intents = d["intents"].as_u64().unwrap_or(0);
    if intents & MESSAGE_CONTENT != 0 && !shared.message_content_allowed {
        if let Some((tx, _)) = gw.conns.get(&conn) {
            let _ = tx.send(Outbound::Close(DISALLOWED_INTENTS));
        }
        return;
    }
    let shard = d["shard"][0].as_u64().unwrap_or(0) as u32;
    gw.total = d["shard"][1].as_u64().unwrap_or(1).max(1) as u32;
    if let Some((_, bound)) = gw.conns.get_mut(&conn) {
        *bound = Some(shard);
    }
    gw.session_counter += 1;
    let session = format!("fake-session-{}", gw.session_counter);
    gw.sessions.insert(
        shard,
        Session {
            conn: Some(conn),
            live: false,
            session_id: Some(session.clone()),
            seq: 0,
            log: Vec::new(),
            intents,
        },
    );
    let total = gw.total;
    let guilds: Vec<Guild> = gw
        .guilds
        .iter()
        .filter(|g| shard_of(g.id, total) == shard)
        .cloned()
        .collect();
    let ready = json!({
        "v": 10, "user": User::bot().json(),
        "guilds": guilds.iter().map(|g| json!({"id": g.id.to_string(), "unavailable": true})).collect::<Vec<_>>(),
        "session_id": session,
        "resume_gateway_url": format!("ws://{}/gateway", shared.addr),
        "shard": [shard, total],
        "application": {"id": APP_ID.to_string(), "flags": 0},
    });
    validate("READY", &ready);
    gw.dispatch_now(shard, "READY", ready);
    for g in guilds {
        gw.dispatch_now(shard, "GUILD_CREATE", g.json());
    }
    gw.go_live(shard);
}

/// Panics unless serenity parses the dispatch as the event it names (a payload
/// it cannot parse would reach the bot as an unknown event, and the test would hang).
fn validate(t: &str, d: &Value) {
    let frame = json!({"op": 0, "s": 1, "t": t, "d": d});
    let parsed = serde_json::from_value::<GatewayEvent>(frame);
    let specific = match t {
        "MESSAGE_CREATE" => {
            serde_json::from_value::<serenity::model::channel::Message>(d.clone()).err()
        }
        "INTERACTION_CREATE" => {
            serde_json::from_value::<serenity::model::application::Interaction>(d.clone()).err()
        }
        "GUILD_CREATE" => serde_json::from_value::<serenity::model::guild::Guild>(d.clone()).err(),
        "READY" => serde_json::from_value::<serenity::model::gateway::Ready>(d.clone()).err(),
        _ => None,
    };
    match (parsed, specific) {
        (_, Some(err)) => panic!("fixture {t} does not parse as serenity's model: {err}\n{d:#}"),
        (Ok(GatewayEvent::Dispatch(_, Event::Unknown(_))), None) => {
            panic!("fixture {t} reaches serenity as an unknown event:\n{d:#}")
        }
        (Err(err), None) => panic!("fixture {t} is not a gateway event: {err}"),
        _ => {}
    }
}

impl FakeDiscord {
    /// Send a dispatch once a session is live (at once if it is).
    pub fn dispatch(&self, t: &str, d: Value) {
        validate(t, &d);
        let mut gw = self.shared.gateway.lock().unwrap();
        let shard = gw.route(t, &d);
        if gw.live(shard) {
            gw.dispatch_now(shard, t, d);
        } else {
            gw.outbox.push_back((t.to_string(), d));
        }
    }

    /// A guild the bot is in: in READY and GUILD_CREATE at the next IDENTIFY,
    /// or dispatched now if a session is live.
    pub fn add_guild(&self, guild: Guild) {
        let live = {
            let mut gw = self.shared.gateway.lock().unwrap();
            gw.guilds.retain(|g| g.id != guild.id);
            gw.guilds.push(guild.clone());
            gw.live(shard_of(guild.id, gw.total))
        };
        if live {
            self.dispatch("GUILD_CREATE", guild.json());
        }
    }

    /// The bot removed from a guild (kicked, banned, the guild deleted): a
    /// GUILD_DELETE without `unavailable`, and no GUILD_CREATE for it at the
    /// next IDENTIFY. [`FakeDiscord::add_guild`] adds it back.
    pub fn remove_guild(&self, id: u64) {
        self.shared
            .gateway
            .lock()
            .unwrap()
            .guilds
            .retain(|g| g.id != id);
        self.dispatch("GUILD_DELETE", json!({"id": id.to_string()}));
    }

    /// A guild out of reach in a Discord outage: GUILD_DELETE with
    /// `unavailable: true`. The bot is still in it.
    pub fn guild_outage(&self, id: u64) {
        self.dispatch(
            "GUILD_DELETE",
            json!({"id": id.to_string(), "unavailable": true}),
        );
    }

    /// A member's message; returns the MESSAGE_CREATE payload (with its id).
    pub fn send_message(&self, msg: &Msg) -> Value {
        let d = msg.json(self.shared.next_id());
        self.dispatch("MESSAGE_CREATE", d.clone());
        d
    }

    /// A slash command; returns the interaction token (unique per interaction).
    pub fn send_slash(&self, slash: &Slash) -> String {
        let command_id = self.registered_command_id(&slash.name).unwrap_or_else(|| {
            panic!(
                "slash command /{} was never registered with the fake",
                slash.name
            )
        });
        let id = self.shared.next_id();
        let token = format!("token-{id}");
        let d = slash.json(id, &token, command_id);
        self.track_interaction(&token, id, &d, None);
        self.dispatch("INTERACTION_CREATE", d);
        token
    }

    /// A button press on one of the bot's messages; returns the interaction token.
    pub fn press_button(&self, press: &ButtonPress) -> String {
        let id = self.shared.next_id();
        let token = format!("token-{id}");
        let d = press.json(id, &token);
        let message_id = press.message["id"].as_str().and_then(|s| s.parse().ok());
        self.track_interaction(&token, id, &d, message_id);
        self.dispatch("INTERACTION_CREATE", d);
        token
    }

    fn track_interaction(&self, token: &str, id: u64, d: &Value, component: Option<u64>) {
        let state = InteractionState {
            id,
            channel_id: d["channel_id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            guild_id: d["guild_id"].as_str().and_then(|s| s.parse().ok()),
            dispatched: Instant::now(),
            responded: None,
            component_message: component,
            original: None,
        };
        self.shared
            .interactions
            .lock()
            .unwrap()
            .insert(token.to_string(), state);
    }

    /// The id the fake gave the command registered under `name`, in any scope.
    fn registered_command_id(&self, name: &str) -> Option<u64> {
        let commands = self.shared.commands.lock().unwrap();
        commands
            .values()
            .flatten()
            .find(|c| c["name"] == name)
            .and_then(|c| c["id"].as_str()?.parse().ok())
    }

    // ---- faults ---------------------------------------------------------------

    /// Close the socket abruptly (no close frame), as a network failure would.
    pub fn drop_gateway(&self) {
        self.control(|| Outbound::Drop);
    }

    /// Close the socket with a close code (4000: unknown error, resumable).
    pub fn close_gateway(&self, code: u16) {
        self.control(|| Outbound::Close(code));
    }

    /// Op 7: the client must reconnect and resume.
    pub fn send_reconnect(&self) {
        let mut gw = self.shared.gateway.lock().unwrap();
        for conn in gw.all_conns() {
            gw.send_on(conn, json!({"op": 7, "d": null}).to_string());
        }
        gw.set_all_not_live();
    }

    /// Op 9: the session is invalid; when not resumable the client must identify anew.
    pub fn invalidate_session(&self, resumable: bool) {
        let mut gw = self.shared.gateway.lock().unwrap();
        for conn in gw.all_conns() {
            gw.send_on(conn, json!({"op": 9, "d": resumable}).to_string());
        }
        gw.set_all_not_live();
        if !resumable {
            for s in gw.sessions.values_mut() {
                s.session_id = None;
            }
        }
    }

    /// Stop (or resume) answering heartbeats.
    pub fn mute_heartbeat_acks(&self, mute: bool) {
        self.shared.gateway.lock().unwrap().mute_heartbeat_acks = mute;
    }

    /// An outage: drop every socket and refuse new ones (503) until
    /// `refuse_gateway(false)`.
    pub fn refuse_gateway(&self, refuse: bool) {
        self.shared.gateway.lock().unwrap().refusing = refuse;
        if refuse {
            self.drop_gateway();
        }
    }

    /// True while the client holds an open gateway socket.
    pub fn gateway_connected(&self) -> bool {
        !self.shared.gateway.lock().unwrap().conns.is_empty()
    }

    /// Close codes the client sent when it closed a socket itself.
    pub fn client_close_codes(&self) -> Vec<(u16, Instant)> {
        self.shared
            .gateway
            .lock()
            .unwrap()
            .client_close_codes
            .clone()
    }

    /// Waits until no gateway socket is open (the client closed it or it dropped).
    pub async fn wait_gateway_closed(&self, timeout: std::time::Duration) -> bool {
        let rx = self.shared.frames_tx.subscribe();
        super::wait_on(rx, timeout, || (!self.gateway_connected()).then_some(()))
            .await
            .is_some()
    }

    fn control(&self, out: impl Fn() -> Outbound) {
        let mut gw = self.shared.gateway.lock().unwrap();
        for (tx, _) in gw.conns.values() {
            let _ = tx.send(out());
        }
        gw.set_all_not_live();
    }
}
