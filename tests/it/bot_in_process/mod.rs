//! In-process tests of the Discord bot: handlers driven with mocked messages
//! and interactions, asserting on the exact payloads they would send.

mod config;
mod members;
mod moderators;
mod render;
mod settings;
mod support;
mod wiring;
