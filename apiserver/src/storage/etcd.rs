//! The etcd backend: the [`Store`] contract over etcd v3 (production, several API servers).
//!
//! Each store method is one etcd request (a transaction where a guard is needed), bounded by
//! [`EtcdConfig::request_timeout`]. Revisions are etcd's revisions, so `resourceVersion`s survive API
//! server restarts and agree between API servers sharing one etcd.
//!
//! Watches are the delicate part. Each one is an etcd watch fed into a bounded channel by its own
//! task. The task remembers the last revision it delivered; when the etcd stream breaks for any reason
//! other than compaction (etcd restarted, the connection dropped, the member lost its leader) it
//! re-creates the watch from the next revision, with backoff, for as long as the consumer holds the
//! stream. A consumer therefore sees every event exactly once across etcd restarts, or a final
//! [`StorageError::Compacted`] when the history it needs is gone.
//!
//! The compaction point is recorded, as kube-apiserver does, in the key [`COMPACT_REV_KEY`] at the
//! root of etcd (compaction is global, so the key is not namespaced), and only ever moves forward.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use etcd_client::{
    Client, CompactionOptions, Compare, CompareOp, ConnectOptions, DeleteOptions, GetOptions,
    KvClient, PutOptions, Txn, TxnOp, TxnOpResponse, WatchClient, WatchOptions,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::{
    ContinueToken, DeleteResult, Event, EventKind, KeyValue, ListOptions, ListPage, Result,
    Revision, StorageError, Store, WatchStream, prefix_range_end, validate_key, validate_value,
};

/// Where the revision of the last compaction is recorded, outside every namespace and every `/...`
/// prefix (the same key kube-apiserver uses).
pub const COMPACT_REV_KEY: &str = "compact_rev_key";

/// The first wait before re-creating a broken watch; it doubles up to [`WATCH_RETRY_MAX`].
const WATCH_RETRY_MIN: Duration = Duration::from_millis(50);
const WATCH_RETRY_MAX: Duration = Duration::from_secs(2);
/// HTTP/2 pings while streams are open, so that a watch on a vanished etcd breaks instead of hanging.
/// etcd refuses pings more often than every 5 s (`--grpc-keepalive-min-time`).
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for etcd to say whether a revision is compacted when the recorded compaction
/// point cannot tell (someone compacted without recording it).
const COMPACTION_PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// The largest response accepted from etcd (a whole list is one response; gRPC's default of 4 MiB is
/// a few large objects).
const MAX_RESPONSE_BYTES: usize = i32::MAX as usize;

/// How to reach etcd.
#[derive(Debug, Clone)]
pub struct EtcdConfig {
    /// `host:port` or `http://host:port` endpoints.
    pub endpoints: Vec<String>,
    /// Prepended to every key in etcd and stripped on the way out, so that several stores (test runs,
    /// federations) can share one etcd. Empty in production: keys are already `/registry/...`.
    pub namespace: String,
    /// Timeout for a single request (not for watches).
    pub request_timeout: Duration,
    /// Events buffered per watcher before it is stopped with `WatchTooSlow`.
    pub watch_buffer: usize,
}

impl EtcdConfig {
    pub fn new(endpoints: Vec<String>) -> Self {
        EtcdConfig {
            endpoints,
            namespace: String::new(),
            request_timeout: Duration::from_secs(10),
            watch_buffer: 10_000,
        }
    }
}

/// A [`super::Store`] over etcd v3.
///
/// Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct EtcdStore {
    inner: Arc<Inner>,
}

struct Inner {
    kv: KvClient,
    watch: WatchClient,
    keys: Keyspace,
    request_timeout: Duration,
    watch_buffer: usize,
    /// The highest compaction point this store has seen (compacted, recorded or been told by etcd).
    compacted: AtomicI64,
}

impl EtcdStore {
    /// Connects to etcd and checks that it answers within the request timeout.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`] when no endpoint is configured, one is malformed, or etcd does
    /// not answer.
    pub async fn connect(config: EtcdConfig) -> Result<EtcdStore> {
        if config.endpoints.is_empty() {
            return Err(StorageError::unavailable("no etcd endpoints configured"));
        }
        let options = ConnectOptions::new()
            .with_connect_timeout(config.request_timeout)
            .with_keep_alive(KEEP_ALIVE_INTERVAL, KEEP_ALIVE_TIMEOUT)
            .with_keep_alive_while_idle(false)
            // A member cut off from its cluster fails requests and ends watches instead of serving
            // stale data; watches then move to another endpoint.
            .with_require_leader(true);
        let client = bounded(
            config.request_timeout,
            Client::connect(&config.endpoints, Some(options)),
        )
        .await
        .map_err(|failure| {
            StorageError::unavailable(format!(
                "failed to connect to etcd at {}: {}",
                config.endpoints.join(","),
                failure.reason()
            ))
        })?;
        let store = EtcdStore {
            inner: Arc::new(Inner {
                kv: client
                    .kv_client()
                    .max_decoding_message_size(MAX_RESPONSE_BYTES),
                watch: client
                    .watch_client()
                    .max_decoding_message_size(MAX_RESPONSE_BYTES),
                keys: Keyspace::new(config.namespace),
                request_timeout: config.request_timeout,
                watch_buffer: config.watch_buffer.max(1),
                compacted: AtomicI64::new(0),
            }),
        };
        // The client connects lazily: make sure etcd is really there.
        store.current_revision().await.map_err(|error| {
            let reason = match error {
                StorageError::Unavailable { reason } => reason,
                other => other.to_string(),
            };
            StorageError::unavailable(format!(
                "etcd at {} did not answer: {reason}",
                config.endpoints.join(",")
            ))
        })?;
        Ok(store)
    }
}

impl Inner {
    async fn call<T>(
        &self,
        request: impl Future<Output = Result<T, etcd_client::Error>>,
    ) -> Result<T, Failure> {
        bounded(self.request_timeout, request).await
    }

    fn key_value(&self, kv: etcd_client::KeyValue) -> Result<KeyValue> {
        let create_revision = Revision(kv.create_revision());
        let mod_revision = Revision(kv.mod_revision());
        let (key, value) = kv.into_key_value();
        Ok(KeyValue {
            key: self.keys.caller_key(&key)?,
            value: Bytes::from(value),
            create_revision,
            mod_revision,
        })
    }

    async fn current_revision(&self) -> Result<Revision> {
        let response = self
            .call(
                self.kv
                    .clone()
                    .get(COMPACT_REV_KEY, Some(GetOptions::new().with_count_only())),
            )
            .await
            .map_err(Failure::into_error)?;
        header_revision(response.header())
    }

    /// The compaction point recorded in etcd (0 when none is), and its modification revision.
    async fn recorded_compaction(&self) -> Result<(Revision, i64)> {
        let mut response = self
            .call(self.kv.clone().get(COMPACT_REV_KEY, None))
            .await
            .map_err(Failure::into_error)?;
        let Some(kv) = response.take_kvs().into_iter().next() else {
            return Ok((Revision::ZERO, 0));
        };
        let revision = parse_compact_rev(kv.value())?;
        self.learn_compaction(revision);
        Ok((revision, kv.mod_revision()))
    }

    fn learn_compaction(&self, revision: Revision) {
        self.compacted.fetch_max(revision.0, Ordering::Relaxed);
    }

    fn known_compaction(&self) -> Revision {
        Revision(self.compacted.load(Ordering::Relaxed))
    }

    /// Moves the recorded compaction point forward to `revision` (never backward, even when several
    /// API servers compact at once).
    async fn record_compaction(&self, revision: Revision) -> Result<()> {
        loop {
            let (recorded, recorded_at) = self.recorded_compaction().await?;
            if recorded >= revision {
                return Ok(());
            }
            let txn = Txn::new()
                .when([Compare::mod_revision(
                    COMPACT_REV_KEY,
                    CompareOp::Equal,
                    recorded_at,
                )])
                .and_then([TxnOp::put(COMPACT_REV_KEY, revision.0.to_string(), None)]);
            let response = self
                .call(self.kv.clone().txn(txn))
                .await
                .map_err(Failure::into_error)?;
            if response.succeeded() {
                self.learn_compaction(revision);
                return Ok(());
            }
            // Another API server recorded a compaction in between: look again.
        }
    }

    /// The error for a read at `requested` that etcd refused as compacted, with the best known
    /// compaction point.
    async fn compacted_error(&self, requested: Revision) -> StorageError {
        let mut compacted = self.known_compaction();
        if compacted <= requested
            && let Ok((recorded, _)) = self.recorded_compaction().await
        {
            compacted = compacted.max(recorded);
        }
        if compacted <= requested {
            // etcd was compacted by someone who did not record it: ask etcd itself.
            if let Some(probed) = self.probe_compaction(requested).await {
                compacted = compacted.max(probed);
            }
        }
        if compacted <= requested {
            // All we know for sure is that `requested` is gone.
            compacted = Revision(requested.0.saturating_add(1));
        }
        StorageError::Compacted {
            requested,
            compacted,
        }
    }

    /// Asks etcd for its compaction point by watching from `requested`: etcd cancels such a watch
    /// with the compaction revision.
    async fn probe_compaction(&self, requested: Revision) -> Option<Revision> {
        let options = WatchOptions::new().with_start_revision(requested.0.max(1));
        let probe = async {
            let mut stream = self
                .watch
                .clone()
                .watch(COMPACT_REV_KEY, Some(options))
                .await
                .ok()?;
            while let Ok(Some(response)) = stream.message().await {
                if response.compact_revision() > 0 {
                    return Some(Revision(response.compact_revision()));
                }
                if response.canceled() || !response.events().is_empty() {
                    return None;
                }
            }
            None
        };
        let compacted =
            tokio::time::timeout(COMPACTION_PROBE_TIMEOUT.min(self.request_timeout), probe)
                .await
                .ok()??;
        self.learn_compaction(compacted);
        Some(compacted)
    }

    async fn future_revision_error(&self, requested: Revision) -> StorageError {
        match self.current_revision().await {
            Ok(current) => StorageError::FutureRevision { requested, current },
            Err(error) => error,
        }
    }

    /// Maps a failed read at `revision`.
    async fn read_error(&self, failure: Failure, revision: Revision) -> StorageError {
        match failure {
            Failure::Compacted => self.compacted_error(revision).await,
            Failure::FutureRevision => self.future_revision_error(revision).await,
            other => other.into_error(),
        }
    }

    /// Opens an etcd watch on `[key, range_end)` from revision `start` and waits until etcd has
    /// created it.
    async fn open_watch(
        &self,
        key: &[u8],
        range_end: &[u8],
        start: Revision,
    ) -> Result<etcd_client::WatchStream, OpenFailure> {
        let options = WatchOptions::new()
            .with_range(range_end.to_vec())
            .with_start_revision(start.0)
            .with_prev_key();
        let open = async {
            let mut stream = self
                .watch
                .clone()
                .watch(key.to_vec(), Some(options))
                .await
                .map_err(|error| OpenFailure::Failed(classify(&error).reason()))?;
            match stream.message().await {
                Ok(Some(response)) if response.compact_revision() > 0 => Err(
                    OpenFailure::Compacted(Revision(response.compact_revision())),
                ),
                Ok(Some(response)) if response.canceled() => Err(OpenFailure::Failed(format!(
                    "etcd refused the watch: {}",
                    response.cancel_reason()
                ))),
                Ok(Some(response)) if response.created() => Ok(stream),
                Ok(Some(_)) => Err(OpenFailure::Failed(
                    "etcd answered a watch request without creating it".into(),
                )),
                Ok(None) => Err(OpenFailure::Failed(
                    "etcd closed the watch stream before creating the watch".into(),
                )),
                Err(error) => Err(OpenFailure::Failed(classify(&error).reason())),
            }
        };
        match tokio::time::timeout(self.request_timeout, open).await {
            Ok(result) => result,
            Err(_) => Err(OpenFailure::Failed(format!(
                "etcd did not create the watch within {:?}",
                self.request_timeout
            ))),
        }
    }
}

/// Why an etcd watch could not be created.
#[derive(Debug)]
enum OpenFailure {
    /// The start revision is compacted, up to this revision.
    Compacted(Revision),
    /// etcd could not be reached or refused.
    Failed(String),
}

#[async_trait]
impl Store for EtcdStore {
    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        validate_key(key)?;
        validate_value(&value)?;
        let inner = &*self.inner;
        let etcd_key = inner.keys.to_etcd(key);
        let txn = Txn::new()
            .when([Compare::create_revision(
                etcd_key.clone(),
                CompareOp::Equal,
                0,
            )])
            .and_then([TxnOp::put(etcd_key, value.to_vec(), None)]);
        let response = inner
            .call(inner.kv.clone().txn(txn))
            .await
            .map_err(Failure::into_error)?;
        if !response.succeeded() {
            return Err(StorageError::AlreadyExists { key: key.into() });
        }
        let revision = header_revision(response.header())?;
        Ok(KeyValue {
            key: key.into(),
            value,
            create_revision: revision,
            mod_revision: revision,
        })
    }

    async fn get(&self, key: &str) -> Result<KeyValue> {
        validate_key(key)?;
        let inner = &*self.inner;
        let mut response = inner
            .call(inner.kv.clone().get(inner.keys.to_etcd(key), None))
            .await
            .map_err(Failure::into_error)?;
        match response.take_kvs().into_iter().next() {
            Some(kv) => inner.key_value(kv),
            None => Err(StorageError::NotFound { key: key.into() }),
        }
    }

    async fn list(&self, prefix: &str, opts: ListOptions) -> Result<ListPage> {
        if !prefix.is_empty() {
            validate_key(prefix)?;
        }
        let inner = &*self.inner;
        let (range_start, range_end) = inner.keys.prefix_range(prefix);
        let (start, pinned) = match opts.continue_token.as_deref() {
            Some(token) => {
                let token = ContinueToken::decode(token)?;
                let start = inner.keys.to_etcd(&token.start_key(prefix));
                (start, Some(Revision(token.revision)))
            }
            None => match opts.revision {
                Some(Revision(r)) if r < 0 => {
                    return Err(StorageError::Invalid {
                        reason: format!("negative list revision {r}"),
                    });
                }
                Some(Revision(0)) | None => (range_start, None),
                Some(revision) => (range_start, Some(revision)),
            },
        };
        let limit = opts.limit.filter(|&limit| limit > 0);
        let hides_compact_key = inner.keys.range_holds_compact_key(&start, &range_end);
        let mut get = GetOptions::new().with_range(range_end);
        if let Some(revision) = pinned {
            get = get.with_revision(revision.0);
        }
        if let Some(limit) = limit {
            // One more when the compaction record may take a place in the page.
            let fetch = limit.saturating_add(usize::from(hides_compact_key));
            get = get.with_limit(i64::try_from(fetch).unwrap_or(i64::MAX));
        }
        let mut response = match inner.call(inner.kv.clone().get(start, Some(get))).await {
            Ok(response) => response,
            Err(failure) => {
                return Err(inner
                    .read_error(failure, pinned.unwrap_or(Revision::ZERO))
                    .await);
            }
        };
        let revision = match pinned {
            Some(revision) => revision,
            None => header_revision(response.header())?,
        };
        let count = u64::try_from(response.count()).unwrap_or(0);
        let more = response.more();
        let mut items = Vec::new();
        let mut seen = 0u64;
        for kv in response.take_kvs() {
            seen += 1;
            if inner.keys.is_compact_key(kv.key()) {
                continue;
            }
            if limit.is_some_and(|limit| items.len() == limit) {
                // The extra item fetched past the compaction record: it starts the next page.
                seen -= 1;
                break;
            }
            items.push(inner.key_value(kv)?);
        }
        let remaining = count.saturating_sub(seen);
        let continue_token = match items.last() {
            Some(last) if more || remaining > 0 => {
                Some(ContinueToken::after(prefix, &last.key, revision).encode())
            }
            _ => None,
        };
        Ok(ListPage {
            items,
            revision,
            // Counts the compaction record when it lies ahead (only without a namespace).
            remaining: Some(remaining),
            continue_token,
        })
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue> {
        validate_key(key)?;
        validate_value(&value)?;
        let inner = &*self.inner;
        let etcd_key = inner.keys.to_etcd(key);
        let txn = Txn::new()
            .when([
                // A missing key has modification revision 0: never let an update create it.
                Compare::create_revision(etcd_key.clone(), CompareOp::Greater, 0),
                Compare::mod_revision(etcd_key.clone(), CompareOp::Equal, expected.0),
            ])
            .and_then([TxnOp::put(
                etcd_key.clone(),
                value.to_vec(),
                Some(PutOptions::new().with_prev_key()),
            )])
            .or_else([TxnOp::get(etcd_key, None)]);
        let response = inner
            .call(inner.kv.clone().txn(txn))
            .await
            .map_err(Failure::into_error)?;
        let revision = header_revision(response.header())?;
        let succeeded = response.succeeded();
        let op = response.op_responses().into_iter().next();
        if !succeeded {
            return Err(conflict_or_missing(inner, key, expected, op)?);
        }
        let create_revision = match op {
            Some(TxnOpResponse::Put(put)) => put.prev_key().map(|prev| prev.create_revision()),
            _ => None,
        }
        .ok_or_else(|| StorageError::Corrupt {
            reason: format!("etcd updated {key:?} without returning its previous value"),
        })?;
        Ok(KeyValue {
            key: key.into(),
            value,
            create_revision: Revision(create_revision),
            mod_revision: revision,
        })
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<DeleteResult> {
        validate_key(key)?;
        let inner = &*self.inner;
        let etcd_key = inner.keys.to_etcd(key);
        let delete = TxnOp::delete(etcd_key.clone(), Some(DeleteOptions::new().with_prev_key()));
        let txn = match expected {
            Some(expected) => Txn::new()
                .when([
                    Compare::create_revision(etcd_key.clone(), CompareOp::Greater, 0),
                    Compare::mod_revision(etcd_key.clone(), CompareOp::Equal, expected.0),
                ])
                .and_then([delete])
                .or_else([TxnOp::get(etcd_key, None)]),
            None => Txn::new().and_then([delete]),
        };
        let response = inner
            .call(inner.kv.clone().txn(txn))
            .await
            .map_err(Failure::into_error)?;
        let revision = header_revision(response.header())?;
        let succeeded = response.succeeded();
        let op = response.op_responses().into_iter().next();
        if !succeeded {
            let expected = expected.unwrap_or(Revision::ZERO);
            return Err(conflict_or_missing(inner, key, expected, op)?);
        }
        let prev = match op {
            Some(TxnOpResponse::Delete(mut deleted)) => deleted.take_prev_kvs().into_iter().next(),
            _ => None,
        };
        match prev {
            Some(prev) => Ok(DeleteResult {
                prev: inner.key_value(prev)?,
                revision,
            }),
            None => Err(StorageError::NotFound { key: key.into() }),
        }
    }

    async fn current_revision(&self) -> Result<Revision> {
        self.inner.current_revision().await
    }

    async fn watch(&self, prefix: &str, after: Option<Revision>) -> Result<WatchStream> {
        if !prefix.is_empty() {
            validate_key(prefix)?;
        }
        let inner = &self.inner;
        let start = match after {
            Some(after) => Revision(after.0.max(0).saturating_add(1)),
            None => Revision(inner.current_revision().await?.0.saturating_add(1)),
        };
        let (key, range_end) = inner.keys.prefix_range(prefix);
        let stream = match inner.open_watch(&key, &range_end, start).await {
            Ok(stream) => stream,
            Err(OpenFailure::Compacted(compacted)) => {
                inner.learn_compaction(compacted);
                return Err(StorageError::Compacted {
                    requested: start,
                    compacted,
                });
            }
            Err(OpenFailure::Failed(reason)) => {
                return Err(StorageError::unavailable(format!(
                    "failed to watch {prefix:?}: {reason}"
                )));
            }
        };
        let (tx, rx) = mpsc::channel(inner.watch_buffer);
        let forwarder = Forwarder {
            inner: Arc::clone(inner),
            prefix: prefix.to_string(),
            key,
            range_end,
            last_delivered: Revision(start.0 - 1),
            tx,
        };
        tokio::spawn(forwarder.run(stream));
        Ok(Box::pin(ReceiverStream::new(rx)))
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        let inner = &*self.inner;
        if revision.0 <= 0 || revision <= inner.known_compaction() {
            return Ok(());
        }
        let mut kv = inner.kv.clone();
        let request = kv.compact(revision.0, Some(CompactionOptions::new().with_physical()));
        match inner.call(request).await {
            // Compacted past `revision` already (by us or another API server): nothing to do.
            Ok(_) | Err(Failure::Compacted) => {}
            Err(Failure::FutureRevision) => {
                return Err(inner.future_revision_error(revision).await);
            }
            Err(other) => return Err(other.into_error()),
        }
        inner.record_compaction(revision).await
    }

    async fn compacted_revision(&self) -> Result<Revision> {
        let inner = &*self.inner;
        let (recorded, _) = inner.recorded_compaction().await?;
        Ok(recorded.max(inner.known_compaction()))
    }
}

/// The error for a guarded write whose guard failed; `op` is the response of the `get` in the
/// transaction's else branch.
fn conflict_or_missing(
    inner: &Inner,
    key: &str,
    expected: Revision,
    op: Option<TxnOpResponse>,
) -> Result<StorageError> {
    let Some(TxnOpResponse::Get(mut get)) = op else {
        return Err(StorageError::Corrupt {
            reason: format!("etcd answered a failed guard on {key:?} without the key's value"),
        });
    };
    Ok(match get.take_kvs().into_iter().next() {
        None => StorageError::NotFound { key: key.into() },
        Some(kv) => StorageError::Conflict {
            key: key.into(),
            expected,
            current: Some(Box::new(inner.key_value(kv)?)),
        },
    })
}

/// Feeds one etcd watch into the consumer's channel, re-creating the etcd watch when it breaks.
struct Forwarder {
    inner: Arc<Inner>,
    prefix: String,
    key: Vec<u8>,
    range_end: Vec<u8>,
    /// The revision of the last event the consumer was given (or the watch's start minus one):
    /// nothing at or below it is delivered again.
    last_delivered: Revision,
    tx: mpsc::Sender<Result<Event>>,
}

/// Why an etcd watch stopped delivering.
#[derive(Debug)]
enum WatchBreak {
    /// The history the watch needs is compacted, up to this revision: the watch is over.
    Compacted(Revision),
    /// The consumer cannot keep up: the watch is over.
    TooSlow,
    /// The consumer dropped the stream.
    ConsumerGone,
    /// Bad data or a refused request that retrying will not fix: the watch is over.
    Fatal(StorageError),
    /// The connection or the etcd member went away: try again.
    Retry(String),
}

impl WatchBreak {
    fn from_failure(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable(reason) | Failure::Rejected(reason) => WatchBreak::Retry(reason),
            Failure::Compacted => WatchBreak::Retry("etcd reported a compacted revision".into()),
            Failure::FutureRevision => WatchBreak::Retry("etcd reported a future revision".into()),
        }
    }
}

impl Forwarder {
    async fn run(mut self, first: etcd_client::WatchStream) {
        let closed = self.tx.clone();
        let mut stream = Some(first);
        let mut backoff = WATCH_RETRY_MIN;
        // Failed attempts to re-create the watch since it last worked (logged once, not each time).
        let mut failed_attempts = 0u32;
        loop {
            let outcome = match stream.take() {
                Some(mut current) => {
                    tokio::select! {
                        biased;
                        () = closed.closed() => WatchBreak::ConsumerGone,
                        outcome = self.pump(&mut current, &mut backoff) => outcome,
                    }
                    // Dropping `current` here ends the etcd watch.
                }
                None => {
                    let open = self.inner.open_watch(
                        &self.key,
                        &self.range_end,
                        Revision(self.last_delivered.0 + 1),
                    );
                    tokio::select! {
                        biased;
                        () = closed.closed() => WatchBreak::ConsumerGone,
                        opened = open => match opened {
                            Ok(reopened) => {
                                tracing::info!(prefix = %self.prefix,
                                    after = self.last_delivered.0, "re-created etcd watch");
                                failed_attempts = 0;
                                stream = Some(reopened);
                                continue;
                            }
                            Err(OpenFailure::Compacted(compacted)) => WatchBreak::Compacted(compacted),
                            Err(OpenFailure::Failed(reason)) => WatchBreak::Retry(reason),
                        },
                    }
                }
            };
            let end = match outcome {
                WatchBreak::ConsumerGone => return,
                WatchBreak::Retry(reason) => {
                    if failed_attempts == 0 {
                        tracing::warn!(prefix = %self.prefix, after = self.last_delivered.0,
                            %reason, "etcd watch broke; re-creating it");
                    } else {
                        tracing::debug!(prefix = %self.prefix, after = self.last_delivered.0,
                            %reason, retry_in = ?backoff, "etcd watch not re-created yet");
                    }
                    failed_attempts = failed_attempts.saturating_add(1);
                    tokio::select! {
                        biased;
                        () = closed.closed() => return,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(WATCH_RETRY_MAX);
                    continue;
                }
                WatchBreak::Compacted(compacted) => {
                    self.inner.learn_compaction(compacted);
                    StorageError::Compacted {
                        requested: Revision(self.last_delivered.0 + 1),
                        compacted,
                    }
                }
                WatchBreak::TooSlow => StorageError::WatchTooSlow {
                    prefix: self.prefix.clone(),
                    last_delivered: self.last_delivered,
                },
                WatchBreak::Fatal(error) => error,
            };
            // Behind whatever the consumer has not read yet; fails only if it is gone.
            let _ = self.tx.send(Err(end)).await;
            return;
        }
    }

    /// Delivers events from `stream` until it breaks.
    async fn pump(
        &mut self,
        stream: &mut etcd_client::WatchStream,
        backoff: &mut Duration,
    ) -> WatchBreak {
        loop {
            let response = match stream.message().await {
                Ok(Some(response)) => response,
                Ok(None) => return WatchBreak::Retry("etcd ended the watch stream".into()),
                Err(error) => return WatchBreak::from_failure(classify(&error)),
            };
            // The stream works again: the next break starts over with a short wait.
            *backoff = WATCH_RETRY_MIN;
            if response.compact_revision() > 0 {
                return WatchBreak::Compacted(Revision(response.compact_revision()));
            }
            if response.canceled() {
                return WatchBreak::Retry(format!(
                    "etcd canceled the watch: {}",
                    response.cancel_reason()
                ));
            }
            // etcd sends all events of one revision in one response, so a revision is either
            // wholly delivered or not at all.
            let floor = self.last_delivered;
            for event in response.events() {
                let event = match self.inner.event(event) {
                    Ok(Some(event)) => event,
                    Ok(None) => continue,
                    Err(error) => return WatchBreak::Fatal(error),
                };
                let revision = event.revision();
                if revision <= floor {
                    continue;
                }
                match self.tx.try_send(Ok(event)) {
                    Ok(()) => self.last_delivered = revision,
                    Err(mpsc::error::TrySendError::Full(_)) => return WatchBreak::TooSlow,
                    Err(mpsc::error::TrySendError::Closed(_)) => return WatchBreak::ConsumerGone,
                }
            }
        }
    }
}

impl Inner {
    /// Converts an etcd event; `None` for the compaction record, which is not the caller's data.
    fn event(&self, event: &etcd_client::Event) -> Result<Option<Event>> {
        let Some(kv) = event.kv() else {
            return Err(StorageError::Corrupt {
                reason: "etcd sent a watch event without a key".into(),
            });
        };
        if self.keys.is_compact_key(kv.key()) {
            return Ok(None);
        }
        // etcd marks a delete with a key that has no version (and no create revision). This is
        // read from the key rather than from `event_type()`, which panics on unknown types.
        let kind = if kv.version() == 0 {
            EventKind::Delete
        } else {
            EventKind::Put
        };
        let prev = event
            .prev_kv()
            .cloned()
            .map(|kv| self.key_value(kv))
            .transpose()?;
        let mut kv = self.key_value(kv.clone())?;
        if kind == EventKind::Delete {
            kv.value = Bytes::new();
            kv.create_revision = Revision::ZERO;
        }
        Ok(Some(Event { kind, kv, prev }))
    }
}

/// Maps keys between the caller and etcd.
#[derive(Debug, Clone)]
struct Keyspace {
    namespace: String,
}

impl Keyspace {
    fn new(namespace: String) -> Self {
        Keyspace { namespace }
    }

    fn to_etcd(&self, key: &str) -> Vec<u8> {
        let mut raw = Vec::with_capacity(self.namespace.len() + key.len());
        raw.extend_from_slice(self.namespace.as_bytes());
        raw.extend_from_slice(key.as_bytes());
        raw
    }

    /// The caller's key for a key read from etcd.
    fn caller_key(&self, raw: &[u8]) -> Result<String> {
        let Some(relative) = raw.strip_prefix(self.namespace.as_bytes()) else {
            return Err(StorageError::Corrupt {
                reason: format!(
                    "etcd returned key {:?} outside namespace {:?}",
                    String::from_utf8_lossy(raw),
                    self.namespace
                ),
            });
        };
        String::from_utf8(relative.to_vec()).map_err(|_| StorageError::Corrupt {
            reason: format!(
                "etcd returned key {:?} that is not UTF-8",
                String::from_utf8_lossy(raw)
            ),
        })
    }

    /// The etcd range `[start, end)` of every key starting with `prefix`.
    fn prefix_range(&self, prefix: &str) -> (Vec<u8>, Vec<u8>) {
        let start = self.to_etcd(prefix);
        match prefix_range_end(&start) {
            Some(end) => (start, end),
            // No key is greater than every key with this prefix: to the end of the keyspace. An
            // empty start key is not allowed by etcd; "\0" is the smallest key.
            None if start.is_empty() => (vec![0], vec![0]),
            None => (start, vec![0]),
        }
    }

    /// Whether `raw` is the compaction record, which only callers without a namespace could see.
    fn is_compact_key(&self, raw: &[u8]) -> bool {
        self.namespace.is_empty() && raw == COMPACT_REV_KEY.as_bytes()
    }

    fn range_holds_compact_key(&self, start: &[u8], end: &[u8]) -> bool {
        let key = COMPACT_REV_KEY.as_bytes();
        self.namespace.is_empty() && start <= key && (end == [0] || key < end)
    }
}

/// A failed etcd request, before it is put in terms of the request that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// The revision read is compacted.
    Compacted,
    /// The revision read is in the future.
    FutureRevision,
    /// etcd refused the request as malformed or too large.
    Rejected(String),
    /// etcd could not be reached or could not serve the request.
    Unavailable(String),
}

impl Failure {
    fn reason(&self) -> String {
        match self {
            Failure::Compacted => "required revision has been compacted".into(),
            Failure::FutureRevision => "required revision is a future revision".into(),
            Failure::Rejected(reason) | Failure::Unavailable(reason) => reason.clone(),
        }
    }

    /// The error for a request that does not read at a revision.
    fn into_error(self) -> StorageError {
        match self {
            Failure::Rejected(reason) => StorageError::Invalid { reason },
            other => StorageError::unavailable(other.reason()),
        }
    }
}

/// gRPC status codes that mean the request itself is wrong (`InvalidArgument`, `OutOfRange`).
const GRPC_INVALID_ARGUMENT: i32 = 3;
const GRPC_OUT_OF_RANGE: i32 = 11;

fn classify(error: &etcd_client::Error) -> Failure {
    match error {
        etcd_client::Error::GRpcStatus(status) => {
            classify_status(status.code() as i32, status.message())
        }
        other => Failure::Unavailable(other.to_string()),
    }
}

/// Classifies a gRPC status from etcd by its code and message (etcd's errors are only told apart by
/// their messages).
fn classify_status(code: i32, message: &str) -> Failure {
    if message.contains("required revision has been compacted") {
        Failure::Compacted
    } else if message.contains("required revision is a future revision") {
        Failure::FutureRevision
    } else if code == GRPC_INVALID_ARGUMENT || code == GRPC_OUT_OF_RANGE {
        Failure::Rejected(format!("etcd refused the request: {message}"))
    } else {
        Failure::Unavailable(format!("etcd request failed: {message}"))
    }
}

/// Runs an etcd request for at most `timeout`.
async fn bounded<T>(
    timeout: Duration,
    request: impl Future<Output = Result<T, etcd_client::Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(timeout, request).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(error)) => Err(classify(&error)),
        Err(_) => Err(Failure::Unavailable(format!(
            "etcd did not answer within {timeout:?}"
        ))),
    }
}

fn header_revision(header: Option<&etcd_client::ResponseHeader>) -> Result<Revision> {
    header
        .map(|header| Revision(header.revision()))
        .ok_or_else(|| StorageError::Corrupt {
            reason: "etcd response without a header".into(),
        })
}

fn parse_compact_rev(raw: &[u8]) -> Result<Revision> {
    std::str::from_utf8(raw)
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|&revision| revision >= 0)
        .map(Revision)
        .ok_or_else(|| StorageError::Corrupt {
            reason: format!(
                "{COMPACT_REV_KEY} holds {:?}, not a revision",
                String::from_utf8_lossy(raw)
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_on_the_way_in_and_stripped_on_the_way_out() {
        let keys = Keyspace::new("/ns".into());
        assert_eq!(keys.to_etcd("/registry/a"), b"/ns/registry/a".to_vec());
        assert_eq!(keys.caller_key(b"/ns/registry/a").unwrap(), "/registry/a");
    }

    #[test]
    fn a_key_outside_the_namespace_is_corrupt() {
        let keys = Keyspace::new("/ns".into());
        assert!(matches!(
            keys.caller_key(b"/other/a"),
            Err(StorageError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_key_that_is_not_utf8_is_corrupt_not_a_panic() {
        let keys = Keyspace::new(String::new());
        assert!(matches!(
            keys.caller_key(b"/a/\xff\xfe"),
            Err(StorageError::Corrupt { .. })
        ));
    }

    #[test]
    fn prefix_ranges_cover_exactly_the_namespaced_prefix() {
        let keys = Keyspace::new("/ns".into());
        assert_eq!(
            keys.prefix_range("/r/"),
            (b"/ns/r/".to_vec(), b"/ns/r0".to_vec())
        );
        assert_eq!(keys.prefix_range(""), (b"/ns".to_vec(), b"/nt".to_vec()));
        let root = Keyspace::new(String::new());
        assert_eq!(root.prefix_range(""), (vec![0], vec![0]));
    }

    #[test]
    fn only_an_unnamespaced_store_can_see_the_compaction_record() {
        let root = Keyspace::new(String::new());
        assert!(root.is_compact_key(COMPACT_REV_KEY.as_bytes()));
        let (start, end) = root.prefix_range("");
        assert!(root.range_holds_compact_key(&start, &end));
        let (start, end) = root.prefix_range("/registry/");
        assert!(!root.range_holds_compact_key(&start, &end));
        let namespaced = Keyspace::new("/ns".into());
        assert!(!namespaced.is_compact_key(COMPACT_REV_KEY.as_bytes()));
        let (start, end) = namespaced.prefix_range("");
        assert!(!namespaced.range_holds_compact_key(&start, &end));
    }

    #[test]
    fn compacted_and_future_revisions_are_recognised_by_message() {
        assert_eq!(
            classify_status(
                GRPC_OUT_OF_RANGE,
                "etcdserver: mvcc: required revision has been compacted"
            ),
            Failure::Compacted
        );
        assert_eq!(
            classify_status(
                GRPC_OUT_OF_RANGE,
                "etcdserver: mvcc: required revision is a future revision"
            ),
            Failure::FutureRevision
        );
    }

    #[test]
    fn malformed_requests_are_invalid_and_everything_else_unavailable() {
        let too_large = classify_status(GRPC_INVALID_ARGUMENT, "etcdserver: request is too large");
        assert!(matches!(
            too_large.clone().into_error(),
            StorageError::Invalid { .. }
        ));
        assert_eq!(
            too_large,
            Failure::Rejected("etcd refused the request: etcdserver: request is too large".into())
        );
        let no_leader = classify_status(14, "etcdserver: no leader");
        assert!(matches!(
            no_leader.into_error(),
            StorageError::Unavailable { .. }
        ));
        let transport = classify(&etcd_client::Error::WatchError("broken pipe".into()));
        assert!(matches!(transport, Failure::Unavailable(_)));
        assert!(matches!(
            Failure::Compacted.into_error(),
            StorageError::Unavailable { .. }
        ));
    }

    #[tokio::test]
    async fn a_request_that_outlives_its_timeout_is_unavailable() {
        let never = std::future::pending::<Result<(), etcd_client::Error>>();
        let failure = bounded(Duration::from_millis(10), never).await.unwrap_err();
        assert!(matches!(failure, Failure::Unavailable(_)));
    }

    #[test]
    fn the_compaction_record_parses_or_is_corrupt() {
        assert_eq!(parse_compact_rev(b"42").unwrap(), Revision(42));
        assert!(matches!(
            parse_compact_rev(b"forty-two"),
            Err(StorageError::Corrupt { .. })
        ));
        assert!(matches!(
            parse_compact_rev(b"-1"),
            Err(StorageError::Corrupt { .. })
        ));
    }
}
