//! A simulated member cluster: karmada-rs's own Kubernetes-compatible API server plus a KWOK-style
//! simulator ([`sim`]) playing kubelet, scheduler and the workload controllers through that API.
//! Used by tests, benchmarks and `karmadactl local-up`, where no real Kubernetes can run; many
//! members fit in one process (a handful of watches and one event-driven task each).
//!
//! Not a conformance-grade Kubernetes: no containers run, no networking beyond made-up addresses.

mod credentials;
pub mod sim;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

pub use credentials::{CONTROLLER_GROUP, CONTROLLER_USER};
use sim::{Health, NodeShape, Simulator, SimulatorConfig};

/// How to start a member.
#[derive(Debug, Clone)]
pub struct MemberOptions {
    /// The member's name (node names are `<name>-node-<i>`).
    pub name: String,
    /// Its store (when embedded), certificates, kubeconfig and token file; reusing it resumes.
    pub data_dir: PathBuf,
    /// etcd endpoints; empty for the embedded store. Members sharing an etcd use the prefix
    /// `/karmada-rs-members/<name>`.
    pub etcd_servers: Vec<String>,
    /// Nodes registered on first start.
    pub nodes: u32,
    pub node_cpu: String,
    pub node_memory: String,
    pub node_pods: u32,
    /// From a pod's binding to Running and Ready (and again to Succeeded for Job pods).
    pub ready_delay: Duration,
    /// HTTPS port on 127.0.0.1 (0: any free port).
    pub port: u16,
}

impl MemberOptions {
    /// The defaults: 3 nodes of 8 CPU, 32Gi, 110 pods; pods ready 200ms after binding.
    pub fn new(name: impl Into<String>, data_dir: impl Into<PathBuf>) -> MemberOptions {
        MemberOptions {
            name: name.into(),
            data_dir: data_dir.into(),
            etcd_servers: Vec::new(),
            nodes: 3,
            node_cpu: "8".into(),
            node_memory: "32Gi".into(),
            node_pods: 110,
            ready_delay: Duration::from_millis(200),
            port: 0,
        }
    }
}

/// Switches that change how a running member behaves; cheap to clone.
#[derive(Debug, Clone)]
pub struct MemberControls {
    health: Arc<Health>,
    draining: Arc<std::sync::atomic::AtomicBool>,
}

impl MemberControls {
    /// While set, every pod reports Running but not Ready, so workloads' ready counts drop.
    pub fn set_workloads_unhealthy(&self, unhealthy: bool) {
        self.health.set_unhealthy(unhealthy);
    }

    /// While set, the member's `/readyz` fails (the API keeps serving), as a sick cluster's would.
    pub fn set_failing_readyz(&self, failing: bool) {
        self.draining
            .store(failing, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A running member.
pub struct Member {
    pub name: String,
    pub addr: SocketAddr,
    /// The admin kubeconfig (client certificate of `system:masters`).
    pub kubeconfig: PathBuf,
    /// Bearer token of [`CONTROLLER_USER`] for the control plane (Secret key `token`).
    pub token: String,
    /// The member's CA bundle (Secret key `caBundle`).
    pub ca_pem: String,
    /// `https://127.0.0.1:<port>`.
    pub endpoint: String,
    client: kube::Client,
    controls: MemberControls,
    server: karmada_apiserver::server::Server,
    simulator: Simulator,
}

/// Marks a data directory whose nodes were registered, so nodes deleted later stay deleted.
const NODES_REGISTERED: &str = "member-nodes-registered";

impl Member {
    /// Starts the member's API server and its simulator; on a data directory used before, the
    /// member resumes with its objects, certificates and token.
    pub async fn start(options: MemberOptions) -> anyhow::Result<Member> {
        std::fs::create_dir_all(&options.data_dir)
            .with_context(|| format!("failed to create {}", options.data_dir.display()))?;
        let token = credentials::load_or_create_token(&options.data_dir)?;
        let mut args: Vec<String> = vec![
            "karmada-apiserver".into(),
            "--data-dir".into(),
            options.data_dir.display().to_string(),
            "--secure-port".into(),
            options.port.to_string(),
            "--token-auth-file".into(),
            credentials::token_file(&options.data_dir)
                .display()
                .to_string(),
        ];
        if !options.etcd_servers.is_empty() {
            args.push("--etcd-servers".into());
            args.push(options.etcd_servers.join(","));
            args.push("--etcd-prefix".into());
            args.push(format!("/karmada-rs-members/{}", options.name));
        }
        let server_options =
            <karmada_apiserver::server::Options as clap::Parser>::try_parse_from(args)
                .context("invalid member API server options")?;
        let server = karmada_apiserver::server::start(server_options)
            .await
            .with_context(|| {
                format!("failed to start the API server of member {}", options.name)
            })?;
        let kubeconfig = server
            .kubeconfig
            .clone()
            .context("the member API server wrote no kubeconfig")?;
        let ca_path = credentials::ca_file(&options.data_dir);
        let ca_pem = std::fs::read_to_string(&ca_path)
            .with_context(|| format!("failed to read {}", ca_path.display()))?;
        let client = admin_client(&kubeconfig).await?;
        let marker = options.data_dir.join(NODES_REGISTERED);
        if !marker.exists() {
            register_nodes(&client, &options).await?;
            std::fs::write(&marker, b"")
                .with_context(|| format!("failed to write {}", marker.display()))?;
        }
        let health = Arc::new(Health::default());
        let simulator = Simulator::start(
            client.clone(),
            SimulatorConfig {
                member: options.name.clone(),
                shape: NodeShape {
                    cpu: options.node_cpu.clone(),
                    memory: options.node_memory.clone(),
                    pods: options.node_pods,
                },
                ready_delay: options.ready_delay,
            },
            Arc::clone(&health),
        );
        let addr = server.addr;
        Ok(Member {
            name: options.name,
            addr,
            kubeconfig,
            token,
            ca_pem,
            endpoint: format!("https://127.0.0.1:{}", addr.port()),
            client,
            controls: MemberControls {
                health,
                draining: server.draining_handle(),
            },
            server,
            simulator,
        })
    }

    /// A client with the admin credentials.
    pub async fn client(&self) -> kube::Client {
        self.client.clone()
    }

    /// Stops the simulator, then the API server.
    pub async fn stop(self) {
        self.simulator.stop().await;
        self.server.shutdown().await;
    }

    pub fn controls(&self) -> MemberControls {
        self.controls.clone()
    }
}

async fn admin_client(kubeconfig: &std::path::Path) -> anyhow::Result<kube::Client> {
    let config = Kubeconfig::read_from(kubeconfig)
        .with_context(|| format!("failed to read {}", kubeconfig.display()))?;
    let config = kube::Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
        .await
        .context("invalid member kubeconfig")?;
    kube::Client::try_from(config).context("failed to build the member client")
}

async fn register_nodes(client: &kube::Client, options: &MemberOptions) -> anyhow::Result<()> {
    let nodes: Api<Node> = Api::all(client.clone());
    for i in 0..options.nodes {
        let node = sim::nodes::bootstrap_node(&options.name, i);
        match nodes.create(&PostParams::default(), &node).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("failed to register node {} of {}", i, options.name));
            }
        }
    }
    Ok(())
}
