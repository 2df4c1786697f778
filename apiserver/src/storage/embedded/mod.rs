//! The embedded backend: an in-process, durable, revisioned store in a data directory.
//!
//! The default for a quick start and for single-machine use. All state lives in memory (like
//! kube-apiserver's watch cache) and every write is made durable in a write-ahead log before it is
//! acknowledged or becomes visible.
//!
//! Writes go through one committer thread that takes every request waiting in its queue, decides each
//! in order (later requests in a batch see earlier ones), appends the whole batch to the log with one
//! `fdatasync` (group commit), then applies it to memory and wakes watchers. Reads take a read lock and
//! never wait for the disk.
//!
//! Watchers keep no buffer of their own: each is a cursor into the retained history, so a slow watcher
//! never blocks writers or other watchers. History is bounded by compaction (`history_limit`, and the
//! API server's periodic compactor); a watcher whose cursor falls behind the compaction point is told
//! with [`StorageError::Compacted`].

mod disk;
mod mvcc;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::{oneshot, watch};

use self::disk::Disk;
use self::mvcc::{Mvcc, Op};
use super::{
    ContinueToken, DeleteResult, Event, KeyValue, ListOptions, ListPage, Result, Revision,
    StorageError, Store, WatchStream, validate_key, validate_value,
};

/// Settings of the embedded store.
#[derive(Debug, Clone)]
pub struct EmbeddedConfig {
    /// The data directory (created if missing; one process at a time).
    pub dir: PathBuf,
    /// The most history (changes) kept; beyond it the oldest half is compacted away. Bounds memory and
    /// snapshot size even without a periodic compactor.
    pub history_limit: usize,
    /// Write a snapshot and start a new log once the log grows past this many bytes (in the
    /// background; writers wait only if the log reaches four times this while a snapshot is still
    /// being written). Bounds disk use and restart time.
    pub snapshot_after_bytes: u64,
    /// Most events handed to a watcher per wake-up.
    pub watch_batch: usize,
}

impl EmbeddedConfig {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        EmbeddedConfig {
            dir: dir.into(),
            history_limit: 200_000,
            snapshot_after_bytes: 64 << 20,
            watch_batch: 1024,
        }
    }
}

enum Request {
    Create {
        key: String,
        value: Bytes,
    },
    Update {
        key: String,
        value: Bytes,
        expected: Revision,
    },
    Delete {
        key: String,
        expected: Option<Revision>,
    },
    Compact {
        revision: Revision,
    },
}

enum Outcome {
    Written(KeyValue),
    Deleted(DeleteResult),
    Compacted,
}

type Reply = oneshot::Sender<Result<Outcome>>;

struct Shared {
    state: RwLock<Mvcc>,
    /// The latest applied revision, or `None` once closed. Watchers wait on it.
    revision: watch::Sender<Option<i64>>,
    /// The queue to the committer; `None` once closed.
    queue: Mutex<Option<std_mpsc::Sender<(Request, Reply)>>>,
    committer: Mutex<Option<JoinHandle<()>>>,
    watch_batch: usize,
}

impl Shared {
    fn read(&self) -> Result<RwLockReadGuard<'_, Mvcc>> {
        if self.revision.borrow().is_none() {
            return Err(StorageError::Closed);
        }
        self.state.read().map_err(|_| StorageError::Closed)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Mvcc> {
        // Poisoning needs a panic while applying, which `Mvcc::apply` does not do; recover the guard.
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A durable in-process [`Store`]. Dropping it (or [`EmbeddedStore::close`]) stops its committer and
/// releases the data directory; open watches end with [`StorageError::Closed`].
pub struct EmbeddedStore {
    shared: Arc<Shared>,
}

impl EmbeddedStore {
    /// Opens the data directory, recovering every acknowledged write.
    pub fn open(config: EmbeddedConfig) -> Result<EmbeddedStore> {
        let (disk, mut mvcc, replay) = Disk::open(&config.dir)?;
        let limit = config.history_limit.max(2);
        trim_history(&mut mvcc, limit);
        tracing::info!(
            dir = %config.dir.display(),
            revision = mvcc.revision(),
            replayed = replay.applied,
            "opened embedded storage"
        );
        let (queue, requests) = std_mpsc::channel();
        let shared = Arc::new(Shared {
            revision: watch::Sender::new(Some(mvcc.revision())),
            state: RwLock::new(mvcc),
            queue: Mutex::new(Some(queue)),
            committer: Mutex::new(None),
            watch_batch: config.watch_batch.max(1),
        });
        let committer = Committer {
            shared: Arc::clone(&shared),
            disk,
            history_limit: limit,
            snapshot_after_bytes: config.snapshot_after_bytes,
            failed: None,
            snapshotting: None,
        };
        let handle = std::thread::Builder::new()
            .name("embedded-storage-commit".into())
            .spawn(move || committer.run(requests))
            .map_err(|e| StorageError::unavailable(format!("starting the committer: {e}")))?;
        *shared.committer.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok(EmbeddedStore { shared })
    }

    /// Stops accepting requests, waits for the committer to finish what it was given and releases the
    /// data directory. Idempotent.
    pub fn close(&self) {
        let queue = self
            .shared
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        drop(queue);
        let handle = self
            .shared
            .committer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(handle) = handle
            && handle.join().is_err()
        {
            tracing::error!("embedded storage committer panicked");
        }
        self.shared.revision.send_replace(None);
    }

    async fn submit(&self, request: Request) -> Result<Outcome> {
        let (reply, response) = oneshot::channel();
        {
            let queue = self.shared.queue.lock().unwrap_or_else(|p| p.into_inner());
            let queue = queue.as_ref().ok_or(StorageError::Closed)?;
            queue
                .send((request, reply))
                .map_err(|_| StorageError::Closed)?;
        }
        response.await.map_err(|_| StorageError::Closed)?
    }
}

impl Drop for EmbeddedStore {
    fn drop(&mut self) {
        self.close();
    }
}

fn trim_history(mvcc: &mut Mvcc, limit: usize) {
    if mvcc.history_len() > limit {
        let target = mvcc.revision() - (limit / 2) as i64;
        // Compacting to a revision we have is infallible.
        let _ = mvcc.compact(target);
    }
}

struct Committer {
    shared: Arc<Shared>,
    disk: Disk,
    history_limit: usize,
    snapshot_after_bytes: u64,
    /// Set after a failed log write: the log may end in a partial record, so nothing more may be
    /// appended behind it. Reopening the store recovers.
    failed: Option<StorageError>,
    /// The snapshot being written in the background, if any.
    snapshotting: Option<JoinHandle<Result<()>>>,
}

/// The committer's view of a key while deciding a batch: what memory holds, overridden by earlier
/// requests of the same batch.
struct Pending<'a> {
    state: &'a Mvcc,
    overlay: HashMap<String, Option<KeyValue>>,
    next: i64,
}

impl Pending<'_> {
    fn current(&self, key: &str) -> Option<KeyValue> {
        match self.overlay.get(key) {
            Some(kv) => kv.clone(),
            None => self.state.get(key),
        }
    }

    fn put(
        &mut self,
        key: String,
        value: Bytes,
        create_revision: Option<Revision>,
    ) -> (Op, KeyValue) {
        self.next += 1;
        let revision = self.next;
        let create_revision = create_revision.map_or(revision, |r| r.0);
        let kv = KeyValue {
            key: key.clone(),
            value: value.clone(),
            create_revision: Revision(create_revision),
            mod_revision: Revision(revision),
        };
        self.overlay.insert(key.clone(), Some(kv.clone()));
        let op = Op::Put {
            key,
            value,
            revision,
            create_revision,
        };
        (op, kv)
    }

    fn decide(&mut self, request: Request) -> Result<(Option<Op>, Outcome)> {
        match request {
            Request::Create { key, value } => {
                if self.current(&key).is_some() {
                    return Err(StorageError::AlreadyExists { key });
                }
                let (op, kv) = self.put(key, value, None);
                Ok((Some(op), Outcome::Written(kv)))
            }
            Request::Update {
                key,
                value,
                expected,
            } => {
                let current = self
                    .current(&key)
                    .ok_or_else(|| StorageError::NotFound { key: key.clone() })?;
                if current.mod_revision != expected {
                    return Err(StorageError::Conflict {
                        key,
                        expected,
                        current: Some(Box::new(current)),
                    });
                }
                let (op, kv) = self.put(key, value, Some(current.create_revision));
                Ok((Some(op), Outcome::Written(kv)))
            }
            Request::Delete { key, expected } => {
                let current = self
                    .current(&key)
                    .ok_or_else(|| StorageError::NotFound { key: key.clone() })?;
                if let Some(expected) = expected
                    && current.mod_revision != expected
                {
                    return Err(StorageError::Conflict {
                        key,
                        expected,
                        current: Some(Box::new(current)),
                    });
                }
                self.next += 1;
                self.overlay.insert(key.clone(), None);
                let revision = self.next;
                Ok((
                    Some(Op::Delete { key, revision }),
                    Outcome::Deleted(DeleteResult {
                        prev: current,
                        revision: Revision(revision),
                    }),
                ))
            }
            Request::Compact { revision } => {
                if revision.0 > self.next {
                    return Err(StorageError::FutureRevision {
                        requested: revision,
                        current: Revision(self.next),
                    });
                }
                Ok((None, Outcome::Compacted))
            }
        }
    }
}

/// Most requests decided and synced together.
const MAX_BATCH: usize = 1024;

impl Committer {
    /// Starts a background snapshot once the log is large and no snapshot is running. Writes go on
    /// meanwhile: the log is rotated and the snapshot thread works on a copy of the state.
    fn maybe_snapshot(&mut self) {
        if let Some(job) = &self.snapshotting {
            // Back-pressure: the log may grow to a few times the threshold while a snapshot is
            // written, no further; past that the committer waits for the snapshot.
            let far_behind = self.disk.wal_bytes() > self.snapshot_after_bytes.saturating_mul(4);
            if !job.is_finished() && !far_behind {
                return;
            }
            if let Some(job) = self.snapshotting.take() {
                match job.join() {
                    Ok(Ok(())) => {}
                    // `wal.old` stays and the next snapshot covers it; nothing is lost.
                    Ok(Err(error)) => tracing::warn!(%error, "embedded storage snapshot failed"),
                    Err(_) => tracing::error!("embedded storage snapshot thread panicked"),
                }
            }
        }
        if self.disk.wal_bytes() <= self.snapshot_after_bytes {
            return;
        }
        if self.disk.has_rotated_log() {
            // A background snapshot failed earlier: fold everything into one now, in line.
            let state = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
            if let Err(error) = self.disk.snapshot_now(&state) {
                tracing::warn!(%error, "embedded storage snapshot failed");
            }
            return;
        }
        let job = match self.disk.begin_snapshot() {
            Ok(job) => job,
            Err(error) => {
                tracing::warn!(%error, "embedded storage could not start a snapshot");
                return;
            }
        };
        let copy = self
            .shared
            .state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match std::thread::Builder::new()
            .name("embedded-storage-snapshot".into())
            .spawn(move || job.run(&copy))
        {
            Ok(handle) => self.snapshotting = Some(handle),
            Err(error) => {
                tracing::warn!(%error, "embedded storage could not start a snapshot thread")
            }
        }
    }

    fn run(mut self, requests: std_mpsc::Receiver<(Request, Reply)>) {
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match requests.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            self.commit(batch);
        }
        // Closing: let a running snapshot finish so the directory is consistent when released.
        if let Some(job) = self.snapshotting.take() {
            let _ = job.join();
        }
    }

    fn commit(&mut self, batch: Vec<(Request, Reply)>) {
        if let Some(failed) = &self.failed {
            for (_, reply) in batch {
                let _ = reply.send(Err(failed.clone()));
            }
            return;
        }

        // Decide every request against memory plus the batch so far. Only this thread writes the
        // state, so a read lock suffices and readers are not held up.
        let mut ops = Vec::new();
        let mut compactions = Vec::new();
        let mut results = Vec::with_capacity(batch.len());
        {
            let state = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
            let mut pending = Pending {
                next: state.revision(),
                state: &state,
                overlay: HashMap::new(),
            };
            for (request, reply) in batch {
                let compaction = match &request {
                    Request::Compact { revision } => Some(*revision),
                    _ => None,
                };
                let result = pending.decide(request).map(|(op, outcome)| {
                    if let Some(op) = op {
                        ops.push(op);
                    }
                    if let Some(revision) = compaction {
                        // Applied after the changes decided before it, i.e. in request order.
                        compactions.push((ops.len(), revision));
                    }
                    outcome
                });
                results.push((reply, result));
            }
        }

        if !ops.is_empty()
            && let Err(error) = self.disk.append(&ops)
        {
            tracing::error!(%error, "embedded storage cannot write its log; refusing further writes");
            let failed = StorageError::unavailable(format!(
                "embedded storage stopped after a failed write ({error}); restart to recover"
            ));
            self.failed = Some(failed.clone());
            for (reply, _) in results {
                let _ = reply.send(Err(failed.clone()));
            }
            return;
        }

        let revision = {
            let mut state = self.shared.write();
            let mut compactions = compactions.into_iter().peekable();
            for (applied, op) in ops.into_iter().enumerate() {
                while let Some((_, rev)) = compactions.next_if(|(at, _)| *at == applied) {
                    let _ = state.compact(rev.0);
                }
                if let Err(error) = state.apply(op) {
                    // Decisions are made against this very state, so this is a bug; stop writing.
                    tracing::error!(%error, "embedded storage applied an inconsistent change");
                    self.failed = Some(error);
                }
            }
            for (_, rev) in compactions {
                let _ = state.compact(rev.0);
            }
            trim_history(&mut state, self.history_limit);
            state.revision()
        };
        self.shared.revision.send_replace(Some(revision));
        for (reply, result) in results {
            let _ = reply.send(result);
        }

        self.maybe_snapshot();
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        validate_key(key)?;
        validate_value(&value)?;
        match self
            .submit(Request::Create {
                key: key.to_string(),
                value,
            })
            .await?
        {
            Outcome::Written(kv) => Ok(kv),
            _ => unreachable!("a create is answered with the written value"),
        }
    }

    async fn get(&self, key: &str) -> Result<KeyValue> {
        validate_key(key)?;
        self.shared
            .read()?
            .get(key)
            .ok_or_else(|| StorageError::NotFound {
                key: key.to_string(),
            })
    }

    async fn list(&self, prefix: &str, opts: ListOptions) -> Result<ListPage> {
        let state = self.shared.read()?;
        let (revision, start) = match &opts.continue_token {
            Some(token) => {
                let token = ContinueToken::decode(token)?;
                (token.revision, token.start_key(prefix))
            }
            None => match opts.revision {
                Some(r) if r.0 > 0 => (r.0, String::new()),
                _ => (state.revision(), String::new()),
            },
        };
        let page = state.list(prefix, &start, revision, opts.limit)?;
        let continue_token = match page.items.last() {
            Some(last) if page.more => {
                Some(ContinueToken::after(prefix, &last.key, Revision(revision)).encode())
            }
            _ => None,
        };
        Ok(ListPage {
            items: page.items,
            revision: Revision(revision),
            continue_token,
            remaining: Some(page.remaining),
        })
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue> {
        validate_key(key)?;
        validate_value(&value)?;
        match self
            .submit(Request::Update {
                key: key.to_string(),
                value,
                expected,
            })
            .await?
        {
            Outcome::Written(kv) => Ok(kv),
            _ => unreachable!("an update is answered with the written value"),
        }
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<DeleteResult> {
        validate_key(key)?;
        match self
            .submit(Request::Delete {
                key: key.to_string(),
                expected,
            })
            .await?
        {
            Outcome::Deleted(deleted) => Ok(deleted),
            _ => unreachable!("a delete is answered with the deleted value"),
        }
    }

    async fn current_revision(&self) -> Result<Revision> {
        Ok(Revision(self.shared.read()?.revision()))
    }

    async fn watch(&self, prefix: &str, after: Option<Revision>) -> Result<WatchStream> {
        let (after, compacted) = {
            let state = self.shared.read()?;
            (after.map_or(state.revision(), |r| r.0), state.compacted())
        };
        if after < compacted {
            return Err(StorageError::Compacted {
                requested: Revision(after),
                compacted: Revision(compacted),
            });
        }
        let cursor = Cursor {
            shared: Arc::clone(&self.shared),
            wake: self.shared.revision.subscribe(),
            prefix: prefix.to_string(),
            seen: after,
            ready: std::collections::VecDeque::new(),
            finished: false,
        };
        Ok(Box::pin(futures::stream::unfold(cursor, Cursor::next)))
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        match self.submit(Request::Compact { revision }).await? {
            Outcome::Compacted => Ok(()),
            _ => unreachable!("a compaction is answered as such"),
        }
    }

    async fn compacted_revision(&self) -> Result<Revision> {
        Ok(Revision(self.shared.read()?.compacted()))
    }
}

/// A watcher's position in the history.
struct Cursor {
    shared: Arc<Shared>,
    wake: watch::Receiver<Option<i64>>,
    prefix: String,
    /// Every change up to this revision has been looked at.
    seen: i64,
    ready: std::collections::VecDeque<Event>,
    finished: bool,
}

impl Cursor {
    async fn next(mut self) -> Option<(Result<Event>, Cursor)> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some((Ok(event), self));
            }
            if self.finished {
                return None;
            }
            // Mark the current revision as seen before reading, so a write landing in between
            // still wakes us.
            let latest = *self.wake.borrow_and_update();
            let Some(latest) = latest else {
                self.finished = true;
                return Some((Err(StorageError::Closed), self));
            };
            if latest > self.seen {
                let found = self.shared.read().and_then(|state| {
                    state.events_after(&self.prefix, self.seen, self.shared.watch_batch)
                });
                match found {
                    Ok((events, seen)) => {
                        self.seen = seen;
                        self.ready.extend(events);
                        continue;
                    }
                    Err(error) => {
                        self.finished = true;
                        return Some((Err(error), self));
                    }
                }
            }
            if self.wake.changed().await.is_err() {
                self.finished = true;
                return Some((Err(StorageError::Closed), self));
            }
        }
    }
}
