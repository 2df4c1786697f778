use clap::Parser;

/// karmada-agent registers a member cluster with a federation and applies its Works (pull mode).
#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {}

fn main() -> anyhow::Result<()> {
    let _ = Options::parse();
    anyhow::bail!("karmada-agent: pull mode is not implemented in this build")
}
