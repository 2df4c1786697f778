//! What every scenario module uses: imports and small helpers.

pub(crate) use std::time::Duration;

pub(crate) use k8s_openapi::api::apps::v1::Deployment;
pub(crate) use k8s_openapi::api::batch::v1::Job;
pub(crate) use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
pub(crate) use k8s_openapi::api::rbac::v1::ClusterRole;
pub(crate) use karmada_api::policy::v1alpha1::ClusterPropagationPolicy;
pub(crate) use karmada_api::work::v1alpha1::Work;
pub(crate) use karmada_api::work::v1alpha2::ResourceBinding;
pub(crate) use karmada_e2e::scenario::{WAIT, apply, get_cluster, get_ns, kubectl, run_all};
pub(crate) use karmada_e2e::{Federation, FederationOptions, wait_for};
pub(crate) use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
pub(crate) use kube::core::{ApiResource, GroupVersionKind};
pub(crate) use serde_json::json;

pub(crate) fn ns_yaml(name: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
}

/// Waits until namespace `name` exists in every member.
pub(crate) async fn namespace_everywhere(f: &Federation, name: &str) {
    for member in ["member1", "member2", "member3"] {
        let client = f.member(member);
        wait_for(&format!("namespace {name} in {member}"), WAIT, || async {
            get_cluster::<Namespace>(&client, name)
                .await?
                .map(|_| ())
                .ok_or("absent".to_string())
        })
        .await;
    }
}

pub(crate) async fn deployment_in(
    f: &Federation,
    member: &str,
    ns: &str,
    name: &str,
) -> Result<Deployment, String> {
    get_ns::<Deployment>(&f.member(member), ns, name)
        .await?
        .ok_or(format!("no deployment in {member}"))
}

pub(crate) async fn absent_in<K>(
    f: &Federation,
    member: &str,
    ns: &str,
    name: &str,
) -> Result<(), String>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    match get_ns::<K>(&f.member(member), ns, name).await? {
        None => Ok(()),
        Some(_) => Err(format!("still in {member}")),
    }
}

pub(crate) fn replicas(d: &Deployment) -> i32 {
    d.spec.replicas.unwrap_or(-1)
}
