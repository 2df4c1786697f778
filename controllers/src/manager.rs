//! The controller-manager: options, the registry of controllers by name (`--controllers=*,-foo`),
//! leader election, the metrics and health endpoints, and one shutdown signal for everything.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::routing::get;
use kube::Client;
use tokio::sync::watch;

use crate::context::{Context, Informers, Templates};
use crate::members::{MemberClients, PushClients};
use crate::runtime::Metrics;
use crate::{
    binding, cluster, dependencies, detector, execution, leader, namespace, scheduler, status,
};

/// Every controller, in start order.
pub const CONTROLLERS: &[&str] = &[
    "detector",
    "scheduler",
    "binding",
    "dependencies",
    "execution",
    "workStatus",
    "bindingStatus",
    "cluster",
    "clusterStatus",
    "namespace",
];

/// Command-line options of `karmada-controller-manager` (Karmada's names where they exist).
#[derive(clap::Parser, Debug, Clone)]
#[command(name = "karmada-controller-manager", version = karmada_api::names::VERSION)]
pub struct Options {
    /// Kubeconfig of the federation API server (default: $KUBECONFIG, then in-cluster).
    #[arg(long, env = "KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Controllers to run: `*` for all, `-name` to disable one, `name` to enable one.
    #[arg(long, value_delimiter = ',', default_value = "*")]
    pub controllers: Vec<String>,
    /// Elect a leader through a Lease so that replicas never reconcile at once.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_elect: bool,
    #[arg(long, default_value = "karmada-system")]
    pub leader_elect_resource_namespace: String,
    #[arg(long, default_value = "karmada-controller-manager")]
    pub leader_elect_resource_name: String,
    /// Seconds a leader's lease lasts without renewal.
    #[arg(long, default_value_t = 15)]
    pub leader_elect_lease_duration: u64,
    /// Address of /metrics, /healthz and /readyz (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub metrics_bind_address: SocketAddr,
    /// Seconds between status collections of a push cluster.
    #[arg(long, default_value_t = 10)]
    pub cluster_status_update_frequency: u64,
    /// Seconds a cluster must be healthy again before it is reported Ready.
    #[arg(long, default_value_t = 30)]
    pub cluster_success_threshold: u64,
    /// Seconds a cluster must be failing before it is reported not Ready.
    #[arg(long, default_value_t = 30)]
    pub cluster_failure_threshold: u64,
    /// Concurrent reconciles per controller.
    #[arg(long, default_value_t = 5)]
    pub concurrent_syncs: usize,
    /// Log as JSON lines.
    #[arg(long)]
    pub log_json: bool,
}

/// Whether `name` runs under the `--controllers` list.
pub fn enabled(list: &[String], name: &str) -> bool {
    let mut on = false;
    for item in list {
        let item = item.trim();
        if item == "*" {
            on = true;
        } else if item.strip_prefix('-') == Some(name) {
            return false;
        } else if item == name {
            return true;
        }
    }
    on
}

/// A running controller-manager.
pub struct Running {
    pub metrics_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops every controller and waits (bounded) for them.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        match tokio::time::timeout(Duration::from_secs(10), self.task).await {
            Ok(joined) => joined.context("controller-manager task")?,
            Err(_) => Ok(()),
        }
    }

    /// Waits until the manager ends by itself (it lost its lease or failed).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("controller-manager task")?
    }

    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

async fn client(options: &Options) -> anyhow::Result<Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = match &options.kubeconfig {
        Some(path) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(path)
                .with_context(|| format!("failed to read kubeconfig {}", path.display()))?;
            kube::Config::from_custom_kubeconfig(
                kubeconfig,
                &kube::config::KubeConfigOptions::default(),
            )
            .await
            .context("invalid kubeconfig")?
        }
        None => kube::Config::infer()
            .await
            .context("no kubeconfig and not in a cluster")?,
    };
    // Failed requests go back to the controllers' queues (per-object backoff) rather than being
    // retried inside a reconcile for minutes.
    let mut config = config;
    config.default_retry = false;
    Client::try_from(config).context("failed to build the federation client")
}

/// Starts the controller-manager: serves metrics and health at once, then waits to lead, then
/// starts the enabled controllers.
pub async fn start(options: Options) -> anyhow::Result<Running> {
    let client = client(&options).await?;
    let metrics = Arc::new(Metrics::new());
    let (shutdown_tx, shutdown) = watch::channel(false);

    let listener = tokio::net::TcpListener::bind(options.metrics_bind_address)
        .await
        .with_context(|| format!("failed to listen on {}", options.metrics_bind_address))?;
    let metrics_addr = listener.local_addr()?;
    let router = {
        let metrics = metrics.clone();
        axum::Router::new()
            .route(
                "/metrics",
                get(move || {
                    let metrics = metrics.clone();
                    async move { metrics.encode() }
                }),
            )
            .route("/healthz", get(|| async { "ok" }))
            .route("/readyz", get(|| async { "ok" }))
    };
    {
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move { crate::runtime::stopped(&mut shutdown).await })
                .await;
        });
    }

    let task = tokio::spawn(run(options, client, metrics, shutdown, shutdown_tx.clone()));
    Ok(Running {
        metrics_addr,
        shutdown: shutdown_tx,
        task,
    })
}

async fn run(
    options: Options,
    client: Client,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
    stop: watch::Sender<bool>,
) -> anyhow::Result<()> {
    let election = leader::Config {
        namespace: options.leader_elect_resource_namespace.clone(),
        name: options.leader_elect_resource_name.clone(),
        identity: format!(
            "{}_{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "karmada-controller-manager".into()),
            uuid::Uuid::new_v4()
        ),
        lease_duration: Duration::from_secs(options.leader_elect_lease_duration.max(2)),
        retry_period: Duration::from_secs((options.leader_elect_lease_duration / 5).clamp(1, 2)),
    };
    if options.leader_elect {
        ensure_namespace(&client, &election.namespace).await;
        loop {
            match leader::try_acquire(&client, &election).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => tracing::warn!("leader election: {e}"),
            }
            tokio::select! {
                _ = crate::runtime::stopped(&mut shutdown) => return Ok(()),
                _ = tokio::time::sleep(election.retry_period) => {}
            }
        }
        tracing::info!(identity = %election.identity, "became leader");
        // Renew; losing the lease stops every controller (a successor may take over).
        let (client, election, stop, mut shutdown) = (
            client.clone(),
            election.clone(),
            stop.clone(),
            shutdown.clone(),
        );
        tokio::spawn(async move {
            let mut last_renewed = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    _ = crate::runtime::stopped(&mut shutdown) => {
                        leader::release(&client, &election).await;
                        return;
                    }
                    _ = tokio::time::sleep(election.retry_period) => {}
                }
                match leader::try_acquire(&client, &election).await {
                    Ok(true) => last_renewed = tokio::time::Instant::now(),
                    Ok(false) => {
                        tracing::error!("lost the leader lease; stopping");
                        let _ = stop.send(true);
                        return;
                    }
                    Err(e) => {
                        tracing::warn!("failed to renew the leader lease: {e}");
                        if last_renewed.elapsed() > election.lease_duration * 2 / 3 {
                            tracing::error!("could not renew the leader lease in time; stopping");
                            let _ = stop.send(true);
                            return;
                        }
                    }
                }
            }
        });
    }

    let informers = Informers::start(&client, &shutdown);
    informers.ready().await;
    let members: Arc<dyn MemberClients> = Arc::new(PushClients::new(
        client.clone(),
        informers.clusters.store().clone(),
    ));
    let ctx = Context {
        client,
        informers,
        templates: Templates::default(),
        members,
        metrics,
        shutdown: shutdown.clone(),
    };
    let on = |name: &str| enabled(&options.controllers, name);
    let workers = options.concurrent_syncs.max(1);
    let mut tasks = Vec::new();
    // The detector discovers the template kinds every other controller reads; it runs first
    // (and its discovery runs even when its matching loop is disabled).
    if on("detector") {
        tasks.push(tokio::spawn(detector::start(
            ctx.clone(),
            detector::Config {
                workers,
                ..detector::Config::default()
            },
        )));
    }
    if on("scheduler") {
        tasks.push(tokio::spawn(scheduler::start(
            ctx.clone(),
            scheduler::Config::default(),
        )));
    }
    if on("binding") {
        tasks.push(tokio::spawn(binding::start(
            ctx.clone(),
            binding::Config { workers },
        )));
    }
    if on("dependencies") {
        tasks.push(tokio::spawn(dependencies::start(
            ctx.clone(),
            dependencies::Config { workers },
        )));
    }
    if on("execution") || on("workStatus") {
        tasks.push(tokio::spawn(execution::start(
            ctx.clone(),
            execution::Config {
                workers,
                ..execution::Config::default()
            },
            on("execution"),
            on("workStatus"),
        )));
    }
    if on("bindingStatus") {
        tasks.push(tokio::spawn(status::start(ctx.clone(), workers)));
    }
    if on("cluster") {
        tasks.push(tokio::spawn(cluster::start(ctx.clone(), 2)));
    }
    if on("clusterStatus") {
        let config = cluster::StatusConfig {
            update_frequency: Duration::from_secs(options.cluster_status_update_frequency.max(1)),
            success_threshold: Duration::from_secs(options.cluster_success_threshold),
            failure_threshold: Duration::from_secs(options.cluster_failure_threshold),
        };
        tasks.push(tokio::spawn(cluster::start_status(
            ctx.clone(),
            config,
            workers,
        )));
    }
    if on("namespace") {
        tasks.push(tokio::spawn(namespace::start(ctx.clone(), 2)));
    }
    tracing::info!("controllers started");
    crate::runtime::stopped(&mut shutdown).await;
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

async fn ensure_namespace(client: &Client, name: &str) {
    use k8s_openapi::api::core::v1::Namespace;
    let api: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    let _ = api.create(&kube::api::PostParams::default(), &ns).await;
}

use kube::api::Api;

/// Runs until SIGTERM / Ctrl-C (then stops cleanly) or until the manager ends by itself.
pub async fn run_until_signal(options: Options) -> anyhow::Result<()> {
    let running = start(options).await?;
    tracing::info!(metrics = %running.metrics_addr, "karmada-controller-manager serving");
    let stop = running.shutdown_handle();
    tokio::spawn(async move {
        wait_for_signal().await;
        let _ = stop.send(true);
    });
    running.wait().await
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::enabled;

    #[test]
    fn controllers_by_name() {
        let list = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        assert!(enabled(&list("*"), "binding"));
        assert!(!enabled(&list("*,-binding"), "binding"));
        assert!(enabled(&list("*,-binding"), "scheduler"));
        assert!(!enabled(&list("scheduler"), "binding"));
        assert!(enabled(&list("scheduler"), "scheduler"));
    }
}
