//! The engine's integration tests in one binary: the engine end to end
//! (`engine`) and start-up from an index on disk (`startup`).

mod engine;
mod reader;
mod startup;
