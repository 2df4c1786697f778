//! The simulated Job controller: runs up to `parallelism` pods at a time until `completions` have
//! succeeded (without `completions`, until one has succeeded and none run), then marks the Job
//! `Complete` with a completionTime; a suspended Job runs no pods.
//!
//! Pods are found by owner reference and labelled as kube-apiserver and the Job controller label
//! them (`batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`, and the legacy
//! `controller-uid`, `job-name`), whether or not the Job spells out a selector.
//!
//! Ownership: the pods a Job controls; the Job's status.

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus};
use k8s_openapi::api::core::v1::Pod;

use super::objects::{
    active, child_name, controller_ref, nonzero, phase, pod_from_template, random_suffix, ready,
    status_patch, terminating, transition_time,
};
use super::plan::{Action, Ctx, Kind, Plan, Snapshot};

fn finished(job: &Job) -> bool {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        })
}

fn condition(
    old: &[JobCondition],
    type_: &str,
    reason: &str,
    message: &str,
    ctx: &Ctx,
) -> JobCondition {
    let previous = old.iter().find(|c| c.type_ == type_);
    let time = transition_time(
        previous.map(|c| (c.status.as_str(), c.last_transition_time.as_ref())),
        "True",
        &ctx.wall,
    );
    JobCondition {
        type_: type_.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_probe_time: Some(time.clone()),
        last_transition_time: Some(time),
    }
}

pub fn plan(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    for job in &snapshot.jobs {
        let (Some(uid), Some(spec)) = (job.metadata.uid.as_deref(), job.spec.as_ref()) else {
            continue;
        };
        if terminating(&job.metadata) || finished(job) {
            continue;
        }
        let name = job.metadata.name.as_deref().unwrap_or_default();
        let pods: Vec<&Pod> = snapshot.pods_of(uid).map(|p| p.as_ref()).collect();
        let running: Vec<&Pod> = pods.iter().copied().filter(|p| active(p)).collect();
        let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count();
        let failed = pods.iter().filter(|p| phase(p) == "Failed").count();
        let parallelism = usize::try_from(spec.parallelism.unwrap_or(1)).unwrap_or(0);
        let completions = spec.completions.and_then(|c| usize::try_from(c).ok());
        let suspended = spec.suspend == Some(true);
        let complete = match completions {
            Some(c) => succeeded >= c,
            None => succeeded > 0 && running.is_empty(),
        };
        let wanted = if suspended || complete {
            0
        } else {
            match completions {
                Some(c) => parallelism.min(c - succeeded),
                None if succeeded > 0 => running.len().min(parallelism),
                None => parallelism,
            }
        };
        let template = &spec.template;
        for _ in running.len()..wanted {
            plan.push(Action::CreatePod(pod_from_template(
                template,
                child_name(name, &random_suffix()),
                job.metadata.namespace.clone(),
                controller_ref("batch/v1", "Job", &job.metadata),
                &[
                    ("batch.kubernetes.io/controller-uid", uid.to_string()),
                    ("batch.kubernetes.io/job-name", name.to_string()),
                    ("controller-uid", uid.to_string()),
                    ("job-name", name.to_string()),
                ],
            )));
        }
        if running.len() > wanted {
            for pod in &running[wanted..] {
                plan.delete(Kind::Pod, &pod.metadata);
            }
        }
        let old = job.status.clone().unwrap_or_default();
        let old_conditions = old.conditions.clone().unwrap_or_default();
        let mut conditions = Vec::new();
        if suspended {
            conditions.push(condition(
                &old_conditions,
                "Suspended",
                "JobSuspended",
                "Job suspended",
                ctx,
            ));
        }
        if complete {
            conditions.push(condition(
                &old_conditions,
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
                ctx,
            ));
            conditions.push(condition(
                &old_conditions,
                "Complete",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
                ctx,
            ));
        }
        let start_time = old
            .start_time
            .clone()
            .or_else(|| (!suspended).then(|| ctx.wall.clone()));
        let status = JobStatus {
            start_time,
            completion_time: complete.then(|| {
                old.completion_time
                    .clone()
                    .unwrap_or_else(|| ctx.wall.clone())
            }),
            active: if complete {
                None
            } else {
                nonzero(running.len())
            },
            succeeded: nonzero(succeeded),
            failed: nonzero(failed),
            ready: Some(super::objects::count(
                running.iter().filter(|p| ready(p)).count(),
            )),
            terminating: Some(0),
            conditions: (!conditions.is_empty()).then_some(conditions),
            uncounted_terminated_pods: Some(Default::default()),
            ..JobStatus::default()
        };
        plan.patch_status(
            Kind::Job,
            &job.metadata,
            status_patch(job.status.as_ref(), &status),
        );
    }
    plan
}
