//! Periodic compaction, the same for every backend (kube-apiserver does the same against etcd).
//!
//! Every `interval` the compactor compacts to the revision it saw one interval earlier, so a client
//! always has at least one interval to resume a watch or finish a paginated list, while history (and
//! with it memory and disk) stays bounded.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{Revision, Store};

/// Runs until `shutdown` changes to `true` (or its sender is dropped).
pub async fn run(store: Arc<dyn Store>, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut previous: Option<Revision> = None;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
                continue;
            }
        }
        if let Some(target) = previous {
            match store.compact(target).await {
                Ok(()) => tracing::debug!(revision = target.0, "compacted storage"),
                Err(error) => {
                    tracing::warn!(revision = target.0, %error, "storage compaction failed")
                }
            }
        }
        match store.current_revision().await {
            Ok(current) => previous = Some(current),
            Err(error) => {
                tracing::warn!(%error, "reading the storage revision for compaction failed")
            }
        }
    }
}
