//! `karmada-propagation-bench`: propagation benchmarks (see BENCHMARKS.md §3).

use clap::Parser;
use karmada_e2e::bench::{Options, report, run};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,karmada_e2e=info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = Options::parse();
    let effective = options.effective();
    let started = std::time::Instant::now();
    let results = run(&effective).await?;
    println!("{}", report::render(&effective, &results));
    println!(
        "Command: karmada-propagation-bench {}; total {:.1} s.",
        std::env::args().skip(1).collect::<Vec<_>>().join(" "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
