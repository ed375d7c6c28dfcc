//! The root crate's integration tests in one binary, so the whole stack is
//! linked once instead of once per file: the CLI and the installed binary,
//! the service files under `deploy/`,
//! the bot in process, and the engine through the library (hostile briefs,
//! a damaged index, several processes, question frames, the semantic layer).
//! The end-to-end tests (`tests/e2e/`) and the database tests
//! (`tests/store/`) keep binaries of their own.

#[path = "../common/mod.rs"]
mod common;

mod bot_in_process;
mod cli;
mod deploy;
mod frames;
mod hostile_briefs;
mod index_damage;
mod index_processes;
mod installed;
mod semantic;
mod vector_fill;
