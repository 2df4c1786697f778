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

/// Resource versions of every binding, Work and template Deployment in the federation.
async fn versions(federation: &Federation) -> std::collections::BTreeMap<String, String> {
    use k8s_openapi::api::apps::v1::Deployment;
    use karmada_api::work::v1alpha1::Work;
    use karmada_api::work::v1alpha2::{ClusterResourceBinding, ResourceBinding};
    use kube::api::ListParams;
    async fn list<K>(client: &Client, out: &mut std::collections::BTreeMap<String, String>)
    where
        K: Resource<DynamicType = ()>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug
            + serde::Serialize,
    {
        let items = Api::<K>::all(client.clone())
            .list(&ListParams::default())
            .await
            .expect("a list")
            .items;
        for item in items {
            let meta = item.meta();
            let mut value = serde_json::to_value(&item).unwrap_or_default();
            if let Some(meta) = value.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                meta.remove("managedFields");
            }
            out.insert(
                format!(
                    "{} {}/{}",
                    K::kind(&()),
                    meta.namespace.clone().unwrap_or_default(),
                    meta.name.clone().unwrap_or_default()
                ),
                value.to_string(),
            );
        }
    }
    let mut out = std::collections::BTreeMap::new();
    list::<ResourceBinding>(&federation.client, &mut out).await;
    list::<ClusterResourceBinding>(&federation.client, &mut out).await;
    list::<Work>(&federation.client, &mut out).await;
    list::<Deployment>(&federation.client, &mut out).await;
    out
}

/// Asserts the controllers come to rest: within `timeout`, a period of `quiet` passes in which no
/// binding, Work or template is written (a write loop never gets there).
pub async fn assert_at_rest(federation: &Federation, quiet: Duration) {
    let timeout = Duration::from_secs(30);
    let started = std::time::Instant::now();
    let mut before = versions(federation).await;
    loop {
        tokio::time::sleep(quiet).await;
        let after = versions(federation).await;
        let moved: Vec<String> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect();
        if moved.is_empty() {
            return;
        }
        if let Some(first) = moved.first() {
            eprintln!(
                "moved {first}:\n before {}\n after  {}",
                before.get(first).map(String::as_str).unwrap_or(""),
                after[first]
            );
        }
        assert!(
            started.elapsed() < timeout,
            "still being written {timeout:?} after convergence: {moved:?}"
        );
        before = after;
    }
}
