//! Helpers for scenarios: applying YAML through real kubectl, reading members, waiting on what
//! they show, and running many scenarios at once against one federation.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use k8s_openapi::NamespaceResourceScope;
use kube::api::Api;
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use crate::Federation;

/// How long a scenario waits for one thing to happen.
pub const WAIT: Duration = Duration::from_secs(45);

/// `kubectl apply -f -` of `yaml` on the federation; panics with kubectl's output on failure.
pub fn apply(federation: &Federation, yaml: &str) {
    let out = federation.kubectl(&["apply", "-f", "-"], Some(yaml));
    assert!(
        out.status.success(),
        "kubectl apply failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        yaml
    );
}

/// `kubectl <args>` on the federation, which must succeed; returns stdout.
pub fn kubectl(federation: &Federation, args: &[&str]) -> String {
    let out = federation.kubectl(args, None);
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A namespaced object from `client`, or `None`.
pub async fn get_ns<K>(client: &Client, namespace: &str, name: &str) -> Result<Option<K>, String>
where
    K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    Api::<K>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| e.to_string())
}

/// A cluster-scoped object from `client`, or `None`.
pub async fn get_cluster<K>(client: &Client, name: &str) -> Result<Option<K>, String>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    Api::<K>::all(client.clone())
        .get_opt(name)
        .await
        .map_err(|e| e.to_string())
}

/// A scenario: a name and a future that panics on failure.
pub type Scenario<'a> = (&'static str, Pin<Box<dyn Future<Output = ()> + Send + 'a>>);

/// Runs scenarios concurrently, each to completion, then fails naming every scenario that failed.
pub async fn run_all(scenarios: Vec<Scenario<'_>>) {
    use futures::FutureExt;
    let names: Vec<&str> = scenarios.iter().map(|(n, _)| *n).collect();
    let results = futures::future::join_all(
        scenarios
            .into_iter()
            .map(|(_, f)| std::panic::AssertUnwindSafe(f).catch_unwind()),
    )
    .await;
    let mut failed = Vec::new();
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(()) => eprintln!("scenario {name}: passed"),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                eprintln!("scenario {name}: FAILED: {message}");
                failed.push(*name);
            }
        }
    }
    assert!(failed.is_empty(), "failed scenarios: {failed:?}");
}
