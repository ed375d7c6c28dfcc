//! What operators watch the bot through: an optional HTTP listener
//! (`[ops] listen`) serving `/healthz` ([`health`]) and `/metrics`
//! ([`metrics`]). It is started once the index has opened and the database
//! is reachable, before the gateway connects, so a refused connection means
//! "still starting" and a 503 names what is missing.

pub mod health;
mod listener;
pub mod metrics;

pub use listener::serve;
pub use metrics::Metrics;
