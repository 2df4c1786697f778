//! The simulated Deployment controller: one ReplicaSet per pod template (`<deploy>-<hash>`, pods
//! labelled `pod-template-hash`), rolled by scaling the new ReplicaSet to `spec.replicas` and the
//! old ones down as new pods become available (`Recreate`: old ones first), keeping
//! `revisionHistoryLimit` old ReplicaSets.
//!
//! Ownership: the ReplicaSets a Deployment controls (their replicas); the Deployment's status,
//! computed from its ReplicaSets' statuses.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::objects::{
    child_name, controller_ref, controller_uid, nonzero, status_patch, template_hash, terminating,
    transition_time,
};
use super::plan::{Action, Ctx, Kind, Plan, Snapshot, Target};

pub const TEMPLATE_HASH: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn scaled(value: Option<&IntOrString>, total: i32, default_percent: i32, round_up: bool) -> i32 {
    match value {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let percent = s
                .trim_end_matches('%')
                .parse::<i32>()
                .unwrap_or(default_percent);
            let product = total * percent;
            if round_up {
                (product + 99) / 100
            } else {
                product / 100
            }
        }
        None => {
            let product = total * default_percent;
            if round_up {
                (product + 99) / 100
            } else {
                product / 100
            }
        }
    }
}

/// The new ReplicaSet of a Deployment whose template hashes to `hash`.
fn new_replicaset(d: &Deployment, hash: &str, replicas: i32, revision: i64) -> ReplicaSet {
    let spec = d.spec.clone();
    let mut template = spec.template.clone();
    let mut meta = template.metadata.take().unwrap_or_default();
    meta.labels
        .get_or_insert_with(BTreeMap::new)
        .insert(TEMPLATE_HASH.into(), hash.into());
    let labels = meta.labels.clone();
    template.metadata = Some(meta);
    let mut selector = spec.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(BTreeMap::new)
        .insert(TEMPLATE_HASH.into(), hash.into());
    let annotations = BTreeMap::from([
        (REVISION.to_string(), revision.to_string()),
        (
            "deployment.kubernetes.io/desired-replicas".to_string(),
            replicas.to_string(),
        ),
    ]);
    ReplicaSet {
        metadata: ObjectMeta {
            name: Some(child_name(
                d.metadata.name.as_deref().unwrap_or_default(),
                hash,
            )),
            namespace: d.metadata.namespace.clone(),
            labels,
            annotations: Some(annotations),
            owner_references: Some(vec![controller_ref("apps/v1", "Deployment", &d.metadata)]),
            ..ObjectMeta::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(replicas),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        },
        status: None,
    }
}

fn scale(plan: &mut Plan, rs: &ReplicaSet, replicas: i32) {
    if rs.spec.replicas != Some(replicas) {
        plan.push(Action::Patch {
            target: Target::of(Kind::ReplicaSet, &rs.metadata),
            patch: serde_json::json!({"spec": {"replicas": replicas}}),
        });
    }
}

fn rs_counts(rs: &ReplicaSet) -> (i32, i32, i32) {
    let s = rs.status.clone().unwrap_or_default();
    (
        s.replicas,
        s.ready_replicas.unwrap_or(0),
        s.available_replicas.unwrap_or(0),
    )
}

fn deployment_condition(
    old: &[DeploymentCondition],
    type_: &str,
    status: bool,
    reason: &str,
    message: String,
    ctx: &Ctx,
) -> DeploymentCondition {
    let status = if status { "True" } else { "False" };
    let previous = old.iter().find(|c| c.type_.as_deref() == Some(type_));
    let unchanged = previous.is_some_and(|c| {
        c.status.as_deref() == Some(status)
            && c.reason.as_deref() == Some(reason)
            && c.message.as_deref() == Some(&message)
    });
    DeploymentCondition {
        type_: Some(type_.into()),
        status: Some(status.into()),
        reason: Some(reason.into()),
        message: Some(message),
        last_update_time: match previous.and_then(|c| c.last_update_time.clone()) {
            Some(time) if unchanged => Some(time),
            _ => Some(ctx.wall.clone()),
        },
        last_transition_time: Some(transition_time(
            previous.map(|c| {
                (
                    c.status.as_deref().unwrap_or_default(),
                    c.last_transition_time.as_ref(),
                )
            }),
            status,
            &ctx.wall,
        )),
    }
}

/// The status of a Deployment from its ReplicaSets (`new` is the one matching its template).
pub fn status(
    d: &Deployment,
    owned: &[&ReplicaSet],
    new: Option<&ReplicaSet>,
    ctx: &Ctx,
) -> DeploymentStatus {
    let desired = d.spec.replicas.unwrap_or(1);
    let (mut replicas, mut ready, mut available) = (0, 0, 0);
    for rs in owned {
        let (r, rd, a) = rs_counts(rs);
        replicas += r;
        ready += rd;
        available += a;
    }
    let updated = new.map_or(0, |rs| rs_counts(rs).0);
    let max_unavailable = d
        .spec
        .strategy
        .as_ref()
        .filter(|s| s.type_.as_deref() != Some("Recreate"))
        .map_or(scaled(None, desired, 25, false), |s| {
            scaled(
                s.rolling_update
                    .as_ref()
                    .and_then(|r| r.max_unavailable.as_ref()),
                desired,
                25,
                false,
            )
        });
    let old = d.status.clone().unwrap_or_default();
    let old_conditions = old.conditions.unwrap_or_default();
    let new_name = new
        .and_then(|rs| rs.metadata.name.clone())
        .unwrap_or_default();
    let complete = updated == desired && replicas == desired && available == desired;
    let minimum = available >= desired - max_unavailable;
    let conditions = vec![
        deployment_condition(
            &old_conditions,
            "Available",
            minimum,
            if minimum {
                "MinimumReplicasAvailable"
            } else {
                "MinimumReplicasUnavailable"
            },
            if minimum {
                "Deployment has minimum availability."
            } else {
                "Deployment does not have minimum availability."
            }
            .into(),
            ctx,
        ),
        deployment_condition(
            &old_conditions,
            "Progressing",
            true,
            if complete {
                "NewReplicaSetAvailable"
            } else {
                "ReplicaSetUpdated"
            },
            if complete {
                format!("ReplicaSet \"{new_name}\" has successfully progressed.")
            } else {
                format!("ReplicaSet \"{new_name}\" is progressing.")
            },
            ctx,
        ),
    ];
    let to_usize = |n: i32| usize::try_from(n).unwrap_or(0);
    DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: nonzero(to_usize(replicas)),
        updated_replicas: nonzero(to_usize(updated)),
        ready_replicas: nonzero(to_usize(ready)),
        available_replicas: nonzero(to_usize(available)),
        unavailable_replicas: nonzero(to_usize(desired - available)),
        conditions: Some(conditions),
        collision_count: old.collision_count,
        ..DeploymentStatus::default()
    }
}

pub fn plan(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    for d in &snapshot.deployments {
        let (Some(uid), spec) = (d.metadata.uid.as_deref(), &d.spec) else {
            continue;
        };
        if terminating(&d.metadata) {
            continue;
        }
        let desired = spec.replicas.unwrap_or(1);
        let hash = template_hash(&spec.template);
        let mut owned: Vec<&ReplicaSet> = snapshot
            .replicasets
            .iter()
            .map(|rs| rs.as_ref())
            .filter(|rs| controller_uid(&rs.metadata) == Some(uid) && !terminating(&rs.metadata))
            .collect();
        owned.sort_by_key(|rs| std::cmp::Reverse(revision(rs)));
        let new = owned.iter().copied().find(|rs| {
            rs.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(TEMPLATE_HASH))
                == Some(&hash)
        });
        let new_uid = new.and_then(|rs| rs.metadata.uid.as_deref());
        let old: Vec<&ReplicaSet> = owned
            .iter()
            .copied()
            .filter(|rs| rs.metadata.uid.as_deref() != new_uid)
            .collect();
        let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
        let old_pods: i32 = old.iter().map(|rs| rs_counts(rs).0).sum();
        let new_target = if recreate && old_pods > 0 { 0 } else { desired };
        match new {
            Some(rs) => scale(&mut plan, rs, new_target),
            None => {
                let next = owned.iter().map(|rs| revision(rs)).max().unwrap_or(0) + 1;
                plan.push(Action::CreateReplicaSet(new_replicaset(
                    d, &hash, new_target, next,
                )));
            }
        }
        // Old ReplicaSets keep pods only while the new one lacks available replicas.
        let new_available = new.map_or(0, |rs| rs_counts(rs).2);
        let mut allowed = if recreate {
            0
        } else {
            (desired - new_available).max(0)
        };
        for rs in &old {
            let current = rs.spec.replicas.unwrap_or(0);
            let keep = current.min(allowed);
            allowed -= keep;
            scale(&mut plan, rs, keep);
        }
        let history = usize::try_from(spec.revision_history_limit.unwrap_or(10)).unwrap_or(0);
        let drained: Vec<&&ReplicaSet> = old
            .iter()
            .filter(|rs| rs.spec.replicas == Some(0) && rs_counts(rs).0 == 0)
            .collect();
        for rs in drained.iter().skip(history) {
            plan.delete(Kind::ReplicaSet, &rs.metadata);
        }
        let desired_status = status(d, &owned, new, ctx);
        plan.patch_status(
            Kind::Deployment,
            &d.metadata,
            status_patch(d.status.as_ref(), &desired_status),
        );
    }
    plan
}
