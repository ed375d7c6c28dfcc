//! End to end: the real serenity/poise client against a fake Discord on
//! loopback (`tests/support/fake_discord`). Every test asserts on the exact
//! requests the fake received.

#[path = "support/fake_discord/mod.rs"]
mod fake_discord;

#[path = "e2e/selftest.rs"]
mod selftest;

#[path = "e2e/harness.rs"]
mod harness;

#[path = "e2e/buttons.rs"]
mod buttons;
#[path = "e2e/conversation.rs"]
mod conversation;
#[path = "e2e/lifecycle.rs"]
mod lifecycle;
#[path = "e2e/moderation.rs"]
mod moderation;
