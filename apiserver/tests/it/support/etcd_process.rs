//! A private etcd server for one test: `etcd` from `PATH` on 127.0.0.1 with free ports and a
//! throwaway data directory (on tmpfs when `/dev/shm` exists, since etcd 3.4 cannot skip fsync).
//!
//! It can be stopped (SIGKILL, like a crash) and started again over the same ports and data, which is
//! what restart tests need. Dropping it kills etcd and removes the data.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::process::{Child, Command};

/// How long etcd may take to become healthy (it usually takes under a second).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a start is retried when a picked port was taken in the meantime.
const PORT_ATTEMPTS: usize = 5;

pub struct EtcdProcess {
    dir: TempDir,
    client_port: u16,
    peer_port: u16,
    child: Option<Child>,
    /// Whether the data directory already holds a member (then etcd must not be told to bootstrap).
    initialized: bool,
}

impl EtcdProcess {
    /// Starts a fresh etcd and waits until it serves requests.
    ///
    /// # Panics
    /// When etcd is not on `PATH` or does not become healthy in time (with its log in the message).
    pub async fn spawn() -> EtcdProcess {
        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let (client_port, peer_port) = free_ports();
            let mut etcd = EtcdProcess {
                dir: data_dir(),
                client_port,
                peer_port,
                child: None,
                initialized: false,
            };
            match etcd.try_start().await {
                Ok(()) => {
                    etcd.initialized = true;
                    return etcd;
                }
                // Dropping `etcd` removes its directory; the next attempt starts afresh.
                Err(StartError::PortTaken(log)) => last_log = log,
                Err(StartError::Failed(message)) => panic!("{message}"),
            }
        }
        panic!("etcd could not bind free ports in {PORT_ATTEMPTS} attempts; last log:\n{last_log}");
    }

    /// The client endpoint, `127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.client_port)
    }

    /// Kills etcd (SIGKILL, like a crash) and waits for it to exit. The data stays.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Fails only if it already exited, which is as good.
            let _ = child.kill().await;
        }
    }

    /// Starts etcd again on the same ports over the same data and waits until it is healthy.
    ///
    /// # Panics
    /// When etcd does not come back (for instance because another process took its port).
    pub async fn start(&mut self) {
        if self.child.is_some() {
            return;
        }
        if let Err(error) = self.try_start().await {
            panic!("{}", error.message());
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("etcd.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_else(|e| format!("(no log: {e})"))
    }

    async fn try_start(&mut self) -> Result<(), StartError> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(|e| StartError::Failed(format!("open the etcd log: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| StartError::Failed(format!("open the etcd log: {e}")))?;
        let client_url = format!("http://127.0.0.1:{}", self.client_port);
        let peer_url = format!("http://127.0.0.1:{}", self.peer_port);
        let mut command = Command::new("etcd");
        command
            .arg("--name=test")
            .arg(format!("--data-dir={}", self.data_dir().display()))
            .arg(format!("--listen-client-urls={client_url}"))
            .arg(format!("--advertise-client-urls={client_url}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=test={peer_url}"))
            .arg(format!(
                "--initial-cluster-state={}",
                if self.initialized { "existing" } else { "new" }
            ))
            .arg("--logger=zap")
            .arg("--log-level=warn")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true);
        let child = command
            .spawn()
            .map_err(|e| StartError::Failed(format!("failed to run etcd (is it on PATH?): {e}")))?;
        self.child = Some(child);
        self.wait_healthy().await
    }

    async fn wait_healthy(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let endpoint = self.endpoint();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                let log = self.log();
                return Err(if log.contains("address already in use") {
                    StartError::PortTaken(log)
                } else {
                    StartError::Failed(format!("etcd exited with {status} while starting:\n{log}"))
                });
            }
            if answers(&endpoint).await {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.kill_now();
                return Err(StartError::Failed(format!(
                    "etcd at {endpoint} was not healthy within {STARTUP_TIMEOUT:?}:\n{}",
                    self.log()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn kill_now(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
        }
    }
}

impl Drop for EtcdProcess {
    fn drop(&mut self) {
        // SIGKILL now; tokio reaps the process. The data directory goes with `dir`.
        self.kill_now();
    }
}

enum StartError {
    /// The picked port was taken between choosing it and etcd binding it: pick others.
    PortTaken(String),
    Failed(String),
}

impl StartError {
    fn message(self) -> String {
        match self {
            StartError::PortTaken(log) => format!("etcd could not bind its port again:\n{log}"),
            StartError::Failed(message) => message,
        }
    }
}

/// Whether etcd at `endpoint` serves a read.
async fn answers(endpoint: &str) -> bool {
    let probe = async {
        let mut client = etcd_client::Client::connect([endpoint], None).await.ok()?;
        client.get("health", None).await.ok()
    };
    matches!(
        tokio::time::timeout(Duration::from_millis(500), probe).await,
        Ok(Some(_))
    )
}

fn data_dir() -> TempDir {
    let shm = Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix("etcd-test-");
    if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .expect("create a data directory for etcd")
}

/// Two ports that were free a moment ago (the OS picks them; they are released before etcd binds).
fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("local address").port();
    (port(&a), port(&b))
}
