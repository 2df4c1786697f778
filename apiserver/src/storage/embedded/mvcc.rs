//! The embedded store's in-memory multi-version state: the latest value of every key plus the log of
//! changes since the compaction point, from which older revisions are reconstructed.
//!
//! Pure data structure, no I/O and no locking: the store wraps it in a lock and feeds it operations
//! only after they are durable.

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;

use crate::storage::{Event, EventKind, KeyValue, Revision, StorageError};

/// A change that has been assigned its revision. This is what the write-ahead log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Op {
    Put {
        key: String,
        value: Bytes,
        revision: i64,
        create_revision: i64,
    },
    Delete {
        key: String,
        revision: i64,
    },
}

impl Op {
    pub(super) fn revision(&self) -> i64 {
        match self {
            Op::Put { revision, .. } | Op::Delete { revision, .. } => *revision,
        }
    }
}

#[derive(Debug, Clone)]
struct Stored {
    value: Bytes,
    create_revision: i64,
    mod_revision: i64,
}

impl Stored {
    fn to_kv(&self, key: &str) -> KeyValue {
        KeyValue {
            key: key.to_string(),
            value: self.value.clone(),
            create_revision: Revision(self.create_revision),
            mod_revision: Revision(self.mod_revision),
        }
    }
}

/// One page of a list, before it becomes a [`crate::storage::ListPage`].
pub(super) struct Page {
    pub items: Vec<KeyValue>,
    pub more: bool,
    pub remaining: u64,
}

/// Latest values plus history since `compacted`.
///
/// Invariant: `log[i]` is the event at revision `compacted + 1 + i`, so
/// `log.len() == revision - compacted`: every revision is exactly one change.
#[derive(Debug, Default, Clone)]
pub(super) struct Mvcc {
    data: BTreeMap<String, Stored>,
    log: VecDeque<Event>,
    revision: i64,
    compacted: i64,
}

impl Mvcc {
    pub(super) fn revision(&self) -> i64 {
        self.revision
    }

    pub(super) fn compacted(&self) -> i64 {
        self.compacted
    }

    pub(super) fn history_len(&self) -> usize {
        self.log.len()
    }

    pub(super) fn get(&self, key: &str) -> Option<KeyValue> {
        self.data.get(key).map(|stored| stored.to_kv(key))
    }

    /// Applies a durable change. Its revision must be the next one.
    pub(super) fn apply(&mut self, op: Op) -> Result<(), StorageError> {
        if op.revision() != self.revision + 1 {
            return Err(StorageError::Corrupt {
                reason: format!(
                    "change at revision {} does not follow revision {}",
                    op.revision(),
                    self.revision
                ),
            });
        }
        let event = match op {
            Op::Put {
                key,
                value,
                revision,
                create_revision,
            } => {
                let stored = Stored {
                    value,
                    create_revision,
                    mod_revision: revision,
                };
                let kv = stored.to_kv(&key);
                let prev = self.data.insert(key.clone(), stored).map(|p| p.to_kv(&key));
                Event {
                    kind: EventKind::Put,
                    kv,
                    prev,
                }
            }
            Op::Delete { key, revision } => {
                let Some(prev) = self.data.remove(&key) else {
                    return Err(StorageError::Corrupt {
                        reason: format!("delete of missing key {key:?} at revision {revision}"),
                    });
                };
                let prev = prev.to_kv(&key);
                Event {
                    kind: EventKind::Delete,
                    kv: KeyValue {
                        key,
                        value: Bytes::new(),
                        create_revision: Revision::ZERO,
                        mod_revision: Revision(revision),
                    },
                    prev: Some(prev),
                }
            }
        };
        self.log.push_back(event);
        self.revision += 1;
        Ok(())
    }

    /// Drops history up to and including `revision`; reads at `revision` keep working.
    pub(super) fn compact(&mut self, revision: i64) -> Result<(), StorageError> {
        if revision > self.revision {
            return Err(StorageError::FutureRevision {
                requested: Revision(revision),
                current: Revision(self.revision),
            });
        }
        if revision <= self.compacted {
            return Ok(());
        }
        let drop = (revision - self.compacted) as usize;
        self.log.drain(..drop);
        self.compacted = revision;
        Ok(())
    }

    fn check_readable(&self, revision: i64) -> Result<(), StorageError> {
        if revision < self.compacted {
            return Err(StorageError::Compacted {
                requested: Revision(revision),
                compacted: Revision(self.compacted),
            });
        }
        if revision > self.revision {
            return Err(StorageError::FutureRevision {
                requested: Revision(revision),
                current: Revision(self.revision),
            });
        }
        Ok(())
    }

    /// Keys with `prefix`, from `start` (inclusive) on, as they were at `revision`.
    pub(super) fn list(
        &self,
        prefix: &str,
        start: &str,
        revision: i64,
        limit: Option<usize>,
    ) -> Result<Page, StorageError> {
        self.check_readable(revision)?;
        let from = if start > prefix { start } else { prefix };
        let in_range = |key: &str| key.starts_with(prefix) && key >= from;
        let limit = limit.filter(|l| *l > 0).unwrap_or(usize::MAX);

        if revision == self.revision {
            let mut range = self
                .data
                .range::<str, _>((std::ops::Bound::Included(from), std::ops::Bound::Unbounded))
                .take_while(|(key, _)| key.starts_with(prefix));
            let items: Vec<KeyValue> = range
                .by_ref()
                .take(limit)
                .map(|(key, stored)| stored.to_kv(key))
                .collect();
            let remaining = range.count() as u64;
            return Ok(Page {
                items,
                more: remaining > 0,
                remaining,
            });
        }

        // Undo the changes made after `revision`, newest first, so the oldest one's previous value
        // (the value at `revision`) is what remains for each key.
        let newer = (revision - self.compacted) as usize;
        let mut undone: BTreeMap<&str, Option<&KeyValue>> = BTreeMap::new();
        for event in self.log.range(newer..).rev() {
            if in_range(&event.kv.key) {
                undone.insert(&event.kv.key, event.prev.as_ref());
            }
        }
        let mut view: BTreeMap<&str, KeyValue> = self
            .data
            .range::<str, _>((std::ops::Bound::Included(from), std::ops::Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix))
            .filter(|(key, _)| !undone.contains_key(key.as_str()))
            .map(|(key, stored)| (key.as_str(), stored.to_kv(key)))
            .collect();
        for (key, prev) in undone {
            if let Some(prev) = prev {
                view.insert(key, prev.clone());
            }
        }
        let total = view.len();
        let items: Vec<KeyValue> = view.into_values().take(limit).collect();
        let remaining = (total - items.len()) as u64;
        Ok(Page {
            items,
            more: remaining > 0,
            remaining,
        })
    }

    /// Up to `max` events under `prefix` with a revision greater than `after`.
    ///
    /// Returns the events and the revision the caller has now seen everything up to (so the next call
    /// does not rescan events that did not match).
    pub(super) fn events_after(
        &self,
        prefix: &str,
        after: i64,
        max: usize,
    ) -> Result<(Vec<Event>, i64), StorageError> {
        if after < self.compacted {
            return Err(StorageError::Compacted {
                requested: Revision(after),
                compacted: Revision(self.compacted),
            });
        }
        if after >= self.revision {
            return Ok((Vec::new(), after));
        }
        let mut events = Vec::new();
        let mut seen = after;
        for event in self.log.range((after - self.compacted) as usize..) {
            if events.len() == max {
                break;
            }
            seen = event.kv.mod_revision.0;
            if event.kv.key.starts_with(prefix) {
                events.push(event.clone());
            }
        }
        Ok((events, seen))
    }

    /// Everything, for a snapshot: `(revision, compacted, latest values, history)`.
    pub(super) fn parts(&self) -> (i64, i64, Vec<KeyValue>, &VecDeque<Event>) {
        let data = self.data.iter().map(|(k, s)| s.to_kv(k)).collect();
        (self.revision, self.compacted, data, &self.log)
    }

    /// Rebuilds the state a snapshot described.
    pub(super) fn from_parts(
        revision: i64,
        compacted: i64,
        data: Vec<KeyValue>,
        log: VecDeque<Event>,
    ) -> Result<Self, StorageError> {
        if compacted < 0 || revision < compacted || log.len() as i64 != revision - compacted {
            return Err(StorageError::Corrupt {
                reason: format!(
                    "snapshot at revision {revision} compacted at {compacted} has {} history entries",
                    log.len()
                ),
            });
        }
        let data = data
            .into_iter()
            .map(|kv| {
                let stored = Stored {
                    value: kv.value,
                    create_revision: kv.create_revision.0,
                    mod_revision: kv.mod_revision.0,
                };
                (kv.key, stored)
            })
            .collect();
        Ok(Mvcc {
            data,
            log,
            revision,
            compacted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(m: &mut Mvcc, key: &str, value: &str) {
        let create_revision = m
            .get(key)
            .map(|kv| kv.create_revision.0)
            .unwrap_or(m.revision() + 1);
        m.apply(Op::Put {
            key: key.into(),
            value: Bytes::copy_from_slice(value.as_bytes()),
            revision: m.revision() + 1,
            create_revision,
        })
        .unwrap();
    }

    fn values(page: &Page) -> Vec<(String, String)> {
        page.items
            .iter()
            .map(|kv| {
                (
                    kv.key.clone(),
                    String::from_utf8(kv.value.to_vec()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn list_at_an_older_revision_undoes_later_puts_and_deletes() {
        let mut m = Mvcc::default();
        put(&mut m, "/a/1", "one");
        put(&mut m, "/a/2", "two");
        let at = m.revision();
        put(&mut m, "/a/1", "uno");
        m.apply(Op::Delete {
            key: "/a/2".into(),
            revision: m.revision() + 1,
        })
        .unwrap();
        put(&mut m, "/a/3", "three");
        put(&mut m, "/b/1", "other prefix");

        let old = m.list("/a/", "", at, None).unwrap();
        assert_eq!(
            values(&old),
            vec![("/a/1".into(), "one".into()), ("/a/2".into(), "two".into())]
        );
        let now = m.list("/a/", "", m.revision(), None).unwrap();
        assert_eq!(
            values(&now),
            vec![
                ("/a/1".into(), "uno".into()),
                ("/a/3".into(), "three".into())
            ]
        );
    }

    #[test]
    fn compaction_keeps_the_compacted_revision_readable_and_nothing_older() {
        let mut m = Mvcc::default();
        for i in 0..10 {
            put(&mut m, &format!("/k/{i}"), "v");
        }
        m.compact(5).unwrap();
        assert_eq!(m.history_len(), 5);
        assert_eq!(m.list("/k/", "", 5, None).unwrap().items.len(), 5);
        assert!(matches!(
            m.list("/k/", "", 4, None),
            Err(StorageError::Compacted { .. })
        ));
        assert!(matches!(
            m.events_after("/k/", 4, 10),
            Err(StorageError::Compacted { .. })
        ));
        assert_eq!(m.events_after("/k/", 5, 100).unwrap().0.len(), 5);
        assert!(matches!(
            m.compact(11),
            Err(StorageError::FutureRevision { .. })
        ));
    }

    #[test]
    fn a_change_out_of_revision_order_is_corruption() {
        let mut m = Mvcc::default();
        let err = m
            .apply(Op::Delete {
                key: "/x".into(),
                revision: 5,
            })
            .unwrap_err();
        assert!(matches!(err, StorageError::Corrupt { .. }));
    }
}
