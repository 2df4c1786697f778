//! The controller runtime: work queues, informers (shared caches fed by watches), a runner that
//! drives `reconcile(key) -> Result<Action>` with per-key backoff, and the metrics they report.

pub mod informer;
pub mod metrics;
pub mod queue;

use std::fmt::Display;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::Instrument;

pub use informer::Informer;
pub use metrics::Metrics;
pub use queue::Queue;

/// What a successful reconcile asks for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing until the next change.
    Done,
    /// Look again after this long (a deadline, a poll).
    RequeueAfter(Duration),
}

/// Runs `workers` concurrent reconcile loops over `queue` until `shutdown` turns true. Each
/// reconcile runs in a span naming the controller and the key; an error is logged once, here, and
/// the key retried with backoff.
pub async fn run<K, F, Fut, E>(
    name: &'static str,
    queue: Queue<K>,
    workers: usize,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
    reconcile: F,
) where
    K: Clone + Eq + Hash + Send + Sync + Display + 'static,
    F: Fn(K) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<Action, E>> + Send + 'static,
    E: Display + Send + 'static,
{
    let mut tasks = Vec::new();
    for _ in 0..workers.max(1) {
        let queue = queue.clone();
        let reconcile = reconcile.clone();
        let metrics = metrics.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(key) = queue.next().await {
                let started = Instant::now();
                let span = tracing::info_span!("reconcile", controller = name, object = %key);
                let result = reconcile(key.clone()).instrument(span.clone()).await;
                metrics.observe_reconcile(name, started.elapsed(), result.is_ok());
                match result {
                    Ok(Action::Done) => queue.forget(&key),
                    Ok(Action::RequeueAfter(delay)) => {
                        queue.forget(&key);
                        queue.add_after(key.clone(), delay);
                    }
                    Err(error) => {
                        let delay = queue.add_rate_limited(key.clone());
                        let (message, conflict) = summarize(&error.to_string());
                        span.in_scope(|| {
                            if conflict {
                                // Optimistic concurrency at work: retried at once with fresh data.
                                tracing::debug!(retry_in = ?delay, "reconcile raced a newer write: {message}")
                            } else {
                                tracing::warn!(retry_in = ?delay, "reconcile failed: {message}")
                            }
                        });
                    }
                }
                queue.done(&key);
                metrics.set_queue_depth(name, queue.len());
            }
        }));
    }
    let _ = shutdown.wait_for(|stop| *stop).await;
    queue.shut_down();
    for task in tasks {
        // A reconcile in flight finishes its current API call; the manager bounds the wait.
        let _ = task.await;
    }
}

/// Resolves once `shutdown` turns true (or its sender is gone).
pub async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// An error message without the Debug dump of the API `Status` that kube appends, and whether it
/// reports a 409 write conflict (a stale read, not a failure).
pub fn summarize(message: &str) -> (String, bool) {
    let conflict = message.contains(": Conflict (Status") || message.contains("code: 409");
    let short = match message.find(" (Status {") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    };
    (short, conflict)
}

#[cfg(test)]
mod tests {
    use super::summarize;

    #[test]
    fn api_status_dumps_are_cut_and_conflicts_recognised() {
        let text = "failed to write work a/b: ApiError: the object has been modified: Conflict (Status { status: Some(Failure), code: 409 })";
        let (short, conflict) = summarize(text);
        assert_eq!(
            short,
            "failed to write work a/b: ApiError: the object has been modified: Conflict"
        );
        assert!(conflict);
        assert_eq!(
            summarize("failed: connection refused"),
            ("failed: connection refused".to_string(), false)
        );
    }
}
