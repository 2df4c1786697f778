//! Health of member objects (InterpretHealth) for the built-in kinds Karmada judges: Deployment,
//! StatefulSet, ReplicaSet, DaemonSet, Service, Ingress, PersistentVolumeClaim, Pod and
//! PodDisruptionBudget.

use karmada_api::work::v1alpha1::ResourceHealth;
use serde_json::Value;

use super::NativeKind;
use super::fields::{Malformed, array, int_or, string};

/// The health of a member object.
///
/// Kinds without a rule are `Healthy` (Karmada treats a kind it cannot judge as healthy). A kind
/// with a rule is `Unknown` when a field the rule reads has the wrong type, and otherwise
/// `Healthy` or `Unhealthy`:
///
/// - Deployment, StatefulSet: the controller observed the latest generation, `updatedReplicas`
///   reached `spec.replicas` and every updated replica is available.
/// - ReplicaSet: latest generation observed and `availableReplicas` reached `spec.replicas`.
/// - DaemonSet: latest generation observed, every desired node runs the updated pod and every
///   updated pod is available.
/// - Service: always, except a LoadBalancer needs an ingress point (IP or hostname).
/// - Ingress: has an ingress point (IP or hostname).
/// - PersistentVolumeClaim: `Bound`.
/// - Pod: `Succeeded`, or `Running` with condition `Ready=True`.
/// - PodDisruptionBudget: `currentHealthy` reached `desiredHealthy`.
pub fn health(object: &Value) -> ResourceHealth {
    let healthy = match NativeKind::of(object) {
        Some(NativeKind::Deployment | NativeKind::StatefulSet) => rolled_out(object),
        Some(NativeKind::ReplicaSet) => replica_set_available(object),
        Some(NativeKind::DaemonSet) => daemon_set_rolled_out(object),
        Some(NativeKind::Service) => service_reachable(object),
        Some(NativeKind::Ingress) => has_ingress_point(object),
        Some(NativeKind::PersistentVolumeClaim) => {
            string(object, &["status", "phase"]).map(|phase| phase == Some("Bound"))
        }
        Some(NativeKind::Pod) => pod_healthy(object),
        Some(NativeKind::PodDisruptionBudget) => budget_met(object),
        _ => Ok(true),
    };
    match healthy {
        Ok(true) => ResourceHealth::Healthy,
        Ok(false) => ResourceHealth::Unhealthy,
        Err(malformed) => {
            tracing::debug!(%malformed, "cannot judge the health of a malformed object");
            ResourceHealth::Unknown
        }
    }
}

/// Whether the controller has seen the latest spec (`status.observedGeneration ==
/// metadata.generation`, both 0 when absent).
fn generation_observed(object: &Value) -> Result<bool, Malformed> {
    Ok(int_or(object, &["status", "observedGeneration"], 0)?
        == int_or(object, &["metadata", "generation"], 0)?)
}

/// `spec.replicas`, 1 when absent (the API default).
fn desired_replicas(object: &Value) -> Result<i64, Malformed> {
    int_or(object, &["spec", "replicas"], 1)
}

fn rolled_out(object: &Value) -> Result<bool, Malformed> {
    let updated = int_or(object, &["status", "updatedReplicas"], 0)?;
    let available = int_or(object, &["status", "availableReplicas"], 0)?;
    Ok(
        generation_observed(object)?
            && updated >= desired_replicas(object)?
            && available >= updated,
    )
}

fn replica_set_available(object: &Value) -> Result<bool, Malformed> {
    let available = int_or(object, &["status", "availableReplicas"], 0)?;
    Ok(generation_observed(object)? && available >= desired_replicas(object)?)
}

fn daemon_set_rolled_out(object: &Value) -> Result<bool, Malformed> {
    let desired = int_or(object, &["status", "desiredNumberScheduled"], 0)?;
    let updated = int_or(object, &["status", "updatedNumberScheduled"], 0)?;
    let available = int_or(object, &["status", "numberAvailable"], 0)?;
    Ok(generation_observed(object)? && updated >= desired && available >= updated)
}

fn service_reachable(object: &Value) -> Result<bool, Malformed> {
    if string(object, &["spec", "type"])? != Some("LoadBalancer") {
        return Ok(true);
    }
    has_ingress_point(object)
}

/// Whether `status.loadBalancer.ingress` has an entry with an IP or a hostname.
fn has_ingress_point(object: &Value) -> Result<bool, Malformed> {
    for ingress in array(object, &["status", "loadBalancer", "ingress"])? {
        let ip = string(ingress, &["ip"])?.unwrap_or_default();
        let hostname = string(ingress, &["hostname"])?.unwrap_or_default();
        if !ip.is_empty() || !hostname.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn pod_healthy(object: &Value) -> Result<bool, Malformed> {
    match string(object, &["status", "phase"])? {
        Some("Succeeded") => Ok(true),
        Some("Running") => {
            for condition in array(object, &["status", "conditions"])? {
                if string(condition, &["type"])? == Some("Ready") {
                    return Ok(string(condition, &["status"])? == Some("True"));
                }
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

fn budget_met(object: &Value) -> Result<bool, Malformed> {
    Ok(int_or(object, &["status", "currentHealthy"], 0)?
        >= int_or(object, &["status", "desiredHealthy"], 0)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResourceHealth::{Healthy, Unhealthy, Unknown};
    use serde_json::json;

    fn object(api_version: &str, kind: &str, rest: Value) -> Value {
        let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "generation": 2}});
        if let (Some(map), Some(extra)) = (object.as_object_mut(), rest.as_object()) {
            for (key, value) in extra {
                map.insert(key.clone(), value.clone());
            }
        }
        object
    }

    fn check(cases: &[(&str, Value, ResourceHealth)]) {
        for (name, object, expected) in cases {
            assert_eq!(health(object), *expected, "{name}");
        }
    }

    #[test]
    fn deployments_and_statefulsets_are_healthy_once_rolled_out() {
        for kind in ["Deployment", "StatefulSet"] {
            let workload = |spec: Value, status: Value| {
                object("apps/v1", kind, json!({"spec": spec, "status": status}))
            };
            check(&[
                (
                    "rolled out",
                    workload(
                        json!({"replicas": 3}),
                        json!({"observedGeneration": 2, "updatedReplicas": 3, "availableReplicas": 3}),
                    ),
                    Healthy,
                ),
                (
                    "latest generation not observed",
                    workload(
                        json!({"replicas": 3}),
                        json!({"observedGeneration": 1, "updatedReplicas": 3, "availableReplicas": 3}),
                    ),
                    Unhealthy,
                ),
                (
                    "not every replica updated",
                    workload(
                        json!({"replicas": 3}),
                        json!({"observedGeneration": 2, "updatedReplicas": 2, "availableReplicas": 3}),
                    ),
                    Unhealthy,
                ),
                (
                    "updated replicas not yet available",
                    workload(
                        json!({"replicas": 3}),
                        json!({"observedGeneration": 2, "updatedReplicas": 3, "availableReplicas": 2}),
                    ),
                    Unhealthy,
                ),
                (
                    "absent replicas mean one",
                    workload(json!({}), json!({"observedGeneration": 2})),
                    Unhealthy,
                ),
                (
                    "scaled to zero",
                    workload(json!({"replicas": 0}), json!({"observedGeneration": 2})),
                    Healthy,
                ),
                (
                    "malformed status",
                    workload(
                        json!({"replicas": 1}),
                        json!({"observedGeneration": 2, "updatedReplicas": "1"}),
                    ),
                    Unknown,
                ),
            ]);
        }
    }

    #[test]
    fn replicasets_are_healthy_when_enough_replicas_are_available() {
        let rs = |status: Value| {
            object(
                "apps/v1",
                "ReplicaSet",
                json!({"spec": {"replicas": 2}, "status": status}),
            )
        };
        check(&[
            (
                "available",
                rs(json!({"observedGeneration": 2, "availableReplicas": 2})),
                Healthy,
            ),
            (
                "short",
                rs(json!({"observedGeneration": 2, "availableReplicas": 1})),
                Unhealthy,
            ),
            (
                "stale",
                rs(json!({"observedGeneration": 1, "availableReplicas": 2})),
                Unhealthy,
            ),
        ]);
    }

    #[test]
    fn daemonsets_are_healthy_once_every_node_runs_the_available_update() {
        let ds = |status: Value| object("apps/v1", "DaemonSet", json!({"status": status}));
        check(&[
            (
                "rolled out",
                ds(
                    json!({"observedGeneration": 2, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 3}),
                ),
                Healthy,
            ),
            (
                "update pending",
                ds(
                    json!({"observedGeneration": 2, "desiredNumberScheduled": 3, "updatedNumberScheduled": 2, "numberAvailable": 3}),
                ),
                Unhealthy,
            ),
            (
                "updated pods unavailable",
                ds(
                    json!({"observedGeneration": 2, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 1}),
                ),
                Unhealthy,
            ),
            (
                "stale",
                ds(json!({"observedGeneration": 1, "desiredNumberScheduled": 0})),
                Unhealthy,
            ),
        ]);
    }

    #[test]
    fn services_and_ingresses_need_an_ingress_point_when_load_balanced() {
        let svc = |spec: Value, status: Value| {
            object("v1", "Service", json!({"spec": spec, "status": status}))
        };
        let ing =
            |status: Value| object("networking.k8s.io/v1", "Ingress", json!({"status": status}));
        check(&[
            (
                "cluster IP service",
                svc(json!({"type": "ClusterIP"}), json!({})),
                Healthy,
            ),
            ("service without type", svc(json!({}), json!({})), Healthy),
            (
                "load balancer pending",
                svc(json!({"type": "LoadBalancer"}), json!({"loadBalancer": {}})),
                Unhealthy,
            ),
            (
                "load balancer with an empty entry",
                svc(
                    json!({"type": "LoadBalancer"}),
                    json!({"loadBalancer": {"ingress": [{"ip": ""}]}}),
                ),
                Unhealthy,
            ),
            (
                "load balancer with an IP",
                svc(
                    json!({"type": "LoadBalancer"}),
                    json!({"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}),
                ),
                Healthy,
            ),
            (
                "load balancer with a hostname",
                svc(
                    json!({"type": "LoadBalancer"}),
                    json!({"loadBalancer": {"ingress": [{"hostname": "lb.example"}]}}),
                ),
                Healthy,
            ),
            (
                "load balancer with malformed ingress",
                svc(
                    json!({"type": "LoadBalancer"}),
                    json!({"loadBalancer": {"ingress": "1.2.3.4"}}),
                ),
                Unknown,
            ),
            ("ingress pending", ing(json!({})), Unhealthy),
            (
                "ingress with a hostname",
                ing(json!({"loadBalancer": {"ingress": [{"hostname": "h"}]}})),
                Healthy,
            ),
        ]);
    }

    #[test]
    fn claims_pods_and_budgets_follow_their_status() {
        let pvc = |phase: &str| {
            object(
                "v1",
                "PersistentVolumeClaim",
                json!({"status": {"phase": phase}}),
            )
        };
        let pod = |status: Value| object("v1", "Pod", json!({"status": status}));
        let pdb = |status: Value| {
            object(
                "policy/v1",
                "PodDisruptionBudget",
                json!({"status": status}),
            )
        };
        check(&[
            ("bound claim", pvc("Bound"), Healthy),
            ("pending claim", pvc("Pending"), Unhealthy),
            ("lost claim", pvc("Lost"), Unhealthy),
            ("succeeded pod", pod(json!({"phase": "Succeeded"})), Healthy),
            (
                "running ready pod",
                pod(
                    json!({"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}]}),
                ),
                Healthy,
            ),
            (
                "running unready pod",
                pod(
                    json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}),
                ),
                Unhealthy,
            ),
            (
                "running pod without conditions",
                pod(json!({"phase": "Running"})),
                Unhealthy,
            ),
            (
                "pending pod that claims readiness",
                pod(
                    json!({"phase": "Pending", "conditions": [{"type": "Ready", "status": "True"}]}),
                ),
                Unhealthy,
            ),
            ("failed pod", pod(json!({"phase": "Failed"})), Unhealthy),
            (
                "pod with malformed phase",
                pod(json!({"phase": 3})),
                Unknown,
            ),
            (
                "budget met",
                pdb(json!({"currentHealthy": 3, "desiredHealthy": 2})),
                Healthy,
            ),
            (
                "budget missed",
                pdb(json!({"currentHealthy": 1, "desiredHealthy": 2})),
                Unhealthy,
            ),
        ]);
    }

    #[test]
    fn kinds_without_a_rule_are_healthy() {
        check(&[
            ("configmap", object("v1", "ConfigMap", json!({})), Healthy),
            (
                "job",
                object("batch/v1", "Job", json!({"status": {"failed": 3}})),
                Healthy,
            ),
            (
                "custom resource",
                object(
                    "example.io/v1",
                    "Deployment",
                    json!({"status": {"observedGeneration": 1}}),
                ),
                Healthy,
            ),
        ]);
    }
}
