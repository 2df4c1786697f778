use clap::Parser;

/// karmada-controller-manager runs the federation's controllers against a karmada-apiserver.
#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {}

fn main() -> anyhow::Result<()> {
    let _ = Options::parse();
    anyhow::bail!(
        "karmada-controller-manager: this build has no controllers yet (known: {:?})",
        karmada_controllers::CONTROLLERS
    )
}
