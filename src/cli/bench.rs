//! `briefbot bench`: run the benchmarks and print a table or JSON. The same
//! binary is re-run with the hidden `--child` flags to measure each corpus in
//! a fresh process.

use std::path::PathBuf;

use anyhow::Context;

use crate::bench::{self, measure, process, Plan};
use briefbot::config::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Only the shipped brief and the 10k corpus (under a minute).
    #[arg(long)]
    pub quick: bool,
    /// Seed for the synthetic corpora and question mixes.
    #[arg(long, default_value_t = briefbot_bench::DEFAULT_SEED)]
    pub seed: u64,
    /// Where corpora and their indexes are written (default: a folder in the
    /// system temp directory). The bot's own index is never touched.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Only the database: recorded questions per second on SQLite and, with
    /// --postgres, on PostgreSQL, and how fast a /reindex reaches a second process.
    #[arg(long)]
    pub store: bool,
    /// A scratch PostgreSQL database for --store (its re-indexes reach any bot sharing it).
    #[arg(long, env = "BRIEFBOT_BENCH_POSTGRES_URL")]
    pub postgres: Option<String>,
    #[arg(long, hide = true, value_parser = ["measure", "serve", "profile"])]
    pub child: Option<String>,
    #[arg(long, hide = true)]
    pub name: Option<String>,
    #[arg(long, hide = true)]
    pub corpus: Option<PathBuf>,
    #[arg(long, hide = true)]
    pub index_dir: Option<PathBuf>,
}

pub fn run(settings: &Settings, args: Args) -> anyhow::Result<()> {
    let plan = Plan {
        quick: args.quick,
        seed: args.seed,
        work_dir: args
            .work_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("briefbot-bench")),
    };
    if let Some(mode) = &args.child {
        return child(settings, &plan, mode, &args);
    }
    if args.store {
        return store(settings, &args);
    }
    let report = bench::run(settings, &plan)?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        super::emit(&bench::report::table(&report))?;
    }
    Ok(())
}

fn store(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let questions = if args.quick { 2_000 } else { 10_000 };
    let rows = runtime.block_on(bench::store::run(
        &settings.paths.briefs,
        args.postgres.as_deref(),
        questions,
    ))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        super::emit(&bench::store::table(&rows, args.postgres.is_none()))?;
    }
    Ok(())
}

fn child(settings: &Settings, plan: &Plan, mode: &str, args: &Args) -> anyhow::Result<()> {
    let corpus = args.corpus.as_deref().context("--corpus is required")?;
    let index = args
        .index_dir
        .as_deref()
        .context("--index-dir is required")?;
    let cfg = briefbot_bench::engine_config(settings.engine_config(), corpus, index);
    let questions = plan.effort("").questions;
    match mode {
        "serve" => return process::serve_child(cfg, plan.seed, questions),
        "profile" => return process::profile_child(cfg, plan.seed, questions),
        _ => {}
    }
    let name = args.name.as_deref().unwrap_or("corpus");
    let row = measure::measure(name, cfg, plan.seed, plan.effort(name))?;
    super::emit(&format!("{}\n", serde_json::to_string(&row)?))?;
    Ok(())
}
