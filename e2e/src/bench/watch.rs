//! Watches that timestamp what the benchmark waits for: when each object name first appeared, and
//! when the last write (add, change or delete after the initial list) of a set of kinds happened.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::watcher;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

#[derive(Default)]
struct State {
    first_seen: HashMap<String, Instant>,
    last_write: Option<Instant>,
    writes: u64,
}

/// What a group of watches saw; cheap to clone.
#[derive(Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn seen(&self, name: &str, at: Instant, write: bool) {
        {
            let mut state = self.lock();
            state.first_seen.entry(name.to_string()).or_insert(at);
            if write {
                state.writes += 1;
                state.last_write = Some(at);
            }
        }
        self.changed.notify_waiters();
    }

    fn written(&self, at: Instant) {
        let mut state = self.lock();
        state.writes += 1;
        state.last_write = Some(at);
    }

    /// When `name` was first seen, if it was.
    pub fn first_seen(&self, name: &str) -> Option<Instant> {
        self.lock().first_seen.get(name).copied()
    }

    /// When the first name starting with `prefix` and not ending with `except` was seen.
    pub fn first_seen_prefix(&self, prefix: &str, except: &str) -> Option<Instant> {
        self.lock()
            .first_seen
            .iter()
            .filter(|(k, _)| k.starts_with(prefix) && !k.ends_with(except))
            .map(|(_, at)| *at)
            .min()
    }

    /// How many distinct names starting with `prefix` were seen.
    pub fn count_prefix(&self, prefix: &str) -> usize {
        self.lock()
            .first_seen
            .keys()
            .filter(|k| k.starts_with(prefix))
            .count()
    }

    /// Writes seen after the initial lists, and the time of the last one.
    pub fn writes(&self) -> (u64, Option<Instant>) {
        let state = self.lock();
        (state.writes, state.last_write)
    }

    /// Waits until `name` has been seen; returns when, or `None` after `timeout`.
    pub async fn wait_seen(&self, name: &str, timeout: Duration) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            if let Some(at) = self.first_seen(name) {
                return Some(at);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.first_seen(name);
            }
        }
    }

    /// Waits until `want` names with `prefix` have been seen; `false` after `timeout`.
    pub async fn wait_count(&self, prefix: &str, want: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.count_prefix(prefix) >= want {
                return true;
            }
            // Counting is O(names): poll rather than wake on every event.
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Watches `api` until the returned task is aborted: every object's name is timestamped on
    /// first sight, and every event after the initial list counts as a write.
    pub fn watch(&self, api: Api<DynamicObject>) -> JoinHandle<()> {
        let recorder = self.clone();
        tokio::spawn(async move {
            let mut stream = watcher(api, watcher::Config::default()).boxed();
            while let Some(event) = stream.next().await {
                let now = Instant::now();
                match event {
                    Ok(watcher::Event::Apply(obj)) => {
                        tracing::trace!(
                            kind = obj.types.as_ref().map(|t| t.kind.as_str()).unwrap_or(""),
                            name = obj.metadata.name.as_deref().unwrap_or(""),
                            namespace = obj.metadata.namespace.as_deref().unwrap_or(""),
                            rv = obj.metadata.resource_version.as_deref().unwrap_or(""),
                            "write"
                        );
                        recorder.seen(obj.metadata.name.as_deref().unwrap_or(""), now, true);
                    }
                    Ok(watcher::Event::InitApply(obj)) => {
                        recorder.seen(obj.metadata.name.as_deref().unwrap_or(""), now, false);
                    }
                    Ok(watcher::Event::Delete(_)) => recorder.written(now),
                    Ok(watcher::Event::Init | watcher::Event::InitDone) => {}
                    Err(error) => {
                        tracing::debug!("bench watch failed (retrying): {error}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        })
    }
}

/// Aborts watch tasks when dropped.
#[derive(Default)]
pub struct Watches(Vec<JoinHandle<()>>);

impl Watches {
    pub fn push(&mut self, task: JoinHandle<()>) {
        self.0.push(task);
    }
}

impl Drop for Watches {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// The API resource of a kind (group "" for the core group).
pub fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
    ApiResource::from_gvk_with_plural(&gvk, plural)
}
