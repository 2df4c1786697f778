use clap::Parser;

/// karmada-controller-manager runs the federation's controllers against a karmada-apiserver.
#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {}

fn main() -> anyhow::Result<()> {
    let _ = Options::parse();
    anyhow::bail!("karmada-controller-manager: controllers are being assembled in this build")
}
