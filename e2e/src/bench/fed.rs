//! The benchmark's federation: the federation API server (embedded store) and N simulated push
//! members in this process, and the controller-manager as a child process, so that its RSS can be
//! read from `/proc/<pid>/status` and it can be killed and cold-started.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt;
use karmada_api::cluster::v1alpha1::Cluster;
use kube::Client;
use kube::api::{Api, ListParams};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use karmadactl::cmd::local_up::client_from;
use karmadactl::member::{Member, MemberOptions};
use karmadactl::register::{PushMember, register_push_member};

use super::stats;

/// Where the pieces come from.
#[derive(Debug, Clone)]
pub struct FedOptions {
    pub members: usize,
    /// Parent of the throwaway data directory (tmpfs keeps fsync out of the figures).
    pub dir: PathBuf,
    pub manager_bin: PathBuf,
    /// Seconds between cluster status collections.
    pub status_frequency: u64,
}

/// A running controller-manager child.
pub struct Manager {
    child: Child,
    pub pid: u32,
    pub metrics: SocketAddr,
    pub started: Instant,
    /// Lines the manager logged at warn or above.
    pub warnings: Arc<AtomicU64>,
}

impl Manager {
    /// `VmRSS` and `VmHWM` in bytes.
    pub fn rss(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("failed to read the controller-manager's /proc status")?;
        let rss = stats::proc_status_bytes(&status, "VmRSS").context("no VmRSS")?;
        let hwm = stats::proc_status_bytes(&status, "VmHWM").context("no VmHWM")?;
        Ok((rss, hwm))
    }

    /// Reconciles so far, by controller.
    pub async fn reconciles(&self) -> anyhow::Result<std::collections::BTreeMap<String, u64>> {
        let text = http_get(self.metrics, "/metrics").await?;
        Ok(stats::reconcile_totals(&text))
    }

    /// SIGKILLs the manager (a crash) and waits for it.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// A minimal HTTP/1.0 GET (the metrics endpoint is plain HTTP on loopback).
async fn http_get(addr: SocketAddr, path: &str) -> anyhow::Result<String> {
    let work = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await?;
        let mut body = String::new();
        stream.read_to_string(&mut body).await?;
        anyhow::Ok(body)
    };
    let text = tokio::time::timeout(Duration::from_secs(10), work)
        .await
        .context("metrics request timed out")??;
    match text.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.") && head.contains(" 200 ") => {
            Ok(body.to_string())
        }
        _ => bail!("unexpected metrics response from {addr}"),
    }
}

pub struct Federation {
    pub client: Client,
    pub members: Vec<Member>,
    pub member_clients: Vec<Client>,
    pub kubeconfig: PathBuf,
    pub manager: Option<Manager>,
    apiserver: Option<karmada_apiserver::server::Server>,
    manager_bin: PathBuf,
    status_frequency: u64,
    _dir: TempDir,
}

impl Federation {
    /// Starts the API server and the members and registers them (the manager is not started).
    pub async fn start(options: &FedOptions) -> anyhow::Result<Federation> {
        let dir = tempfile::Builder::new()
            .prefix("karmada-propagation-bench-")
            .tempdir_in(&options.dir)
            .with_context(|| {
                format!("failed to create a directory in {}", options.dir.display())
            })?;
        let kubeconfig = dir.path().join("admin.kubeconfig");
        let args = [
            "karmada-apiserver".to_string(),
            "--data-dir".into(),
            dir.path().join("federation").display().to_string(),
            "--secure-port".into(),
            "0".into(),
            "--kubeconfig-out".into(),
            kubeconfig.display().to_string(),
        ];
        let apiserver = karmada_apiserver::server::start(
            <karmada_apiserver::server::Options as clap::Parser>::try_parse_from(args)?,
        )
        .await
        .context("failed to start the federation API server")?;
        let client = client_from(&kubeconfig).await?;

        // Members start a few at a time: each generates certificates and registers nodes.
        let started: Vec<anyhow::Result<(Member, Client)>> =
            futures::stream::iter(0..options.members)
                .map(|i| {
                    let name = format!("member{}", i + 1);
                    let data = dir.path().join("members").join(&name);
                    let client = client.clone();
                    async move {
                        let member = Member::start(MemberOptions::new(&name, data))
                            .await
                            .with_context(|| format!("failed to start {name}"))?;
                        register_push_member(
                            &client,
                            &PushMember {
                                name: name.clone(),
                                endpoint: member.endpoint.clone(),
                                token: member.token.clone(),
                                ca_pem: member.ca_pem.clone(),
                                provider: None,
                                region: None,
                                zones: Vec::new(),
                                labels: Default::default(),
                            },
                        )
                        .await
                        .with_context(|| format!("failed to register {name}"))?;
                        let member_client = member.client().await;
                        Ok((member, member_client))
                    }
                })
                .buffered(4)
                .collect()
                .await;
        let mut members = Vec::new();
        let mut member_clients = Vec::new();
        let mut first_error = None;
        for result in started {
            match result {
                Ok((member, member_client)) => {
                    members.push(member);
                    member_clients.push(member_client);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        let federation = Federation {
            client,
            members,
            member_clients,
            kubeconfig,
            manager: None,
            apiserver: Some(apiserver),
            manager_bin: options.manager_bin.clone(),
            status_frequency: options.status_frequency,
            _dir: dir,
        };
        if let Some(error) = first_error {
            federation.stop().await;
            return Err(error);
        }
        Ok(federation)
    }

    /// Spawns the controller-manager child with `--controllers=<controllers>` (no leader election,
    /// so a restarted manager starts at once) and waits for its metrics address.
    pub async fn start_manager(&mut self, controllers: &str) -> anyhow::Result<()> {
        if self.manager.is_some() {
            bail!("a controller-manager is already running");
        }
        let started = Instant::now();
        let mut child = Command::new(&self.manager_bin)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(["--metrics-bind-address", "127.0.0.1:0"])
            .args(["--leader-elect", "false"])
            .args(["--controllers", controllers])
            .args([
                "--cluster-status-update-frequency",
                &self.status_frequency.to_string(),
            ])
            .args(["--cluster-success-threshold", "1"])
            .args(["--cluster-failure-threshold", "60"])
            .env(
                "RUST_LOG",
                std::env::var("MANAGER_LOG")
                    .unwrap_or_else(|_| "warn,karmada_controllers::manager=info".into()),
            )
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("failed to run {}", self.manager_bin.display()))?;
        let pid = child.id().context("the manager exited at once")?;
        let stdout = child.stdout.take().context("no manager stdout")?;
        let warnings = Arc::new(AtomicU64::new(0));
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
        {
            let warnings = warnings.clone();
            tokio::spawn(async move {
                let mut addr_tx = Some(addr_tx);
                let mut lines = BufReader::new(stdout).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(addr) = stats::metrics_addr_in_log(&line)
                        && let Some(tx) = addr_tx.take()
                    {
                        let _ = tx.send(addr);
                    } else if is_warning(&line) && warnings.fetch_add(1, Ordering::Relaxed) < 5 {
                        tracing::warn!("controller-manager: {line}");
                    }
                }
            });
        }
        let metrics = match tokio::time::timeout(Duration::from_secs(30), addr_rx).await {
            Ok(Ok(addr)) => addr,
            _ => {
                let _ = child.start_kill();
                let _ = child.wait().await;
                bail!("the controller-manager logged no metrics address within 30s");
            }
        };
        self.manager = Some(Manager {
            child,
            pid,
            metrics,
            started,
            warnings,
        });
        Ok(())
    }

    /// Kills the controller-manager, if one runs.
    pub async fn kill_manager(&mut self) {
        if let Some(manager) = self.manager.take() {
            manager.kill().await;
        }
    }

    /// Waits until every member's Cluster is Ready and reports allocatable capacity.
    pub async fn wait_clusters_ready(&self, timeout: Duration) -> anyhow::Result<()> {
        let api: Api<Cluster> = Api::all(self.client.clone());
        let want = self.members.len();
        let deadline = Instant::now() + timeout;
        loop {
            let clusters = api.list(&ListParams::default()).await?;
            let ready = clusters
                .items
                .iter()
                .filter(|c| {
                    c.ready_status() == Some("True")
                        && c.status
                            .as_ref()
                            .and_then(|s| s.resource_summary.as_ref())
                            .and_then(|r| r.allocatable.as_ref())
                            .is_some()
                })
                .count();
            if ready >= want {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "only {ready}/{want} clusters Ready with a resource summary after {timeout:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the manager, the members and the API server.
    pub async fn stop(mut self) {
        self.kill_manager().await;
        for member in std::mem::take(&mut self.members) {
            member.stop().await;
        }
        if let Some(apiserver) = self.apiserver.take() {
            apiserver.shutdown().await;
        }
    }
}

fn is_warning(line: &str) -> bool {
    let plain = stats::strip_ansi(line);
    plain.contains(" WARN ") || plain.contains(" ERROR ")
}

/// The controller-manager binary: `--manager-bin`, else next to this executable.
pub fn manager_binary(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let exe = std::env::current_exe().context("no path of this executable")?;
    let dir = exe.parent().context("this executable has no directory")?;
    let path = dir.join("karmada-controller-manager");
    if !path.exists() {
        bail!(
            "{} is missing: build it with the same profile (cargo build [--release] --bin karmada-controller-manager) or pass --manager-bin",
            path.display()
        );
    }
    Ok(path)
}
