use std::sync::Arc;

use anyhow::Context as _;

use briefbot::config::{Settings, ShardRange};
use briefbot_engine::Engine;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run a range of gateway shards: A-B/TOTAL (e.g. 0-3/8), overriding discord.shards.
    #[arg(long)]
    pub shards: Option<String>,
}

pub fn run(mut settings: Settings, args: Args) -> anyhow::Result<()> {
    if let Some(s) = &args.shards {
        let range: ShardRange = s.parse().map_err(|e| anyhow::anyhow!("--shards: {e}"))?;
        settings.discord.shards = Some(range);
    }
    // Before the index is opened, which can take a while.
    settings.discord.require_token()?;
    // Members are answered by the briefs' words while vectors fill in.
    let mut cfg = settings.engine_config();
    cfg.fill_in_background = true;
    let (engine, report) = Engine::open(cfg).context("opening the index")?;
    for p in &report.problems {
        tracing::warn!(file = %p.file.display(), "brief not indexed: {}", p.problem);
    }
    tracing::info!(
        briefs = report.briefs,
        passages = report.passages,
        rebuilt = report.rebuilt,
        vectors_pending = report.pending_vectors,
        "index ready"
    );
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let served = runtime.block_on(briefbot::bot::run(
        settings,
        Arc::new(engine),
        shutdown_signal(),
    ));
    // Tasks still trying to reach Discord (a shard reconnecting, a name
    // lookup on a blocking thread) must not hold the exit up.
    runtime.shutdown_timeout(RUNTIME_STOP_LIMIT);
    served
}

/// How long the runtime's leftover tasks get once the bot has stopped.
const RUNTIME_STOP_LIMIT: std::time::Duration = std::time::Duration::from_millis(300);

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
