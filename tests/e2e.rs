//! End to end: the real serenity/poise client against a fake Discord on
//! loopback (`tests/support/fake_discord`). Every test asserts on the exact
//! requests the fake received.

#[path = "support/fake_discord/mod.rs"]
mod fake_discord;

#[path = "e2e/selftest.rs"]
mod selftest;
