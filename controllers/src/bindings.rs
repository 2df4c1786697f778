//! Helpers shared by the controllers that handle both binding kinds: the key that names either,
//! reading one from the caches, its API, and condition bookkeeping.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use karmada_api::work::v1alpha2::{Binding, ClusterResourceBinding, ResourceBinding};
use kube::Client;
use kube::api::Api;

use crate::context::{Informers, Key};

/// A ResourceBinding (namespaced key) or ClusterResourceBinding (cluster key).
pub type BindingKey = Key;

/// A binding of either kind, from the caches.
#[derive(Clone, Debug)]
pub enum AnyBinding {
    Namespaced(Arc<ResourceBinding>),
    Cluster(Arc<ClusterResourceBinding>),
}

impl AnyBinding {
    pub fn get(informers: &Informers, key: &BindingKey) -> Option<AnyBinding> {
        match &key.namespace {
            Some(_) => informers
                .resource_bindings
                .store()
                .get(&key.object_ref())
                .map(AnyBinding::Namespaced),
            None => informers
                .cluster_resource_bindings
                .store()
                .get(&key.object_ref())
                .map(AnyBinding::Cluster),
        }
    }

    /// Every binding in the caches.
    pub fn all(informers: &Informers) -> Vec<AnyBinding> {
        let mut out: Vec<AnyBinding> = informers
            .resource_bindings
            .store()
            .state()
            .into_iter()
            .map(AnyBinding::Namespaced)
            .collect();
        out.extend(
            informers
                .cluster_resource_bindings
                .store()
                .state()
                .into_iter()
                .map(AnyBinding::Cluster),
        );
        out
    }

    pub fn key(&self) -> BindingKey {
        match self {
            AnyBinding::Namespaced(b) => Key::of(b.as_ref()),
            AnyBinding::Cluster(b) => Key::of(b.as_ref()),
        }
    }

    pub fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        match self {
            AnyBinding::Namespaced(b) => &b.metadata,
            AnyBinding::Cluster(b) => &b.metadata,
        }
    }

    pub fn spec(&self) -> &karmada_api::work::v1alpha2::ResourceBindingSpec {
        match self {
            AnyBinding::Namespaced(b) => b.binding_spec(),
            AnyBinding::Cluster(b) => b.binding_spec(),
        }
    }

    pub fn status(&self) -> Option<&karmada_api::work::v1alpha2::ResourceBindingStatus> {
        match self {
            AnyBinding::Namespaced(b) => b.binding_status(),
            AnyBinding::Cluster(b) => b.binding_status(),
        }
    }

    /// The permanent-id label the API server gave it.
    pub fn permanent_id(&self) -> Option<&str> {
        let label = match self {
            AnyBinding::Namespaced(_) => ResourceBinding::PERMANENT_ID_LABEL,
            AnyBinding::Cluster(_) => ClusterResourceBinding::PERMANENT_ID_LABEL,
        };
        self.meta().labels.as_ref()?.get(label).map(String::as_str)
    }

    pub fn finalizer(&self) -> &'static str {
        match self {
            AnyBinding::Namespaced(_) => ResourceBinding::FINALIZER,
            AnyBinding::Cluster(_) => ClusterResourceBinding::FINALIZER,
        }
    }

    pub fn permanent_id_label(&self) -> &'static str {
        match self {
            AnyBinding::Namespaced(_) => ResourceBinding::PERMANENT_ID_LABEL,
            AnyBinding::Cluster(_) => ClusterResourceBinding::PERMANENT_ID_LABEL,
        }
    }
}

/// A merge patch of one binding, main resource or `/status`; returns the new resourceVersion
/// and generation.
/// A patch carrying `metadata.resourceVersion` fails with 409 when the binding changed since.
pub async fn patch(
    client: &Client,
    key: &BindingKey,
    status: bool,
    patch: &serde_json::Value,
) -> Result<(Option<String>, Option<i64>), kube::Error> {
    use kube::Resource;
    use kube::api::{Patch, PatchParams};
    let params = PatchParams::default();
    let patch = Patch::Merge(patch);
    match &key.namespace {
        Some(ns) => {
            let api: Api<ResourceBinding> = Api::namespaced(client.clone(), ns);
            if status {
                api.patch_status(&key.name, &params, &patch)
                    .await
                    .map(|o| (o.meta().resource_version.clone(), o.meta().generation))
            } else {
                api.patch(&key.name, &params, &patch)
                    .await
                    .map(|o| (o.meta().resource_version.clone(), o.meta().generation))
            }
        }
        None => {
            let api: Api<ClusterResourceBinding> = Api::all(client.clone());
            if status {
                api.patch_status(&key.name, &params, &patch)
                    .await
                    .map(|o| (o.meta().resource_version.clone(), o.meta().generation))
            } else {
                api.patch(&key.name, &params, &patch)
                    .await
                    .map(|o| (o.meta().resource_version.clone(), o.meta().generation))
            }
        }
    }
}

/// `conditions` with `condition` set: the transition time kept when the status did not change.
/// Returns whether anything changed.
pub fn set_condition(conditions: &mut Vec<Condition>, mut condition: Condition) -> bool {
    match conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        Some(existing) => {
            if existing.status == condition.status
                && existing.reason == condition.reason
                && existing.message == condition.message
                && existing.observed_generation == condition.observed_generation
            {
                return false;
            }
            if existing.status == condition.status {
                condition.last_transition_time = existing.last_transition_time.clone();
            }
            *existing = condition;
            true
        }
        None => {
            conditions.push(condition);
            true
        }
    }
}

/// A condition stamped now.
pub fn condition(type_: &str, status: bool, reason: &str, message: &str) -> Condition {
    Condition {
        type_: type_.to_string(),
        status: if status { "True" } else { "False" }.to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
        last_transition_time: now(),
        observed_generation: None,
    }
}

pub fn now() -> Time {
    Time(jiff::Timestamp::now())
}
