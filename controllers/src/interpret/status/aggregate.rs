//! The template's status from the statuses its member copies reported (AggregateStatus).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use karmada_api::work::v1alpha2::AggregatedStatusItem;
use serde_json::{Map, Value, json};

use super::super::NativeKind;
use super::super::fields::{Malformed, array, int_or, lookup, object, string};
use super::load_balancer::{LoadBalancerKind, merge_ingress_points};
use super::{
    AUTOSCALER_COUNTERS, BUDGET_COUNTERS, DAEMON_SET_COUNTERS, DEPLOYMENT_COUNTERS, GENERATION,
    JOB_COUNTERS, REPLICA_SET_COUNTERS, STATEFUL_SET_COUNTERS, TEMPLATE_GENERATION,
};

/// The template's new `.status`, from each cluster's status as [`reflect_status`] reported it.
/// `None` when the kind keeps no aggregated status (also a Service that is not a LoadBalancer),
/// when no cluster is there to aggregate (Pod, PersistentVolume) or has reported
/// (PersistentVolumeClaim), when a reported status or the template's status is malformed, or
/// when the template is a finished Job: the template's status is then left as it is.
///
/// - Deployment, StatefulSet, ReplicaSet, DaemonSet: the counters are summed into the template's
///   current status (its other fields, such as conditions, stay). `observedGeneration` becomes the
///   template's generation once every cluster has reported a status for the latest member spec
///   (`observedGeneration ≥ generation`) built from the latest template
///   (`resourceTemplateGeneration ≥` the template's generation); until then it keeps its value.
/// - Job: active/succeeded/failed summed; condition `Failed` when any cluster failed, `Complete`
///   (and `SuccessCriteriaMet` when every cluster met it) when every cluster completed; the
///   earliest start time once all started (kept once set), the latest completion time once all
///   completed. A finished template Job is never updated again. Condition times are the latest
///   of the member conditions they summarize, so the result depends only on the inputs.
/// - CronJob: active jobs concatenated, the latest schedule and success times.
/// - Service (LoadBalancer only) and Ingress: the ingress points of every cluster, deduplicated
///   (ports merged) and sorted.
/// - PodDisruptionBudget: counters summed; disrupted pods keyed `<cluster>/<pod>`.
/// - HorizontalPodAutoscaler: current and desired replicas summed.
/// - Pod: the worst phase (Failed, Pending — also for a cluster that has not reported —, Running,
///   Succeeded) and every container's status.
/// - PersistentVolume: the first phase of Failed, Pending (also unreported), Available, Bound,
///   Released. PersistentVolumeClaim: Lost if any cluster lost it, else the last phase that is not
///   Bound, else Bound.
///
/// [`reflect_status`]: super::reflect_status
pub fn aggregate_status(template: &Value, items: &[AggregatedStatusItem]) -> Option<Value> {
    let reported: Vec<Reported> = items
        .iter()
        .map(|item| Reported {
            cluster: &item.cluster_name,
            status: item.status.as_ref().map(|raw| Value::Object(raw.0.clone())),
        })
        .collect();
    let aggregated = match NativeKind::of(template)? {
        NativeKind::Deployment => workload(template, &reported, DEPLOYMENT_COUNTERS),
        NativeKind::StatefulSet => workload(template, &reported, STATEFUL_SET_COUNTERS),
        NativeKind::ReplicaSet => workload(template, &reported, REPLICA_SET_COUNTERS),
        NativeKind::DaemonSet => workload(template, &reported, DAEMON_SET_COUNTERS),
        NativeKind::Job => job(template, &reported),
        NativeKind::CronJob => cron_job(template, &reported),
        NativeKind::Service => service(template, &reported),
        NativeKind::Ingress => load_balanced(&reported, LoadBalancerKind::Ingress).map(Some),
        NativeKind::PodDisruptionBudget => budget(&reported).map(Some),
        NativeKind::HorizontalPodAutoscaler => {
            sums(&reported, AUTOSCALER_COUNTERS).map(|sums| Some(Value::Object(sums)))
        }
        NativeKind::Pod => pod(&reported),
        NativeKind::PersistentVolume => volume(&reported),
        NativeKind::PersistentVolumeClaim => claim(&reported),
        NativeKind::ServiceAccount | NativeKind::Secret => Ok(None),
    };
    aggregated.unwrap_or_else(|malformed| {
        tracing::debug!(%malformed, "not aggregating a malformed member status");
        None
    })
}

/// One cluster's reported status; `None` when it has not reported one yet.
struct Reported<'a> {
    cluster: &'a str,
    status: Option<Value>,
}

/// The statuses that were reported, with their cluster.
fn reported_statuses<'a>(
    reported: &'a [Reported<'a>],
) -> impl Iterator<Item = (&'a str, &'a Value)> {
    reported
        .iter()
        .filter_map(|r| r.status.as_ref().map(|status| (r.cluster, status)))
}

/// The template's current status as a map (empty when absent).
fn current_status(template: &Value) -> Result<Map<String, Value>, Malformed> {
    Ok(object(template, &["status"])?.cloned().unwrap_or_default())
}

/// The per-counter sums over every reported status (absent counters count 0).
fn sums(reported: &[Reported], counters: &[&str]) -> Result<Map<String, Value>, Malformed> {
    let mut totals = vec![0i64; counters.len()];
    for (_, status) in reported_statuses(reported) {
        for (total, counter) in totals.iter_mut().zip(counters) {
            *total = total.saturating_add(int_or(status, &[counter], 0)?);
        }
    }
    Ok(counters
        .iter()
        .zip(totals)
        .map(|(counter, total)| (counter.to_string(), json!(total)))
        .collect())
}

fn workload(
    template: &Value,
    reported: &[Reported],
    counters: &[&str],
) -> Result<Option<Value>, Malformed> {
    let template_generation = int_or(template, &["metadata", "generation"], 0)?;
    let mut status = current_status(template)?;
    status.extend(sums(reported, counters)?);
    let mut caught_up = 0;
    for (_, member) in reported_statuses(reported) {
        let observed = int_or(member, &["observedGeneration"], 0)?;
        let generation = int_or(member, &[GENERATION], 0)?;
        let from_template = int_or(member, &[TEMPLATE_GENERATION], 0)?;
        if observed >= generation && from_template >= template_generation {
            caught_up += 1;
        }
    }
    // Clusters that have not reported count as not caught up.
    if caught_up == reported.len() {
        status.insert("observedGeneration".into(), json!(template_generation));
    }
    Ok(Some(Value::Object(status)))
}

/// The type of the condition marking a Job finished (`Complete` or `Failed` with status True).
fn finished(job_status: &Value) -> Result<Option<&str>, Malformed> {
    for condition in array(job_status, &["conditions"])? {
        let kind = string(condition, &["type"])?;
        if matches!(kind, Some("Complete" | "Failed"))
            && string(condition, &["status"])? == Some("True")
        {
            return Ok(kind);
        }
    }
    Ok(None)
}

/// The member conditions of type `kind` with status True.
fn true_conditions<'a>(status: &'a Value, kind: &str) -> Result<Vec<&'a Value>, Malformed> {
    let mut found = Vec::new();
    for condition in array(status, &["conditions"])? {
        if string(condition, &["type"])? == Some(kind)
            && string(condition, &["status"])? == Some("True")
        {
            found.push(condition);
        }
    }
    Ok(found)
}

fn job(template: &Value, reported: &[Reported]) -> Result<Option<Value>, Malformed> {
    let current = lookup(template, &["status"]).cloned().unwrap_or(json!({}));
    if finished(&current)?.is_some() {
        return Ok(None);
    }
    let mut status = sums(reported, JOB_COUNTERS)?;
    let mut failed_clusters = Vec::new();
    let mut failed_conditions = Vec::new();
    let mut complete_conditions = Vec::new();
    let mut criteria_conditions = Vec::new();
    let (mut completed, mut criteria_met, mut started, mut ended) = (0, 0, 0, 0);
    let mut start_time: Option<&str> = None;
    let mut completion_time: Option<&str> = None;
    for (cluster, member) in reported_statuses(reported) {
        match finished(member)? {
            Some("Complete") => {
                completed += 1;
                complete_conditions.extend(true_conditions(member, "Complete")?);
            }
            Some(_) => {
                failed_clusters.push(cluster);
                failed_conditions.extend(true_conditions(member, "Failed")?);
            }
            None => {}
        }
        let criteria = true_conditions(member, "SuccessCriteriaMet")?;
        if !criteria.is_empty() {
            criteria_met += 1;
            criteria_conditions.extend(criteria);
        }
        if let Some(time) = string(member, &["startTime"])? {
            started += 1;
            if start_time.is_none_or(|earliest| compare_times(time, earliest) == Ordering::Less) {
                start_time = Some(time);
            }
        }
        if let Some(time) = string(member, &["completionTime"])? {
            ended += 1;
            if completion_time.is_none_or(|latest| compare_times(time, latest) == Ordering::Greater)
            {
                completion_time = Some(time);
            }
        }
    }
    let everyone = reported.len();
    let mut conditions = Vec::new();
    if !failed_clusters.is_empty() {
        let message = format!(
            "Job executed failed in member clusters {}",
            failed_clusters.join(",")
        );
        conditions.push(job_condition(
            "Failed",
            "JobFailed",
            &message,
            &failed_conditions,
        ));
    }
    if everyone > 0 && completed == everyone {
        conditions.push(job_condition(
            "Complete",
            "Completed",
            "Job completed",
            &complete_conditions,
        ));
        if criteria_met == everyone {
            conditions.push(job_condition(
                "SuccessCriteriaMet",
                "CompletionsReached",
                "All member clusters have met success criteria",
                &criteria_conditions,
            ));
        }
    }
    if !conditions.is_empty() {
        status.insert("conditions".into(), Value::Array(conditions));
    }
    let kept_start = lookup(&current, &["startTime"]).cloned();
    let start = kept_start.or_else(|| {
        (everyone > 0 && started == everyone)
            .then(|| start_time.map(|t| json!(t)))
            .flatten()
    });
    if let Some(start) = start {
        status.insert("startTime".into(), start);
    }
    if everyone > 0
        && ended == everyone
        && let Some(time) = completion_time
    {
        status.insert("completionTime".into(), json!(time));
    }
    Ok(Some(Value::Object(status)))
}

/// A True Job condition summarizing `members`, timed at their latest probe and transition.
fn job_condition(kind: &str, reason: &str, message: &str, members: &[&Value]) -> Value {
    let mut condition =
        json!({"type": kind, "status": "True", "reason": reason, "message": message});
    for field in ["lastProbeTime", "lastTransitionTime"] {
        let latest = members
            .iter()
            .filter_map(|member| member.get(field)?.as_str())
            .max_by(|a, b| compare_times(a, b));
        if let (Some(time), Some(map)) = (latest, condition.as_object_mut()) {
            map.insert(field.into(), json!(time));
        }
    }
    condition
}

/// Orders RFC 3339 times by the instant they name (falling back to text for unparseable ones).
fn compare_times(a: &str, b: &str) -> Ordering {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

fn cron_job(template: &Value, reported: &[Reported]) -> Result<Option<Value>, Malformed> {
    let mut status = current_status(template)?;
    let mut active = Vec::new();
    let mut latest = [None::<&str>, None::<&str>];
    let fields = ["lastScheduleTime", "lastSuccessfulTime"];
    for (_, member) in reported_statuses(reported) {
        active.extend(array(member, &["active"])?.iter().cloned());
        for (latest, field) in latest.iter_mut().zip(fields) {
            if let Some(time) = string(member, &[field])?
                && latest.is_none_or(|l| compare_times(time, l) == Ordering::Greater)
            {
                *latest = Some(time);
            }
        }
    }
    if active.is_empty() {
        status.remove("active");
    } else {
        status.insert("active".into(), Value::Array(active));
    }
    for (latest, field) in latest.into_iter().zip(fields) {
        match latest {
            Some(time) => status.insert(field.into(), json!(time)),
            None => status.remove(field),
        };
    }
    Ok(Some(Value::Object(status)))
}

fn service(template: &Value, reported: &[Reported]) -> Result<Option<Value>, Malformed> {
    if string(template, &["spec", "type"])? != Some("LoadBalancer") {
        return Ok(None);
    }
    load_balanced(reported, LoadBalancerKind::Service).map(Some)
}

fn load_balanced(reported: &[Reported], kind: LoadBalancerKind) -> Result<Value, Malformed> {
    let mut points = Vec::new();
    for (_, member) in reported_statuses(reported) {
        points.extend(array(member, &["loadBalancer", "ingress"])?.iter());
    }
    let merged = merge_ingress_points(&points, kind)?;
    Ok(if merged.is_empty() {
        json!({"loadBalancer": {}})
    } else {
        json!({"loadBalancer": {"ingress": merged}})
    })
}

fn budget(reported: &[Reported]) -> Result<Value, Malformed> {
    let mut status = sums(reported, BUDGET_COUNTERS)?;
    let mut disrupted = Map::new();
    for (cluster, member) in reported_statuses(reported) {
        if let Some(pods) = object(member, &["disruptedPods"])? {
            for (pod, time) in pods {
                disrupted.insert(format!("{cluster}/{pod}"), time.clone());
            }
        }
    }
    if !disrupted.is_empty() {
        status.insert("disruptedPods".into(), Value::Object(disrupted));
    }
    Ok(Value::Object(status))
}

/// The first of `precedence` among `phases`.
fn first_phase<'a>(precedence: &[&'a str], phases: &BTreeSet<String>) -> Option<&'a str> {
    precedence
        .iter()
        .copied()
        .find(|phase| phases.contains(*phase))
}

fn pod(reported: &[Reported]) -> Result<Option<Value>, Malformed> {
    if reported.is_empty() {
        return Ok(None);
    }
    let mut phases = BTreeSet::new();
    let mut containers = Vec::new();
    let mut init_containers = Vec::new();
    for report in reported {
        let Some(member) = &report.status else {
            // Not reported yet: assume it is still pending rather than let others decide.
            phases.insert("Pending".to_string());
            continue;
        };
        if let Some(phase) = string(member, &["phase"])? {
            phases.insert(phase.to_string());
        }
        for (field, into) in [
            ("containerStatuses", &mut containers),
            ("initContainerStatuses", &mut init_containers),
        ] {
            for container in array(member, &[field])? {
                into.push(container_summary(container));
            }
        }
    }
    let mut status = Map::new();
    let precedence = ["Failed", "Pending", "Running", "Succeeded"];
    if let Some(phase) = first_phase(&precedence, &phases) {
        status.insert("phase".into(), json!(phase));
    }
    status.insert("containerStatuses".into(), Value::Array(containers));
    if !init_containers.is_empty() {
        status.insert(
            "initContainerStatuses".into(),
            Value::Array(init_containers),
        );
    }
    Ok(Some(Value::Object(status)))
}

/// What the template keeps of a member container status: its name, readiness and state (plus
/// the fields the Pod status schema requires).
fn container_summary(container: &Value) -> Value {
    let mut summary = Map::new();
    for (field, default) in [
        ("name", json!("")),
        ("ready", json!(false)),
        ("restartCount", json!(0)),
        ("image", json!("")),
        ("imageID", json!("")),
        ("state", Value::Null),
    ] {
        match container.get(field).cloned().unwrap_or(default) {
            Value::Null => {}
            value => {
                summary.insert(field.into(), value);
            }
        }
    }
    Value::Object(summary)
}

fn volume(reported: &[Reported]) -> Result<Option<Value>, Malformed> {
    if reported.is_empty() {
        return Ok(None);
    }
    let mut phases = BTreeSet::new();
    for report in reported {
        match &report.status {
            None => {
                phases.insert("Pending".to_string());
            }
            Some(member) => {
                if let Some(phase) = string(member, &["phase"])? {
                    phases.insert(phase.to_string());
                }
            }
        }
    }
    let precedence = ["Failed", "Pending", "Available", "Bound", "Released"];
    Ok(Some(match first_phase(&precedence, &phases) {
        Some(phase) => json!({"phase": phase}),
        None => json!({}),
    }))
}

fn claim(reported: &[Reported]) -> Result<Option<Value>, Malformed> {
    let mut any = false;
    let mut phase = "Bound";
    for (_, member) in reported_statuses(reported) {
        any = true;
        match string(member, &["phase"])? {
            Some("Lost") => {
                phase = "Lost";
                break;
            }
            Some("Bound") => {}
            Some(other) => phase = other,
            None => phase = "",
        }
    }
    if !any {
        return Ok(None);
    }
    Ok(Some(if phase.is_empty() {
        json!({})
    } else {
        json!({"phase": phase})
    }))
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod tests;
