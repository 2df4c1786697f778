use super::*;

fn member(api_version: &str, kind: &str, spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {
            "name": "x",
            "generation": 4,
            "annotations": {RESOURCE_TEMPLATE_GENERATION_ANNOTATION: "7"}
        },
        "spec": spec,
        "status": status,
    })
}

#[test]
fn workloads_reflect_their_counters_and_generations() {
    let cases = [
        (
            "Deployment",
            json!({"replicas": 3, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 1,
                   "unavailableReplicas": 2, "observedGeneration": 4, "conditions": [{"type": "Available"}],
                   "collisionCount": 1}),
            json!({"replicas": 3, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 1,
                   "unavailableReplicas": 2, "observedGeneration": 4, "generation": 4,
                   "resourceTemplateGeneration": 7}),
        ),
        (
            "StatefulSet",
            json!({"replicas": 2, "readyReplicas": 2, "currentReplicas": 1, "updatedReplicas": 2,
                   "availableReplicas": 2, "observedGeneration": 3, "currentRevision": "r1"}),
            json!({"replicas": 2, "readyReplicas": 2, "currentReplicas": 1, "updatedReplicas": 2,
                   "availableReplicas": 2, "observedGeneration": 3, "generation": 4,
                   "resourceTemplateGeneration": 7}),
        ),
        (
            "ReplicaSet",
            json!({"replicas": 2, "fullyLabeledReplicas": 2}),
            json!({"replicas": 2, "readyReplicas": 0, "availableReplicas": 0, "observedGeneration": 0,
                   "generation": 4, "resourceTemplateGeneration": 7}),
        ),
        (
            "DaemonSet",
            json!({"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 2,
                   "numberMisscheduled": 0, "numberReady": 2, "updatedNumberScheduled": 3,
                   "numberUnavailable": 1, "observedGeneration": 4}),
            json!({"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 2,
                   "numberMisscheduled": 0, "numberReady": 2, "updatedNumberScheduled": 3,
                   "numberUnavailable": 1, "observedGeneration": 4, "generation": 4,
                   "resourceTemplateGeneration": 7}),
        ),
    ];
    for (kind, status, expected) in cases {
        let object = member("apps/v1", kind, json!({}), status);
        assert_eq!(reflect_status(&object), Some(expected), "{kind}");
    }
}

#[test]
fn a_missing_or_unparseable_template_generation_reflects_as_zero() {
    for annotations in [
        json!({}),
        json!({RESOURCE_TEMPLATE_GENERATION_ANNOTATION: "seven"}),
    ] {
        let mut object = member("apps/v1", "Deployment", json!({}), json!({"replicas": 1}));
        object["metadata"]["annotations"] = annotations;
        let reflected = reflect_status(&object).unwrap();
        assert_eq!(reflected["resourceTemplateGeneration"], json!(0));
    }
}

#[test]
fn jobs_budgets_and_autoscalers_reflect_their_own_fields() {
    let job_status = json!({
        "active": 1, "succeeded": 2, "failed": 0, "ready": 1, "uncountedTerminatedPods": {},
        "conditions": [{"type": "Complete", "status": "True"}],
        "startTime": "2024-01-01T00:00:00Z", "completionTime": "2024-01-01T00:05:00Z"
    });
    let cases = [
        (
            member("batch/v1", "Job", json!({}), job_status),
            json!({"active": 1, "succeeded": 2, "failed": 0,
                   "conditions": [{"type": "Complete", "status": "True"}],
                   "startTime": "2024-01-01T00:00:00Z", "completionTime": "2024-01-01T00:05:00Z"}),
        ),
        (
            member("batch/v1", "Job", json!({}), json!({"active": 1})),
            json!({"active": 1, "succeeded": 0, "failed": 0}),
        ),
        (
            member(
                "policy/v1",
                "PodDisruptionBudget",
                json!({}),
                json!({"disruptionsAllowed": 1, "expectedPods": 3, "desiredHealthy": 2, "currentHealthy": 3,
                       "observedGeneration": 1, "disruptedPods": {"p": "2024-01-01T00:00:00Z"}}),
            ),
            json!({"disruptionsAllowed": 1, "expectedPods": 3, "desiredHealthy": 2, "currentHealthy": 3,
                   "disruptedPods": {"p": "2024-01-01T00:00:00Z"}}),
        ),
        (
            member(
                "autoscaling/v2",
                "HorizontalPodAutoscaler",
                json!({}),
                json!({"currentReplicas": 2, "desiredReplicas": 4, "conditions": []}),
            ),
            json!({"currentReplicas": 2, "desiredReplicas": 4}),
        ),
    ];
    for (object, expected) in cases {
        assert_eq!(
            reflect_status(&object),
            Some(expected),
            "{}",
            object["kind"]
        );
    }
}

#[test]
fn only_load_balancer_services_reflect_a_status() {
    let lb_status = json!({"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}, "conditions": []});
    let cases = [
        (
            json!({"type": "LoadBalancer"}),
            lb_status.clone(),
            Some(json!({"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}})),
        ),
        (
            json!({"type": "LoadBalancer"}),
            json!({}),
            Some(json!({"loadBalancer": {}})),
        ),
        (json!({"type": "ClusterIP"}), lb_status.clone(), None),
        (json!({}), lb_status, None),
    ];
    for (spec, status, expected) in cases {
        let object = member("v1", "Service", spec.clone(), status);
        assert_eq!(reflect_status(&object), expected, "{spec}");
    }
}

#[test]
fn other_kinds_reflect_their_whole_status() {
    let cases = [
        (
            "networking.k8s.io/v1",
            "Ingress",
            json!({"loadBalancer": {"ingress": [{"hostname": "h"}]}}),
        ),
        (
            "v1",
            "Pod",
            json!({"phase": "Running", "podIP": "10.0.0.1"}),
        ),
        (
            "v1",
            "PersistentVolumeClaim",
            json!({"phase": "Bound", "capacity": {"storage": "1Gi"}}),
        ),
        ("example.io/v1", "Widget", json!({"anything": ["goes"]})),
        (
            "batch/v1",
            "CronJob",
            json!({"lastScheduleTime": "2024-01-01T00:00:00Z"}),
        ),
    ];
    for (api_version, kind, status) in cases {
        let object = member(api_version, kind, json!({}), status.clone());
        assert_eq!(reflect_status(&object), Some(status), "{kind}");
    }
}

#[test]
fn nothing_is_reflected_without_a_status_or_from_a_malformed_one() {
    let mut without = member("apps/v1", "Deployment", json!({}), json!(null));
    assert_eq!(reflect_status(&without), None, "null status");
    without.as_object_mut().unwrap().remove("status");
    assert_eq!(reflect_status(&without), None, "absent status");
    let custom = json!({"apiVersion": "example.io/v1", "kind": "Widget"});
    assert_eq!(reflect_status(&custom), None, "custom kind without status");
    let cases = [
        member("apps/v1", "Deployment", json!({}), json!({"replicas": "3"})),
        member("apps/v1", "Deployment", json!({}), json!("Running")),
        member("batch/v1", "Job", json!({}), json!({"failed": true})),
        member(
            "v1",
            "Service",
            json!({"type": "LoadBalancer"}),
            json!({"loadBalancer": []}),
        ),
    ];
    for object in cases {
        assert_eq!(reflect_status(&object), None, "{}", object["status"]);
    }
}
