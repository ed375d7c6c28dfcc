//! briefbot answers a community's questions from the news briefs it has
//! indexed. The answering itself is the `briefbot_engine` crate; this library
//! is everything around it that a deployment needs: the Discord front end,
//! settings, and the database the bot's processes share.
//!
//! # Layout
//! - [`bot`]: the Discord front end (serenity + poise): events in, engine
//!   calls off the async threads, rendered replies out; moderation, paging
//!   buttons, rate limits, the follower that keeps a process's index current.
//! - [`config`]: settings from file, environment and flags.
//! - [`store`]: what must survive a restart, in SQLite or PostgreSQL: briefs
//!   added from Discord, questions, votes, the moderator audit log.
//! - [`cluster`]: keeps every process sharing one database at the same
//!   content generation (a bot split over several processes).
//! - [`ops`]: what operators watch: `/healthz` and `/metrics`.
//! - [`privacy`]: what the bot deletes on its own: old answered questions,
//!   and the data of servers that removed it.
//! - [`present`]: what every front end shows alike (the source line).
//! - [`logging`]: the tracing subscriber every entry point installs.
//!
//! The `briefbot` binary (`src/main.rs`) adds the subcommands (`src/cli/`)
//! and the benchmark harness behind `briefbot bench` (`src/bench/`).

#![warn(unreachable_pub)]

pub mod bot;
pub mod cluster;
pub mod config;
pub mod logging;
pub mod ops;
pub mod present;
pub mod privacy;
pub mod store;
