//! Replies that survive Discord's transient faults. A reply that meets a 429
//! (after its `retry_after`), a 5xx or a timeout is sent again, a bounded
//! number of times with growing pauses. A retry must never post twice, so:
//! - channel messages carry a `nonce` with `enforce_nonce`: Discord answers a
//!   repeat within minutes with the message already created;
//! - an interaction's first response that may have landed (the retry is told
//!   "already acknowledged") falls back to editing the original response,
//!   which can be repeated safely; after a deferral the reply is that edit.
//!
//! Requests go through serenity's `Request` and routes, but are executed here
//! so the whole answer is visible: serenity's error keeps neither the
//! `retry_after` of a 429 nor its headers. Without a REST proxy serenity's
//! own rate limiter still runs them (and waits out 429s itself).

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{
    ApplicationId, ChannelId, CreateInteractionResponse, Http, InteractionId, LightMethod,
    MessageId, Request, Route,
};

use super::reply::Reply;
use crate::ops::Metrics;

/// How often a reply is tried, and how long the pauses between tries grow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    pub attempts: u32,
    pub first_pause: Duration,
    /// A pause Discord asks for (`retry_after`) beyond this is not waited
    /// out: the reply is given up and logged.
    pub longest_pause: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            first_pause: Duration::from_millis(250),
            longest_pause: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    #[error("Discord refused {what}: {status} {body}")]
    Refused {
        what: &'static str,
        status: u16,
        /// Discord's error code (10062 unknown interaction, 40060 already acknowledged, ...).
        code: i64,
        body: String,
    },
    #[error("{what} still failing after {attempts} tries: {last}")]
    GaveUp {
        what: &'static str,
        attempts: u32,
        last: String,
    },
    #[error("building {what}: {source}")]
    Build {
        what: &'static str,
        /// Boxed: serenity's error is large, and this one is rare.
        #[source]
        source: Box<serenity::Error>,
    },
}

impl SendError {
    fn code(&self) -> Option<i64> {
        match self {
            SendError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Discord's "Interaction has already been acknowledged."
const ALREADY_ACKNOWLEDGED: i64 = 40060;

/// Where requests go: serenity's HTTP (token, proxy, rate limiter) and the
/// client it was built with (for the requests executed here), and where
/// their failures are counted.
#[derive(Clone, Copy)]
pub(crate) struct Rest<'a> {
    pub http: &'a Http,
    pub client: &'a reqwest::Client,
    pub retry: Retry,
    pub metrics: &'a Metrics,
}

/// One outcome of one try.
pub(super) enum Try {
    Done,
    /// Worth another try, after at least this long.
    Again(Option<Duration>, String),
    Refused(u16, i64, String),
}

impl Rest<'_> {
    /// Post `reply` in `channel` as a reply to `reply_to`. `nonce` names this
    /// reply (at most 25 characters): a retry with it cannot post a second copy.
    pub(crate) async fn message(
        &self,
        channel: ChannelId,
        reply_to: Option<MessageId>,
        reply: &Reply,
        nonce: &str,
    ) -> Result<(), SendError> {
        let body = reply
            .to_message(reply_to.map(|m| (channel, m)))
            .nonce(serenity::Nonce::String(nonce.to_string()))
            .enforce_nonce(true);
        let body = json(&body, "a message")?;
        self.with_retries("a message", || {
            Request::new(
                Route::ChannelMessages {
                    channel_id: channel,
                },
                LightMethod::Post,
            )
            .body(Some(body.clone()))
        })
        .await
    }

    /// A reaction from the bot on a member's message: one try, since losing
    /// one is harmless and a reaction cannot be duplicated anyway.
    pub(crate) async fn react(
        &self,
        channel: ChannelId,
        message: MessageId,
        emoji: &str,
    ) -> Result<(), SendError> {
        let mut once = *self;
        once.retry.attempts = 1;
        once.with_retries("a reaction", || {
            Request::new(
                Route::ChannelMessageReactionMe {
                    channel_id: channel,
                    message_id: message,
                    reaction: emoji,
                },
                LightMethod::Put,
            )
        })
        .await
    }

    /// Answer an interaction with `reply`: its first response, or (when it
    /// was deferred, or a lost first response turns out to have landed) an
    /// edit of the original response.
    pub(crate) async fn interaction(
        &self,
        interaction: InteractionId,
        application: ApplicationId,
        token: &str,
        reply: &Reply,
        deferred: bool,
    ) -> Result<(), SendError> {
        if !deferred {
            let body = json(
                &CreateInteractionResponse::Message(reply.to_interaction()),
                "an interaction response",
            )?;
            let first = self
                .with_retries("an interaction response", || {
                    Request::new(
                        Route::InteractionResponse {
                            interaction_id: interaction,
                            token,
                        },
                        LightMethod::Post,
                    )
                    .body(Some(body.clone()))
                })
                .await;
            match first {
                Err(e) if e.code() == Some(ALREADY_ACKNOWLEDGED) => {
                    tracing::info!("a first response landed before its retry; editing it");
                }
                other => return other,
            }
        }
        let body = json(&reply.to_edit(), "an edit of the response")?;
        self.with_retries("an edit of the response", || {
            Request::new(
                Route::WebhookOriginalInteractionResponse {
                    application_id: application,
                    token,
                },
                LightMethod::Patch,
            )
            .body(Some(body.clone()))
        })
        .await
    }

    async fn with_retries<'r>(
        &self,
        what: &'static str,
        request: impl Fn() -> Request<'r>,
    ) -> Result<(), SendError> {
        let mut pause = self.retry.first_pause;
        let mut last = String::new();
        for attempt in 1..=self.retry.attempts.max(1) {
            match self.try_once(request()).await {
                Ok(Try::Done) => return Ok(()),
                Ok(Try::Refused(status, code, body)) => {
                    return Err(SendError::Refused {
                        what,
                        status,
                        code,
                        body,
                    })
                }
                Ok(Try::Again(asked, why)) => {
                    last = why;
                    if attempt == self.retry.attempts {
                        break;
                    }
                    // Discord's own figure for a 429; our growing pause otherwise.
                    let wait = asked.unwrap_or(pause);
                    if wait > self.retry.longest_pause {
                        last = format!("{last} (asked to wait {wait:?}, longer than allowed)");
                        break;
                    }
                    tracing::warn!(
                        attempt,
                        "sending {what} failed ({last}); retrying in {wait:?}"
                    );
                    self.metrics.rest_retry();
                    tokio::time::sleep(wait).await;
                    pause = (pause * 2).min(self.retry.longest_pause);
                }
                Err(e) => return Err(e),
            }
        }
        Err(SendError::GaveUp {
            what,
            attempts: self.retry.attempts,
            last,
        })
    }

    pub(super) async fn try_once(&self, request: Request<'_>) -> Result<Try, SendError> {
        let response = match &self.http.ratelimiter {
            Some(limiter) => limiter.perform(request).await,
            None => match request.build(self.client, self.http.token(), self.http.proxy.as_deref())
            {
                Ok(builder) => match builder.build() {
                    Ok(r) => self.client.execute(r).await.map_err(serenity::Error::from),
                    Err(e) => Err(serenity::Error::from(e)),
                },
                Err(e) => Err(e),
            },
        };
        let response = match response {
            Ok(r) => r,
            // Timeouts and broken connections: the request may or may not
            // have landed, which is what the nonce and the edit are for.
            Err(serenity::Error::Http(serenity::HttpError::Request(e))) => {
                self.metrics.rest_error(None);
                return Ok(Try::Again(None, e.to_string()));
            }
            Err(e) => {
                return Err(SendError::Build {
                    what: "a request",
                    source: Box::new(e),
                })
            }
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(Try::Done);
        }
        self.metrics.rest_error(Some(status));
        let header_wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok());
        let body = response.text().await.unwrap_or_default();
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        match status {
            429 => {
                let secs = parsed["retry_after"]
                    .as_f64()
                    .or(header_wait)
                    .unwrap_or(1.0);
                let wait = Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::MAX);
                Ok(Try::Again(Some(wait), format!("429 {body}")))
            }
            500..=599 => Ok(Try::Again(None, format!("{status} {body}"))),
            _ => Ok(Try::Refused(
                status,
                parsed["code"].as_i64().unwrap_or(0),
                body,
            )),
        }
    }
}

fn json(body: &impl serde::Serialize, what: &'static str) -> Result<Vec<u8>, SendError> {
    serde_json::to_vec(body).map_err(|e| SendError::Build {
        what,
        source: Box::new(serenity::Error::Json(e)),
    })
}
