//! The `[discord]` section: how the bot behaves on Discord. The token is not
//! here on purpose: it only ever comes from the environment (see [`Token`]).

use std::fmt;

use serde::Deserialize;

/// The bot token. It never prints, not even in `{:?}` of the whole settings,
/// so a config dump in a bug report cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(token: impl Into<String>) -> Token {
        Token(token.into())
    }

    /// The secret itself, for the one place that needs it: the HTTP client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The bot was started without a token: says where one comes from, for
/// every path that needs it (`serve`, the bot's start, its HTTP client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "no Discord token: set DISCORD_TOKEN (or DISCORD_TOKEN_FILE to a file holding it); \
     the README section \"Run it on Discord\" shows how to create the bot and get one"
)]
pub struct MissingToken;

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A range of gateway shards this process runs: `A-B/TOTAL`, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl std::str::FromStr for ShardRange {
    type Err = String;

    fn from_str(s: &str) -> Result<ShardRange, String> {
        let bad = || format!("{s:?} is not a shard range like 0-3/8 (first-last/total)");
        let (range, total) = s.trim().split_once('/').ok_or_else(bad)?;
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (a, b),
            None => (range, range),
        };
        let num = |v: &str| v.trim().parse::<u32>().map_err(|_| bad());
        let r = ShardRange {
            first: num(first)?,
            last: num(last)?,
            total: num(total)?,
        };
        if r.total == 0 || r.first > r.last || r.last >= r.total {
            return Err(format!(
                "{s:?}: need first <= last < total (shards are numbered from 0)"
            ));
        }
        Ok(r)
    }
}

impl<'de> Deserialize<'de> for ShardRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordSettings {
    /// From `DISCORD_TOKEN` or the file named by `DISCORD_TOKEN_FILE`, never from the file.
    #[serde(skip)]
    pub token: Option<Token>,
    /// Prefix command for questions ("!ask how many soldiers?"); empty turns it off.
    pub prefix: String,
    /// Channels where any message that reads as a question is answered.
    pub watched_channels: Vec<u64>,
    /// Answer direct messages.
    pub dms: bool,
    /// Ask Discord for message content (a privileged intent the application
    /// must have enabled): needed for the prefix and watched channels. Off by
    /// default: Discord must approve it for a bot in over 100 servers, and
    /// `/ask`, mentions, replies and DMs work without it.
    pub message_content_intent: bool,
    /// Use embeds when the channel allows them; plain text otherwise.
    pub embeds: bool,
    /// Seconds a member waits between questions (0 = no limit).
    pub user_cooldown_secs: f64,
    /// Messages the bot posts in one channel per `channel_window_secs`
    /// (Discord allows about 5 per 5 s); `/ask` answers do not count.
    pub channel_budget: usize,
    pub channel_window_secs: f64,
    /// Questions that may wait for the channel's budget; past them a member
    /// gets a reaction instead of an answer.
    pub channel_queue: usize,
    /// Seconds before a request to Discord is given up and retried.
    pub request_timeout_secs: f64,
    /// Role ids whose members are moderators besides those with Manage Server.
    pub moderator_roles: Vec<u64>,
    /// The operator's channel: start-up and owners' actions are posted
    /// there, never a server's (each server picks its own with `/settings`).
    pub log_channel: Option<u64>,
    /// Seconds a server waits between two of its moderators' `/reindex`.
    pub server_reindex_every_secs: u64,
    /// Register slash commands in this guild only (instant) instead of globally.
    pub dev_guild: Option<u64>,
    /// Seconds before a refused slash-command registration is tried again;
    /// the pause doubles after each refusal, up to `register_retry_max_secs`.
    pub register_retry_secs: f64,
    pub register_retry_max_secs: f64,
    /// Base URL of a Discord REST proxy (twilight http-proxy or a test fake).
    pub rest_proxy: Option<String>,
    /// Hosts `/brief add` may download attachments from.
    pub attachment_hosts: Vec<String>,
    /// How many ranked passages "Next match" pages through.
    pub pages: usize,
    /// Seconds after which an answer's "Next match" button stops working.
    pub page_expiry_secs: u64,
    /// A slash command not answered within this many milliseconds is deferred.
    pub defer_after_ms: u64,
    /// On shutdown, seconds to wait for questions in flight.
    pub shutdown_grace_secs: u64,
    /// Gateway shards this process runs; unset runs all of them in one process.
    pub shards: Option<ShardRange>,
}

impl Default for DiscordSettings {
    fn default() -> Self {
        DiscordSettings {
            token: None,
            prefix: "!ask".into(),
            watched_channels: vec![],
            dms: true,
            message_content_intent: false,
            embeds: true,
            user_cooldown_secs: 3.0,
            channel_budget: 5,
            channel_window_secs: 5.0,
            channel_queue: 10,
            request_timeout_secs: 10.0,
            moderator_roles: vec![],
            log_channel: None,
            server_reindex_every_secs: 300,
            dev_guild: None,
            register_retry_secs: 5.0,
            register_retry_max_secs: 600.0,
            rest_proxy: None,
            attachment_hosts: vec!["cdn.discordapp.com".into(), "media.discordapp.net".into()],
            pages: 5,
            page_expiry_secs: 900,
            defer_after_ms: 1500,
            shutdown_grace_secs: 10,
            shards: None,
        }
    }
}

impl DiscordSettings {
    /// The token, or why the bot cannot connect without one.
    pub fn require_token(&self) -> Result<&Token, MissingToken> {
        self.token.as_ref().ok_or(MissingToken)
    }

    /// Checks no type can express; the error names the setting at fault.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let err = |k: &str, m: String| Err((format!("discord.{k}"), m));
        if self.prefix.chars().any(char::is_whitespace) {
            return err("prefix", format!("{:?} contains whitespace", self.prefix));
        }
        if !(0.0..=86_400.0).contains(&self.user_cooldown_secs) {
            let v = self.user_cooldown_secs;
            return err(
                "user_cooldown_secs",
                format!("{v} is not between 0 and 86400"),
            );
        }
        if !(1..=50).contains(&self.channel_budget) {
            let v = self.channel_budget;
            return err("channel_budget", format!("{v} is not between 1 and 50"));
        }
        if !(0.1..=3_600.0).contains(&self.channel_window_secs) {
            let v = self.channel_window_secs;
            return err(
                "channel_window_secs",
                format!("{v} is not between 0.1 and 3600"),
            );
        }
        if self.channel_queue > 1_000 {
            let v = self.channel_queue;
            return err("channel_queue", format!("{v} is over 1000"));
        }
        if !(0.5..=300.0).contains(&self.request_timeout_secs) {
            let v = self.request_timeout_secs;
            return err(
                "request_timeout_secs",
                format!("{v} is not between 0.5 and 300"),
            );
        }
        if !(0.01..=86_400.0).contains(&self.register_retry_max_secs) {
            let v = self.register_retry_max_secs;
            return err(
                "register_retry_max_secs",
                format!("{v} is not between 0.01 and 86400"),
            );
        }
        if !(0.01..=self.register_retry_max_secs).contains(&self.register_retry_secs) {
            let (v, max) = (self.register_retry_secs, self.register_retry_max_secs);
            return err(
                "register_retry_secs",
                format!("{v} is not between 0.01 and register_retry_max_secs ({max})"),
            );
        }
        if self.server_reindex_every_secs > 7 * 86_400 {
            let v = self.server_reindex_every_secs;
            return err(
                "server_reindex_every_secs",
                format!("{v} is over 604800 (a week)"),
            );
        }
        if !(1..=25).contains(&self.pages) {
            return err("pages", format!("{} is not between 1 and 25", self.pages));
        }
        if self.defer_after_ms >= 2_500 {
            return err(
                "defer_after_ms",
                format!(
                    "{} leaves no time to defer within Discord's 3-second window (use < 2500)",
                    self.defer_after_ms
                ),
            );
        }
        if self.attachment_hosts.is_empty() {
            return err(
                "attachment_hosts",
                "is empty: /brief add could never download".into(),
            );
        }
        if let Some(p) = &self.rest_proxy {
            if !(p.starts_with("http://") || p.starts_with("https://")) {
                return err(
                    "rest_proxy",
                    format!("{p:?} is not an http:// or https:// URL"),
                );
            }
        }
        Ok(())
    }
}
