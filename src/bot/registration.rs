//! Slash-command registration, in a task of its own. poise holds every event
//! until its setup returns, so a registration Discord refuses inside setup
//! (50001 Missing Access, a 5xx, a 429 serenity does not retry behind a REST
//! proxy, a rejected payload) would leave the bot deaf. Here setup returns at
//! once; the registration is retried with a growing pause until Discord
//! takes it or the bot shuts down, and mentions, `!ask`, DMs and buttons are
//! answered meanwhile.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ApplicationId, GuildId, Http, LightMethod, Request, Route};
use tokio::task::JoinHandle;

use super::send::{Rest, Retry, Try};
use super::Data;

/// Discord's "Missing Access": for a guild, the bot was invited without the
/// `applications.commands` scope.
const MISSING_ACCESS: i64 = 50001;

/// Pauses that double from `first` up to `max`.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub(crate) fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            next: first.min(max),
            max,
        }
    }

    /// The pause before the next try.
    pub(crate) fn pause(&mut self) -> Duration {
        let now = self.next;
        self.next = (self.next * 2).min(self.max);
        now
    }
}

/// Where the commands go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub application: ApplicationId,
    /// A guild for instant registration (`discord.dev_guild`); global otherwise.
    pub guild: Option<GuildId>,
}

/// Register `commands` (the bulk overwrite: registering again replaces,
/// never duplicates) until Discord accepts, retrying on any refusal.
pub(crate) fn spawn(
    http: Arc<Http>,
    state: Data,
    target: Target,
    commands: Vec<serenity::CreateCommand>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let stop = state.shutdown.clone();
        tokio::select! {
            _ = register(&http, &state, target, &commands) => {}
            _ = stop.cancelled() => {
                tracing::info!("shutting down before the slash commands were registered");
            }
        }
    })
}

async fn register(http: &Http, state: &Data, target: Target, commands: &[serenity::CreateCommand]) {
    let body = match serde_json::to_vec(commands) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("slash commands cannot be encoded, so they are not registered: {e}");
            return;
        }
    };
    let d = &state.settings.discord;
    let mut backoff = Backoff::new(
        Duration::from_secs_f64(d.register_retry_secs),
        Duration::from_secs_f64(d.register_retry_max_secs),
    );
    let rest = Rest {
        http,
        client: &state.discord_client,
        retry: Retry::default(),
        metrics: &state.metrics,
    };
    let scope = match target.guild {
        Some(g) => format!("guild {g}"),
        None => "global".to_string(),
    };
    for attempt in 1u32.. {
        let route = match target.guild {
            Some(guild_id) => Route::GuildCommands {
                application_id: target.application,
                guild_id,
            },
            None => Route::Commands {
                application_id: target.application,
            },
        };
        let request = Request::new(route, LightMethod::Put).body(Some(body.clone()));
        let (pause, reason) = match rest.try_once(request).await {
            Ok(Try::Done) => {
                tracing::info!(scope, attempt, "slash commands registered");
                state.readiness.set_commands_registered();
                return;
            }
            // A 429: Discord says how long to wait.
            Ok(Try::Again(Some(asked), why)) => (asked, why),
            Ok(Try::Again(None, why)) => (backoff.pause(), why),
            Ok(Try::Refused(status, code, body)) => {
                (backoff.pause(), refusal(status, code, &body, target))
            }
            Err(e) => (backoff.pause(), e.to_string()),
        };
        tracing::warn!(
            scope,
            attempt,
            "registering the slash commands failed: {reason}; trying again in {pause:?} \
             (mentions, the prefix, DMs and buttons are answered meanwhile)"
        );
        rest.metrics.rest_retry();
        tokio::time::sleep(pause).await;
    }
}

/// Discord's status, code and message, and what to do about the usual one.
fn refusal(status: u16, code: i64, body: &str, target: Target) -> String {
    let parsed: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let message = parsed["message"].as_str().unwrap_or(body);
    let mut reason = format!("Discord answered {status}, code {code}: {message}");
    if code == MISSING_ACCESS {
        if let Some(g) = target.guild {
            reason.push_str(&format!(
                " (invite the bot to guild {g} with the applications.commands scope, \
                 or unset discord.dev_guild)"
            ));
        }
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(5), Duration::from_secs(30));
        let pauses: Vec<u64> = (0..5).map(|_| b.pause().as_secs()).collect();
        assert_eq!(pauses, [5, 10, 20, 30, 30]);
    }

    #[test]
    fn missing_access_in_a_dev_guild_says_how_to_fix_it() {
        let target = Target {
            application: ApplicationId::new(1),
            guild: Some(GuildId::new(10)),
        };
        let body = r#"{"message": "Missing Access", "code": 50001}"#;
        let r = refusal(403, 50001, body, target);
        assert!(
            r.contains("403") && r.contains("50001") && r.contains("Missing Access"),
            "{r}"
        );
        assert!(r.contains("applications.commands"), "{r}");
    }
}
