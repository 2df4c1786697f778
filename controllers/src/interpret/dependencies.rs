//! Objects a workload depends on (InterpretDependency), which `propagateDeps` propagates along with
//! it: what its pod template references, and the TLS Secrets of an Ingress.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::NativeKind;
use super::fields::{lookup, lookup_array, lookup_str};

/// A namespaced object a workload depends on (an entry of the
/// `resourcebinding.karmada.io/dependencies` annotation). Ordered by apiVersion, kind,
/// namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The dependency's apiVersion (`v1` for every native dependency).
    pub api_version: String,
    /// The dependency's kind: ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim.
    pub kind: String,
    /// The namespace, always the workload's own.
    pub namespace: String,
    /// The dependency's name.
    pub name: String,
}

/// The objects `object` references, sorted and deduplicated; empty for kinds without rules.
///
/// For a Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob, the pod template's
/// references (every container, init and ephemeral ones included):
/// - ConfigMaps: `configMap` and projected volumes, `envFrom[].configMapRef`,
///   `env[].valueFrom.configMapKeyRef`;
/// - Secrets: `imagePullSecrets`, `secret` and projected volumes, the secret references of volume
///   plugins (azureFile, cephfs, cinder, flexVolume, rbd, scaleIO, iscsi, storageos, csi),
///   `envFrom[].secretRef`, `env[].valueFrom.secretKeyRef`;
/// - the ServiceAccount, unless it is `default`;
/// - PersistentVolumeClaims of `persistentVolumeClaim` volumes, except, for a StatefulSet, the
///   claims its `volumeClaimTemplates` create in each member.
///
/// For an Ingress, the Secrets named in `spec.tls`.
pub fn dependencies(object: &Value) -> Vec<Dependency> {
    let pod_spec = match NativeKind::of(object) {
        Some(NativeKind::Pod) => lookup(object, &["spec"]),
        Some(
            NativeKind::Deployment
            | NativeKind::ReplicaSet
            | NativeKind::StatefulSet
            | NativeKind::DaemonSet
            | NativeKind::Job,
        ) => lookup(object, &["spec", "template", "spec"]),
        Some(NativeKind::CronJob) => {
            lookup(object, &["spec", "jobTemplate", "spec", "template", "spec"])
        }
        Some(NativeKind::Ingress) => return ingress_secrets(object),
        _ => None,
    };
    let Some(pod_spec) = pod_spec else {
        return Vec::new();
    };
    let mut references = pod_references(pod_spec);
    if NativeKind::of(object) == Some(NativeKind::StatefulSet) {
        for template in lookup_array(object, &["spec", "volumeClaimTemplates"]) {
            if let Some(name) = lookup_str(template, &["metadata", "name"]) {
                references.remove(&("PersistentVolumeClaim", name.to_string()));
            }
        }
    }
    let namespace = lookup_str(object, &["metadata", "namespace"]).unwrap_or_default();
    references
        .into_iter()
        .map(|(kind, name)| dependency(kind, namespace, name))
        .collect()
}

fn dependency(kind: &str, namespace: &str, name: String) -> Dependency {
    Dependency {
        api_version: "v1".to_string(),
        kind: kind.to_string(),
        namespace: namespace.to_string(),
        name,
    }
}

fn ingress_secrets(object: &Value) -> Vec<Dependency> {
    let namespace = lookup_str(object, &["metadata", "namespace"]).unwrap_or_default();
    let names: BTreeSet<String> = lookup_array(object, &["spec", "tls"])
        .iter()
        .filter_map(|tls| lookup_str(tls, &["secretName"]))
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    names
        .into_iter()
        .map(|name| dependency("Secret", namespace, name))
        .collect()
}

/// `(kind, name)` of everything a pod spec references.
fn pod_references(pod_spec: &Value) -> BTreeSet<(&'static str, String)> {
    let mut found = BTreeSet::new();
    let mut add = |kind: &'static str, name: Option<&str>| {
        if let Some(name) = name.filter(|name| !name.is_empty()) {
            found.insert((kind, name.to_string()));
        }
    };
    for reference in lookup_array(pod_spec, &["imagePullSecrets"]) {
        add("Secret", lookup_str(reference, &["name"]));
    }
    let containers = ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(|field| lookup_array(pod_spec, &[field]));
    for container in containers {
        for source in lookup_array(container, &["envFrom"]) {
            add("ConfigMap", lookup_str(source, &["configMapRef", "name"]));
            add("Secret", lookup_str(source, &["secretRef", "name"]));
        }
        for variable in lookup_array(container, &["env"]) {
            add(
                "ConfigMap",
                lookup_str(variable, &["valueFrom", "configMapKeyRef", "name"]),
            );
            add(
                "Secret",
                lookup_str(variable, &["valueFrom", "secretKeyRef", "name"]),
            );
        }
    }
    for volume in lookup_array(pod_spec, &["volumes"]) {
        add("ConfigMap", lookup_str(volume, &["configMap", "name"]));
        add("Secret", lookup_str(volume, &["secret", "secretName"]));
        add(
            "PersistentVolumeClaim",
            lookup_str(volume, &["persistentVolumeClaim", "claimName"]),
        );
        for source in lookup_array(volume, &["projected", "sources"]) {
            add("ConfigMap", lookup_str(source, &["configMap", "name"]));
            add("Secret", lookup_str(source, &["secret", "name"]));
        }
        add("Secret", lookup_str(volume, &["azureFile", "secretName"]));
        for plugin in [
            "cephfs",
            "cinder",
            "flexVolume",
            "rbd",
            "scaleIO",
            "iscsi",
            "storageos",
        ] {
            add("Secret", lookup_str(volume, &[plugin, "secretRef", "name"]));
        }
        add(
            "Secret",
            lookup_str(volume, &["csi", "nodePublishSecretRef", "name"]),
        );
    }
    // `serviceAccount` is the deprecated alias the API server copies into `serviceAccountName`.
    let service_account = lookup_str(pod_spec, &["serviceAccountName"])
        .filter(|name| !name.is_empty())
        .or_else(|| lookup_str(pod_spec, &["serviceAccount"]));
    if service_account != Some("default") {
        add("ServiceAccount", service_account);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deps(object: &Value) -> Vec<(String, String)> {
        dependencies(object)
            .into_iter()
            .map(|d| {
                assert_eq!(d.api_version, "v1");
                assert_eq!(d.namespace, "ns");
                (d.kind, d.name)
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect()
    }

    fn with_pod_spec(api_version: &str, kind: &str, pod_spec: Value) -> Value {
        let spec = match kind {
            "Pod" => pod_spec,
            "CronJob" => json!({"jobTemplate": {"spec": {"template": {"spec": pod_spec}}}}),
            _ => json!({"template": {"spec": pod_spec}}),
        };
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "w", "namespace": "ns"}, "spec": spec})
    }

    #[test]
    fn every_kind_of_pod_template_reference_is_found() {
        let pod_spec = json!({
            "serviceAccountName": "runner",
            "imagePullSecrets": [{"name": "registry"}],
            "initContainers": [{"envFrom": [{"configMapRef": {"name": "init-env"}}]}],
            "containers": [{
                "envFrom": [{"secretRef": {"name": "app-env"}}],
                "env": [
                    {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "a"}}},
                    {"name": "B", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "b"}}},
                    {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "D", "value": "plain"}
                ]
            }],
            "ephemeralContainers": [{"env": [{"name": "E", "valueFrom": {"secretKeyRef": {"name": "debug", "key": "e"}}}]}],
            "volumes": [
                {"name": "v1", "configMap": {"name": "vol-config"}},
                {"name": "v2", "secret": {"secretName": "vol-secret"}},
                {"name": "v3", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "v4", "projected": {"sources": [
                    {"configMap": {"name": "proj-config"}},
                    {"secret": {"name": "proj-secret"}},
                    {"serviceAccountToken": {"path": "token"}}
                ]}},
                {"name": "v5", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "csi-secret"}}},
                {"name": "v6", "cephfs": {"monitors": [], "secretRef": {"name": "ceph-secret"}}},
                {"name": "v7", "azureFile": {"secretName": "azure-secret", "shareName": "s"}},
                {"name": "v8", "emptyDir": {}}
            ]
        });
        let expected = pairs(&[
            ("ConfigMap", "app-config"),
            ("ConfigMap", "init-env"),
            ("ConfigMap", "proj-config"),
            ("ConfigMap", "vol-config"),
            ("PersistentVolumeClaim", "data"),
            ("Secret", "app-env"),
            ("Secret", "app-secret"),
            ("Secret", "azure-secret"),
            ("Secret", "ceph-secret"),
            ("Secret", "csi-secret"),
            ("Secret", "debug"),
            ("Secret", "proj-secret"),
            ("Secret", "registry"),
            ("Secret", "vol-secret"),
            ("ServiceAccount", "runner"),
        ]);
        for (api_version, kind) in [
            ("v1", "Pod"),
            ("apps/v1", "Deployment"),
            ("apps/v1", "ReplicaSet"),
            ("apps/v1", "DaemonSet"),
            ("apps/v1", "StatefulSet"),
            ("batch/v1", "Job"),
            ("batch/v1", "CronJob"),
        ] {
            let object = with_pod_spec(api_version, kind, pod_spec.clone());
            assert_eq!(deps(&object), expected, "{kind}");
        }
    }

    #[test]
    fn references_are_deduplicated_and_empty_names_ignored() {
        let object = with_pod_spec(
            "apps/v1",
            "Deployment",
            json!({
                "containers": [
                    {"envFrom": [{"configMapRef": {"name": "shared"}}, {"configMapRef": {"name": ""}}]},
                    {"envFrom": [{"configMapRef": {"name": "shared"}}]}
                ],
                "volumes": [{"name": "v", "configMap": {"name": "shared"}}]
            }),
        );
        assert_eq!(deps(&object), pairs(&[("ConfigMap", "shared")]));
    }

    #[test]
    fn the_default_service_account_is_not_a_dependency() {
        let cases = [
            (json!({"serviceAccountName": "default"}), vec![]),
            (json!({"serviceAccountName": ""}), vec![]),
            (json!({}), vec![]),
            (
                json!({"serviceAccount": "legacy"}),
                pairs(&[("ServiceAccount", "legacy")]),
            ),
        ];
        for (pod_spec, expected) in cases {
            let object = with_pod_spec("v1", "Pod", pod_spec.clone());
            assert_eq!(deps(&object), expected, "{pod_spec}");
        }
    }

    #[test]
    fn statefulset_claim_templates_are_not_dependencies() {
        let mut object = with_pod_spec(
            "apps/v1",
            "StatefulSet",
            json!({"volumes": [
                {"name": "a", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "b", "persistentVolumeClaim": {"claimName": "shared"}}
            ]}),
        );
        object["spec"]["volumeClaimTemplates"] = json!([{"metadata": {"name": "data"}}]);
        assert_eq!(deps(&object), pairs(&[("PersistentVolumeClaim", "shared")]));
    }

    #[test]
    fn ingress_tls_secrets_are_dependencies() {
        let object = json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "i", "namespace": "ns"},
            "spec": {"tls": [{"secretName": "b"}, {"secretName": "a"}, {"secretName": "a"}, {"hosts": ["h"]}]}
        });
        assert_eq!(deps(&object), pairs(&[("Secret", "a"), ("Secret", "b")]));
    }

    #[test]
    fn other_kinds_have_no_dependencies() {
        let cases = [
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "ns"}, "spec": {}}),
            json!({"apiVersion": "example.io/v1", "kind": "Deployment", "spec": {"template": {"spec": {"serviceAccountName": "x"}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"namespace": "ns"}, "spec": {}}),
        ];
        for object in cases {
            assert!(dependencies(&object).is_empty(), "{object}");
        }
    }

    #[test]
    fn dependencies_serialize_like_karmada_s_annotation() {
        let dependency = dependency("Secret", "ns", "s".to_string());
        assert_eq!(
            serde_json::to_value(&dependency).unwrap(),
            json!({"apiVersion": "v1", "kind": "Secret", "namespace": "ns", "name": "s"})
        );
    }
}
