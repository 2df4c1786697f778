//! What the simulated controllers see (a [`Snapshot`] of the member's objects and a [`Ctx`]) and
//! what they decide (a [`Plan`] of [`Action`]s), so every controller is a pure function.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;
use tokio::time::Instant;

/// The kinds the simulator reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Node,
    Pod,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    Service,
}

/// One object of a kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub name: String,
}

impl Target {
    pub fn of(kind: Kind, meta: &ObjectMeta) -> Target {
        Target {
            kind,
            namespace: meta.namespace.clone(),
            name: meta.name.clone().unwrap_or_default(),
        }
    }
}

/// One write to the member's API.
#[derive(Debug, Clone)]
pub enum Action {
    CreatePod(Pod),
    CreateReplicaSet(ReplicaSet),
    /// A JSON merge patch of the object (spec, metadata).
    Patch {
        target: Target,
        patch: Value,
    },
    /// A JSON merge patch of the status subresource.
    PatchStatus {
        target: Target,
        patch: Value,
    },
    /// Deletes the object with this uid (a precondition, so a replacement is never deleted).
    Delete {
        target: Target,
        uid: String,
    },
}

/// Every object the simulator watches, as last observed.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub nodes: Vec<Arc<Node>>,
    pub pods: Vec<Arc<Pod>>,
    pub deployments: Vec<Arc<Deployment>>,
    pub replicasets: Vec<Arc<ReplicaSet>>,
    pub statefulsets: Vec<Arc<StatefulSet>>,
    pub daemonsets: Vec<Arc<DaemonSet>>,
    pub jobs: Vec<Arc<Job>>,
    pub services: Vec<Arc<Service>>,
}

impl Snapshot {
    /// The active and finished pods whose controller has this uid.
    pub fn pods_of<'a>(&'a self, uid: &'a str) -> impl Iterator<Item = &'a Arc<Pod>> + 'a {
        self.pods
            .iter()
            .filter(move |p| super::objects::controller_uid(&p.metadata) == Some(uid))
    }
}

/// Simulated node shape for nodes the simulator creates or completes.
#[derive(Debug, Clone)]
pub struct NodeShape {
    pub cpu: String,
    pub memory: String,
    pub pods: u32,
}

/// Everything a controller needs besides the snapshot.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub member: &'a str,
    /// Monotonic now, for deadlines.
    pub now: Instant,
    /// Wall-clock now at whole seconds, for timestamps written to objects.
    pub wall: Time,
    /// How long a bound pod takes to start.
    pub ready_delay: Duration,
    /// When the simulator first saw each pod (by uid) bound to a node.
    pub bound_at: &'a HashMap<String, Instant>,
    /// Pods are not Ready while this is set.
    pub unhealthy: bool,
    /// Whether node heartbeats are due in this pass.
    pub heartbeat: bool,
    pub node_shape: &'a NodeShape,
}

/// The writes of one pass and when the next pass is needed even without events.
#[derive(Debug, Default)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub wake: Option<Instant>,
}

impl Plan {
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    pub fn patch_status(&mut self, kind: Kind, meta: &ObjectMeta, patch: Option<Value>) {
        if let Some(patch) = patch {
            self.push(Action::PatchStatus {
                target: Target::of(kind, meta),
                patch,
            });
        }
    }

    pub fn delete(&mut self, kind: Kind, meta: &ObjectMeta) {
        self.push(Action::Delete {
            target: Target::of(kind, meta),
            uid: meta.uid.clone().unwrap_or_default(),
        });
    }

    /// Asks for a pass no later than `at`.
    pub fn wake_at(&mut self, at: Instant) {
        self.wake = Some(self.wake.map_or(at, |w| w.min(at)));
    }

    pub fn extend(&mut self, other: Plan) {
        self.actions.extend(other.actions);
        if let Some(at) = other.wake {
            self.wake_at(at);
        }
    }
}
