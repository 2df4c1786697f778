//! `karmadactl local-up`: a whole federation in one process, with no Docker — the federation API
//! server (embedded store, or etcd with `--etcd-servers`), the controller-manager and N simulated
//! push members — resuming the same federation when started again on the same data directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use kube::Client;

use crate::member::{Member, MemberOptions};
use crate::register::{PushMember, register_push_member};

/// Options of `karmadactl local-up`.
#[derive(clap::Args, Debug, Clone)]
pub struct LocalUpOptions {
    /// How many simulated members (member1 … memberN).
    #[arg(long, default_value_t = 3)]
    pub members: u32,
    /// Where the federation and its members keep their data and kubeconfigs.
    #[arg(long, default_value = "karmada-data")]
    pub data_dir: PathBuf,
    /// The federation API server's port (0: any free port).
    #[arg(long, default_value_t = 6443)]
    pub port: u16,
    /// Run the federation over etcd instead of the embedded store.
    #[arg(long, value_delimiter = ',')]
    pub etcd_servers: Vec<String>,
    /// Simulated nodes per member.
    #[arg(long, default_value_t = 3)]
    pub nodes_per_member: u32,
}

/// A running local federation.
pub struct LocalFederation {
    pub kubeconfig: PathBuf,
    pub members: Vec<Member>,
    apiserver: karmada_apiserver::server::Server,
    manager: karmada_controllers::manager::Running,
}

impl LocalFederation {
    /// Starts everything and registers the members; returns when the members are registered.
    pub async fn start(options: &LocalUpOptions) -> anyhow::Result<LocalFederation> {
        let data_dir = &options.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("failed to create {}", data_dir.display()))?;
        let mut args = vec![
            "karmada-apiserver".to_string(),
            "--data-dir".into(),
            data_dir.join("federation").display().to_string(),
            "--secure-port".into(),
            options.port.to_string(),
            "--kubeconfig-out".into(),
            data_dir.join("admin.kubeconfig").display().to_string(),
        ];
        if !options.etcd_servers.is_empty() {
            args.push("--etcd-servers".into());
            args.push(options.etcd_servers.join(","));
        }
        let apiserver = karmada_apiserver::server::start(
            karmada_apiserver::server::Options::try_parse_from(args)?,
        )
        .await
        .context("failed to start the federation API server")?;
        let kubeconfig = apiserver
            .kubeconfig
            .clone()
            .context("the API server wrote no kubeconfig")?;

        let members_dir = data_dir.join("members");
        std::fs::create_dir_all(&members_dir)?;
        let mut members = Vec::new();
        for i in 1..=options.members {
            let name = format!("member{i}");
            let mut member_options = MemberOptions::new(&name, members_dir.join(&name));
            member_options.nodes = options.nodes_per_member;
            let member = Member::start(member_options)
                .await
                .with_context(|| format!("failed to start {name}"))?;
            let path = members_dir.join(format!("{name}.kubeconfig"));
            std::fs::copy(&member.kubeconfig, &path)
                .with_context(|| format!("failed to write {}", path.display()))?;
            members.push(member);
        }

        let client = client_from(&kubeconfig).await?;
        for member in &members {
            register_push_member(
                &client,
                &PushMember {
                    name: member.name.clone(),
                    endpoint: member.endpoint.clone(),
                    token: member.token.clone(),
                    ca_pem: member.ca_pem.clone(),
                    provider: None,
                    region: None,
                    zones: Vec::new(),
                    labels: Default::default(),
                },
            )
            .await?;
        }

        let manager_options = karmada_controllers::manager::Options::try_parse_from([
            "karmada-controller-manager",
            "--kubeconfig",
            &kubeconfig.display().to_string(),
            "--metrics-bind-address",
            "127.0.0.1:0",
            "--cluster-success-threshold",
            "10",
            "--cluster-failure-threshold",
            "10",
        ])?;
        let manager = karmada_controllers::manager::start(manager_options).await?;
        Ok(LocalFederation {
            kubeconfig,
            members,
            apiserver,
            manager,
        })
    }

    /// Stops the controllers, the members and the API server.
    pub async fn stop(self) {
        let _ = self.manager.shutdown().await;
        for member in self.members {
            member.stop().await;
        }
        self.apiserver.shutdown().await;
    }
}

/// A client from a kubeconfig file.
pub async fn client_from(path: &Path) -> anyhow::Result<Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let kubeconfig = kube::config::Kubeconfig::read_from(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await?;
    Ok(Client::try_from(config)?)
}

/// Runs `local-up` until Ctrl-C.
pub async fn run(options: LocalUpOptions) -> anyhow::Result<()> {
    let federation = LocalFederation::start(&options).await?;
    let dir = options.data_dir.display();
    println!(
        "karmada-rs is up: the federation and {} members.",
        federation.members.len()
    );
    println!();
    println!("  federation:  kubectl --kubeconfig {dir}/admin.kubeconfig get clusters");
    for member in &federation.members {
        println!(
            "  {}:     kubectl --kubeconfig {dir}/members/{}.kubeconfig get nodes",
            member.name, member.name
        );
    }
    println!();
    println!("Try next:");
    println!("  kubectl --kubeconfig {dir}/admin.kubeconfig apply -f examples/nginx/");
    println!("  kubectl --kubeconfig {dir}/admin.kubeconfig get deploy,rb");
    println!("  kubectl --kubeconfig {dir}/members/member1.kubeconfig get deploy,pods");
    println!();
    println!("Ctrl-C stops everything; starting again resumes the same federation.");
    let _ = tokio::signal::ctrl_c().await;
    println!("stopping…");
    tokio::time::timeout(Duration::from_secs(20), federation.stop())
        .await
        .ok();
    Ok(())
}
