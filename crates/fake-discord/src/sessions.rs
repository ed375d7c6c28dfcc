//! The gateway's sessions: one per shard, so several processes can each run
//! some of a bot's shards against one fake, as on Discord.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::payloads::Guild;

pub(crate) enum Outbound {
    Text(String),
    /// Close the TCP connection without a close frame.
    Drop,
    Close(u16),
}

/// One shard's session. A single-process bot has one (shard 0 of 1); bots
/// split over processes each hold their shards' sessions.
#[derive(Default)]
pub(crate) struct Session {
    /// The socket the client is connected on, if any.
    pub(crate) conn: Option<u64>,
    /// True once the current socket identified or resumed.
    pub(crate) live: bool,
    pub(crate) session_id: Option<String>,
    pub(crate) seq: u64,
    /// Dispatches sent in this session, for RESUME replay.
    pub(crate) log: Vec<(u64, String)>,
    /// The intents it identified with: what it may see of each dispatch.
    pub(crate) intents: u64,
}

#[derive(Default)]
pub(crate) struct GatewayState {
    /// Open sockets, and the shard each identified or resumed as.
    pub(crate) conns: BTreeMap<u64, (mpsc::UnboundedSender<Outbound>, Option<u32>)>,
    pub(crate) conn_counter: u64,
    pub(crate) sessions: BTreeMap<u32, Session>,
    /// The shard count of the last IDENTIFY: guilds go to shard
    /// `(guild_id >> 22) % total`, as on Discord.
    pub(crate) total: u32,
    pub(crate) session_counter: u64,
    /// Dispatches waiting for their shard's session to be live.
    pub(crate) outbox: VecDeque<(String, Value)>,
    pub(crate) guilds: Vec<Guild>,
    /// Close codes of the close frames the client sent (1000 on a clean shutdown).
    pub client_close_codes: Vec<(u16, Instant)>,
    /// Set by tests: heartbeats go unanswered.
    pub mute_heartbeat_acks: bool,
    /// Set by tests: new gateway connections are refused (503), as during an outage.
    pub refusing: bool,
}

/// The shard a guild's events go to.
pub fn shard_of(guild_id: u64, total: u32) -> u32 {
    ((guild_id >> 22) % u64::from(total.max(1))) as u32
}

impl GatewayState {
    pub(crate) fn send_on(&self, conn: u64, text: String) {
        if let Some((tx, _)) = self.conns.get(&conn) {
            let _ = tx.send(Outbound::Text(text));
        }
    }

    /// The shard a dispatch belongs to: its guild's, else shard 0 (DMs).
    pub(crate) fn route(&self, t: &str, d: &Value) -> u32 {
        let key = if matches!(t, "GUILD_CREATE" | "GUILD_DELETE") {
            "id"
        } else {
            "guild_id"
        };
        d[key]
            .as_str()
            .and_then(|g| g.parse().ok())
            .map_or(0, |g| shard_of(g, self.total))
    }

    pub(crate) fn live(&self, shard: u32) -> bool {
        self.sessions.get(&shard).is_some_and(|s| s.live)
    }

    pub(crate) fn dispatch_now(&mut self, shard: u32, t: &str, d: Value) {
        let session = self.sessions.entry(shard).or_default();
        let d = super::intents::as_seen_with(session.intents, t, d);
        session.seq += 1;
        let frame = json!({"op": 0, "s": session.seq, "t": t, "d": d}).to_string();
        session.log.push((session.seq, frame.clone()));
        if let Some(conn) = session.conn {
            self.send_on(conn, frame);
        }
    }

    pub(crate) fn go_live(&mut self, shard: u32) {
        self.sessions.entry(shard).or_default().live = true;
        let waiting = std::mem::take(&mut self.outbox);
        for (t, d) in waiting {
            if self.route(&t, &d) == shard {
                self.dispatch_now(shard, &t, d);
            } else {
                self.outbox.push_back((t, d));
            }
        }
    }

    /// Every socket, for faults that hit the whole gateway.
    pub(crate) fn all_conns(&self) -> Vec<u64> {
        self.conns.keys().copied().collect()
    }

    pub(crate) fn set_all_not_live(&mut self) {
        for s in self.sessions.values_mut() {
            s.live = false;
        }
    }
}
