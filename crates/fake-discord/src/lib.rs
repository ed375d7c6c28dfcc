//! A fake Discord on loopback: REST and the Gateway WebSocket on one ephemeral
//! port of 127.0.0.1, enough for the real serenity + poise client to run
//! against it unmodified.
//!
//! - Every REST request is recorded (method, path, JSON body, the status the
//!   fake answered) and a test waits for "the first request matching X" with a
//!   timeout, never a sleep.
//! - Gateway payloads come from the typed builders in [`payloads`] and are
//!   parsed with serenity's model types before they are sent.
//! - Discord's refusals that catch real bugs are enforced: empty or over-long
//!   messages, embed limits, a second initial interaction response, a
//!   follow-up before any response, a response after the 3 s window.
//! - Faults: drop the socket, op 7, op 9, REST 429/500, a response lost after
//!   the request took effect, or a delay for the next matching request.
//! - `enforce_nonce` is honoured as Discord does: a repeated nonce within
//!   minutes returns the message already created.

mod gateway;
mod intents;
pub mod interactions;
mod messages;
pub mod payloads;
mod record;
mod rest;
mod sessions;
mod validate;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

pub use gateway::GatewayFrame;
pub use intents::MESSAGE_CONTENT;
pub use interactions::*;
pub use payloads::*;
pub use record::{Hold, Recorded, RestFault};

type Matcher = Box<dyn Fn(&Recorded) -> bool + Send + Sync>;

/// What the fake knows about an interaction it dispatched.
#[derive(Debug, Clone)]
pub(crate) struct InteractionState {
    pub id: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub dispatched: Instant,
    /// The callback type of the initial response, once there is one.
    pub responded: Option<u64>,
    /// For a button press: the message whose button was pressed.
    pub component_message: Option<u64>,
    /// The id of the message standing for the original response.
    pub original: Option<u64>,
}

pub(crate) struct Shared {
    pub addr: SocketAddr,
    pub requests: Mutex<Vec<Arc<Recorded>>>,
    pub requests_tx: watch::Sender<usize>,
    pub faults: Mutex<Vec<(Matcher, RestFault)>>,
    /// Messages the bot created (and the fixtures it can see), by id.
    pub messages: Mutex<HashMap<u64, Value>>,
    /// Nonces of the messages the bot created: the message id and when.
    pub nonces: Mutex<HashMap<String, (u64, Instant)>>,
    pub interactions: Mutex<HashMap<String, InteractionState>>,
    pub attachments: Mutex<HashMap<String, Vec<u8>>>,
    /// Registered commands by scope (None = global, Some(guild)).
    pub commands: Mutex<HashMap<Option<u64>, Vec<Value>>>,
    pub gateway: Mutex<gateway::GatewayState>,
    pub frames: Mutex<Vec<Arc<GatewayFrame>>>,
    pub frames_tx: watch::Sender<usize>,
    pub next_id: AtomicU64,
    pub interaction_deadline: Duration,
    pub heartbeat_interval: u64,
    pub message_content_allowed: bool,
}

impl Shared {
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Append a request (numbering it) and wake the waiters.
    pub fn record(&self, mut rec: Recorded) {
        let mut reqs = self.requests.lock().unwrap();
        rec.seq = reqs.len();
        reqs.push(Arc::new(rec));
        self.requests_tx.send_replace(reqs.len());
    }
}

/// Options for [`FakeDiscord::start_with`].
#[derive(Debug, Clone)]
pub struct Options {
    /// HELLO's heartbeat interval in ms (Discord: 41,250).
    pub heartbeat_interval: u64,
    /// How long the bot has for an interaction's first response (Discord: 3 s).
    pub interaction_deadline: Duration,
    /// The application has "Message Content Intent" turned on in the
    /// Developer Portal; when false, asking for it closes the gateway (4014).
    pub message_content_allowed: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            heartbeat_interval: 41_250,
            interaction_deadline: Duration::from_secs(3),
            message_content_allowed: true,
        }
    }
}

/// Handle to a running fake; the server stops when it is dropped.
pub struct FakeDiscord {
    pub(crate) shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            addr,
            requests: Mutex::default(),
            requests_tx: watch::channel(0).0,
            faults: Mutex::default(),
            messages: Mutex::default(),
            nonces: Mutex::default(),
            interactions: Mutex::default(),
            attachments: Mutex::default(),
            commands: Mutex::default(),
            gateway: Mutex::default(),
            frames: Mutex::default(),
            frames_tx: watch::channel(0).0,
            next_id: AtomicU64::new(1_300_000_000_000_000_000),
            interaction_deadline: options.interaction_deadline,
            heartbeat_interval: options.heartbeat_interval,
            message_content_allowed: options.message_content_allowed,
        });
        let app = axum::Router::new()
            .route("/gateway", axum::routing::get(gateway::upgrade))
            .route("/attachments/*file", axum::routing::get(rest::attachment))
            .fallback(rest::handle)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake discord server");
        });
        FakeDiscord { shared, server }
    }

    /// What the bot's REST proxy setting points at: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    // ---- REST: recorded requests ------------------------------------------

    pub fn requests(&self) -> Vec<Arc<Recorded>> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn requests_matching(&self, matcher: impl Fn(&Recorded) -> bool) -> Vec<Arc<Recorded>> {
        self.requests().into_iter().filter(|r| matcher(r)).collect()
    }

    /// The first request (already recorded or still to come) that matches;
    /// panics after `timeout` with the requests seen so far.
    pub async fn wait_for_request(
        &self,
        matcher: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Arc<Recorded> {
        let rx = self.shared.requests_tx.subscribe();
        let found = wait_on(rx, timeout, || {
            let reqs = self.shared.requests.lock().unwrap();
            reqs.iter().find(|r| matcher(r)).cloned()
        })
        .await;
        found.unwrap_or_else(|| {
            panic!(
                "no matching REST request within {timeout:?}; seen:\n{}",
                self.describe_requests()
            )
        })
    }

    /// Waits until at least `n` requests match, returning them all.
    pub async fn wait_for_requests(
        &self,
        n: usize,
        matcher: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Vec<Arc<Recorded>> {
        let rx = self.shared.requests_tx.subscribe();
        let found = wait_on(rx, timeout, || {
            let hits = self.requests_matching(&matcher);
            (hits.len() >= n).then_some(hits)
        })
        .await;
        found.unwrap_or_else(|| {
            panic!(
                "fewer than {n} matching REST requests within {timeout:?} (got {}); seen:\n{}",
                self.requests_matching(&matcher).len(),
                self.describe_requests()
            )
        })
    }

    fn describe_requests(&self) -> String {
        let reqs = self.requests();
        let skip = reqs.len().saturating_sub(40);
        reqs[skip..]
            .iter()
            .map(|r| {
                // At most 300 bytes, cut at a character boundary.
                let body: String = r
                    .body
                    .to_string()
                    .char_indices()
                    .take_while(|(i, _)| *i < 300)
                    .map(|(_, c)| c)
                    .collect();
                format!(
                    "  #{} {} {} -> {} {body}",
                    r.seq, r.method, r.path, r.status
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every request about one interaction (by its token), in order.
    pub fn interaction_requests(&self, token: &str) -> Vec<Arc<Recorded>> {
        let part = format!("/{token}");
        self.requests_matching(|r| r.path.contains(&part))
    }

    /// The first successful response that shows a message for the interaction:
    /// a callback of type 4 or 7, a follow-up, or an edit of the original.
    pub async fn wait_for_interaction_reply(
        &self,
        token: &str,
        timeout: Duration,
    ) -> Arc<Recorded> {
        let callback = format!("/{token}/callback");
        let webhook = format!("/webhooks/{APP_ID}/{token}");
        let original = format!("{webhook}/messages/@original");
        self.wait_for_request(
            |r| {
                r.ok()
                    && ((r.path.ends_with(&callback)
                        && matches!(r.body["type"].as_u64(), Some(4 | 7)))
                        || (r.method == "POST" && r.path == webhook)
                        || (r.method == "PATCH" && r.path == original))
            },
            timeout,
        )
        .await
    }

    /// Answer the next request that matches with `fault` instead of normally.
    pub fn fail_next(
        &self,
        matcher: impl Fn(&Recorded) -> bool + Send + Sync + 'static,
        fault: RestFault,
    ) {
        let mut faults = self.shared.faults.lock().unwrap();
        faults.push((Box::new(matcher), fault));
    }

    /// Serve `bytes` at a URL on the fake, as Discord's CDN serves attachments.
    pub fn host_attachment(&self, filename: &str, bytes: &[u8]) -> Attachment {
        let id = self.shared.next_id();
        let key = format!("{id}/{filename}");
        let url = format!("{}/attachments/{key}", self.url());
        self.shared
            .attachments
            .lock()
            .unwrap()
            .insert(key, bytes.to_vec());
        Attachment {
            id,
            filename: filename.to_string(),
            size: bytes.len(),
            url,
            content_type: "text/markdown; charset=utf-8".to_string(),
        }
    }

    /// A message the bot sent (or edited), as the fake stored it.
    pub fn message(&self, id: u64) -> Option<Value> {
        self.shared.messages.lock().unwrap().get(&id).cloned()
    }

    /// The commands registered in a scope (None = global), as last PUT.
    pub fn registered_commands(&self, guild: Option<u64>) -> Vec<Value> {
        let commands = self.shared.commands.lock().unwrap();
        commands.get(&guild).cloned().unwrap_or_default()
    }

    // ---- Gateway -------------------------------------------------------------

    /// Frames the client sent (IDENTIFY, RESUME, heartbeats, ...), in order.
    pub fn frames(&self) -> Vec<Arc<GatewayFrame>> {
        self.shared.frames.lock().unwrap().clone()
    }

    /// The `n`-th (from 1) frame with opcode `op` the client sent.
    pub async fn wait_for_frame(&self, op: u64, n: usize, timeout: Duration) -> Arc<GatewayFrame> {
        let rx = self.shared.frames_tx.subscribe();
        let found = wait_on(rx, timeout, || {
            let frames = self.shared.frames.lock().unwrap();
            frames.iter().filter(|f| f.op == op).nth(n - 1).cloned()
        })
        .await;
        found.unwrap_or_else(|| {
            let ops: Vec<u64> = self.frames().iter().map(|f| f.op).collect();
            panic!("no gateway frame #{n} with op {op} within {timeout:?}; ops seen: {ops:?}")
        })
    }

    pub fn frames_with_op(&self, op: u64) -> usize {
        self.frames().iter().filter(|f| f.op == op).count()
    }
}

/// Re-check `check` whenever the watched counter moves, until it yields or time runs out.
async fn wait_on<T>(
    mut rx: watch::Receiver<usize>,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        rx.borrow_and_update();
        if let Some(found) = check() {
            return Some(found);
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return check(),
        }
    }
}
