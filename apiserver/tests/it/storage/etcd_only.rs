//! Behaviour of the etcd backend that the shared suite cannot express: etcd going away and coming
//! back, compaction done behind the store's back, watch resources on the etcd side. Each test runs
//! its own etcd process, since it restarts or compacts it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use karmada_apiserver::storage::etcd::{EtcdConfig, EtcdStore};
use karmada_apiserver::storage::{
    EventKind, KeyValue, ListOptions, Revision, StorageError, Store, WatchStream,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::etcd_process::EtcdProcess;

/// Generous guard against a hung backend; never a performance assertion.
const PATIENCE: Duration = Duration::from_secs(30);

fn config(etcd: &EtcdProcess) -> EtcdConfig {
    let mut config = EtcdConfig::new(vec![etcd.endpoint()]);
    config.namespace = "/etcd-only".into();
    config.request_timeout = Duration::from_secs(2);
    config
}

async fn connect(etcd: &EtcdProcess) -> EtcdStore {
    EtcdStore::connect(config(etcd))
        .await
        .expect("connect to the test etcd")
}

/// Creates `key`, retrying while etcd is still coming back (Unavailable is the contract for that).
async fn create_when_available(store: &EtcdStore, key: &str) -> KeyValue {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match store.create(key, Bytes::from(key.to_string())).await {
            Ok(kv) => return kv,
            Err(StorageError::Unavailable { reason }) if Instant::now() < deadline => {
                eprintln!("create {key}: unavailable ({reason}); retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("create {key} failed: {error}"),
        }
    }
}

async fn next_event(
    stream: &mut WatchStream,
) -> Result<karmada_apiserver::storage::Event, StorageError> {
    match tokio::time::timeout(PATIENCE, stream.next()).await {
        Ok(Some(item)) => item,
        Ok(None) => panic!("watch ended without an error"),
        Err(_) => panic!("no watch item within {PATIENCE:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_survives_an_etcd_restart_without_losing_or_repeating_events() {
    let mut etcd = EtcdProcess::spawn().await;
    let store = connect(&etcd).await;
    let mut watch = store.watch("/r/", None).await.unwrap();

    let mut written = Vec::new();
    for i in 0..50 {
        written.push(create_when_available(&store, &format!("/r/{i:03}")).await);
    }
    etcd.stop().await;
    etcd.start().await;
    for i in 50..100 {
        written.push(create_when_available(&store, &format!("/r/{i:03}")).await);
    }

    let mut got = Vec::new();
    for _ in 0..written.len() {
        let event = next_event(&mut watch)
            .await
            .expect("the watch goes on across the restart");
        assert_eq!(event.kind, EventKind::Put);
        got.push(event.kv);
    }
    assert_eq!(got, written);
    // Nothing was repeated after the 100 events either: the next one is the next write.
    let sentinel = create_when_available(&store, "/r/sentinel").await;
    assert_eq!(next_event(&mut watch).await.unwrap().kv, sentinel);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_while_etcd_is_down_are_unavailable_and_work_once_it_is_back() {
    let mut etcd = EtcdProcess::spawn().await;
    let store = connect(&etcd).await;
    let kv = store
        .create("/r/a", Bytes::from_static(b"1"))
        .await
        .unwrap();

    etcd.stop().await;
    let started = Instant::now();
    let err = store.get("/r/a").await.unwrap_err();
    assert!(matches!(err, StorageError::Unavailable { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );

    etcd.start().await;
    // The same store reconnects by itself.
    let deadline = Instant::now() + PATIENCE;
    let got = loop {
        match store.get("/r/a").await {
            Ok(got) => break got,
            Err(StorageError::Unavailable { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("get after the restart failed: {error}"),
        }
    };
    assert_eq!(got, kv);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_from_a_compacted_revision_fails_with_compacted() {
    let etcd = EtcdProcess::spawn().await;
    let store = connect(&etcd).await;
    let old = store
        .create("/r/a", Bytes::from_static(b"0"))
        .await
        .unwrap();
    let mut last = old.clone();
    for i in 1..5 {
        last = store
            .update("/r/a", Bytes::from(i.to_string()), last.mod_revision)
            .await
            .unwrap();
    }
    store.compact(last.mod_revision).await.unwrap();
    assert_eq!(store.compacted_revision().await.unwrap(), last.mod_revision);

    let expected = StorageError::Compacted {
        requested: Revision(old.mod_revision.0 + 1),
        compacted: last.mod_revision,
    };
    match store.watch("/r/", Some(old.mod_revision)).await {
        Err(error) => assert_eq!(error, expected),
        Ok(mut watch) => {
            assert_eq!(next_event(&mut watch).await.unwrap_err(), expected);
            assert!(
                tokio::time::timeout(PATIENCE, watch.next())
                    .await
                    .unwrap()
                    .is_none(),
                "a compacted watch ends after its error"
            );
        }
    }
    // From the compaction point on, watching works.
    let mut watch = store.watch("/r/", Some(last.mod_revision)).await.unwrap();
    let next = store
        .update("/r/a", Bytes::from_static(b"after"), last.mod_revision)
        .await
        .unwrap();
    assert_eq!(next_event(&mut watch).await.unwrap().kv, next);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compaction_done_by_someone_else_is_still_reported_with_its_revision() {
    let etcd = EtcdProcess::spawn().await;
    let store = connect(&etcd).await;
    let old = store
        .create("/r/a", Bytes::from_static(b"0"))
        .await
        .unwrap();
    let last = store
        .update("/r/a", Bytes::from_static(b"1"), old.mod_revision)
        .await
        .unwrap();
    // Compact with a plain etcd client, as `etcdctl compact` would: nothing is recorded.
    let mut raw = etcd_client::Client::connect([etcd.endpoint()], None)
        .await
        .unwrap();
    raw.compact(last.mod_revision.0, None).await.unwrap();

    let err = store
        .list(
            "/r/",
            ListOptions {
                revision: Some(old.mod_revision),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StorageError::Compacted {
            requested: old.mod_revision,
            compacted: last.mod_revision,
        }
    );
    // What the store learnt this way is what it reports as its compaction point.
    assert_eq!(store.compacted_revision().await.unwrap(), last.mod_revision);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_that_reads_nothing_is_stopped_after_its_buffer() {
    let etcd = EtcdProcess::spawn().await;
    let mut config = config(&etcd);
    config.watch_buffer = 5;
    let store = EtcdStore::connect(config).await.unwrap();
    let mut watch = store.watch("/r/", None).await.unwrap();
    let mut written = Vec::new();
    for i in 0..50 {
        written.push(
            store
                .create(&format!("/r/{i:03}"), Bytes::from_static(b"x"))
                .await
                .unwrap(),
        );
    }
    // The buffered events, in order, then the error saying why the rest will not come.
    let mut delivered = 0;
    let error = loop {
        match next_event(&mut watch).await {
            Ok(event) => {
                assert_eq!(event.kv, written[delivered]);
                delivered += 1;
            }
            Err(error) => break error,
        }
    };
    assert!(delivered <= 5, "{delivered} events through a buffer of 5");
    let last_delivered = delivered
        .checked_sub(1)
        .map_or(Revision::ZERO, |i| written[i].mod_revision);
    match error {
        StorageError::WatchTooSlow {
            prefix,
            last_delivered: reported,
        } => {
            assert_eq!(prefix, "/r/");
            if delivered > 0 {
                assert_eq!(reported, last_delivered);
            }
        }
        other => panic!("expected WatchTooSlow, got {other}"),
    }
    assert!(
        tokio::time::timeout(PATIENCE, watch.next())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_watches_releases_them_in_etcd() {
    let etcd = EtcdProcess::spawn().await;
    let store = connect(&etcd).await;
    let before = etcd_watchers(&etcd).await;
    let mut watches = Vec::new();
    for _ in 0..20 {
        watches.push(store.watch("/r/", None).await.unwrap());
    }
    assert_eq!(etcd_watchers(&etcd).await, before + 20);
    drop(watches);
    let deadline = Instant::now() + PATIENCE;
    while etcd_watchers(&etcd).await != before {
        assert!(
            Instant::now() < deadline,
            "etcd still holds the dropped watches"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn connecting_to_a_dead_endpoint_is_unavailable_within_the_timeout() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = EtcdConfig::new(vec![format!("127.0.0.1:{port}")]);
    config.request_timeout = Duration::from_millis(500);
    let started = Instant::now();
    let result = EtcdStore::connect(config).await;
    assert!(
        matches!(result, Err(StorageError::Unavailable { .. })),
        "{:?}",
        result.err()
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

/// The number of watchers etcd holds, from its Prometheus metrics on the client port.
async fn etcd_watchers(etcd: &EtcdProcess) -> u64 {
    let mut conn = tokio::net::TcpStream::connect(etcd.endpoint())
        .await
        .unwrap();
    conn.write_all(b"GET /metrics HTTP/1.0\r\nHost: etcd\r\n\r\n")
        .await
        .unwrap();
    let mut body = String::new();
    conn.read_to_string(&mut body).await.unwrap();
    body.lines()
        .find_map(|line| line.strip_prefix("etcd_debugging_mvcc_watcher_total "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map(|value| value as u64)
        .unwrap_or_else(|| panic!("no watcher gauge in etcd's metrics:\n{body}"))
}
