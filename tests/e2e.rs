//! End to end: the real serenity/poise client against a fake Discord on
//! loopback (`tests/support/fake_discord`). Every test asserts on the exact
//! requests the fake received.
//!
//! Most tests share one bot (dev guild A) and keep to their own channels, so
//! they run in parallel without seeing each other's replies; the fault and
//! shutdown tests start their own. Every wait is bounded; nothing sleeps.
//!
//! Debugging: `E2E_LOG=warn,briefbot=debug,poise=debug cargo test --test e2e NAME`
//! prints the bot's logs; a timed-out wait prints the requests the fake saw.

#[path = "support/fake_discord/mod.rs"]
mod fake_discord;

#[path = "e2e/selftest.rs"]
mod selftest;

#[path = "e2e/harness.rs"]
mod harness;

#[path = "e2e/burst.rs"]
mod burst;
#[path = "e2e/buttons.rs"]
mod buttons;
#[path = "e2e/conversation.rs"]
mod conversation;
#[path = "e2e/lifecycle.rs"]
mod lifecycle;
#[path = "e2e/moderation.rs"]
mod moderation;
#[path = "e2e/retries.rs"]
mod retries;
