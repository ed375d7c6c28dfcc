//! What the fake records of each REST request, and the faults a test can
//! put on the next matching one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

use super::wait_on;

/// One REST request the bot made, with the status the fake answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Position in arrival order, from 0.
    pub seq: usize,
    pub method: String,
    /// Path without the `/api/v10` prefix or the query: `/channels/5/messages`.
    pub path: String,
    pub query: String,
    /// The JSON body (`payload_json` for multipart), Null when there is none.
    pub body: Value,
    pub status: u16,
    /// What the fake answered (a Message, an error object, ...).
    pub response: Value,
    /// When the fake answered it.
    pub at: Instant,
}

impl Recorded {
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path == path
    }

    /// The message part of the body: `data` of an interaction callback, else the body.
    pub fn message(&self) -> &Value {
        if self.path.ends_with("/callback") {
            &self.body["data"]
        } else {
            &self.body
        }
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// [`Recorded::text`] without Markdown emphasis, for checks on the words.
    pub fn plain_text(&self) -> String {
        self.text().replace("**", "").replace("__", "")
    }

    /// Content plus every embed's text, for "does the reply say X" checks.
    pub fn text(&self) -> String {
        let m = self.message();
        let mut out = m["content"].as_str().unwrap_or_default().to_string();
        for e in m["embeds"].as_array().into_iter().flatten() {
            for key in ["title", "description"] {
                out.push('\n');
                out.push_str(e[key].as_str().unwrap_or_default());
            }
            for f in e["fields"].as_array().into_iter().flatten() {
                out.push('\n');
                out.push_str(f["name"].as_str().unwrap_or_default());
                out.push('\n');
                out.push_str(f["value"].as_str().unwrap_or_default());
            }
            out.push('\n');
            out.push_str(e["footer"]["text"].as_str().unwrap_or_default());
        }
        out
    }
}

/// A fault for the next REST request that matches.
#[derive(Debug, Clone)]
pub enum RestFault {
    /// 429 with `retry_after` seconds, as Discord's rate limiter answers.
    RateLimited { retry_after: f64 },
    /// 401, as for a request without a bot token.
    Unauthorized,
    /// 500 Internal Server Error.
    ServerError,
    /// A refusal with Discord's JSON error: e.g. 403 with code 50001
    /// "Missing Access", or 400 with 50035 "Invalid Form Body".
    Refused {
        status: u16,
        code: u64,
        message: String,
    },
    /// The request takes effect (the message is created, the interaction
    /// answered), but the bot is told `status`, as when a response is lost
    /// on the way back: a retry must not repeat the effect.
    Lost(u16),
    /// Answer normally, but only after this long.
    Delay(Duration),
    /// Hold the request until the test releases it (see [`Hold`]).
    Hold(Hold),
}

/// A request held by the fake: the test learns when it arrived and decides
/// when it is answered (e.g. to shut the bot down while a reply is in flight).
#[derive(Debug, Clone)]
pub struct Hold {
    arrived: Arc<watch::Sender<usize>>,
    released: Arc<watch::Sender<usize>>,
}

impl Default for Hold {
    fn default() -> Self {
        Hold {
            arrived: Arc::new(watch::channel(0).0),
            released: Arc::new(watch::channel(0).0),
        }
    }
}

impl Hold {
    /// True once the held request has reached the fake.
    pub async fn arrived(&self, timeout: Duration) -> bool {
        let rx = self.arrived.subscribe();
        wait_on(rx, timeout, || (*self.arrived.borrow() > 0).then_some(()))
            .await
            .is_some()
    }

    pub fn release(&self) {
        self.released.send_replace(1);
    }

    pub(crate) async fn hold(&self) {
        self.arrived.send_replace(1);
        let rx = self.released.subscribe();
        wait_on(rx, Duration::from_secs(600), || {
            (*self.released.borrow() > 0).then_some(())
        })
        .await;
    }
}
