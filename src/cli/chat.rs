use crate::config::Settings;

pub fn run(_settings: &Settings) -> anyhow::Result<()> {
    anyhow::bail!("not yet built")
}
