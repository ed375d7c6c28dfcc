//! The engine's integration tests in one binary: the engine end to end
//! (`engine`), start-up from an index on disk (`startup`), the verdict
//! on questions the briefs are about but do not answer (`verdicts`) and news
//! stories asked about from their headline (`news`).

mod engine;
mod news;
mod reader;
mod startup;
mod verdicts;
