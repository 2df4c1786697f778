//! Validation of PropagationPolicy and ClusterPropagationPolicy specs, as Karmada's validating
//! webhooks (and the constraints of its CRD schema) do it.

use std::collections::{BTreeMap, BTreeSet};

use super::admission::Scope;
use super::field_path::FieldPath;
use super::selector_validation::validate_cluster_affinity;
use super::syntax::{qualified_name_errors, validate_label_key};
use super::v1alpha1::{
    ApplicationFailoverBehavior, ClusterAffinityTerm, FailoverBehavior, Placement,
    PreemptionBehavior, PriorityClassSource, PropagationSpec, PurgeMode, ResourceSelector,
    SpreadConstraint, SpreadFieldValue, StatePreservation, Suspension, WorkloadAffinity,
};
use crate::names::is_reserved_namespace;
use crate::validation::{FieldError, quoted};

/// Longest name of a cluster affinity term (and of an overflow tier).
const MAX_AFFINITY_NAME_LENGTH: usize = 32;

/// Validates a (defaulted) PropagationPolicy or ClusterPropagationPolicy spec.
pub(crate) fn validate_propagation_spec(
    spec: &PropagationSpec,
    scope: Scope<'_>,
) -> Vec<FieldError> {
    let root = FieldPath::new("spec");
    let mut errors = Vec::new();
    errors.extend(validate_resource_selectors(
        &spec.resource_selectors,
        scope,
        spec.preemption(),
        &root.child("resourceSelectors"),
    ));
    if let Some(placement) = &spec.placement {
        errors.extend(validate_placement(placement, &root.child("placement")));
    }
    if let Some(failover) = &spec.failover {
        if failover.application.is_some() && !spec.propagate_deps() {
            errors.push(FieldError::invalid(
                root.child("propagateDeps"),
                false,
                "application failover is set, propagateDeps must be true",
            ));
        }
        errors.extend(validate_failover(failover, &root.child("failover")));
    }
    if let Some(suspension) = &spec.suspension {
        errors.extend(validate_suspension(suspension, &root.child("suspension")));
    }
    if let Some(priority) = &spec.schedule_priority {
        let path = root.child("schedulePriority");
        if priority.priority_class_source != PriorityClassSource::KubePriorityClass {
            let source =
                serde_json::to_value(priority.priority_class_source).expect("enums serialize");
            errors.push(FieldError::not_supported(
                path.child("priorityClassSource"),
                source,
                &["KubePriorityClass"],
            ));
        }
        if priority.priority_class_name.is_empty() {
            errors.push(FieldError::required(path.child("priorityClassName"), ""));
        }
    }
    errors
}

/// Validates the update of a spec: the scheduler of a policy is fixed at creation.
pub(crate) fn validate_propagation_update(
    spec: &PropagationSpec,
    old: &PropagationSpec,
) -> Vec<FieldError> {
    if spec.scheduler_name() == old.scheduler_name() {
        return Vec::new();
    }
    vec![FieldError::invalid(
        FieldPath::new("spec").child("schedulerName"),
        quoted(spec.scheduler_name()),
        "the schedulerName should not be updated",
    )]
}

fn validate_resource_selectors(
    selectors: &[ResourceSelector],
    scope: Scope<'_>,
    preemption: PreemptionBehavior,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if selectors.is_empty() {
        errors.push(FieldError::required(
            path,
            "at least one resource selector is required; an empty list does not select every resource",
        ));
    }
    for (i, selector) in selectors.iter().enumerate() {
        let at = path.index(i);
        if selector.api_version.is_empty() {
            errors.push(FieldError::required(at.child("apiVersion"), ""));
        }
        if selector.kind.is_empty() {
            errors.push(FieldError::required(at.child("kind"), ""));
        }
        match scope {
            Scope::Namespaced(namespace) => {
                if !namespace.is_empty() && selector.namespace() != namespace {
                    errors.push(FieldError::invalid(
                        at.child("namespace"),
                        quoted(selector.namespace()),
                        "namespace of resource selector must be the same as the namespace of the policy",
                    ));
                }
            }
            Scope::Cluster => {
                if is_reserved_namespace(selector.namespace()) {
                    errors.push(FieldError::forbidden(
                        at.child("namespace"),
                        &format!(
                            "namespace {} is reserved by Karmada and cannot be propagated",
                            quoted(selector.namespace())
                        ),
                    ));
                }
                let selects_namespace =
                    selector.api_version == "v1" && selector.kind == "Namespace";
                if selects_namespace && is_reserved_namespace(selector.name()) {
                    errors.push(FieldError::forbidden(
                        at.child("name"),
                        &format!(
                            "namespace {} is reserved by Karmada and cannot be propagated",
                            quoted(selector.name())
                        ),
                    ));
                }
            }
        }
        if preemption == PreemptionBehavior::Always && selector.name().is_empty() {
            errors.push(FieldError::invalid(
                at.child("name"),
                quoted(""),
                "name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption",
            ));
        }
    }
    errors
}

/// Validates a placement (the bindings carry a copy of it).
pub(crate) fn validate_placement(placement: &Placement, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if placement.cluster_affinity.is_some() && placement.cluster_affinities.is_some() {
        errors.push(FieldError::forbidden(
            path.child("clusterAffinities"),
            "clusterAffinities cannot co-exist with clusterAffinity",
        ));
    }
    if let Some(affinity) = &placement.cluster_affinity {
        errors.extend(validate_cluster_affinity(
            affinity,
            &path.child("clusterAffinity"),
        ));
    }
    if let Some(terms) = &placement.cluster_affinities {
        let overflow_allowed = placement
            .replica_scheduling
            .as_ref()
            .is_some_and(|s| s.allows_overflow());
        errors.extend(validate_affinity_terms(
            terms,
            overflow_allowed,
            &path.child("clusterAffinities"),
        ));
    }
    for (i, toleration) in placement.cluster_tolerations.iter().flatten().enumerate() {
        let operator = toleration.operator.as_deref().unwrap_or_default();
        if !matches!(operator, "" | "Exists" | "Equal") {
            errors.push(FieldError::not_supported(
                path.child("clusterTolerations").index(i).child("operator"),
                quoted(operator),
                &["", "Exists", "Equal"],
            ));
        }
    }
    if let Some(constraints) = &placement.spread_constraints {
        errors.extend(validate_spread_constraints(
            constraints,
            &path.child("spreadConstraints"),
        ));
    }
    let weights = placement
        .replica_scheduling
        .as_ref()
        .and_then(|s| s.weight_preference.as_ref())
        .and_then(|w| w.static_weight_list.as_ref());
    let weights_path = path
        .child("replicaScheduling")
        .child("weightPreference")
        .child("staticWeightList");
    for (i, weight) in weights.into_iter().flatten().enumerate() {
        if weight.weight < 1 {
            errors.push(FieldError::invalid(
                weights_path.index(i).child("weight"),
                weight.weight,
                "must be greater than or equal to 1",
            ));
        }
        errors.extend(validate_cluster_affinity(
            &weight.target_cluster,
            &weights_path.index(i).child("targetCluster"),
        ));
    }
    if let Some(affinity) = &placement.workload_affinity {
        errors.extend(validate_workload_affinity(
            affinity,
            &path.child("workloadAffinity"),
        ));
    }
    errors
}

/// Validates an affinity term's or overflow tier's name: a label key of 1 to 32 characters.
fn validate_affinity_name(name: &str, path: &FieldPath) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    if name.len() > MAX_AFFINITY_NAME_LENGTH {
        return vec![FieldError::too_long(path, MAX_AFFINITY_NAME_LENGTH)];
    }
    qualified_name_errors(name)
        .into_iter()
        .map(|e| FieldError::invalid(path, quoted(name), &e))
        .collect()
}

fn validate_affinity_terms(
    terms: &[ClusterAffinityTerm],
    overflow_allowed: bool,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut names = BTreeSet::new();
    for (i, term) in terms.iter().enumerate() {
        let at = path.index(i);
        errors.extend(validate_affinity_name(
            &term.affinity_name,
            &at.child("affinityName"),
        ));
        if !term.affinity_name.is_empty() && !names.insert(term.affinity_name.as_str()) {
            errors.push(FieldError::duplicate(
                at.child("affinityName"),
                quoted(&term.affinity_name),
            ));
        }
        errors.extend(validate_cluster_affinity(&term.affinity, &at));
        let Some(overflow) = &term.overflow_affinities else {
            continue;
        };
        let overflow_path = at.child("overflowAffinities");
        if !overflow_allowed {
            errors.push(FieldError::forbidden(
                &overflow_path,
                "overflowAffinities can only be used together with dynamic weight or aggregated scheduling",
            ));
        }
        if term.affinity.is_empty() {
            errors.push(FieldError::forbidden(
                &overflow_path,
                "overflowAffinities can only be used together with the inline ClusterAffinity",
            ));
        }
        let mut tier_names = BTreeSet::from([term.affinity_name.as_str()]);
        for (j, tier) in overflow.iter().enumerate() {
            let name_path = overflow_path.index(j).child("affinityName");
            errors.extend(validate_affinity_name(&tier.affinity_name, &name_path));
            if !tier_names.insert(tier.affinity_name.as_str()) {
                errors.push(FieldError::invalid(
                    name_path,
                    quoted(&tier.affinity_name),
                    "overflow affinity name must be unique and must not duplicate the primary group's affinityName",
                ));
            }
            errors.extend(validate_cluster_affinity(
                &tier.affinity,
                &overflow_path.index(j),
            ));
        }
    }
    errors
}

fn validate_spread_constraints(
    constraints: &[SpreadConstraint],
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut fields: BTreeMap<SpreadFieldValue, usize> = BTreeMap::new();
    for (i, constraint) in constraints.iter().enumerate() {
        let at = path.index(i);
        let label = constraint.spread_by_label.as_deref().unwrap_or_default();
        if constraint.spread_by_field.is_some() && !label.is_empty() {
            errors.push(FieldError::forbidden(
                at.child("spreadByLabel"),
                "spreadByLabel should not co-exist with spreadByField",
            ));
        }
        if !label.is_empty() {
            errors.extend(validate_label_key(label, &at.child("spreadByLabel")));
        }
        let min = constraint.min_groups.unwrap_or(0);
        let max = constraint.max_groups.unwrap_or(0);
        if min < 0 {
            errors.push(FieldError::invalid(
                at.child("minGroups"),
                min,
                "minGroups lower than 0 is not allowed",
            ));
        }
        if max < 0 {
            errors.push(FieldError::invalid(
                at.child("maxGroups"),
                max,
                "maxGroups lower than 0 is not allowed",
            ));
        }
        if max > 0 && max < min {
            errors.push(FieldError::invalid(
                at.child("maxGroups"),
                max,
                "maxGroups lower than minGroups is not allowed",
            ));
        }
        if let Some(field) = constraint.spread_by_field {
            let seen = fields.entry(field).or_insert(0);
            *seen += 1;
            if *seen == 2 {
                errors.push(FieldError::duplicate(
                    at.child("spreadByField"),
                    quoted(field.as_str()),
                ));
            }
        }
    }
    if !fields.is_empty() && !fields.contains_key(&SpreadFieldValue::Cluster) {
        errors.push(FieldError::required(
            path,
            "the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled",
        ));
    }
    errors
}

fn validate_workload_affinity(affinity: &WorkloadAffinity, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let affinity_key = affinity
        .affinity
        .as_ref()
        .map(|a| a.group_by_label_key.as_str());
    let anti_key = affinity
        .anti_affinity
        .as_ref()
        .map(|a| a.group_by_label_key.as_str());
    if let Some(key) = affinity_key {
        errors.extend(validate_label_key(
            key,
            &path.child("affinity").child("groupByLabelKey"),
        ));
    }
    if let Some(key) = anti_key {
        let at = path.child("antiAffinity").child("groupByLabelKey");
        errors.extend(validate_label_key(key, &at));
        if affinity_key == Some(key) {
            errors.push(FieldError::invalid(
                at,
                quoted(key),
                "affinity and antiAffinity must not use the same groupByLabelKey",
            ));
        }
    }
    errors
}

fn validate_failover(failover: &FailoverBehavior, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(application) = &failover.application {
        errors.extend(validate_application_failover(
            application,
            &path.child("application"),
        ));
    }
    if let Some(cluster) = &failover.cluster {
        let at = path.child("cluster");
        if cluster.purge_mode == Some(PurgeMode::Never) {
            errors.push(FieldError::not_supported(
                at.child("purgeMode"),
                quoted("Never"),
                &["Directly", "Gracefully"],
            ));
        }
        if let Some(preservation) = &cluster.state_preservation {
            errors.extend(validate_state_preservation(
                preservation,
                &at.child("statePreservation"),
            ));
        }
    }
    errors
}

fn validate_application_failover(
    failover: &ApplicationFailoverBehavior,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(seconds) = failover.decision_conditions.toleration_seconds
        && seconds < 0
    {
        errors.push(FieldError::invalid(
            path.child("decisionConditions").child("tolerationSeconds"),
            seconds,
            "must be greater than or equal to 0",
        ));
    }
    let graceful = failover.purge_mode.unwrap_or(PurgeMode::Gracefully) == PurgeMode::Gracefully;
    let grace_path = path.child("gracePeriodSeconds");
    match failover.grace_period_seconds {
        Some(seconds) if !graceful => errors.push(FieldError::invalid(
            grace_path,
            seconds,
            "only takes effect when purgeMode is gracefully",
        )),
        Some(seconds) if seconds <= 0 => errors.push(FieldError::invalid(
            grace_path,
            seconds,
            "must be greater than 0",
        )),
        None if graceful => errors.push(FieldError::required(
            grace_path,
            "should not be empty when purgeMode is gracefully",
        )),
        _ => {}
    }
    if let Some(preservation) = &failover.state_preservation {
        errors.extend(validate_state_preservation(
            preservation,
            &path.child("statePreservation"),
        ));
    }
    errors
}

fn validate_state_preservation(
    preservation: &StatePreservation,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, rule) in preservation.rules.iter().enumerate() {
        let at = path.child("rules").index(i);
        errors.extend(validate_label_key(
            &rule.alias_label_name,
            &at.child("aliasLabelName"),
        ));
        if rule.json_path.is_empty() {
            errors.push(FieldError::required(at.child("jsonPath"), ""));
        }
    }
    errors
}

fn validate_suspension(suspension: &Suspension, path: &FieldPath) -> Vec<FieldError> {
    let clusters = suspension
        .dispatching_on_clusters
        .as_ref()
        .and_then(|c| c.cluster_names.as_ref())
        .is_some_and(|names| !names.is_empty());
    if suspension.dispatching == Some(true) && clusters {
        return vec![FieldError::forbidden(
            path.child("dispatchingOnClusters"),
            "suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames",
        )];
    }
    Vec::new()
}

#[cfg(test)]
#[path = "propagation_validation_tests.rs"]
mod tests;
