use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run a range of gateway shards: A-B/TOTAL (e.g. 0-3/8).
    #[arg(long)]
    pub shards: Option<String>,
}

pub fn run(_settings: Settings, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("not yet built")
}
