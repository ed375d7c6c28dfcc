//! briefbot answers a community's questions from the news briefs it has indexed.
//!
//! # Layout
//! - [`engine`]: briefs → passages → Tantivy index → answers. Pure, synchronous,
//!   knows nothing of Discord; everything else is a front end to it.
//! - [`bot`]: thin Discord glue (serenity + poise): events in, engine calls,
//!   rendered replies out.
//! - [`config`]: settings from file, environment and flags.
//! - [`store`]: what must survive a restart, in SQLite or PostgreSQL: briefs
//!   added from Discord, questions, votes, the moderator audit log.
//! - [`cluster`]: keeps every process sharing one database at the same
//!   content generation (a bot split over several processes).
//! - [`ops`]: what operators watch: `/healthz` and `/metrics`.
//! - [`present`]: what every front end shows alike (the source line).
//! - [`cli`]: the `briefbot` subcommands.
//! - [`bench`](mod@bench): the benchmarks behind `briefbot bench` and `cargo bench`.

pub mod bench;
pub mod bot;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod engine;
pub mod logging;
pub mod ops;
pub mod present;
pub mod store;
