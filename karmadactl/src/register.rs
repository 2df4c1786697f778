//! Registering a push member with the control plane in Karmada's shape: Secret
//! `karmada-cluster/<name>` with the member's bearer `token` and `caBundle`, and a Cluster
//! (syncMode Push, apiEndpoint, secretRef) that owns the Secret. `karmadactl join` creates the
//! credentials in the member first; local-up and the tests already have them.

use std::collections::BTreeMap;

use anyhow::Context;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use karmada_api::cluster::v1alpha1::{Cluster, ClusterSpec, ClusterSyncMode, LocalSecretReference};
use karmada_api::names;
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Client, Resource};

/// How to reach a member.
#[derive(Debug, Clone)]
pub struct PushMember {
    pub name: String,
    pub endpoint: String,
    pub token: String,
    pub ca_pem: String,
    pub provider: Option<String>,
    pub region: Option<String>,
    pub zones: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

/// Creates (or updates) the member's credential Secret and its Cluster.
pub async fn register_push_member(client: &Client, member: &PushMember) -> anyhow::Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(names::KARMADA_CLUSTER_NAMESPACE.to_string()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    match namespaces.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        Err(e) => return Err(e).context("failed to create namespace karmada-cluster"),
    }
    let secrets: Api<Secret> = Api::namespaced(client.clone(), names::KARMADA_CLUSTER_NAMESPACE);
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(member.name.clone()),
            namespace: Some(names::KARMADA_CLUSTER_NAMESPACE.to_string()),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([
            (
                "token".to_string(),
                ByteString(member.token.clone().into_bytes()),
            ),
            (
                "caBundle".to_string(),
                ByteString(member.ca_pem.clone().into_bytes()),
            ),
        ])),
        ..Secret::default()
    };
    let params = PatchParams::apply("karmadactl").force();
    secrets
        .patch(&member.name, &params, &Patch::Apply(&secret))
        .await
        .with_context(|| format!("failed to write the credentials of {}", member.name))?;

    let clusters: Api<Cluster> = Api::all(client.clone());
    let cluster = Cluster {
        metadata: ObjectMeta {
            name: Some(member.name.clone()),
            labels: Some(member.labels.clone()).filter(|l| !l.is_empty()),
            ..ObjectMeta::default()
        },
        spec: ClusterSpec {
            sync_mode: ClusterSyncMode::Push,
            api_endpoint: Some(member.endpoint.clone()),
            secret_ref: Some(LocalSecretReference {
                namespace: names::KARMADA_CLUSTER_NAMESPACE.to_string(),
                name: member.name.clone(),
            }),
            provider: member.provider.clone(),
            region: member.region.clone(),
            zones: Some(member.zones.clone()).filter(|z| !z.is_empty()),
            id: None,
            impersonator_secret_ref: None,
            insecure_skip_tls_verification: None,
            proxy_url: None,
            proxy_header: None,
            zone: None,
            taints: None,
            resource_models: None,
        },
        status: None,
    };
    let created = match clusters.get_opt(&member.name).await? {
        // Known: follow the member to its current endpoint (a restarted local member may have
        // a new port).
        Some(existing)
            if existing.spec.api_endpoint.as_deref() != Some(member.endpoint.as_str()) =>
        {
            let patch = serde_json::json!({"spec": {"apiEndpoint": member.endpoint}});
            clusters
                .patch(&member.name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .with_context(|| format!("failed to update cluster {}", member.name))?
        }
        Some(existing) => existing,
        None => clusters
            .create(&PostParams::default(), &cluster)
            .await
            .with_context(|| format!("failed to create cluster {}", member.name))?,
    };
    // The Secret goes with its Cluster.
    let owner = serde_json::json!({"metadata": {"ownerReferences": [{
        "apiVersion": Cluster::api_version(&()),
        "kind": Cluster::kind(&()),
        "name": member.name,
        "uid": created.metadata.uid,
    }]}});
    secrets
        .patch(&member.name, &PatchParams::default(), &Patch::Merge(&owner))
        .await
        .with_context(|| format!("failed to link the credentials of {}", member.name))?;
    Ok(())
}
