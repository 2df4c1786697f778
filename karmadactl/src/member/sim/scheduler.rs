//! The simulated kube-scheduler: binds pending pods to a node that fits them (resources, node
//! selector and required node affinity, taints against tolerations, schedulable and Ready nodes),
//! preferring nodes with fewer pods of the same controller, then the least requested.
//!
//! Ownership: `spec.nodeName` of unbound pods, and the `PodScheduled=False` status of pods that fit
//! nowhere (the kubelet owns the status of bound pods).

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::{
    Node, NodeSelectorRequirement, PodCondition, PodSpec, PodStatus, Taint, Toleration,
};
use karmada_api::policy::quantity::Quantity;

use super::nodes::node_ready;
use super::objects::{
    controller_uid, node_name, phase, status_patch, terminating, transition_time,
};
use super::plan::{Action, Ctx, Kind, Plan, Snapshot, Target};

/// Resources the scheduler accounts: milli-CPU, memory bytes, pod slots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i128,
    pub memory: i128,
    pub pods: i128,
}

impl Resources {
    fn add(&mut self, other: Resources) {
        self.milli_cpu += other.milli_cpu;
        self.memory += other.memory;
        self.pods += other.pods;
    }
}

fn quantity(
    map: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    key: &str,
) -> Option<Quantity> {
    map.and_then(|m| m.get(key))
        .and_then(|q| Quantity::parse(&q.0))
}

/// What a pod requests: the sum over its containers (a limit stands in for a missing request, as
/// the API server defaults it), at least the largest init container, plus one pod slot.
pub fn pod_requests(spec: &PodSpec) -> Resources {
    let container = |c: &k8s_openapi::api::core::v1::Container, key: &str| -> Quantity {
        let resources = c.resources.as_ref();
        quantity(resources.and_then(|r| r.requests.as_ref()), key)
            .or_else(|| quantity(resources.and_then(|r| r.limits.as_ref()), key))
            .unwrap_or_default()
    };
    let sum = |key: &str| {
        spec.containers
            .iter()
            .map(|c| container(c, key))
            .fold(Quantity::default(), Quantity::plus)
    };
    let init_max = |key: &str| {
        spec.init_containers
            .iter()
            .flatten()
            .map(|c| container(c, key))
            .max()
            .unwrap_or_default()
    };
    Resources {
        milli_cpu: sum("cpu").max(init_max("cpu")).millis(),
        memory: sum("memory").max(init_max("memory")).value(),
        pods: 1,
    }
}

/// What a node offers to pods.
pub fn allocatable(node: &Node) -> Resources {
    let status = node.status.as_ref();
    let map = status.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
    Resources {
        milli_cpu: quantity(map, "cpu").unwrap_or_default().millis(),
        memory: quantity(map, "memory").unwrap_or_default().value(),
        pods: quantity(map, "pods").unwrap_or_default().value(),
    }
}

fn requirement_matches(req: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = req.values.as_deref().unwrap_or_default();
    match req.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => !value.is_some_and(|v| values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(bound)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|b| b.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if req.operator == "Gt" {
                v > bound
            } else {
                v < bound
            }
        }
        _ => false,
    }
}

/// Whether the node satisfies the pod's nodeSelector and required node affinity.
pub fn node_matches(spec: &PodSpec, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let selector_ok = spec
        .node_selector
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    let affinity_ok = required.is_none_or(|selector| {
        selector.node_selector_terms.iter().any(|term| {
            let exprs_ok = term
                .match_expressions
                .iter()
                .flatten()
                .all(|req| requirement_matches(req, labels.get(&req.key).map(String::as_str)));
            let fields_ok = term.match_fields.iter().flatten().all(|req| {
                let value = if req.key == "metadata.name" {
                    node.metadata.name.as_deref()
                } else {
                    None
                };
                requirement_matches(req, value)
            });
            exprs_ok && fields_ok
        })
    });
    selector_ok && affinity_ok
}

fn tolerated(taint: &Taint, tolerations: &[Toleration]) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t
            .effect
            .as_deref()
            .is_none_or(|e| e.is_empty() || e == taint.effect);
        let key_ok = match t.key.as_deref() {
            None | Some("") => t.operator.as_deref() == Some("Exists"),
            Some(key) => key == taint.key,
        };
        let value_ok = match t.operator.as_deref() {
            Some("Exists") => true,
            _ => {
                t.value.as_deref().unwrap_or_default() == taint.value.as_deref().unwrap_or_default()
            }
        };
        effect_ok && key_ok && value_ok
    })
}

/// The first NoSchedule/NoExecute taint of the node the tolerations do not tolerate.
pub fn untolerated_taint<'a>(node: &'a Node, tolerations: &[Toleration]) -> Option<&'a Taint> {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|t| !tolerated(t, tolerations))
}

/// Why a node cannot take a pod (kube-scheduler's wording), `None` when it can.
fn unfit(spec: &PodSpec, node: &Node, used: Resources, request: Resources) -> Option<&'static str> {
    let tolerations = spec.tolerations.as_deref().unwrap_or_default();
    if terminating(&node.metadata) {
        return Some("node(s) were being deleted");
    }
    if !node_ready(node) {
        return Some("node(s) were not ready");
    }
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true)
        && !tolerated(
            &Taint {
                key: "node.kubernetes.io/unschedulable".into(),
                effect: "NoSchedule".into(),
                ..Taint::default()
            },
            tolerations,
        )
    {
        return Some("node(s) were unschedulable");
    }
    if !node_matches(spec, node) {
        return Some("node(s) didn't match Pod's node affinity/selector");
    }
    if untolerated_taint(node, tolerations).is_some() {
        return Some("node(s) had untolerated taint");
    }
    let free = allocatable(node);
    if used.pods + request.pods > free.pods {
        return Some("Too many pods");
    }
    if used.milli_cpu + request.milli_cpu > free.milli_cpu {
        return Some("Insufficient cpu");
    }
    if used.memory + request.memory > free.memory {
        return Some("Insufficient memory");
    }
    None
}

fn unschedulable_message(total: usize, reasons: &BTreeMap<&str, usize>) -> String {
    let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {total} \
         Preemption is not helpful for scheduling.",
        if parts.is_empty() {
            "no nodes registered".to_string()
        } else {
            parts.join(", ")
        }
    )
}

fn wants_default_scheduler(spec: &PodSpec) -> bool {
    spec.scheduler_name
        .as_deref()
        .is_none_or(|s| s.is_empty() || s == "default-scheduler")
}

/// Bindings for pending pods, in creation order; pods that fit nowhere get `PodScheduled=False`.
pub fn plan(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    let mut used: HashMap<&str, Resources> = HashMap::new();
    // (node, controller uid) -> pods of that controller on the node, for spreading.
    let mut siblings: HashMap<(&str, &str), usize> = HashMap::new();
    for pod in &snapshot.pods {
        if let (Some(node), Some(spec)) = (node_name(pod), pod.spec.as_ref())
            && !matches!(phase(pod), "Succeeded" | "Failed")
        {
            used.entry(node).or_default().add(pod_requests(spec));
            if let Some(owner) = controller_uid(&pod.metadata) {
                *siblings.entry((node, owner)).or_default() += 1;
            }
        }
    }
    let mut pending: Vec<_> = snapshot
        .pods
        .iter()
        .filter(|p| node_name(p).is_none() && !terminating(&p.metadata) && phase(p) == "Pending")
        .filter(|p| p.spec.as_ref().is_some_and(wants_default_scheduler))
        .collect();
    pending.sort_by(|a, b| {
        (&a.metadata.creation_timestamp, &a.metadata.name)
            .cmp(&(&b.metadata.creation_timestamp, &b.metadata.name))
    });
    let mut nodes: Vec<_> = snapshot.nodes.iter().collect();
    nodes.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    for pod in pending {
        let Some(spec) = pod.spec.as_ref() else {
            continue;
        };
        let request = pod_requests(spec);
        let owner = controller_uid(&pod.metadata).unwrap_or_default();
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        let mut best: Option<((usize, i128, i128), &str)> = None;
        for node in &nodes {
            let name = node.metadata.name.as_deref().unwrap_or_default();
            let node_used = used.get(name).copied().unwrap_or_default();
            if let Some(reason) = unfit(spec, node, node_used, request) {
                *reasons.entry(reason).or_default() += 1;
                continue;
            }
            let free = allocatable(node);
            let fraction =
                |used: i128, total: i128| if total > 0 { used * 1000 / total } else { 0 };
            let load = fraction(node_used.milli_cpu + request.milli_cpu, free.milli_cpu)
                .max(fraction(node_used.memory + request.memory, free.memory));
            let score = (
                siblings.get(&(name, owner)).copied().unwrap_or(0),
                load,
                node_used.pods,
            );
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, name));
            }
        }
        match best {
            Some((_, node)) => {
                used.entry(node).or_default().add(request);
                *siblings.entry((node, owner)).or_default() += 1;
                plan.push(Action::Patch {
                    target: Target::of(Kind::Pod, &pod.metadata),
                    patch: serde_json::json!({"spec": {"nodeName": node}}),
                });
            }
            None => {
                let old = pod.status.clone().unwrap_or_default();
                let previous = old
                    .conditions
                    .iter()
                    .flatten()
                    .find(|c| c.type_ == "PodScheduled");
                let desired = PodStatus {
                    phase: Some("Pending".into()),
                    conditions: Some(vec![PodCondition {
                        type_: "PodScheduled".into(),
                        status: "False".into(),
                        reason: Some("Unschedulable".into()),
                        message: Some(unschedulable_message(nodes.len(), &reasons)),
                        last_transition_time: Some(transition_time(
                            previous.map(|c| (c.status.as_str(), c.last_transition_time.as_ref())),
                            "False",
                            &ctx.wall,
                        )),
                        ..PodCondition::default()
                    }]),
                    qos_class: old.qos_class.clone(),
                    ..PodStatus::default()
                };
                plan.patch_status(
                    Kind::Pod,
                    &pod.metadata,
                    status_patch(pod.status.as_ref(), &desired),
                );
            }
        }
    }
    plan
}
