//! Revisioned key-value storage: the one contract every object the API server keeps goes through.
//!
//! The contract is modelled on etcd's MVCC store and on kubernetes/apiserver's `storage.Interface`:
//!
//! * every successful write gets a new, strictly increasing [`Revision`] that becomes the object's
//!   `resourceVersion`;
//! * reads (`get`, `list`) are consistent at one revision; `list` pages with a limit and a continue token
//!   and can read an older revision until it is compacted;
//! * updates and deletes can be guarded by the modification revision the caller last saw
//!   (optimistic concurrency: [`StorageError::Conflict`] otherwise);
//! * `watch` streams PUT and DELETE events for a key prefix in revision order, with the previous value,
//!   never skipping or repeating one, starting after any revision that is not compacted;
//! * `compact` drops history older than a revision; reading or watching from there fails with
//!   [`StorageError::Compacted`], which the API server answers with `410 Expired`.
//!
//! Two backends implement it: [`etcd::EtcdStore`] (production, several API servers) and
//! [`embedded::EmbeddedStore`] (in-process and durable in a data directory; the default). Both run the
//! same conformance suite (`apiserver/tests/it/storage/`). Backend-specific knobs live on the concrete
//! types, never on the trait.
//!
//! Keys are UTF-8 paths such as `/registry/apps/deployments/default/web`; values are opaque bytes.

pub mod compactor;
pub mod embedded;
pub mod etcd;
mod token;

use std::fmt;
use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;

pub use token::ContinueToken;

/// A point in the store's history. Each write advances the store's revision by at least one.
///
/// Revisions are what the API server hands out as `resourceVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Revision(pub i64);

impl Revision {
    /// The revision before any write. Watching "after zero" replays all retained history.
    pub const ZERO: Revision = Revision(0);

    /// The revision as the decimal string used for `resourceVersion`.
    pub fn to_resource_version(self) -> String {
        self.0.to_string()
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One key with its value and MVCC metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Bytes,
    /// The revision of the write that created this key (since it last did not exist).
    pub create_revision: Revision,
    /// The revision of the last write to this key. For a delete event, the revision of the delete.
    pub mod_revision: Revision,
}

/// What happened to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Created or updated (`prev` tells which).
    Put,
    /// Deleted. The event's `kv` has the key, an empty value and the revision of the delete.
    Delete,
}

/// One change, as delivered by [`Store::watch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub kv: KeyValue,
    /// The value before this change; `None` when a put created the key.
    pub prev: Option<KeyValue>,
}

impl Event {
    /// The revision at which this change happened.
    pub fn revision(&self) -> Revision {
        self.kv.mod_revision
    }
}

/// A stream of watch events. It ends with an `Err` when the watch cannot go on (compacted, too slow,
/// store closed); it never skips or repeats an event before that. Dropping it cancels the watch.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<Event, StorageError>> + Send>>;

/// Options for [`Store::list`].
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Read at this revision (`None`: the latest). Ignored when `continue_token` is set, which carries
    /// its own revision.
    pub revision: Option<Revision>,
    /// Return at most this many items (`None` or `Some(0)`: all).
    pub limit: Option<usize>,
    /// Resume a paginated list where the previous page stopped.
    pub continue_token: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// Items in key order.
    pub items: Vec<KeyValue>,
    /// The revision the whole list is consistent at; every page of one list reports the same one.
    pub revision: Revision,
    /// Set when more items follow; pass it back in [`ListOptions::continue_token`].
    pub continue_token: Option<String>,
    /// How many items follow this page, when known (`remainingItemCount`).
    pub remaining: Option<u64>,
}

/// The closed set of storage errors. The API server maps each to one HTTP status in one place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("key {key:?} not found")]
    NotFound { key: String },
    #[error("key {key:?} already exists")]
    AlreadyExists { key: String },
    /// The guard revision did not match. `current` is the key's present value (`None`: it is gone).
    #[error("conflict on key {key:?}: expected modification revision {expected}, found {}",
        current.as_ref().map(|kv| kv.mod_revision.to_string()).unwrap_or_else(|| "no key".into()))]
    Conflict {
        key: String,
        expected: Revision,
        current: Option<Box<KeyValue>>,
    },
    /// The requested revision is older than the oldest one kept.
    #[error("revision {requested} has been compacted (oldest kept: {compacted})")]
    Compacted {
        requested: Revision,
        compacted: Revision,
    },
    /// A read at a revision the store has not reached yet.
    #[error("revision {requested} is newer than the current revision {current}")]
    FutureRevision {
        requested: Revision,
        current: Revision,
    },
    /// A watcher fell too far behind and was stopped rather than buffering without bound.
    #[error("watch on {prefix:?} fell too far behind at revision {last_delivered} and was stopped")]
    WatchTooSlow {
        prefix: String,
        last_delivered: Revision,
    },
    /// A continue token that this store did not issue or that does not match the request.
    #[error("invalid continue token: {reason}")]
    InvalidContinue { reason: String },
    /// A key or value the store cannot hold (empty key, not under the store's prefix, too large).
    #[error("invalid key or value: {reason}")]
    Invalid { reason: String },
    /// The backend cannot be reached or refused the request; retrying later may succeed.
    #[error("storage unavailable: {reason}")]
    Unavailable { reason: String },
    /// The store was closed.
    #[error("storage closed")]
    Closed,
    /// Data read from the backend is not what this store wrote (corruption, foreign data).
    #[error("storage data corrupt: {reason}")]
    Corrupt { reason: String },
}

impl StorageError {
    pub(crate) fn unavailable(reason: impl fmt::Display) -> Self {
        StorageError::Unavailable {
            reason: reason.to_string(),
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The storage contract. Implementations are cheap to share (`Arc<dyn Store>`) and safe to call from
/// many tasks at once.
///
/// # Guarantees
/// * Writes are linearizable: each returns the revision it was committed at, and any read or watch
///   started after a write returns sees it.
/// * A `list` (all of its pages) is a snapshot at one revision.
/// * A watch delivers every change under its prefix after its start revision exactly once, in revision
///   order, or ends with an error; it never blocks writers or other watchers.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates `key`; fails with [`StorageError::AlreadyExists`] if it exists.
    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue>;

    /// Reads the latest value of `key`.
    async fn get(&self, key: &str) -> Result<KeyValue>;

    /// Lists keys starting with `prefix` at one revision, in key order.
    ///
    /// # Errors
    /// [`StorageError::Compacted`] for a revision older than the compaction point,
    /// [`StorageError::FutureRevision`] for one not reached yet, [`StorageError::InvalidContinue`] for a
    /// token not issued for this prefix.
    async fn list(&self, prefix: &str, opts: ListOptions) -> Result<ListPage>;

    /// Replaces the value of `key` if its modification revision is still `expected`.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] if the key does not exist, [`StorageError::Conflict`] (with the
    /// current value) if it was modified since.
    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue>;

    /// Deletes `key`, optionally only if its modification revision is still `expected`. Returns the
    /// deleted value; its `mod_revision` is the value's last write, and the delete itself is at the
    /// revision returned by [`Store::current_revision`] right after (or seen by watchers).
    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<DeleteResult>;

    /// The store's latest revision.
    async fn current_revision(&self) -> Result<Revision>;

    /// Watches `prefix` for changes with a revision greater than `after` (`None`: from now on).
    ///
    /// # Errors
    /// [`StorageError::Compacted`] (immediately or as the stream's last item) when `after` is older
    /// than the compaction point. A future `after` waits for the store to get there.
    async fn watch(&self, prefix: &str, after: Option<Revision>) -> Result<WatchStream>;

    /// Discards history before `revision`. Reads and watches at `revision` or later keep working.
    /// Compacting to a revision already compacted (or older) is a no-op.
    async fn compact(&self, revision: Revision) -> Result<()>;

    /// The revision history has been compacted up to (0 when never). Reads at it and watches after
    /// it still work; anything older fails with [`StorageError::Compacted`].
    async fn compacted_revision(&self) -> Result<Revision>;
}

/// What a delete removed, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteResult {
    /// The value that was deleted.
    pub prev: KeyValue,
    /// The revision of the delete itself.
    pub revision: Revision,
}

/// Returns the first key after every key that starts with `prefix` (etcd's range end for a prefix),
/// or `None` when no such key exists (the prefix is empty or all `0xff`).
pub fn prefix_range_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Checks a key before it reaches a backend.
pub(crate) fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(StorageError::Invalid {
            reason: "empty key".into(),
        });
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(StorageError::Invalid {
            reason: format!("key is {} bytes, more than {MAX_KEY_BYTES}", key.len()),
        });
    }
    Ok(())
}

/// Checks a value before it reaches a backend.
pub(crate) fn validate_value(value: &Bytes) -> Result<()> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(StorageError::Invalid {
            reason: format!(
                "value is {} bytes, more than {MAX_VALUE_BYTES}",
                value.len()
            ),
        });
    }
    Ok(())
}

/// The largest key either backend accepts.
pub const MAX_KEY_BYTES: usize = 4096;
/// The largest value either backend accepts: etcd's default request limit is 1.5 MiB, and a guarded
/// write names its key up to four times in one transaction.
pub const MAX_VALUE_BYTES: usize = 1536 * 1024 - 4 * MAX_KEY_BYTES - 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_range_end_increments_the_last_byte_that_can_be() {
        assert_eq!(prefix_range_end(b"/a/"), Some(b"/a0".to_vec()));
        assert_eq!(prefix_range_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_range_end(b"\xff\xff"), None);
        assert_eq!(prefix_range_end(b""), None);
    }
}
