//! A work queue with client-go's guarantees: a key waits in the queue at most once, one reconcile
//! per key runs at a time (a key added while it is being reconciled runs again afterwards), and
//! failed keys come back with per-key exponential backoff that resets on success.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// The first retry delay after a failure; doubled per consecutive failure up to [`MAX_BACKOFF`].
pub const BASE_BACKOFF: Duration = Duration::from_millis(50);
/// The longest retry delay.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

struct State<K> {
    pending: VecDeque<K>,
    queued: HashSet<K>,
    active: HashSet<K>,
    /// Keys added while active: queued again when their reconcile ends.
    dirty: HashSet<K>,
    failures: HashMap<K, u32>,
    shut_down: bool,
}

/// A deduplicating work queue of keys. Cloning shares the queue.
pub struct Queue<K> {
    state: Arc<Mutex<State<K>>>,
    notify: Arc<Notify>,
}

impl<K> Clone for Queue<K> {
    fn clone(&self) -> Self {
        Queue {
            state: self.state.clone(),
            notify: self.notify.clone(),
        }
    }
}

impl<K: Clone + Eq + Hash + Send + 'static> Default for Queue<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Clone + Eq + Hash + Send + 'static> Queue<K> {
    pub fn new() -> Self {
        Queue {
            state: Arc::new(Mutex::new(State {
                pending: VecDeque::new(),
                queued: HashSet::new(),
                active: HashSet::new(),
                dirty: HashSet::new(),
                failures: HashMap::new(),
                shut_down: false,
            })),
            notify: Arc::new(Notify::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<K>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds `key` unless it is already waiting.
    pub fn add(&self, key: K) {
        let mut state = self.lock();
        if state.shut_down || state.queued.contains(&key) {
            return;
        }
        if state.active.contains(&key) {
            state.dirty.insert(key);
            return;
        }
        state.queued.insert(key.clone());
        state.pending.push_back(key);
        drop(state);
        self.notify.notify_one();
    }

    /// Adds `key` after `delay`.
    pub fn add_after(&self, key: K, delay: Duration) {
        if delay.is_zero() {
            return self.add(key);
        }
        let queue = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            queue.add(key);
        });
    }

    /// Adds `key` after its backoff delay, and counts the failure.
    pub fn add_rate_limited(&self, key: K) -> Duration {
        let delay = {
            let mut state = self.lock();
            let failures = state.failures.entry(key.clone()).or_insert(0);
            *failures = failures.saturating_add(1);
            backoff(*failures)
        };
        self.add_after(key, delay);
        delay
    }

    /// Forgets the failures of `key` (after a success).
    pub fn forget(&self, key: &K) {
        self.lock().failures.remove(key);
    }

    /// Waits for the next key; `None` once the queue is shut down. The key is active until
    /// [`Queue::done`].
    pub async fn next(&self) -> Option<K> {
        loop {
            let notified = self.notify.notified();
            {
                let mut state = self.lock();
                if state.shut_down {
                    return None;
                }
                if let Some(key) = state.pending.pop_front() {
                    state.queued.remove(&key);
                    state.active.insert(key.clone());
                    // Wake another worker if more keys wait.
                    if !state.pending.is_empty() {
                        self.notify.notify_one();
                    }
                    return Some(key);
                }
            }
            notified.await;
        }
    }

    /// Ends the reconcile of `key`; a key added meanwhile is queued again.
    pub fn done(&self, key: &K) {
        let mut state = self.lock();
        state.active.remove(key);
        if state.dirty.remove(key) && !state.queued.contains(key) {
            state.queued.insert(key.clone());
            state.pending.push_back(key.clone());
            drop(state);
            self.notify.notify_one();
        }
    }

    /// Keys waiting (not counting active ones).
    pub fn len(&self) -> usize {
        self.lock().pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stops the queue: [`Queue::next`] returns `None` from now on.
    pub fn shut_down(&self) {
        self.lock().shut_down = true;
        self.notify.notify_waiters();
    }
}

/// The delay before retry number `failures` (1-based).
pub fn backoff(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(20);
    BASE_BACKOFF
        .saturating_mul(1u32 << exponent)
        .min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_waits_at_most_once() {
        let queue = Queue::new();
        queue.add("a");
        queue.add("a");
        queue.add("b");
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.next().await, Some("a"));
        assert_eq!(queue.next().await, Some("b"));
    }

    #[tokio::test]
    async fn a_key_added_while_active_runs_again_after_done() {
        let queue = Queue::new();
        queue.add("a");
        let key = queue.next().await.expect("a key");
        queue.add("a");
        assert!(queue.is_empty(), "not queued while active");
        queue.done(&key);
        assert_eq!(queue.next().await, Some("a"));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), BASE_BACKOFF);
        assert_eq!(backoff(2), BASE_BACKOFF * 2);
        assert_eq!(backoff(4), BASE_BACKOFF * 8);
        assert_eq!(backoff(40), MAX_BACKOFF);
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_and_success_resets() {
        let queue = Queue::new();
        assert_eq!(queue.add_rate_limited("a"), BASE_BACKOFF);
        assert_eq!(queue.add_rate_limited("a"), BASE_BACKOFF * 2);
        queue.forget(&"a");
        assert_eq!(queue.add_rate_limited("a"), BASE_BACKOFF);
        assert_eq!(queue.next().await, Some("a"));
    }

    #[tokio::test]
    async fn shut_down_wakes_waiters() {
        let queue: Queue<&str> = Queue::new();
        let waiter = {
            let queue = queue.clone();
            tokio::spawn(async move { queue.next().await })
        };
        tokio::task::yield_now().await;
        queue.shut_down();
        assert_eq!(waiter.await.expect("joined"), None);
    }
}
