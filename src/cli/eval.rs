use std::path::PathBuf;

use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Question set (JSON: {"questions": [{"q", "expect": [...]}]}).
    pub file: PathBuf,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_settings: &Settings, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("not yet built")
}
