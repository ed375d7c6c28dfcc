//! `[ops]`: what operators watch the bot through.

use std::net::SocketAddr;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsSettings {
    /// Where `/healthz` and `/metrics` are served (`127.0.0.1:9100`); none
    /// by default, since anyone who reaches it learns the bot's state.
    pub listen: Option<SocketAddr>,
}
