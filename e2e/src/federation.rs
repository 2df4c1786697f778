//! A federation for end-to-end tests: a private etcd, `karmada-apiserver` and
//! `karmada-controller-manager` as child processes (built by the workspace), and simulated push
//! members in this process. Everything stops when the [`Federation`] is dropped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use kube::Client;
use tempfile::TempDir;
use tokio::process::{Child, Command};

use karmadactl::cmd::local_up::client_from;
use karmadactl::member::{Member, MemberOptions};
use karmadactl::register::{PushMember, register_push_member};

use crate::etcd::Etcd;

/// What to start.
#[derive(Clone, Debug)]
pub struct FederationOptions {
    /// Members `member1` … `memberN`, with these labels / regions each (by index; missing = none).
    pub members: usize,
    pub member_labels: Vec<Vec<(String, String)>>,
    pub member_regions: Vec<String>,
    /// Nodes per member and the CPU of each (free capacity drives dynamic weights).
    pub member_nodes: Vec<u32>,
    pub node_cpu: String,
    /// Extra controller-manager arguments.
    pub manager_args: Vec<String>,
}

impl Default for FederationOptions {
    fn default() -> Self {
        FederationOptions {
            members: 3,
            member_labels: Vec::new(),
            member_regions: Vec::new(),
            member_nodes: Vec::new(),
            node_cpu: "8".into(),
            manager_args: Vec::new(),
        }
    }
}

pub struct Federation {
    pub dir: TempDir,
    pub kubeconfig: PathBuf,
    pub client: Client,
    pub members: Vec<Member>,
    member_clients: Vec<Client>,
    apiserver: Child,
    manager: Option<Child>,
    manager_args: Vec<String>,
    _etcd: Etcd,
}

/// The path of a workspace binary, built if missing (when only this package's tests were built).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/<test> → target/debug/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the target directory")
        .to_path_buf();
    let path = dir.join(name);
    if !path.exists() {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--bin", name])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --bin {name} failed");
    }
    path
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Federation {
    /// Starts etcd, the API server, the members (registered as push Clusters) and the
    /// controller-manager; returns once every Cluster is Ready.
    pub async fn start(options: FederationOptions) -> Federation {
        init_tracing();
        let etcd = Etcd::spawn().await;
        let dir = tempfile::tempdir().expect("a temp dir");
        let kubeconfig = dir.path().join("admin.kubeconfig");
        let apiserver = Command::new(binary("karmada-apiserver"))
            .args([
                "--data-dir",
                &dir.path().join("federation").display().to_string(),
            ])
            .args(["--secure-port", "0"])
            .args(["--etcd-servers", &etcd.endpoint])
            .args(["--kubeconfig-out", &kubeconfig.display().to_string()])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("karmada-apiserver starts");
        let client = crate::wait_for(
            "the federation API server",
            Duration::from_secs(30),
            || async {
                if !kubeconfig.exists() {
                    return Err("no kubeconfig yet".to_string());
                }
                let client = client_from(&kubeconfig).await.map_err(|e| e.to_string())?;
                client
                    .apiserver_version()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(client)
            },
        )
        .await;

        let mut members = Vec::new();
        let mut member_clients = Vec::new();
        for i in 0..options.members {
            let name = format!("member{}", i + 1);
            let mut member_options = MemberOptions::new(&name, dir.path().join(&name));
            if let Some(nodes) = options.member_nodes.get(i) {
                member_options.nodes = *nodes;
            }
            member_options.node_cpu = options.node_cpu.clone();
            let member = Member::start(member_options)
                .await
                .expect("the member starts");
            register_push_member(
                &client,
                &PushMember {
                    name: name.clone(),
                    endpoint: member.endpoint.clone(),
                    token: member.token.clone(),
                    ca_pem: member.ca_pem.clone(),
                    provider: None,
                    region: options.member_regions.get(i).cloned(),
                    zones: Vec::new(),
                    labels: options
                        .member_labels
                        .get(i)
                        .map(|l| l.iter().cloned().collect())
                        .unwrap_or_default(),
                },
            )
            .await
            .expect("the member registers");
            member_clients.push(member.client().await);
            members.push(member);
        }

        let mut manager_args: Vec<String> = [
            "--kubeconfig",
            &kubeconfig.display().to_string(),
            "--metrics-bind-address",
            "127.0.0.1:0",
            "--cluster-status-update-frequency",
            "1",
            "--cluster-success-threshold",
            "1",
            "--cluster-failure-threshold",
            "3",
            "--leader-elect-lease-duration",
            "3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        manager_args.extend(options.manager_args.iter().cloned());
        let mut federation = Federation {
            dir,
            kubeconfig,
            client,
            members,
            member_clients,
            apiserver,
            manager: None,
            manager_args,
            _etcd: etcd,
        };
        federation.start_manager();
        federation.wait_clusters_ready().await;
        federation
    }

    /// Starts the controller-manager process (again).
    pub fn start_manager(&mut self) {
        let child = Command::new(binary("karmada-controller-manager"))
            .args(&self.manager_args)
            .env(
                "RUST_LOG",
                std::env::var("MANAGER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("karmada-controller-manager starts");
        self.manager = Some(child);
    }

    /// SIGKILLs the controller-manager, as a crash would.
    pub async fn kill_manager(&mut self) {
        if let Some(mut child) = self.manager.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Waits until every member's Cluster reports Ready.
    pub async fn wait_clusters_ready(&self) {
        use karmada_api::cluster::v1alpha1::Cluster;
        let api: kube::Api<Cluster> = kube::Api::all(self.client.clone());
        let want = self.members.len();
        crate::wait_for("every cluster Ready", Duration::from_secs(60), || async {
            let clusters = api
                .list(&Default::default())
                .await
                .map_err(|e| e.to_string())?;
            let ready = clusters
                .items
                .iter()
                .filter(|c| c.ready_status() == Some("True"))
                .count();
            if ready == want {
                Ok(())
            } else {
                Err(format!("{ready}/{want} ready"))
            }
        })
        .await
    }

    /// A member's admin client.
    pub fn member(&self, name: &str) -> Client {
        let index = self
            .members
            .iter()
            .position(|m| m.name == name)
            .unwrap_or_else(|| panic!("no member {name}"));
        self.member_clients[index].clone()
    }

    /// Runs kubectl (the dispatcher on PATH) against the federation.
    pub fn kubectl(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        use std::io::Write;
        let mut child = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env("KUBECACHEDIR", self.dir.path().join("kubecache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("stdin written");
        }
        child.wait_with_output().expect("kubectl finishes")
    }
}

impl Drop for Federation {
    fn drop(&mut self) {
        if let Some(child) = self.manager.as_mut() {
            let _ = child.start_kill();
        }
        let _ = self.apiserver.start_kill();
    }
}
