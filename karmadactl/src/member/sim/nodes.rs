//! The simulated kubelets' node side: the Nodes created on a member's first start, their status
//! (capacity, Ready condition, heartbeat) and the pod garbage collector for pods on vanished nodes.
//!
//! Ownership: the status of every Node (capacity and allocatable are kept when already set, so
//! values patched through the API are honoured); deletion of pods bound to nodes that do not exist.

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::core::v1::{
    Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::objects::{fnv, node_name, status_patch, terminating, transition_time};
use super::plan::{Ctx, Kind, NodeShape, Plan, Snapshot};

/// The kubelet version the simulated nodes report.
pub const KUBELET_VERSION: &str = "v1.31.0";

/// The name of the `index`-th node of a member.
pub fn node_name_of(member: &str, index: u32) -> String {
    format!("{member}-node-{index}")
}

/// A node as the simulator registers it on a member's first start (status follows separately:
/// the API server ignores status on create).
pub fn bootstrap_node(member: &str, index: u32) -> Node {
    let name = node_name_of(member, index);
    let labels = BTreeMap::from([
        ("kubernetes.io/hostname".to_string(), name.clone()),
        ("kubernetes.io/os".to_string(), "linux".to_string()),
        ("kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("beta.kubernetes.io/os".to_string(), "linux".to_string()),
        ("beta.kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("type".to_string(), "kwok".to_string()),
    ]);
    let annotations =
        BTreeMap::from([("node.alpha.kubernetes.io/ttl".to_string(), "0".to_string())]);
    Node {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(pod_cidr(&name)),
            pod_cidrs: Some(vec![pod_cidr(&name)]),
            provider_id: Some(format!("kwok://{member}/{name}")),
            ..NodeSpec::default()
        }),
        status: None,
    }
}

fn octets(seed: &str) -> (u8, u8, u8) {
    let h = fnv(seed.as_bytes());
    (
        (h % 256) as u8,
        ((h >> 8) % 256) as u8,
        ((h >> 16) % 254) as u8 + 1,
    )
}

/// A node's InternalIP, stable for its name.
pub fn node_ip(name: &str) -> String {
    let (a, b, c) = octets(name);
    format!("172.{}.{a}.{c}", 16 + b % 16)
}

/// A node's pod CIDR, stable for its name.
pub fn pod_cidr(name: &str) -> String {
    let (a, b, _) = octets(name);
    format!("10.{}.{b}.0/24", 64 + a % 64)
}

/// The InternalIP a node reports (its own address if it has one).
pub fn reported_ip(node: &Node) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_deref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address.clone())
        .unwrap_or_else(|| node_ip(node.metadata.name.as_deref().unwrap_or_default()))
}

fn condition(
    old: &[NodeCondition],
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    ctx: &Ctx,
) -> NodeCondition {
    let previous = old.iter().find(|c| c.type_ == type_);
    let heartbeat = match previous.and_then(|c| c.last_heartbeat_time.clone()) {
        Some(time) if !ctx.heartbeat && previous.is_some_and(|c| c.status == status) => time,
        _ => ctx.wall.clone(),
    };
    NodeCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(heartbeat),
        last_transition_time: Some(transition_time(
            previous.map(|c| (c.status.as_str(), c.last_transition_time.as_ref())),
            status,
            &ctx.wall,
        )),
    }
}

fn default_resources(shape: &NodeShape) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".to_string(), Quantity(shape.cpu.clone())),
        ("memory".to_string(), Quantity(shape.memory.clone())),
        ("pods".to_string(), Quantity(shape.pods.to_string())),
        ("ephemeral-storage".to_string(), Quantity("100Gi".into())),
    ])
}

/// The status the simulated kubelet reports for `node`.
pub fn desired_status(node: &Node, ctx: &Ctx) -> NodeStatus {
    let old = node.status.clone().unwrap_or_default();
    let name = node.metadata.name.clone().unwrap_or_default();
    let conditions = old.conditions.clone().unwrap_or_default();
    let capacity = old
        .capacity
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| default_resources(ctx.node_shape));
    let allocatable = old
        .allocatable
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| capacity.clone());
    let machine = format!("{:016x}", fnv(name.as_bytes()));
    NodeStatus {
        capacity: Some(capacity),
        allocatable: Some(allocatable),
        conditions: Some(vec![
            condition(
                &conditions,
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
                ctx,
            ),
            condition(
                &conditions,
                "DiskPressure",
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
                ctx,
            ),
            condition(
                &conditions,
                "PIDPressure",
                "False",
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
                ctx,
            ),
            condition(
                &conditions,
                "Ready",
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
                ctx,
            ),
        ]),
        addresses: Some(vec![
            NodeAddress {
                type_: "InternalIP".into(),
                address: reported_ip(node),
            },
            NodeAddress {
                type_: "Hostname".into(),
                address: name.clone(),
            },
        ]),
        node_info: Some(NodeSystemInfo {
            architecture: "amd64".into(),
            boot_id: machine.clone(),
            container_runtime_version: "kwok-karmada-rs".into(),
            kernel_version: "6.1.0-kwok".into(),
            kube_proxy_version: KUBELET_VERSION.into(),
            kubelet_version: KUBELET_VERSION.into(),
            machine_id: machine.clone(),
            operating_system: "linux".into(),
            os_image: "karmada-rs simulated node".into(),
            system_uuid: machine,
            ..NodeSystemInfo::default()
        }),
        ..old
    }
}

/// Node statuses to write and pods to collect.
pub fn plan(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    let mut live = HashSet::new();
    for node in &snapshot.nodes {
        live.insert(node.metadata.name.as_deref().unwrap_or_default());
        if terminating(&node.metadata) {
            continue;
        }
        let desired = desired_status(node, ctx);
        plan.patch_status(
            Kind::Node,
            &node.metadata,
            status_patch(node.status.as_ref(), &desired),
        );
    }
    for pod in &snapshot.pods {
        if let Some(node) = node_name(pod)
            && !live.contains(node)
            && !terminating(&pod.metadata)
        {
            plan.delete(Kind::Pod, &pod.metadata);
        }
    }
    plan
}

/// Whether the node is Ready (its `Ready` condition is `True`).
pub fn node_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The time of a node's last heartbeat, for tests and diagnostics.
pub fn last_heartbeat(node: &Node) -> Option<Time> {
    node.status
        .as_ref()?
        .conditions
        .as_deref()?
        .iter()
        .find(|c| c.type_ == "Ready")?
        .last_heartbeat_time
        .clone()
}
