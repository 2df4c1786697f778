//! The storage conformance suite: one body per behaviour, run against every backend.
//!
//! Each test gets a fresh, empty key space (its own data directory or etcd namespace) through a
//! [`Backend`]. Tests never assume revisions advance by exactly one (etcd's revision is shared), only
//! that they increase.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use karmada_apiserver::storage::{
    Event, EventKind, ListOptions, MAX_KEY_BYTES, MAX_VALUE_BYTES, Revision, StorageError, Store,
    WatchStream,
};

/// How a test reaches the store under test.
#[async_trait]
pub trait Backend: Send {
    fn store(&self) -> Arc<dyn Store>;
    /// Stops the storage (process or directory) and starts it again over the same data. The previous
    /// handle must not be used afterwards.
    async fn restart(&mut self) -> Arc<dyn Store>;
}

/// Tests that restart the storage or compact it. Compaction is global on etcd, so a backend that
/// shares one server between tests gives these a private one.
pub const NEEDS_PRIVATE_STORAGE: &[&str] = &[
    "writes_survive_a_restart",
    "list_and_watch_from_a_compacted_revision_fail_with_compacted",
    "compaction_is_idempotent_and_refuses_the_future",
    "a_watcher_that_keeps_up_loses_no_event_across_compactions",
];

/// Generous guard against a hung backend; never a performance assertion.
const PATIENCE: Duration = Duration::from_secs(30);

fn b(s: impl AsRef<str>) -> Bytes {
    Bytes::copy_from_slice(s.as_ref().as_bytes())
}

fn text(value: &Bytes) -> String {
    String::from_utf8(value.to_vec()).expect("test values are UTF-8")
}

async fn next_event(stream: &mut WatchStream) -> Event {
    match tokio::time::timeout(PATIENCE, stream.next()).await {
        Ok(Some(Ok(event))) => event,
        Ok(Some(Err(error))) => panic!("watch failed: {error}"),
        Ok(None) => panic!("watch ended"),
        Err(_) => panic!("no watch event within {PATIENCE:?}"),
    }
}

async fn events(stream: &mut WatchStream, n: usize) -> Vec<Event> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(next_event(stream).await);
    }
    out
}

/// Asserts nothing more arrives for a short while (used only where an extra event would be a bug).
async fn assert_quiet(stream: &mut WatchStream) {
    if let Ok(item) = tokio::time::timeout(Duration::from_millis(300), stream.next()).await {
        panic!("unexpected watch item: {item:?}");
    }
}

// ---- basic operations ----------------------------------------------------------------------------

pub async fn create_then_get_returns_the_value_and_revisions(b_: &mut dyn Backend) {
    let s = b_.store();
    let before = s.current_revision().await.unwrap();
    let kv = s.create("/registry/pods/a", b("one")).await.unwrap();
    assert!(kv.mod_revision > before);
    assert_eq!(kv.create_revision, kv.mod_revision);
    let got = s.get("/registry/pods/a").await.unwrap();
    assert_eq!(got, kv);
    assert_eq!(text(&got.value), "one");
    assert!(s.current_revision().await.unwrap() >= kv.mod_revision);
}

pub async fn create_of_an_existing_key_fails_with_already_exists(b_: &mut dyn Backend) {
    let s = b_.store();
    s.create("/r/a", b("one")).await.unwrap();
    let err = s.create("/r/a", b("two")).await.unwrap_err();
    assert_eq!(err, StorageError::AlreadyExists { key: "/r/a".into() });
    assert_eq!(text(&s.get("/r/a").await.unwrap().value), "one");
}

pub async fn get_of_a_missing_key_fails_with_not_found(b_: &mut dyn Backend) {
    let s = b_.store();
    let err = s.get("/r/missing").await.unwrap_err();
    assert_eq!(
        err,
        StorageError::NotFound {
            key: "/r/missing".into()
        }
    );
}

pub async fn update_with_the_current_revision_succeeds_and_keeps_create_revision(
    b_: &mut dyn Backend,
) {
    let s = b_.store();
    let created = s.create("/r/a", b("one")).await.unwrap();
    let updated = s
        .update("/r/a", b("two"), created.mod_revision)
        .await
        .unwrap();
    assert!(updated.mod_revision > created.mod_revision);
    assert_eq!(updated.create_revision, created.create_revision);
    assert_eq!(s.get("/r/a").await.unwrap(), updated);
}

pub async fn update_with_a_stale_revision_conflicts_and_reports_the_current_value(
    b_: &mut dyn Backend,
) {
    let s = b_.store();
    let created = s.create("/r/a", b("one")).await.unwrap();
    let current = s
        .update("/r/a", b("two"), created.mod_revision)
        .await
        .unwrap();
    match s.update("/r/a", b("three"), created.mod_revision).await {
        Err(StorageError::Conflict {
            key,
            expected,
            current: Some(found),
        }) => {
            assert_eq!(key, "/r/a");
            assert_eq!(expected, created.mod_revision);
            assert_eq!(*found, current);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(text(&s.get("/r/a").await.unwrap().value), "two");
}

pub async fn update_of_a_missing_key_fails_with_not_found(b_: &mut dyn Backend) {
    let s = b_.store();
    let err = s.update("/r/nope", b("x"), Revision(1)).await.unwrap_err();
    assert_eq!(
        err,
        StorageError::NotFound {
            key: "/r/nope".into()
        }
    );
    assert!(matches!(
        s.get("/r/nope").await,
        Err(StorageError::NotFound { .. })
    ));
}

pub async fn delete_returns_the_previous_value_and_a_guard_can_refuse_it(b_: &mut dyn Backend) {
    let s = b_.store();
    let created = s.create("/r/a", b("one")).await.unwrap();
    let current = s
        .update("/r/a", b("two"), created.mod_revision)
        .await
        .unwrap();
    let refused = s
        .delete("/r/a", Some(created.mod_revision))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, StorageError::Conflict { .. }),
        "{refused:?}"
    );
    let deleted = s.delete("/r/a", Some(current.mod_revision)).await.unwrap();
    assert_eq!(deleted.prev, current);
    assert!(deleted.revision > current.mod_revision);
    assert!(matches!(
        s.get("/r/a").await,
        Err(StorageError::NotFound { .. })
    ));
    // Recreating starts a new life: a new create revision.
    let again = s.create("/r/a", b("three")).await.unwrap();
    assert!(again.create_revision > deleted.revision);
}

pub async fn delete_of_a_missing_key_fails_with_not_found(b_: &mut dyn Backend) {
    let s = b_.store();
    for guard in [None, Some(Revision(1))] {
        let err = s.delete("/r/none", guard).await.unwrap_err();
        assert_eq!(
            err,
            StorageError::NotFound {
                key: "/r/none".into()
            }
        );
    }
}

pub async fn every_write_advances_the_revision(b_: &mut dyn Backend) {
    let s = b_.store();
    let mut last = s.current_revision().await.unwrap();
    let kv = s.create("/r/a", b("1")).await.unwrap();
    assert!(kv.mod_revision > last);
    last = kv.mod_revision;
    let kv = s.update("/r/a", b("2"), last).await.unwrap();
    assert!(kv.mod_revision > last);
    last = kv.mod_revision;
    let deleted = s.delete("/r/a", None).await.unwrap();
    assert!(deleted.revision > last);
    assert!(s.current_revision().await.unwrap() >= deleted.revision);
}

pub async fn bad_keys_and_values_are_refused(b_: &mut dyn Backend) {
    let s = b_.store();
    assert!(matches!(
        s.create("", b("x")).await,
        Err(StorageError::Invalid { .. })
    ));
    let huge = Bytes::from(vec![b'x'; 2 << 20]);
    assert!(matches!(
        s.create("/r/huge", huge).await,
        Err(StorageError::Invalid { .. })
    ));
    let long_key = format!("/r/{}", "k".repeat(5000));
    assert!(matches!(
        s.get(&long_key).await,
        Err(StorageError::Invalid { .. })
    ));
    assert!(matches!(
        s.get("/r/huge").await,
        Err(StorageError::NotFound { .. })
    ));
}

pub async fn the_largest_key_and_value_accepted_can_be_written_and_updated(b_: &mut dyn Backend) {
    let s = b_.store();
    let key = format!("/r/{}", "k".repeat(MAX_KEY_BYTES - 3));
    assert_eq!(key.len(), MAX_KEY_BYTES);
    let value = Bytes::from(vec![b'v'; MAX_VALUE_BYTES]);
    let created = s.create(&key, value.clone()).await.unwrap();
    let updated = s
        .update(&key, value.clone(), created.mod_revision)
        .await
        .unwrap();
    assert_eq!(s.get(&key).await.unwrap().value.len(), MAX_VALUE_BYTES);
    s.delete(&key, Some(updated.mod_revision)).await.unwrap();
}

// ---- lists ---------------------------------------------------------------------------------------

pub async fn list_returns_only_keys_under_the_prefix_in_key_order(b_: &mut dyn Backend) {
    let s = b_.store();
    for key in ["/r/b/2", "/r/b/1", "/r/a/1", "/r/bb/1", "/r/b/3"] {
        s.create(key, b(key)).await.unwrap();
    }
    let page = s.list("/r/b/", ListOptions::default()).await.unwrap();
    let keys: Vec<_> = page.items.iter().map(|kv| kv.key.as_str()).collect();
    assert_eq!(keys, ["/r/b/1", "/r/b/2", "/r/b/3"]);
    assert!(page.continue_token.is_none());
    assert_eq!(page.remaining, Some(0));
    assert!(page.revision >= page.items.iter().map(|kv| kv.mod_revision).max().unwrap());
    let empty = s.list("/r/none/", ListOptions::default()).await.unwrap();
    assert!(empty.items.is_empty());
}

pub async fn list_pages_with_limit_and_continue_at_one_revision(b_: &mut dyn Backend) {
    let s = b_.store();
    for i in 0..10 {
        s.create(&format!("/r/items/{i:02}"), b(format!("v{i}")))
            .await
            .unwrap();
    }
    let first = s
        .list(
            "/r/items/",
            ListOptions {
                limit: Some(4),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.items.len(), 4);
    assert_eq!(first.remaining, Some(6));
    let pinned = first.revision;

    // Changes after the first page must not show in later pages.
    s.update(
        "/r/items/05",
        b("changed"),
        s.get("/r/items/05").await.unwrap().mod_revision,
    )
    .await
    .unwrap();
    s.delete("/r/items/07", None).await.unwrap();
    s.create("/r/items/99", b("late")).await.unwrap();

    let mut all = first.items.clone();
    let mut token = first.continue_token.clone();
    let mut pages = 1;
    while let Some(t) = token {
        let page = s
            .list(
                "/r/items/",
                ListOptions {
                    limit: Some(4),
                    continue_token: Some(t),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            page.revision, pinned,
            "every page is read at the first page's revision"
        );
        all.extend(page.items);
        token = page.continue_token;
        pages += 1;
        assert!(pages <= 3, "10 items in pages of 4 take 3 pages");
    }
    assert_eq!(pages, 3);
    let got: Vec<_> = all
        .iter()
        .map(|kv| (kv.key.clone(), text(&kv.value)))
        .collect();
    let want: Vec<_> = (0..10)
        .map(|i| (format!("/r/items/{i:02}"), format!("v{i}")))
        .collect();
    assert_eq!(got, want);

    // A fresh list sees the changes.
    let now = s.list("/r/items/", ListOptions::default()).await.unwrap();
    assert_eq!(now.items.len(), 10);
    assert!(now.items.iter().any(|kv| text(&kv.value) == "changed"));
    assert!(!now.items.iter().any(|kv| kv.key == "/r/items/07"));
}

pub async fn list_at_an_older_revision_sees_the_old_values(b_: &mut dyn Backend) {
    let s = b_.store();
    let a = s.create("/r/a", b("a1")).await.unwrap();
    s.create("/r/b", b("b1")).await.unwrap();
    let at = s.current_revision().await.unwrap();
    s.update("/r/a", b("a2"), a.mod_revision).await.unwrap();
    s.delete("/r/b", None).await.unwrap();
    s.create("/r/c", b("c1")).await.unwrap();

    let old = s
        .list(
            "/r/",
            ListOptions {
                revision: Some(at),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(old.revision, at);
    let got: Vec<_> = old
        .items
        .iter()
        .map(|kv| (kv.key.as_str(), text(&kv.value)))
        .collect();
    assert_eq!(
        got,
        [("/r/a", "a1".to_string()), ("/r/b", "b1".to_string())]
    );

    let paged = s
        .list(
            "/r/",
            ListOptions {
                revision: Some(at),
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(paged.items.len(), 1);
    assert_eq!(paged.revision, at);
    let rest = s
        .list(
            "/r/",
            ListOptions {
                continue_token: paged.continue_token,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(text(&rest.items[0].value), "b1");
}

pub async fn list_at_a_future_revision_fails(b_: &mut dyn Backend) {
    let s = b_.store();
    s.create("/r/a", b("1")).await.unwrap();
    let future = Revision(s.current_revision().await.unwrap().0 + 1000);
    let err = s
        .list(
            "/r/",
            ListOptions {
                revision: Some(future),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::FutureRevision { .. }),
        "{err:?}"
    );
}

pub async fn list_with_a_forged_continue_token_is_refused(b_: &mut dyn Backend) {
    let s = b_.store();
    for token in ["garbage", "", "eyJ2IjoxfQ"] {
        let err = s
            .list(
                "/r/",
                ListOptions {
                    continue_token: Some(token.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StorageError::InvalidContinue { .. }),
            "{token}: {err:?}"
        );
    }
}

pub async fn list_is_a_consistent_snapshot_during_concurrent_writes(b_: &mut dyn Backend) {
    // A writer creates /r/seq/00000, 00001, ... one after the other. Any consistent snapshot holds
    // exactly the keys created up to its revision: a gap-free prefix of the sequence.
    let s = b_.store();
    let writer = {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            for i in 0..300 {
                s.create(&format!("/r/seq/{i:05}"), b("x")).await.unwrap();
            }
        })
    };
    let mut lists = 0;
    while !writer.is_finished() || lists < 3 {
        let mut items = Vec::new();
        let mut token = None;
        let mut revision = None;
        loop {
            let page = s
                .list(
                    "/r/seq/",
                    ListOptions {
                        limit: Some(7),
                        continue_token: token.take(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(*revision.get_or_insert(page.revision), page.revision);
            items.extend(page.items);
            match page.continue_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        let revision = revision.unwrap();
        for (i, kv) in items.iter().enumerate() {
            assert_eq!(kv.key, format!("/r/seq/{i:05}"), "gap in a snapshot list");
            assert!(kv.mod_revision <= revision);
        }
        if let Ok(next) = s.get(&format!("/r/seq/{:05}", items.len())).await {
            assert!(
                next.create_revision > revision,
                "a list missed a key it should hold"
            );
        }
        lists += 1;
    }
    writer.await.unwrap();
}

pub async fn concurrent_read_modify_write_loses_no_update(b_: &mut dyn Backend) {
    const WRITERS: usize = 8;
    const INCREMENTS: usize = 25;
    let s = b_.store();
    s.create("/r/counter", b("0")).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..WRITERS {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0usize;
            for _ in 0..INCREMENTS {
                loop {
                    let current = s.get("/r/counter").await.unwrap();
                    let n: usize = text(&current.value).parse().unwrap();
                    match s
                        .update("/r/counter", b((n + 1).to_string()), current.mod_revision)
                        .await
                    {
                        Ok(_) => break,
                        Err(StorageError::Conflict { .. }) => conflicts += 1,
                        Err(other) => panic!("update failed: {other}"),
                    }
                }
            }
            conflicts
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let final_value = text(&s.get("/r/counter").await.unwrap().value);
    assert_eq!(final_value, (WRITERS * INCREMENTS).to_string());
}

// ---- watch ---------------------------------------------------------------------------------------

pub async fn watch_from_now_sees_only_later_changes(b_: &mut dyn Backend) {
    let s = b_.store();
    s.create("/r/w/before", b("old")).await.unwrap();
    let mut w = s.watch("/r/w/", None).await.unwrap();
    let a = s.create("/r/w/a", b("1")).await.unwrap();
    let a2 = s.update("/r/w/a", b("2"), a.mod_revision).await.unwrap();
    let got = events(&mut w, 2).await;
    assert_eq!(got[0].kind, EventKind::Put);
    assert_eq!(got[0].kv, a);
    assert_eq!(got[0].prev, None);
    assert_eq!(got[1].kv, a2);
    assert_eq!(got[1].prev.as_ref(), Some(&a));
    assert_quiet(&mut w).await;
}

pub async fn watch_from_a_past_revision_replays_history_in_order(b_: &mut dyn Backend) {
    let s = b_.store();
    let start = s.current_revision().await.unwrap();
    let mut written = Vec::new();
    for i in 0..20 {
        written.push(
            s.create(&format!("/r/h/{i}"), b(format!("{i}")))
                .await
                .unwrap(),
        );
    }
    // From before all of them, and from the middle.
    let mut all = s.watch("/r/h/", Some(start)).await.unwrap();
    let got = events(&mut all, 20).await;
    assert_eq!(
        got.iter().map(|e| e.kv.clone()).collect::<Vec<_>>(),
        written
    );
    let mut half = s
        .watch("/r/h/", Some(written[9].mod_revision))
        .await
        .unwrap();
    let got = events(&mut half, 10).await;
    assert_eq!(got[0].kv, written[10]);
    // Replay then live, with nothing in between lost.
    let live = s.create("/r/h/live", b("live")).await.unwrap();
    assert_eq!(next_event(&mut all).await.kv, live);
    assert_eq!(next_event(&mut half).await.kv, live);
}

pub async fn watch_from_a_future_revision_waits_for_it(b_: &mut dyn Backend) {
    let s = b_.store();
    let now = s.current_revision().await.unwrap();
    // Events after now+3 only: the first three writes after now are not delivered.
    let mut w = s.watch("/r/f/", Some(Revision(now.0 + 3))).await.unwrap();
    let mut written = Vec::new();
    for i in 0..6 {
        written.push(s.create(&format!("/r/f/{i}"), b("x")).await.unwrap());
    }
    let first = next_event(&mut w).await;
    assert!(first.revision() > Revision(now.0 + 3));
    let expected_first = written
        .iter()
        .find(|kv| kv.mod_revision > Revision(now.0 + 3))
        .unwrap();
    assert_eq!(&first.kv, expected_first);
}

pub async fn watch_delivers_deletes_with_previous_values(b_: &mut dyn Backend) {
    let s = b_.store();
    let kv = s.create("/r/d/a", b("bye")).await.unwrap();
    let mut w = s.watch("/r/d/", None).await.unwrap();
    let deleted = s.delete("/r/d/a", None).await.unwrap();
    let event = next_event(&mut w).await;
    assert_eq!(event.kind, EventKind::Delete);
    assert_eq!(event.kv.key, "/r/d/a");
    assert!(event.kv.value.is_empty());
    assert_eq!(event.revision(), deleted.revision);
    assert_eq!(event.prev, Some(kv));
}

pub async fn watch_only_sees_its_prefix(b_: &mut dyn Backend) {
    let s = b_.store();
    let mut w = s.watch("/r/mine/", None).await.unwrap();
    s.create("/r/minefield", b("no")).await.unwrap();
    s.create("/r/other/x", b("no")).await.unwrap();
    s.create("/r/mine/x", b("yes")).await.unwrap();
    let event = next_event(&mut w).await;
    assert_eq!(event.kv.key, "/r/mine/x");
    assert_quiet(&mut w).await;
}

pub async fn dropping_a_watch_cancels_it_without_affecting_others(b_: &mut dyn Backend) {
    let s = b_.store();
    let mut keeper = s.watch("/r/c/", None).await.unwrap();
    for _ in 0..100 {
        let w = s.watch("/r/c/", None).await.unwrap();
        drop(w);
    }
    let mut dropped_mid_stream = s.watch("/r/c/", None).await.unwrap();
    let kv = s.create("/r/c/a", b("1")).await.unwrap();
    assert_eq!(next_event(&mut dropped_mid_stream).await.kv, kv);
    drop(dropped_mid_stream);
    let kv2 = s.create("/r/c/b", b("2")).await.unwrap();
    assert_eq!(
        events(&mut keeper, 2)
            .await
            .iter()
            .map(|e| e.kv.clone())
            .collect::<Vec<_>>(),
        [kv, kv2]
    );
}

pub async fn two_hundred_watchers_on_one_prefix_each_see_every_event(b_: &mut dyn Backend) {
    const WATCHERS: usize = 200;
    const WRITES: usize = 30;
    let s = b_.store();
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        watchers.push(s.watch("/r/fan/", None).await.unwrap());
    }
    let mut written = Vec::new();
    for i in 0..WRITES {
        written.push(s.create(&format!("/r/fan/{i:03}"), b("x")).await.unwrap());
    }
    let readers: Vec<_> = watchers
        .into_iter()
        .map(|mut w| tokio::spawn(async move { events(&mut w, WRITES).await }))
        .collect();
    for reader in readers {
        let got: Vec<_> = reader.await.unwrap().into_iter().map(|e| e.kv).collect();
        assert_eq!(got, written);
    }
}

/// What a watcher that fell behind received: a gap-free, in-order prefix of what was written, and,
/// if it is short, an error saying why.
async fn drain_lagging(w: &mut WatchStream, written: &[Bytes]) -> (usize, Option<StorageError>) {
    let mut n = 0;
    loop {
        match tokio::time::timeout(PATIENCE, w.next()).await {
            Ok(Some(Ok(event))) => {
                assert!(n < written.len(), "more events than writes");
                assert_eq!(
                    event.kv.value, written[n],
                    "a lagging watcher skipped or reordered an event"
                );
                n += 1;
                if n == written.len() {
                    return (n, None);
                }
            }
            Ok(Some(Err(error))) => return (n, Some(error)),
            Ok(None) => panic!("lagging watch ended without an error after {n} events"),
            Err(_) => panic!("lagging watch neither delivered nor failed within {PATIENCE:?}"),
        }
    }
}

pub async fn a_slow_watcher_blocks_neither_writers_nor_other_watchers(b_: &mut dyn Backend) {
    const WRITES: usize = 3000;
    let s = b_.store();
    let mut slow = s.watch("/r/slow/", None).await.unwrap();
    let mut fast = s.watch("/r/slow/", None).await.unwrap();
    let fast_reader = tokio::spawn(async move {
        let got = events(&mut fast, WRITES).await;
        got.into_iter().map(|e| e.kv.value).collect::<Vec<_>>()
    });
    let payload = "p".repeat(512);
    let mut written = Vec::new();
    // Writers run to completion while `slow` is not read at all.
    let mut writers = Vec::new();
    for w in 0..4 {
        let s = Arc::clone(&s);
        let payload = payload.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..WRITES / 4 {
                s.create(
                    &format!("/r/slow/{w}-{i:05}"),
                    b(format!("{w}-{i:05}-{payload}")),
                )
                .await
                .unwrap();
            }
        }));
    }
    for writer in writers {
        tokio::time::timeout(PATIENCE, writer)
            .await
            .expect("writers finished although one watcher reads nothing")
            .unwrap();
    }
    let fast_got = fast_reader.await.unwrap();
    assert_eq!(fast_got.len(), WRITES);
    written.extend(fast_got);
    let (delivered, error) = drain_lagging(&mut slow, &written).await;
    match error {
        None => assert_eq!(delivered, WRITES),
        Some(StorageError::WatchTooSlow { .. } | StorageError::Compacted { .. }) => {}
        Some(other) => panic!("a lagging watcher ended with an unexpected error: {other}"),
    }
}

// ---- compaction ----------------------------------------------------------------------------------

pub async fn list_and_watch_from_a_compacted_revision_fail_with_compacted(b_: &mut dyn Backend) {
    let s = b_.store();
    let old = s.create("/r/k/a", b("1")).await.unwrap();
    let mut last = old.clone();
    for i in 0..5 {
        last = s
            .update("/r/k/a", b(format!("{}", i + 2)), last.mod_revision)
            .await
            .unwrap();
    }
    s.compact(last.mod_revision).await.unwrap();
    assert!(s.compacted_revision().await.unwrap() >= last.mod_revision);

    let list = s
        .list(
            "/r/k/",
            ListOptions {
                revision: Some(old.mod_revision),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(list, Err(StorageError::Compacted { .. })),
        "{list:?}"
    );

    // A watch from before the compaction point fails, at once or as its first item.
    match s.watch("/r/k/", Some(old.mod_revision)).await {
        Err(StorageError::Compacted { .. }) => {}
        Err(other) => panic!("expected Compacted, got {other}"),
        Ok(mut w) => match tokio::time::timeout(PATIENCE, w.next()).await {
            Ok(Some(Err(StorageError::Compacted { .. }))) => {}
            other => panic!("expected a Compacted error, got {other:?}"),
        },
    }

    // At the compaction point itself both still work.
    let at = s
        .list(
            "/r/k/",
            ListOptions {
                revision: Some(last.mod_revision),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(at.items, vec![last.clone()]);
    let mut w = s.watch("/r/k/", Some(last.mod_revision)).await.unwrap();
    let next = s
        .update("/r/k/a", b("after"), last.mod_revision)
        .await
        .unwrap();
    assert_eq!(next_event(&mut w).await.kv, next);

    // A page token pinned before the compaction point expires too.
    let mut last = next;
    s.create("/r/k/b", b("b")).await.unwrap();
    let page = s
        .list(
            "/r/k/",
            ListOptions {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for i in 0..3 {
        last = s
            .update("/r/k/a", b(format!("x{i}")), last.mod_revision)
            .await
            .unwrap();
    }
    s.compact(last.mod_revision).await.unwrap();
    let token = page.continue_token;
    assert!(
        token.is_some(),
        "two keys in pages of one need a continue token"
    );
    {
        let err = s
            .list(
                "/r/k/",
                ListOptions {
                    continue_token: token,
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Compacted { .. }), "{err:?}");
    }
}

pub async fn compaction_is_idempotent_and_refuses_the_future(b_: &mut dyn Backend) {
    let s = b_.store();
    let kv = s.create("/r/a", b("1")).await.unwrap();
    s.compact(kv.mod_revision).await.unwrap();
    s.compact(kv.mod_revision).await.unwrap();
    s.compact(Revision(1)).await.unwrap();
    assert!(s.compacted_revision().await.unwrap() >= kv.mod_revision);
    let future = Revision(s.current_revision().await.unwrap().0 + 100);
    let err = s.compact(future).await.unwrap_err();
    assert!(
        matches!(err, StorageError::FutureRevision { .. }),
        "{err:?}"
    );
    assert_eq!(s.get("/r/a").await.unwrap(), kv);
}

pub async fn a_watcher_that_keeps_up_loses_no_event_across_compactions(b_: &mut dyn Backend) {
    const WRITES: usize = 400;
    let s = b_.store();
    let mut w = s.watch("/r/live/", None).await.unwrap();
    let writer = {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            let mut written = Vec::new();
            for i in 0..WRITES {
                written.push(s.create(&format!("/r/live/{i:04}"), b("x")).await.unwrap());
            }
            written
        })
    };
    let mut got = Vec::new();
    while got.len() < WRITES {
        let event = next_event(&mut w).await;
        // Compact up to what this watcher has already received, as a periodic compactor would.
        if got.len() % 50 == 49 {
            s.compact(event.revision()).await.unwrap();
        }
        got.push(event.kv);
    }
    assert_eq!(got, writer.await.unwrap());
}

// ---- durability ----------------------------------------------------------------------------------

pub async fn writes_survive_a_restart(b_: &mut dyn Backend) {
    let s = b_.store();
    let mut expected = BTreeMap::new();
    for i in 0..100 {
        let key = format!("/r/keep/{i:03}");
        let kv = s.create(&key, b(format!("v{i}"))).await.unwrap();
        expected.insert(key, kv);
    }
    for i in (0..100).step_by(3) {
        let key = format!("/r/keep/{i:03}");
        let kv = s
            .update(&key, b(format!("updated{i}")), expected[&key].mod_revision)
            .await
            .unwrap();
        expected.insert(key, kv);
    }
    for i in (1..100).step_by(10) {
        let key = format!("/r/keep/{i:03}");
        s.delete(&key, None).await.unwrap();
        expected.remove(&key);
    }
    let revision = s.current_revision().await.unwrap();
    drop(s);

    let s = b_.restart().await;
    assert!(
        s.current_revision().await.unwrap() >= revision,
        "the revision counter went back"
    );
    let listed = s.list("/r/keep/", ListOptions::default()).await.unwrap();
    let got: BTreeMap<_, _> = listed
        .items
        .into_iter()
        .map(|kv| (kv.key.clone(), kv))
        .collect();
    assert_eq!(got, expected);
    let kv = s.create("/r/keep/new", b("new")).await.unwrap();
    assert!(kv.mod_revision > revision);
    // History from before the restart is still there to watch from (nothing was compacted).
    let mut w = s.watch("/r/keep/", Some(revision)).await.unwrap();
    assert_eq!(next_event(&mut w).await.kv, kv);
}

/// Declares one `#[tokio::test]` per conformance test, each running the shared body against the
/// backend made by `$make(test_name) -> Option<Box<dyn Backend>>`.
#[macro_export]
macro_rules! storage_conformance {
    ($make:path) => {
        $crate::storage_conformance!(@tests $make;
            create_then_get_returns_the_value_and_revisions,
            create_of_an_existing_key_fails_with_already_exists,
            get_of_a_missing_key_fails_with_not_found,
            update_with_the_current_revision_succeeds_and_keeps_create_revision,
            update_with_a_stale_revision_conflicts_and_reports_the_current_value,
            update_of_a_missing_key_fails_with_not_found,
            delete_returns_the_previous_value_and_a_guard_can_refuse_it,
            delete_of_a_missing_key_fails_with_not_found,
            every_write_advances_the_revision,
            bad_keys_and_values_are_refused,
            the_largest_key_and_value_accepted_can_be_written_and_updated,
            list_returns_only_keys_under_the_prefix_in_key_order,
            list_pages_with_limit_and_continue_at_one_revision,
            list_at_an_older_revision_sees_the_old_values,
            list_at_a_future_revision_fails,
            list_with_a_forged_continue_token_is_refused,
            list_is_a_consistent_snapshot_during_concurrent_writes,
            concurrent_read_modify_write_loses_no_update,
            watch_from_now_sees_only_later_changes,
            watch_from_a_past_revision_replays_history_in_order,
            watch_from_a_future_revision_waits_for_it,
            watch_delivers_deletes_with_previous_values,
            watch_only_sees_its_prefix,
            dropping_a_watch_cancels_it_without_affecting_others,
            two_hundred_watchers_on_one_prefix_each_see_every_event,
            a_slow_watcher_blocks_neither_writers_nor_other_watchers,
            list_and_watch_from_a_compacted_revision_fail_with_compacted,
            compaction_is_idempotent_and_refuses_the_future,
            a_watcher_that_keeps_up_loses_no_event_across_compactions,
            writes_survive_a_restart,
        );
    };
    (@tests $make:path; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                // `None`: the backend was explicitly skipped (see `etcd::shared_endpoint`).
                let Some(mut backend) = $make(stringify!($test)).await else { return };
                $crate::storage::suite::$test(&mut *backend).await;
            }
        )*
    };
}
