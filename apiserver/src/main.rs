use clap::Parser;
use karmada_apiserver::server::{Options, start};
use tracing_subscriber::EnvFilter;

/// The karmada-rs federation API server: Kubernetes-compatible, serving Karmada's API groups.
#[derive(Parser, Debug)]
#[command(name = "karmada-apiserver", version = karmada_api::names::VERSION)]
struct Cli {
    /// Log format: `text` for people, `json` for log pipelines (one object per line).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(flatten)]
    options: Options,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter);
    if cli.log_format == "json" {
        subscriber.json().flatten_event(true).init();
    } else {
        subscriber.init();
    }
    let server = start(cli.options).await?;
    match &server.kubeconfig {
        Some(kubeconfig) => println!(
            "karmada-apiserver listening on https://{}\nadmin kubeconfig: {}",
            server.addr,
            kubeconfig.display()
        ),
        None => println!("karmada-apiserver listening on https://{}", server.addr),
    }
    let stop = server.shutdown_handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    });
    server.wait().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        let _ = ctrl_c.await;
        return;
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
