use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The question, as a member would type it.
    pub question: String,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
    /// How many ranked passages to print.
    #[arg(long, default_value_t = 1)]
    pub top: usize,
}

pub fn run(_settings: &Settings, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("not yet built")
}
