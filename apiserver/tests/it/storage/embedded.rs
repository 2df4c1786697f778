//! The conformance suite on the embedded backend, and what only the embedded backend does
//! (crash recovery, bounded history and log).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use karmada_apiserver::storage::embedded::{EmbeddedConfig, EmbeddedStore};
use karmada_apiserver::storage::{ListOptions, StorageError, Store};
use tempfile::TempDir;

use super::suite::Backend;

struct Embedded {
    dir: TempDir,
    store: Arc<EmbeddedStore>,
}

#[async_trait]
impl Backend for Embedded {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn restart(&mut self) -> Arc<dyn Store> {
        self.store.close();
        self.store = Arc::new(EmbeddedStore::open(EmbeddedConfig::new(self.dir.path())).unwrap());
        self.store.clone()
    }
}

fn scratch_dir() -> TempDir {
    // tmpfs keeps fsync cheap in tests; durability across processes is still real.
    let base = Path::new("/dev/shm");
    if base.is_dir() {
        tempfile::tempdir_in(base).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

async fn make(_test: &str) -> Option<Box<dyn Backend>> {
    let dir = scratch_dir();
    let store = Arc::new(EmbeddedStore::open(EmbeddedConfig::new(dir.path())).unwrap());
    Some(Box::new(Embedded { dir, store }))
}

mod conformance {
    crate::storage_conformance!(super::make);
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_kill_9() {
    let dir = scratch_dir();
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_karmada-storage-bench"))
            .args([
                "crash-writer",
                "--writers",
                "8",
                "--snapshot-after-bytes",
                "200000",
            ])
            .arg("--prefix")
            .arg(format!("/crash/{round}"))
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the crash writer");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                acked.push(line);
                if acked.len() == 3000 {
                    break;
                }
            }
            acked
        });
        let acked = reader.join().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(acked.len(), 3000, "round {round}: the writer stopped early");

        let store = EmbeddedStore::open(EmbeddedConfig::new(dir.path())).unwrap();
        for key in &acked {
            let kv = store
                .get(key)
                .await
                .unwrap_or_else(|e| panic!("round {round}: acknowledged {key} lost: {e}"));
            assert!(kv.value.starts_with(key.as_bytes()));
        }
        // What survived is consistent as a whole: per writer, a gap-free sequence from 0 (a write
        // is acknowledged only after every earlier one of the same writer).
        let all = store
            .list(&format!("/crash/{round}/"), ListOptions::default())
            .await
            .unwrap();
        let mut per_writer = std::collections::BTreeMap::<String, Vec<u64>>::new();
        for kv in &all.items {
            let (writer, seq) = kv.key.rsplit_once('/').unwrap();
            per_writer
                .entry(writer.to_string())
                .or_default()
                .push(seq.parse().unwrap());
        }
        assert_eq!(per_writer.len(), 8);
        for (writer, seqs) in &per_writer {
            let gap_free = seqs.iter().enumerate().all(|(i, s)| *s == i as u64);
            assert!(gap_free, "round {round}: {writer} has a gap");
        }
        store.close();
    }
}

#[tokio::test]
async fn a_watcher_that_falls_behind_the_history_limit_is_told_compacted() {
    let dir = scratch_dir();
    let mut config = EmbeddedConfig::new(dir.path());
    config.history_limit = 100;
    let store = EmbeddedStore::open(config).unwrap();
    let mut slow = store.watch("/r/", None).await.unwrap();
    for i in 0..500 {
        store
            .create(&format!("/r/{i:04}"), Bytes::from("x"))
            .await
            .unwrap();
    }
    match slow.next().await {
        Some(Err(StorageError::Compacted { .. })) => {}
        other => panic!("expected the watcher to be told it was compacted, got {other:?}"),
    }
    assert!(
        slow.next().await.is_none(),
        "the watch ends after its error"
    );
}

#[tokio::test]
async fn snapshots_keep_the_log_small_and_lose_nothing() {
    let dir = scratch_dir();
    let mut config = EmbeddedConfig::new(dir.path());
    config.snapshot_after_bytes = 64 * 1024;
    config.history_limit = 1000;
    let store = EmbeddedStore::open(config.clone()).unwrap();
    let value = Bytes::from(vec![b'v'; 1000]);
    let mut last = None;
    for round in 0..10 {
        for i in 0..100 {
            let key = format!("/r/{i:03}");
            last = Some(match round {
                0 => store.create(&key, value.clone()).await.unwrap(),
                _ => {
                    let current = store.get(&key).await.unwrap();
                    store
                        .update(&key, value.clone(), current.mod_revision)
                        .await
                        .unwrap()
                }
            });
        }
    }
    let revision = store.current_revision().await.unwrap();
    // Closing waits for a background snapshot in progress.
    store.close();
    drop(store);
    // 1,000 writes of ~1 KiB went through the log; snapshots (written in the background while the
    // log is rotated) kept only a fraction of that on disk.
    let log: u64 = ["wal", "wal.old"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.path().join(name)).ok())
        .map(|m| m.len())
        .sum();
    assert!(log < 400 * 1024, "the log grew to {log} bytes");
    assert!(dir.path().join("snapshot").exists());
    assert!(
        !dir.path().join("wal.old").exists(),
        "no rotated log is left after close"
    );
    let store = EmbeddedStore::open(config).unwrap();
    assert_eq!(store.current_revision().await.unwrap(), revision);
    assert_eq!(store.get("/r/099").await.unwrap(), last.unwrap());
    assert_eq!(
        store
            .list("/r/", ListOptions::default())
            .await
            .unwrap()
            .items
            .len(),
        100
    );
}

#[tokio::test]
async fn closing_the_store_ends_watches_and_refuses_requests() {
    let dir = scratch_dir();
    let store = EmbeddedStore::open(EmbeddedConfig::new(dir.path())).unwrap();
    let mut w = store.watch("/r/", None).await.unwrap();
    store.close();
    assert_eq!(w.next().await, Some(Err(StorageError::Closed)));
    assert_eq!(
        store.create("/r/a", Bytes::from("x")).await,
        Err(StorageError::Closed)
    );
    // The directory is free again.
    EmbeddedStore::open(EmbeddedConfig::new(dir.path())).unwrap();
}
