use super::*;
use karmada_api::work::v1alpha1::RawObject;

fn item(cluster: &str, status: Option<Value>) -> AggregatedStatusItem {
    AggregatedStatusItem {
        cluster_name: cluster.to_string(),
        status: status.map(|status| match status {
            Value::Object(map) => RawObject(map),
            other => panic!("test statuses are objects, not {other}"),
        }),
        applied: Some(true),
        ..Default::default()
    }
}

fn template(api_version: &str, kind: &str, spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": "x", "namespace": "ns", "generation": 5},
        "spec": spec, "status": status,
    })
}

fn deployment_report(replicas: i64, observed: i64, generation: i64, from_template: i64) -> Value {
    json!({
        "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": replicas,
        "availableReplicas": replicas, "unavailableReplicas": 0,
        "observedGeneration": observed, "generation": generation,
        "resourceTemplateGeneration": from_template,
    })
}

#[test]
fn deployment_counters_are_summed_into_the_current_status() {
    let deployment = template(
        "apps/v1",
        "Deployment",
        json!({"replicas": 5}),
        json!({"observedGeneration": 4, "conditions": [{"type": "Available"}], "replicas": 1}),
    );
    let items = [
        item("a", Some(deployment_report(2, 3, 3, 5))),
        item("b", Some(deployment_report(3, 1, 1, 6))),
    ];
    assert_eq!(
        aggregate_status(&deployment, &items),
        Some(json!({
            "observedGeneration": 5, "conditions": [{"type": "Available"}],
            "replicas": 5, "updatedReplicas": 5, "readyReplicas": 5, "availableReplicas": 5,
            "unavailableReplicas": 0,
        }))
    );
}

#[test]
fn observed_generation_waits_for_every_cluster_to_catch_up() {
    let deployment = template(
        "apps/v1",
        "Deployment",
        json!({}),
        json!({"observedGeneration": 4}),
    );
    let cases = [
        (
            "all caught up",
            vec![item("a", Some(deployment_report(1, 2, 2, 5)))],
            5,
        ),
        (
            "a member still rolling out its spec",
            vec![
                item("a", Some(deployment_report(1, 2, 2, 5))),
                item("b", Some(deployment_report(1, 1, 2, 5))),
            ],
            4,
        ),
        (
            "a member built from an older template",
            vec![item("a", Some(deployment_report(1, 2, 2, 4)))],
            4,
        ),
        (
            "a member that has not reported",
            vec![
                item("a", Some(deployment_report(1, 2, 2, 5))),
                item("b", None),
            ],
            4,
        ),
    ];
    for (name, items, expected) in cases {
        let status = aggregate_status(&deployment, &items).unwrap();
        assert_eq!(status["observedGeneration"], json!(expected), "{name}");
    }
}

#[test]
fn statefulsets_replicasets_and_daemonsets_sum_their_own_counters() {
    let generations =
        json!({"observedGeneration": 1, "generation": 1, "resourceTemplateGeneration": 5});
    let with = |counters: Value| {
        let mut status = generations.clone();
        status
            .as_object_mut()
            .unwrap()
            .extend(counters.as_object().unwrap().clone());
        status
    };
    let cases = [
        (
            "StatefulSet",
            with(
                json!({"replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1}),
            ),
            json!({"replicas": 2, "readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 2,
                   "availableReplicas": 2, "observedGeneration": 5}),
        ),
        (
            "ReplicaSet",
            with(json!({"replicas": 2, "readyReplicas": 1, "availableReplicas": 1})),
            json!({"replicas": 4, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 5}),
        ),
        (
            "DaemonSet",
            with(
                json!({"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 3,
                        "numberMisscheduled": 1, "numberReady": 3, "updatedNumberScheduled": 2, "numberUnavailable": 0}),
            ),
            json!({"currentNumberScheduled": 6, "desiredNumberScheduled": 6, "numberAvailable": 6,
                   "numberMisscheduled": 2, "numberReady": 6, "updatedNumberScheduled": 4,
                   "numberUnavailable": 0, "observedGeneration": 5}),
        ),
    ];
    for (kind, report, expected) in cases {
        let object = template("apps/v1", kind, json!({}), json!({}));
        let items = [item("a", Some(report.clone())), item("b", Some(report))];
        assert_eq!(aggregate_status(&object, &items), Some(expected), "{kind}");
    }
}

fn job_report(active: i64, succeeded: i64, failed: i64, extra: Value) -> Value {
    let mut status = json!({"active": active, "succeeded": succeeded, "failed": failed});
    status
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    status
}

fn complete(at: &str) -> Value {
    json!({"type": "Complete", "status": "True", "lastProbeTime": at, "lastTransitionTime": at})
}

#[test]
fn a_job_completes_when_every_cluster_completes() {
    let job = template("batch/v1", "Job", json!({}), json!({}));
    let items = [
        item(
            "a",
            Some(job_report(
                0,
                2,
                0,
                json!({
            "conditions": [complete("2024-01-01T00:10:00Z"),
                           {"type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": "2024-01-01T00:09:00Z"}],
            "startTime": "2024-01-01T00:01:00Z", "completionTime": "2024-01-01T00:10:00Z"}),
            )),
        ),
        item(
            "b",
            Some(job_report(
                0,
                3,
                1,
                json!({
            "conditions": [complete("2024-01-01T00:20:00+01:00")],
            "startTime": "2024-01-01T00:00:00+01:00", "completionTime": "2024-01-01T00:20:00+01:00"}),
            )),
        ),
    ];
    assert_eq!(
        aggregate_status(&job, &items),
        Some(json!({
            "active": 0, "succeeded": 5, "failed": 1,
            "conditions": [{"type": "Complete", "status": "True", "reason": "Completed", "message": "Job completed",
                            "lastProbeTime": "2024-01-01T00:10:00Z", "lastTransitionTime": "2024-01-01T00:10:00Z"}],
            "startTime": "2024-01-01T00:00:00+01:00",
            "completionTime": "2024-01-01T00:10:00Z",
        })),
        "b's times are an hour earlier in UTC; SuccessCriteriaMet needs every cluster"
    );
}

#[test]
fn job_conditions_and_times_follow_the_clusters() {
    let job = template("batch/v1", "Job", json!({}), json!({}));
    let running = job_report(1, 0, 0, json!({"startTime": "2024-01-01T00:00:00Z"}));
    let failed = job_report(
        0,
        0,
        2,
        json!({
        "conditions": [{"type": "Failed", "status": "True", "lastTransitionTime": "2024-01-01T00:03:00Z"}],
        "startTime": "2024-01-01T00:02:00Z"}),
    );
    let done = job_report(
        0,
        1,
        0,
        json!({
        "conditions": [complete("2024-01-01T00:04:00Z"),
                       {"type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": "2024-01-01T00:04:00Z"}],
        "startTime": "2024-01-01T00:01:00Z", "completionTime": "2024-01-01T00:04:00Z"}),
    );
    let not_started = job_report(0, 0, 0, json!({}));

    let status = aggregate_status(
        &job,
        &[
            item("a", Some(running.clone())),
            item("b", Some(failed.clone())),
        ],
    )
    .unwrap();
    assert_eq!(
        status["conditions"],
        json!([{"type": "Failed", "status": "True", "reason": "JobFailed",
                "message": "Job executed failed in member clusters b",
                "lastTransitionTime": "2024-01-01T00:03:00Z"}]),
        "any failed cluster fails the job"
    );
    assert_eq!(
        status["startTime"],
        json!("2024-01-01T00:00:00Z"),
        "earliest start once all started"
    );
    assert_eq!(status.get("completionTime"), None);

    let status = aggregate_status(
        &job,
        &[item("a", Some(done.clone())), item("b", Some(not_started))],
    )
    .unwrap();
    assert_eq!(
        status.get("conditions"),
        None,
        "one cluster done is not the job done"
    );
    assert_eq!(
        status.get("startTime"),
        None,
        "no start time until every cluster started"
    );
    assert_eq!(status.get("completionTime"), None);

    let status = aggregate_status(&job, &[item("a", Some(done.clone())), item("b", None)]).unwrap();
    assert_eq!(
        status.get("conditions"),
        None,
        "an unreported cluster is not complete"
    );

    let status = aggregate_status(&job, &[item("a", Some(done.clone()))]).unwrap();
    let types: Vec<&str> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Complete", "SuccessCriteriaMet"]);

    let started = template(
        "batch/v1",
        "Job",
        json!({}),
        json!({"startTime": "2023-12-31T00:00:00Z"}),
    );
    let status = aggregate_status(&started, &[item("a", Some(done))]).unwrap();
    assert_eq!(
        status["startTime"],
        json!("2023-12-31T00:00:00Z"),
        "a start time once set is kept"
    );

    let finished = template(
        "batch/v1",
        "Job",
        json!({}),
        json!({"conditions": [{"type": "Failed", "status": "True"}]}),
    );
    assert_eq!(
        aggregate_status(&finished, &[item("a", Some(running))]),
        None,
        "finished jobs never change"
    );
    assert_eq!(
        aggregate_status(&job, &[]).unwrap(),
        json!({"active": 0, "succeeded": 0, "failed": 0})
    );
}

#[test]
fn cronjobs_concatenate_active_jobs_and_keep_the_latest_times() {
    let cron = template(
        "batch/v1",
        "CronJob",
        json!({}),
        json!({"active": [{"name": "old"}], "other": 1}),
    );
    let items = [
        item(
            "a",
            Some(
                json!({"active": [{"name": "j1"}], "lastScheduleTime": "2024-01-01T01:00:00Z",
                             "lastSuccessfulTime": "2024-01-01T00:00:00Z"}),
            ),
        ),
        item(
            "b",
            Some(json!({"active": [{"name": "j2"}], "lastScheduleTime": "2024-01-01T00:30:00Z"})),
        ),
        item("c", None),
    ];
    assert_eq!(
        aggregate_status(&cron, &items),
        Some(
            json!({"active": [{"name": "j1"}, {"name": "j2"}], "other": 1,
                    "lastScheduleTime": "2024-01-01T01:00:00Z", "lastSuccessfulTime": "2024-01-01T00:00:00Z"})
        )
    );
    assert_eq!(aggregate_status(&cron, &[]), Some(json!({"other": 1})));
}

#[test]
fn load_balancer_ingress_points_of_every_cluster_are_merged() {
    let lb = template("v1", "Service", json!({"type": "LoadBalancer"}), json!({}));
    let items = [
        item(
            "a",
            Some(json!({"loadBalancer": {"ingress": [{"ip": "10.0.0.2"}]}})),
        ),
        item(
            "b",
            Some(json!({"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]}})),
        ),
        item("c", None),
    ];
    let merged = json!({"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]}});
    assert_eq!(aggregate_status(&lb, &items), Some(merged.clone()));
    assert_eq!(
        aggregate_status(&lb, &items[2..]),
        Some(json!({"loadBalancer": {}}))
    );
    let cluster_ip = template("v1", "Service", json!({"type": "ClusterIP"}), json!({}));
    assert_eq!(
        aggregate_status(&cluster_ip, &items),
        None,
        "only load balancers aggregate"
    );
    let ingress = template("networking.k8s.io/v1", "Ingress", json!({}), json!({}));
    assert_eq!(aggregate_status(&ingress, &items), Some(merged));
}

#[test]
fn budgets_and_autoscalers_sum_their_counters() {
    let pdb = template(
        "policy/v1",
        "PodDisruptionBudget",
        json!({}),
        json!({"observedGeneration": 3}),
    );
    let items = [
        item(
            "a",
            Some(
                json!({"disruptionsAllowed": 1, "expectedPods": 2, "desiredHealthy": 1, "currentHealthy": 2,
                             "disruptedPods": {"p1": "2024-01-01T00:00:00Z"}}),
            ),
        ),
        item(
            "b",
            Some(
                json!({"disruptionsAllowed": 0, "expectedPods": 1, "desiredHealthy": 1, "currentHealthy": 1}),
            ),
        ),
    ];
    assert_eq!(
        aggregate_status(&pdb, &items),
        Some(
            json!({"disruptionsAllowed": 1, "expectedPods": 3, "desiredHealthy": 2, "currentHealthy": 3,
                    "disruptedPods": {"a/p1": "2024-01-01T00:00:00Z"}})
        )
    );
    let hpa = template(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        json!({}),
        json!({}),
    );
    let items = [
        item(
            "a",
            Some(json!({"currentReplicas": 2, "desiredReplicas": 3})),
        ),
        item(
            "b",
            Some(json!({"currentReplicas": 1, "desiredReplicas": 1})),
        ),
    ];
    assert_eq!(
        aggregate_status(&hpa, &items),
        Some(json!({"currentReplicas": 3, "desiredReplicas": 4}))
    );
}

#[test]
fn a_pod_takes_the_worst_phase_and_every_container_status() {
    let pod = template("v1", "Pod", json!({}), json!({}));
    let running = json!({"phase": "Running", "podIP": "10.0.0.1",
        "containerStatuses": [{"name": "app", "ready": true, "restartCount": 2, "image": "nginx", "imageID": "sha",
                               "state": {"running": {}}, "containerID": "containerd://1"}],
        "initContainerStatuses": [{"name": "init", "ready": false, "state": {"terminated": {"exitCode": 0}}}]});
    let phase =
        |items: &[AggregatedStatusItem]| aggregate_status(&pod, items).map(|s| s["phase"].clone());
    let cases = [
        (
            "failed beats everything",
            vec![
                item("a", Some(running.clone())),
                item("b", Some(json!({"phase": "Failed"}))),
            ],
            json!("Failed"),
        ),
        (
            "pending beats running",
            vec![
                item("a", Some(running.clone())),
                item("b", Some(json!({"phase": "Pending"}))),
            ],
            json!("Pending"),
        ),
        (
            "unreported counts as pending",
            vec![item("a", Some(running.clone())), item("b", None)],
            json!("Pending"),
        ),
        (
            "running beats succeeded",
            vec![
                item("a", Some(running.clone())),
                item("b", Some(json!({"phase": "Succeeded"}))),
            ],
            json!("Running"),
        ),
        (
            "succeeded everywhere",
            vec![item("a", Some(json!({"phase": "Succeeded"})))],
            json!("Succeeded"),
        ),
        (
            "unknown phases only",
            vec![item("a", Some(json!({"phase": "Unknown"})))],
            Value::Null,
        ),
    ];
    for (name, items, expected) in cases {
        assert_eq!(phase(&items), Some(expected), "{name}");
    }
    assert_eq!(
        aggregate_status(&pod, &[item("a", Some(running))]),
        Some(json!({
            "phase": "Running",
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 2, "image": "nginx",
                                   "imageID": "sha", "state": {"running": {}}}],
            "initContainerStatuses": [{"name": "init", "ready": false, "restartCount": 0, "image": "",
                                       "imageID": "", "state": {"terminated": {"exitCode": 0}}}],
        }))
    );
    assert_eq!(
        aggregate_status(&pod, &[]),
        None,
        "nothing to aggregate yet"
    );
}

#[test]
fn volumes_and_claims_take_the_phase_that_matters_most() {
    let pv = template("v1", "PersistentVolume", json!({}), json!({}));
    let pvc = template("v1", "PersistentVolumeClaim", json!({}), json!({}));
    let phased = |phase: &str| Some(json!({"phase": phase}));
    let volume_cases = [
        (
            vec![item("a", phased("Bound")), item("b", phased("Failed"))],
            json!({"phase": "Failed"}),
        ),
        (
            vec![item("a", phased("Bound")), item("b", None)],
            json!({"phase": "Pending"}),
        ),
        (
            vec![item("a", phased("Bound")), item("b", phased("Available"))],
            json!({"phase": "Available"}),
        ),
        (
            vec![item("a", phased("Released")), item("b", phased("Bound"))],
            json!({"phase": "Bound"}),
        ),
        (
            vec![item("a", phased("Released"))],
            json!({"phase": "Released"}),
        ),
    ];
    for (items, expected) in volume_cases {
        assert_eq!(
            aggregate_status(&pv, &items),
            Some(expected.clone()),
            "pv {expected}"
        );
    }
    assert_eq!(aggregate_status(&pv, &[]), None);
    let claim_cases = [
        (
            vec![item("a", phased("Bound")), item("b", phased("Bound"))],
            json!({"phase": "Bound"}),
        ),
        (
            vec![item("a", phased("Pending")), item("b", phased("Bound"))],
            json!({"phase": "Pending"}),
        ),
        (
            vec![item("a", phased("Lost")), item("b", phased("Pending"))],
            json!({"phase": "Lost"}),
        ),
        (
            vec![item("a", phased("Pending")), item("b", phased("Lost"))],
            json!({"phase": "Lost"}),
        ),
        (
            vec![item("a", phased("Bound")), item("b", None)],
            json!({"phase": "Bound"}),
        ),
    ];
    for (items, expected) in claim_cases {
        assert_eq!(
            aggregate_status(&pvc, &items),
            Some(expected.clone()),
            "pvc {expected}"
        );
    }
    assert_eq!(
        aggregate_status(&pvc, &[item("a", None)]),
        None,
        "no claim has reported"
    );
}

#[test]
fn kinds_without_aggregation_and_malformed_reports_leave_the_template_alone() {
    let items = [item("a", Some(json!({"replicas": 1})))];
    let untouched = [
        template("v1", "ConfigMap", json!({}), json!({})),
        template("v1", "Secret", json!({}), json!({})),
        template("example.io/v1", "Widget", json!({}), json!({})),
    ];
    for object in untouched {
        assert_eq!(
            aggregate_status(&object, &items),
            None,
            "{}",
            object["kind"]
        );
    }
    let deployment = template("apps/v1", "Deployment", json!({}), json!({}));
    let malformed = [item("a", Some(json!({"replicas": "one"})))];
    assert_eq!(aggregate_status(&deployment, &malformed), None);
    let bad_template = template("apps/v1", "Deployment", json!({}), json!("ready"));
    assert_eq!(aggregate_status(&bad_template, &items), None);
}
