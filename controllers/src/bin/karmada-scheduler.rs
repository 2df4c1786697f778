//! `karmada-scheduler`: the scheduler alone, for deployments that run it apart from the
//! controller-manager (which then runs with `--controllers=*,-scheduler`). It takes the
//! controller-manager's options and elects its leader on its own Lease.

use clap::Parser;
use karmada_controllers::manager::{Options, run_until_signal};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut options = Options::parse_from(
        std::iter::once("karmada-scheduler".to_string()).chain(std::env::args().skip(1)),
    );
    options.controllers = vec!["scheduler".to_string()];
    if options.leader_elect_resource_name == "karmada-controller-manager" {
        options.leader_elect_resource_name = "karmada-scheduler".to_string();
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if options.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    run_until_signal(options).await
}
