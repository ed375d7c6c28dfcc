use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Only the shipped brief and the 10k corpus (under a minute).
    #[arg(long)]
    pub quick: bool,
    /// Measure dispatch-to-reply latency through the fake Discord.
    #[arg(long)]
    pub e2e: bool,
}

pub fn run(_settings: &Settings, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("not yet built")
}
