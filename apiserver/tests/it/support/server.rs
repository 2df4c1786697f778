//! An in-process karmada-apiserver for tests: listens on 127.0.0.1:0 with generated certificates in a
//! temporary directory, over the embedded store or a namespace of the shared etcd, and stops when
//! dropped (or with [`TestServer::stop`]).

use std::path::{Path, PathBuf};
use std::process::Output;

use clap::Parser;
use karmada_apiserver::server::{Options, Server, start};
use tempfile::TempDir;

/// Which storage a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Embedded,
    Etcd,
}

pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub kubeconfig: PathBuf,
    pub dir: TempDir,
    server: Option<Server>,
}

/// The versioned kubectl binaries on every machine (1.27 … 1.33).
pub const KUBECTL_VERSIONS: &[&str] = &["1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"];

pub fn kubectl_path(version: &str) -> PathBuf {
    PathBuf::from(format!("/usr/lib/google-cloud-sdk/bin/kubectl.{version}"))
}

impl TestServer {
    /// Starts a server; with `Storage::Etcd` it needs `ETCD_ENDPOINT` (and returns `None` when etcd
    /// tests are explicitly skipped). `extra` are more command-line arguments.
    pub async fn start(storage: Storage, extra: &[&str]) -> Option<TestServer> {
        let prefix =
            (storage == Storage::Etcd).then(|| crate::storage::etcd::unique_namespace("apiserver"));
        Self::launch(storage, prefix, extra).await
    }

    /// Starts a server on the shared etcd under `prefix`: servers started with the same prefix are
    /// replicas of one API server. `None` when etcd tests are explicitly skipped.
    pub async fn start_with_prefix(prefix: &str, extra: &[&str]) -> Option<TestServer> {
        Self::launch(Storage::Etcd, Some(prefix.to_string()), extra).await
    }

    async fn launch(
        storage: Storage,
        prefix: Option<String>,
        extra: &[&str],
    ) -> Option<TestServer> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args: Vec<String> = vec![
            "karmada-apiserver".into(),
            "--data-dir".into(),
            dir.path().display().to_string(),
            "--secure-port".into(),
            "0".into(),
        ];
        if storage == Storage::Etcd {
            let endpoint = crate::storage::etcd::shared_endpoint()?;
            args.push("--etcd-servers".into());
            args.push(endpoint);
            args.push("--etcd-prefix".into());
            args.push(prefix.expect("an etcd prefix"));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let options = Options::try_parse_from(args).expect("valid options");
        let server = start(options).await.expect("the API server starts");
        let kubeconfig = server.kubeconfig.clone().expect("a generated kubeconfig");
        Some(TestServer {
            addr: server.addr,
            kubeconfig,
            dir,
            server: Some(server),
        })
    }

    /// Runs `kubectl.<version>` against this server with a fresh discovery cache and `stdin`.
    pub fn kubectl(&self, version: &str, args: &[&str], stdin: Option<&str>) -> Output {
        run_kubectl(
            &kubectl_path(version),
            &self.kubeconfig,
            self.dir.path(),
            args,
            stdin,
        )
    }

    /// Like [`TestServer::kubectl`], with extra environment variables (e.g. `KUBE_EDITOR`).
    pub fn kubectl_with_env(
        &self,
        version: &str,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(&str, &str)],
    ) -> Output {
        run_kubectl_with_env(
            &kubectl_path(version),
            &self.kubeconfig,
            self.dir.path(),
            args,
            stdin,
            env,
        )
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            // Signal shutdown; the runtime ends the tasks when the test finishes.
            let _ = server.shutdown_handle().send(true);
        }
    }
}

/// Runs a kubectl binary with its own cache directory under `scratch`.
pub fn run_kubectl(
    binary: &Path,
    kubeconfig: &Path,
    scratch: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    run_kubectl_with_env(binary, kubeconfig, scratch, args, stdin, &[])
}

/// [`run_kubectl`] with extra environment variables.
pub fn run_kubectl_with_env(
    binary: &Path,
    kubeconfig: &Path,
    scratch: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let cache = tempfile::tempdir_in(scratch).expect("cache dir");
    let mut child = Command::new(binary)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache.path())
        .args(args)
        .env("HOME", scratch)
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("failed to run {}: {e}", binary.display()));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("kubectl finished")
}

/// stdout and stderr of a kubectl run, for assertions and failure messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

impl TestServer {
    /// Runs kubectl `version` and returns its trimmed stdout, failing the test if it fails.
    pub fn kubectl_ok(&self, version: &str, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.kubectl(version, args, stdin);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            text(&out)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}
