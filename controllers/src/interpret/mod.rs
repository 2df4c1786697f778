//! The native resource interpreter: what Karmada knows about built-in kinds without any
//! customization — replicas and per-replica requirements, replica revision, the status a member
//! reports, health, status aggregation onto the template, dependencies and retained member fields.
//!
//! Every function is pure and works on objects as JSON ([`serde_json::Value`]), the form in which
//! templates, Work manifests and member objects travel. Kinds are recognised by API group and kind
//! (any version). Customized interpretation (Lua, webhooks) is not part of this module.

mod dependencies;
mod fields;
mod health;
mod replicas;
mod requests;
mod retain;
mod status;

pub use dependencies::{Dependency, dependencies};
pub use health::health;
pub use replicas::{replicas, revise_job_completions, revise_replicas};
pub use retain::retain;
pub use status::{aggregate_status, reflect_status};

use serde_json::Value;

/// The built-in kinds the interpreter has rules for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NativeKind {
    Deployment,
    StatefulSet,
    ReplicaSet,
    DaemonSet,
    Job,
    CronJob,
    Pod,
    Service,
    ServiceAccount,
    Secret,
    PersistentVolumeClaim,
    PersistentVolume,
    Ingress,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
}

impl NativeKind {
    /// The kind of `object`, from its `apiVersion` group and `kind`; `None` for kinds without
    /// native rules (custom resources, or a built-in kind name under a foreign group).
    fn of(object: &Value) -> Option<NativeKind> {
        let api_version = object.get("apiVersion")?.as_str()?;
        let group = api_version
            .rsplit_once('/')
            .map_or("", |(group, _version)| group);
        let kind = object.get("kind")?.as_str()?;
        let native = match (group, kind) {
            ("apps", "Deployment") => NativeKind::Deployment,
            ("apps", "StatefulSet") => NativeKind::StatefulSet,
            ("apps", "ReplicaSet") => NativeKind::ReplicaSet,
            ("apps", "DaemonSet") => NativeKind::DaemonSet,
            ("batch", "Job") => NativeKind::Job,
            ("batch", "CronJob") => NativeKind::CronJob,
            ("", "Pod") => NativeKind::Pod,
            ("", "Service") => NativeKind::Service,
            ("", "ServiceAccount") => NativeKind::ServiceAccount,
            ("", "Secret") => NativeKind::Secret,
            ("", "PersistentVolumeClaim") => NativeKind::PersistentVolumeClaim,
            ("", "PersistentVolume") => NativeKind::PersistentVolume,
            ("networking.k8s.io", "Ingress") => NativeKind::Ingress,
            ("policy", "PodDisruptionBudget") => NativeKind::PodDisruptionBudget,
            ("autoscaling", "HorizontalPodAutoscaler") => NativeKind::HorizontalPodAutoscaler,
            _ => return None,
        };
        Some(native)
    }
}

#[cfg(test)]
mod tests {
    use super::NativeKind;
    use serde_json::json;

    #[test]
    fn kinds_are_recognised_by_group_and_kind_in_any_version() {
        let cases = [
            ("apps/v1", "Deployment", Some(NativeKind::Deployment)),
            ("apps/v1beta2", "Deployment", Some(NativeKind::Deployment)),
            ("extensions/v1beta1", "Deployment", None),
            ("v1", "Pod", Some(NativeKind::Pod)),
            ("v1", "Deployment", None),
            ("batch/v1", "CronJob", Some(NativeKind::CronJob)),
            ("networking.k8s.io/v1", "Ingress", Some(NativeKind::Ingress)),
            (
                "policy/v1",
                "PodDisruptionBudget",
                Some(NativeKind::PodDisruptionBudget),
            ),
            (
                "autoscaling/v2",
                "HorizontalPodAutoscaler",
                Some(NativeKind::HorizontalPodAutoscaler),
            ),
            ("example.io/v1", "Service", None),
        ];
        for (api_version, kind, expected) in cases {
            let object = json!({"apiVersion": api_version, "kind": kind});
            assert_eq!(NativeKind::of(&object), expected, "{api_version} {kind}");
        }
        assert_eq!(NativeKind::of(&json!({"kind": "Pod"})), None);
    }
}
