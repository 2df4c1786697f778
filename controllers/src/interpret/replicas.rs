//! Replicas of workload templates (InterpretReplica) and their revision for one cluster
//! (ReviseReplica): Deployment, StatefulSet, ReplicaSet, Job and Pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{NodeSelector, Toleration};
use karmada_api::work::v1alpha2::{NodeClaim, ReplicaRequirements};
use serde_json::{Value, json};

use super::NativeKind;
use super::fields::{lookup, lookup_str, set};
use super::requests::pod_requests;

/// Replicas and per-replica requirements of a workload template; `None` for kinds that are not
/// workloads.
///
/// - Deployment, StatefulSet, ReplicaSet: `spec.replicas` (1 when absent, the API default).
/// - Job: `spec.parallelism` (1 when absent), capped at `spec.completions` when that is set, since
///   a Job never runs more pods at once than it has completions left.
/// - Pod: 1.
///
/// The requirements come from the pod template: the effective resource requests, as the
/// kube-scheduler computes them (app containers summed with sidecars, the largest init-container
/// step if larger, plus overhead; limits standing in for missing requests), and the node claim
/// (node selector, tolerations, required node affinity).
/// They are `None` when the template constrains neither; otherwise they also carry the
/// template's namespace and priorityClassName.
pub fn replicas(object: &Value) -> Option<(i32, Option<ReplicaRequirements>)> {
    let (count, pod_spec) = match NativeKind::of(object)? {
        NativeKind::Deployment | NativeKind::StatefulSet | NativeKind::ReplicaSet => (
            int_field(object, &["spec", "replicas"]).unwrap_or(1),
            lookup(object, &["spec", "template", "spec"]),
        ),
        NativeKind::Job => {
            let parallelism = int_field(object, &["spec", "parallelism"]).unwrap_or(1);
            let completions = int_field(object, &["spec", "completions"]).unwrap_or(parallelism);
            (
                parallelism.min(completions),
                lookup(object, &["spec", "template", "spec"]),
            )
        }
        NativeKind::Pod => (1, lookup(object, &["spec"])),
        _ => return None,
    };
    let namespace = lookup_str(object, &["metadata", "namespace"]);
    let requirements = pod_spec.and_then(|spec| requirements(spec, namespace));
    Some((count, requirements))
}

/// Sets the replicas of a workload manifest for one cluster: `spec.replicas` of a Deployment,
/// StatefulSet or ReplicaSet, `spec.parallelism` of a Job. Other kinds are left alone.
///
/// Unlike Karmada, which only overwrites a field that is present, the field is always written:
/// an absent field means 1 to [`replicas`], so the scheduler's number must land even then.
/// A Job's `spec.completions` is revised separately, by [`revise_job_completions`].
pub fn revise_replicas(object: &mut Value, replicas: i32) {
    let field = match NativeKind::of(object) {
        Some(NativeKind::Deployment | NativeKind::StatefulSet | NativeKind::ReplicaSet) => {
            "replicas"
        }
        Some(NativeKind::Job) => "parallelism",
        _ => return,
    };
    set(object, &["spec", field], json!(replicas));
}

/// Sets a Job manifest's `spec.completions` to this cluster's share. Work-queue Jobs leave
/// completions unset, and then nothing is written; other kinds are left alone.
///
/// The shares come from dividing the template's completions over the target clusters by static
/// weight, each cluster weighing its scheduled replicas (Karmada's `divideReplicasByJobCompletions`,
/// done only when the binding divides replicas); that division belongs to the binding controller.
pub fn revise_job_completions(object: &mut Value, completions: i32) {
    if NativeKind::of(object) == Some(NativeKind::Job)
        && lookup(object, &["spec", "completions"]).is_some()
    {
        set(object, &["spec", "completions"], json!(completions));
    }
}

/// An i32 field, saturating values beyond the i32 range; `None` when absent or not an integer.
fn int_field(object: &Value, path: &[&str]) -> Option<i32> {
    let value = lookup(object, path)?.as_i64()?;
    Some(value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

fn requirements(pod_spec: &Value, namespace: Option<&str>) -> Option<ReplicaRequirements> {
    let node_claim = node_claim(pod_spec);
    let resource_request = pod_requests(pod_spec);
    if node_claim.is_none() && resource_request.is_none() {
        return None;
    }
    let non_empty = |text: Option<&str>| text.filter(|t| !t.is_empty()).map(str::to_string);
    Some(ReplicaRequirements {
        node_claim,
        resource_request,
        namespace: non_empty(namespace),
        priority_class_name: non_empty(lookup_str(pod_spec, &["priorityClassName"])),
    })
}

/// The node constraints of a pod spec; `None` when it has none. Parts that do not deserialize
/// (the API server validates them first) are treated as absent.
fn node_claim(pod_spec: &Value) -> Option<NodeClaim> {
    fn typed<T: serde::de::DeserializeOwned>(value: Option<&Value>) -> Option<T> {
        serde_json::from_value(value?.clone()).ok()
    }
    let node_selector: Option<BTreeMap<String, String>> =
        typed(lookup(pod_spec, &["nodeSelector"])).filter(|m: &BTreeMap<_, _>| !m.is_empty());
    let tolerations: Option<Vec<Toleration>> =
        typed(lookup(pod_spec, &["tolerations"])).filter(|t: &Vec<_>| !t.is_empty());
    let hard_node_affinity: Option<NodeSelector> = typed(lookup(
        pod_spec,
        &[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
        ],
    ));
    if node_selector.is_none() && tolerations.is_none() && hard_node_affinity.is_none() {
        return None;
    }
    Some(NodeClaim {
        hard_node_affinity,
        node_selector,
        tolerations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

    fn workload(kind: &str, spec: Value) -> Value {
        let api_version = match kind {
            "Job" | "CronJob" => "batch/v1",
            "Pod" | "Service" => "v1",
            _ => "apps/v1",
        };
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "w", "namespace": "ns"}, "spec": spec})
    }

    fn count(object: &Value) -> Option<i32> {
        replicas(object).map(|(n, _)| n)
    }

    #[test]
    fn replicas_are_read_per_kind_with_api_defaults() {
        let cases = [
            ("Deployment", json!({"replicas": 3}), Some(3)),
            ("Deployment", json!({}), Some(1)),
            ("Deployment", json!({"replicas": 0}), Some(0)),
            ("StatefulSet", json!({"replicas": 5}), Some(5)),
            ("ReplicaSet", json!({}), Some(1)),
            ("Job", json!({"parallelism": 4}), Some(4)),
            ("Job", json!({}), Some(1)),
            ("Job", json!({"parallelism": 10, "completions": 3}), Some(3)),
            ("Job", json!({"parallelism": 2, "completions": 8}), Some(2)),
            ("Job", json!({"completions": 5}), Some(1)),
            ("Pod", json!({"containers": []}), Some(1)),
            ("DaemonSet", json!({}), None),
            ("CronJob", json!({}), None),
            ("Service", json!({}), None),
        ];
        for (kind, spec, expected) in cases {
            assert_eq!(
                count(&workload(kind, spec.clone())),
                expected,
                "{kind} {spec}"
            );
        }
        let custom =
            json!({"apiVersion": "example.io/v1", "kind": "Deployment", "spec": {"replicas": 2}});
        assert_eq!(count(&custom), None, "custom groups have no native rule");
    }

    #[test]
    fn requirements_come_from_the_pod_template() {
        let template = json!({
            "replicas": 2,
            "template": {"spec": {
                "priorityClassName": "high",
                "nodeSelector": {"disk": "ssd"},
                "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                "affinity": {"nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
                    ]},
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 1, "preference": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}}
                    ]
                }},
                "containers": [{"name": "c", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}]
            }}
        });
        let (n, requirements) = replicas(&workload("Deployment", template)).unwrap();
        assert_eq!(n, 2);
        let requirements = requirements.unwrap();
        assert_eq!(requirements.namespace.as_deref(), Some("ns"));
        assert_eq!(requirements.priority_class_name.as_deref(), Some("high"));
        let request = requirements.resource_request.unwrap();
        assert_eq!(request.get("cpu"), Some(&ApiQuantity("250m".into())));
        assert_eq!(request.get("memory"), Some(&ApiQuantity("64Mi".into())));
        let claim = requirements.node_claim.unwrap();
        assert_eq!(
            claim.node_selector,
            Some(BTreeMap::from([("disk".to_string(), "ssd".to_string())]))
        );
        assert_eq!(claim.tolerations.unwrap()[0].key.as_deref(), Some("k"));
        let terms = claim.hard_node_affinity.unwrap().node_selector_terms;
        assert_eq!(
            terms.len(),
            1,
            "only the required node affinity is a hard claim"
        );
    }

    #[test]
    fn requirements_are_absent_when_the_template_constrains_nothing() {
        let cases = [
            (
                "no template",
                workload("Deployment", json!({"replicas": 1})),
            ),
            (
                "no requests and no node constraints",
                workload(
                    "Deployment",
                    json!({"template": {"spec": {"priorityClassName": "p", "nodeSelector": {}, "tolerations": [], "containers": [{"name": "c"}]}}}),
                ),
            ),
            (
                "only preferred affinity",
                workload(
                    "StatefulSet",
                    json!({"template": {"spec": {"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}, "containers": []}}}),
                ),
            ),
        ];
        for (name, object) in cases {
            assert_eq!(replicas(&object).map(|(_, r)| r), Some(None), "{name}");
        }
    }

    #[test]
    fn a_pod_template_with_only_requests_has_no_node_claim() {
        let job = workload(
            "Job",
            json!({"template": {"spec": {"containers": [{"resources": {"limits": {"cpu": "1"}}}]}}}),
        );
        let requirements = replicas(&job).unwrap().1.unwrap();
        assert_eq!(requirements.node_claim, None);
        assert_eq!(requirements.priority_class_name, None);
        assert_eq!(
            requirements.resource_request.unwrap().get("cpu"),
            Some(&ApiQuantity("1".into()))
        );
        let pod = workload("Pod", json!({"nodeSelector": {"a": "b"}, "containers": []}));
        let claim = replicas(&pod).unwrap().1.unwrap().node_claim.unwrap();
        assert_eq!(
            claim.node_selector.unwrap().len(),
            1,
            "a Pod's own spec is its template"
        );
    }

    #[test]
    fn revising_replicas_writes_the_kind_s_replica_field() {
        let cases = [
            ("Deployment", json!({"replicas": 5}), json!({"replicas": 2})),
            ("StatefulSet", json!({}), json!({"replicas": 2})),
            ("ReplicaSet", json!({"replicas": 1}), json!({"replicas": 2})),
            (
                "Job",
                json!({"parallelism": 5, "completions": 10}),
                json!({"parallelism": 2, "completions": 10}),
            ),
            ("Pod", json!({"containers": []}), json!({"containers": []})),
            ("DaemonSet", json!({}), json!({})),
        ];
        for (kind, spec, expected) in cases {
            let mut object = workload(kind, spec);
            revise_replicas(&mut object, 2);
            assert_eq!(object["spec"], expected, "{kind}");
        }
    }

    #[test]
    fn job_completions_are_revised_only_when_the_template_sets_them() {
        let cases = [
            ("Job", json!({"completions": 10}), json!({"completions": 4})),
            ("Job", json!({"parallelism": 3}), json!({"parallelism": 3})),
            (
                "Deployment",
                json!({"completions": 10}),
                json!({"completions": 10}),
            ),
        ];
        for (kind, spec, expected) in cases {
            let mut object = workload(kind, spec);
            revise_job_completions(&mut object, 4);
            assert_eq!(object["spec"], expected, "{kind}");
        }
    }
}
