//! Waiting on conditions observed through the API, never on fixed sleeps.

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` until it returns `Some`, or fails after `timeout` with the last observation.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    let mut last;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(observed) => last = observed,
        }
        if started.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}; last observed: {last}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
