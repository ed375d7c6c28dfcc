//! Logs go to stderr so `ask --json` output on stdout stays machine-readable.
//! `RUST_LOG` picks the level; the default keeps the CLI quiet.

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,briefbot=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
