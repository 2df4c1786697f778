//! The member simulator: plays kubelet, kube-scheduler, the workload controllers and a cloud load
//! balancer against a member's API server, through its API only (like KWOK).
//!
//! One watch per kind feeds in-memory caches; any event (debounced) or a due deadline starts a pass
//! that plans every controller purely over one snapshot ([`plan_all`]) and applies the writes.
//! A pass does not start until the caches show the previous pass's writes (or a short expectation
//! timeout passes), so no controller acts twice on a stale view.
//!
//! | controller   | writes                                                   |
//! |--------------|----------------------------------------------------------|
//! | nodes        | Node status; deletes pods bound to missing nodes         |
//! | scheduler    | pod `spec.nodeName`; status of unschedulable pods        |
//! | kubelet      | status of bound pods                                     |
//! | replicaset   | pods of ReplicaSets; ReplicaSet status                   |
//! | deployment   | ReplicaSets of Deployments; Deployment status            |
//! | statefulset  | pods of StatefulSets; StatefulSet status                 |
//! | daemonset    | pods of DaemonSets; DaemonSet status                     |
//! | job          | pods of Jobs; Job status                                 |
//! | service      | Service `status.loadBalancer`                            |

pub mod daemonset;
pub mod deployment;
pub mod job;
pub mod kubelet;
pub mod nodes;
pub mod objects;
pub mod plan;
pub mod replicaset;
mod runtime;
pub mod scheduler;
pub mod service;
pub mod statefulset;
#[cfg(test)]
mod tests;

pub use plan::{Action, Ctx, Kind, NodeShape, Plan, Snapshot, Target};
pub(crate) use runtime::{Health, Simulator, SimulatorConfig};

/// Every controller's plan for one pass, in a fixed order.
pub fn plan_all(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    plan.extend(nodes::plan(snapshot, ctx));
    plan.extend(scheduler::plan(snapshot, ctx));
    plan.extend(kubelet::plan(snapshot, ctx));
    plan.extend(replicaset::plan(snapshot, ctx));
    plan.extend(deployment::plan(snapshot, ctx));
    plan.extend(statefulset::plan(snapshot, ctx));
    plan.extend(daemonset::plan(snapshot, ctx));
    plan.extend(job::plan(snapshot, ctx));
    plan.extend(service::plan(snapshot, ctx));
    plan
}
