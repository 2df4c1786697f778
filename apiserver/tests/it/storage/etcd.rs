//! The conformance suite on the etcd backend, against the etcd that `.ci/run` starts
//! (`ETCD_ENDPOINT`). Each test gets its own key namespace; tests that restart etcd get a private
//! etcd process.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use karmada_apiserver::storage::Store;
use karmada_apiserver::storage::etcd::{EtcdConfig, EtcdStore};

use super::suite::{Backend, NEEDS_PRIVATE_STORAGE};
use crate::support::etcd_process::EtcdProcess;

/// The shared etcd's endpoint. Tests fail (not skip) without it, unless explicitly allowed to skip:
/// a skipped backend is an untested backend.
pub fn shared_endpoint() -> Option<String> {
    match std::env::var("ETCD_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => Some(endpoint),
        _ if std::env::var_os("KARMADA_SKIP_ETCD_TESTS").is_some() => None,
        _ => panic!(
            "ETCD_ENDPOINT is not set: run the tests with `bash .ci/run`, which starts etcd, \
             or set KARMADA_SKIP_ETCD_TESTS=1 to skip the etcd backend"
        ),
    }
}

/// A namespace no other test (or earlier run against the same etcd) uses.
pub fn unique_namespace(test: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "/test-{test}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

struct Etcd {
    config: EtcdConfig,
    store: Arc<EtcdStore>,
    private: Option<EtcdProcess>,
}

#[async_trait]
impl Backend for Etcd {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn restart(&mut self) -> Arc<dyn Store> {
        let etcd = self
            .private
            .as_mut()
            .expect("a restarting test runs on a private etcd (see suite::NEEDS_PRIVATE_STORAGE)");
        etcd.stop().await;
        etcd.start().await;
        self.store = Arc::new(EtcdStore::connect(self.config.clone()).await.unwrap());
        self.store.clone()
    }
}

async fn make(test: &str) -> Option<Box<dyn Backend>> {
    let (endpoint, private) = if NEEDS_PRIVATE_STORAGE.contains(&test) {
        let etcd = EtcdProcess::spawn().await;
        (etcd.endpoint(), Some(etcd))
    } else {
        match shared_endpoint() {
            Some(endpoint) => (endpoint, None),
            None => return None,
        }
    };
    let mut config = EtcdConfig::new(vec![endpoint]);
    config.namespace = unique_namespace(test);
    let store = Arc::new(EtcdStore::connect(config.clone()).await.unwrap());
    Some(Box::new(Etcd {
        config,
        store,
        private,
    }))
}

mod conformance {
    crate::storage_conformance!(super::make);
}
