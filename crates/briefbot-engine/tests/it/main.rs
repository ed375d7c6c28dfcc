//! The engine's integration tests in one binary: the engine end to end
//! (`engine`), start-up from an index on disk (`startup`) and the verdict
//! on questions the briefs are about but do not answer (`verdicts`).

mod engine;
mod reader;
mod startup;
mod verdicts;
