use clap::{Parser, Subcommand};
use karmadactl::cmd::local_up::{self, LocalUpOptions};

/// karmadactl controls a karmada-rs federation.
#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a whole federation locally: API server, controllers and simulated member clusters.
    LocalUp(LocalUpOptions),
    /// Print the client version.
    Version,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    match options.command {
        Command::LocalUp(options) => local_up::run(options).await,
        Command::Version => {
            println!("karmadactl version {}", karmada_api::names::VERSION);
            Ok(())
        }
    }
}
