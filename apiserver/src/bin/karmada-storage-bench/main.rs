//! `karmada-storage-bench`: measures the storage backends and tortures the embedded one.
//!
//! * `bench` — the figures in BENCHMARKS.md (see there for the command).
//! * `crash-writer` — writes keys to an embedded store as fast as it can and prints each key once its
//!   write is acknowledged; the crash-recovery test kills it with SIGKILL and checks that every printed
//!   key survived.

mod bench;

use std::io::Write;
use std::path::PathBuf;

use bytes::Bytes;
use clap::{Parser, Subcommand};
use karmada_apiserver::storage::Store;
use karmada_apiserver::storage::embedded::{EmbeddedConfig, EmbeddedStore};

#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the storage benchmark.
    Bench(bench::BenchOptions),
    /// Write keys to an embedded store until killed, printing each acknowledged key.
    CrashWriter {
        /// The embedded store's data directory.
        #[arg(long)]
        dir: PathBuf,
        /// Keys are `PREFIX/WRITER/SEQUENCE`.
        #[arg(long, default_value = "/crash")]
        prefix: String,
        /// Concurrent writers.
        #[arg(long, default_value_t = 8)]
        writers: usize,
        /// Snapshot after this many log bytes (small values exercise snapshots during the crash).
        #[arg(long, default_value_t = 64 << 20)]
        snapshot_after_bytes: u64,
    },
}

fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match options.command {
        Command::Bench(bench) => runtime.block_on(bench::run(bench)),
        Command::CrashWriter {
            dir,
            prefix,
            writers,
            snapshot_after_bytes,
        } => runtime.block_on(crash_writer(dir, prefix, writers, snapshot_after_bytes)),
    }
}

async fn crash_writer(
    dir: PathBuf,
    prefix: String,
    writers: usize,
    snapshot_after_bytes: u64,
) -> anyhow::Result<()> {
    let mut config = EmbeddedConfig::new(dir);
    config.snapshot_after_bytes = snapshot_after_bytes;
    let store = std::sync::Arc::new(EmbeddedStore::open(config)?);
    let (acked, mut acks) = tokio::sync::mpsc::unbounded_channel::<String>();
    for w in 0..writers {
        let store = std::sync::Arc::clone(&store);
        let acked = acked.clone();
        let prefix = prefix.clone();
        tokio::spawn(async move {
            for i in 0u64.. {
                let key = format!("{prefix}/{w}/{i:010}");
                let value = Bytes::from(format!("{key}={}", "v".repeat(100)));
                match store.create(&key, value).await {
                    Ok(_) => {
                        if acked.send(key).is_err() {
                            return;
                        }
                    }
                    Err(error) => {
                        eprintln!("write failed: {error}");
                        return;
                    }
                }
            }
        });
    }
    drop(acked);
    let mut out = std::io::stdout().lock();
    while let Some(key) = acks.recv().await {
        // One line per acknowledged write, flushed before the next, so the test sees exactly what was
        // acknowledged when it kills us.
        writeln!(out, "{key}")?;
        out.flush()?;
    }
    Ok(())
}
