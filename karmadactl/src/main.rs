use clap::{Parser, Subcommand};

/// karmadactl controls a karmada-rs federation.
#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the client version.
    Version,
}

fn main() -> anyhow::Result<()> {
    match Options::parse().command {
        Command::Version => println!("karmadactl version {}", karmada_api::names::VERSION),
    }
    Ok(())
}
