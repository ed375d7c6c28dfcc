//! The command line: one subcommand per job, each in its own file.

/// `println!` for command output: a reader that went away is returned as
/// an error (see [`emit`]) from the calling function, instead of a panic.
macro_rules! outln {
    () => {
        $crate::cli::emit("\n")?
    };
    ($($arg:tt)*) => {
        $crate::cli::emit(&format!("{}\n", format_args!($($arg)*)))?
    };
}

mod ask;
mod bench;
mod chat;
mod eval;
mod index;
pub mod output;
mod progress;
mod serve;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use briefbot::config::Settings;
use briefbot_engine::Engine;

#[derive(Debug, Parser)]
#[command(
    name = "briefbot",
    version,
    about = "Answers questions from indexed news briefs"
)]
pub struct Cli {
    /// Config file (default: config/briefbot.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Directory of brief files (overrides paths.briefs).
    #[arg(long, global = true)]
    pub briefs: Option<PathBuf>,
    /// Index directory (overrides paths.index).
    #[arg(long, global = true)]
    pub index: Option<PathBuf>,
    /// How log lines on stderr are written: text for people, or one JSON
    /// object per line for log shippers.
    #[arg(long, global = true, value_enum, default_value_t)]
    pub log_format: briefbot::logging::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer one question from the briefs.
    Ask(ask::Args),
    /// Ask questions interactively, one per line.
    Chat,
    /// Rebuild the index from the briefs and report.
    Index,
    /// Score the engine on a question set.
    Eval(eval::Args),
    /// Run the Discord bot.
    Serve(serve::Args),
    /// Measure latency, throughput, indexing and memory.
    Bench(bench::Args),
}

impl Cli {
    /// Settings from the config file with command-line overrides applied.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut settings = Settings::load(self.config.as_deref())?;
        if let Some(b) = &self.briefs {
            settings.paths.briefs = b.clone();
        }
        if let Some(i) = &self.index {
            settings.paths.index = i.clone();
        }
        Ok(settings)
    }
}

/// Run the parsed command line; errors are reported by `main` with their context chain.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings()?;
    let names = std::env::vars_os().filter_map(|(k, _)| k.into_string().ok());
    for name in briefbot::config::env::unknown_variables(names) {
        tracing::warn!(
            "{name} is not a briefbot setting and is ignored (README: \"Configuration\")"
        );
    }
    match cli.command {
        Command::Ask(args) => ask::run(&settings, args),
        Command::Chat => chat::run(&settings),
        Command::Index => index::run(&settings),
        Command::Eval(args) => eval::run(&settings, args),
        Command::Serve(args) => serve::run(settings, args),
        Command::Bench(args) => bench::run(&settings, args),
    }
}

/// Open the engine for a one-shot command, telling the user on stderr when
/// the index had to be built and which files could not be read.
pub fn open_engine(settings: &Settings) -> anyhow::Result<Engine> {
    // A question need not wait minutes for a large brief's vectors.
    let mut cfg = settings.engine_config();
    cfg.fill_in_background = true;
    let (engine, report) = Engine::open(cfg)?;
    if report.rebuilt {
        note(&format!(
            "Indexed {} ({}) in {} ms.",
            index::count(report.briefs, "brief"),
            index::count(report.passages, "passage"),
            report.millis
        ));
    }
    for p in &report.problems {
        note(&format!("warning: {}: {}", p.file.display(), p.problem));
    }
    if report.pending_vectors > 0 {
        note(&format!(
            "{} are still being embedded (`briefbot index` waits for them); \
             answers use their words meanwhile.",
            index::count(report.pending_vectors, "passage")
        ));
    }
    Ok(engine)
}

/// Write to standard output. Unlike `print!`, a reader that went away
/// (`briefbot ask … | head -0`) is an error the caller returns, and `main`
/// ends quietly on it, instead of a panic.
pub fn emit(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// A line for the person at the terminal, on stderr. Losing one (stderr
/// closed) is no reason to stop the command, so a failed write is dropped.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// True when `error` comes from writing to a pipe whose reader has gone:
/// the conventional end of `briefbot … | head`, not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
