//! A private etcd for one test binary: `etcd` from `PATH` on 127.0.0.1 with free ports and a data
//! directory on tmpfs when there is one; killed and removed on drop.

use std::net::{Ipv4Addr, TcpListener};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::process::{Child, Command};

pub struct Etcd {
    _dir: TempDir,
    child: Child,
    pub endpoint: String,
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Etcd {
    /// Starts etcd and waits until it answers.
    pub async fn spawn() -> Etcd {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            "/dev/shm"
        } else {
            "/tmp"
        };
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix("karmada-e2e-etcd")
                .tempdir_in(base)
                .expect("a temp dir");
            let (client, peer) = (free_port(), free_port());
            let log = std::fs::File::create(dir.path().join("etcd.log")).expect("log file");
            let child = Command::new("etcd")
                .args([
                    "--name",
                    "e2e",
                    "--data-dir",
                    &dir.path().join("data").display().to_string(),
                    "--listen-client-urls",
                    &format!("http://127.0.0.1:{client}"),
                    "--advertise-client-urls",
                    &format!("http://127.0.0.1:{client}"),
                    "--listen-peer-urls",
                    &format!("http://127.0.0.1:{peer}"),
                    "--initial-advertise-peer-urls",
                    &format!("http://127.0.0.1:{peer}"),
                    "--initial-cluster",
                    &format!("e2e=http://127.0.0.1:{peer}"),
                    "--logger",
                    "zap",
                    "--log-level",
                    "warn",
                ])
                .stdout(Stdio::null())
                .stderr(log)
                .kill_on_drop(true)
                .spawn()
                .expect("etcd is installed (apt-get install etcd-server)");
            let mut etcd = Etcd {
                _dir: dir,
                child,
                endpoint: format!("127.0.0.1:{client}"),
            };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = etcd.child.try_wait() {
                    break;
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", client))
                    .await
                    .is_ok()
                {
                    // Listening; give it a moment to elect itself.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    return etcd;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = etcd.child.start_kill();
        }
        panic!("etcd did not start");
    }
}
