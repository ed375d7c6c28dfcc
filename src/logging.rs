//! Logs go to stderr so `ask --json` output on stdout stays machine-readable.
//! `RUST_LOG` picks the level; the default keeps the CLI quiet. Text for
//! people by default; `--log-format json` writes one JSON object per line
//! for log shippers (journald, Loki, Elasticsearch) that would otherwise have
//! to parse the text.

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    /// One JSON object per line: timestamp, level, target, fields.
    Json,
}

pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,briefbot=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // The event's fields at the top level, beside `timestamp`, `level`
        // and `target`, so shippers index them without unnesting.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}
