//! End to end: the real serenity/poise client against a fake Discord on
//! loopback (the `fake-discord` crate in `crates/fake-discord`). Every test asserts on the exact
//! requests the fake received.
//!
//! Most tests share one bot (dev guild A) and keep to their own channels, so
//! they run in parallel without seeing each other's replies; the fault and
//! shutdown tests start their own. Every wait is bounded; nothing sleeps.
//!
//! Debugging: `E2E_LOG=warn,briefbot=debug,poise=debug cargo test --test e2e NAME`
//! prints the bot's logs; a timed-out wait prints the requests the fake saw.

mod selftest;

mod harness;

mod json_logs;

mod burst;
mod buttons;
mod conversation;
mod intents;
mod lifecycle;
mod moderation;
mod ops;
mod outage;
mod registration;
mod retries;

// One shared server; only the store tests start their own, to restart it.
#[allow(dead_code)]
#[path = "../support/pg_cluster.rs"]
mod pg_cluster;
mod privacy;
mod processes;
mod rows;
mod servers;
mod several;
