//! Protobuf field tables for `k8s.io/api/batch/v1`. Data only: see `schema` for what the columns mean.

use super::core_v1::{OBJECT_REFERENCE, POD_TEMPLATE_SPEC};
use super::meta_v1::{LABEL_SELECTOR, OBJECT_META};
use super::schema::Presence::{Always, Nullable, OmitEmpty, Optional};
use super::schema::Ty::{Bool, I32, I64, Msg, Str, Time};
use super::schema::{Message, field, list, message};

pub(super) static JOB: Message = message! { "batch/v1 Job" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&JOB_SPEC), OmitEmpty),
    field(3, "status", Msg(&JOB_STATUS), OmitEmpty),
}};

pub(super) static JOB_SPEC: Message = message! { "batch/v1 JobSpec" {
    field(1, "parallelism", I32, Optional),
    field(2, "completions", I32, Optional),
    field(3, "activeDeadlineSeconds", I64, Optional),
    field(4, "selector", Msg(&LABEL_SELECTOR), Optional),
    field(5, "manualSelector", Bool, Optional),
    field(6, "template", Msg(&POD_TEMPLATE_SPEC), Always),
    field(7, "backoffLimit", I32, Optional),
    field(8, "ttlSecondsAfterFinished", I32, Optional),
    field(9, "completionMode", Str, Optional),
    field(10, "suspend", Bool, Optional),
    field(11, "podFailurePolicy", Msg(&POD_FAILURE_POLICY), Optional),
    field(12, "backoffLimitPerIndex", I32, Optional),
    field(13, "maxFailedIndexes", I32, Optional),
    field(14, "podReplacementPolicy", Str, Optional),
    field(15, "managedBy", Str, Optional),
    field(16, "successPolicy", Msg(&SUCCESS_POLICY), Optional),
}};

pub(super) static POD_FAILURE_POLICY: Message = message! { "batch/v1 PodFailurePolicy" {
    list(1, "rules", Msg(&POD_FAILURE_POLICY_RULE), Nullable),
}};

pub(super) static POD_FAILURE_POLICY_RULE: Message = message! { "batch/v1 PodFailurePolicyRule" {
    field(1, "action", Str, Always),
    field(2, "onExitCodes", Msg(&POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT), Optional),
    list(3, "onPodConditions", Msg(&POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN), OmitEmpty),
}};

pub(super) static POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT: Message = message! { "batch/v1 PodFailurePolicyOnExitCodesRequirement" {
    field(1, "containerName", Str, Optional),
    field(2, "operator", Str, Always),
    list(3, "values", I32, Nullable),
}};

pub(super) static POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN: Message = message! { "batch/v1 PodFailurePolicyOnPodConditionsPattern" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
}};

pub(super) static SUCCESS_POLICY: Message = message! { "batch/v1 SuccessPolicy" {
    list(1, "rules", Msg(&SUCCESS_POLICY_RULE), Nullable),
}};

pub(super) static SUCCESS_POLICY_RULE: Message = message! { "batch/v1 SuccessPolicyRule" {
    field(1, "succeededIndexes", Str, Optional),
    field(2, "succeededCount", I32, Optional),
}};

pub(super) static JOB_STATUS: Message = message! { "batch/v1 JobStatus" {
    list(1, "conditions", Msg(&JOB_CONDITION), OmitEmpty),
    field(2, "startTime", Time, Optional),
    field(3, "completionTime", Time, Optional),
    field(4, "active", I32, OmitEmpty),
    field(5, "succeeded", I32, OmitEmpty),
    field(6, "failed", I32, OmitEmpty),
    field(7, "completedIndexes", Str, OmitEmpty),
    field(8, "uncountedTerminatedPods", Msg(&UNCOUNTED_TERMINATED_PODS), Optional),
    field(9, "ready", I32, Optional),
    field(10, "failedIndexes", Str, Optional),
    field(11, "terminating", I32, Optional),
}};

pub(super) static JOB_CONDITION: Message = message! { "batch/v1 JobCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "lastProbeTime", Time, OmitEmpty),
    field(4, "lastTransitionTime", Time, OmitEmpty),
    field(5, "reason", Str, OmitEmpty),
    field(6, "message", Str, OmitEmpty),
}};

pub(super) static UNCOUNTED_TERMINATED_PODS: Message = message! { "batch/v1 UncountedTerminatedPods" {
    list(1, "succeeded", Str, OmitEmpty),
    list(2, "failed", Str, OmitEmpty),
}};

pub(super) static CRON_JOB: Message = message! { "batch/v1 CronJob" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&CRON_JOB_SPEC), OmitEmpty),
    field(3, "status", Msg(&CRON_JOB_STATUS), OmitEmpty),
}};

pub(super) static CRON_JOB_SPEC: Message = message! { "batch/v1 CronJobSpec" {
    field(1, "schedule", Str, Always),
    field(2, "startingDeadlineSeconds", I64, Optional),
    field(3, "concurrencyPolicy", Str, OmitEmpty),
    field(4, "suspend", Bool, Optional),
    field(5, "jobTemplate", Msg(&JOB_TEMPLATE_SPEC), Always),
    field(6, "successfulJobsHistoryLimit", I32, Optional),
    field(7, "failedJobsHistoryLimit", I32, Optional),
    field(8, "timeZone", Str, Optional),
}};

pub(super) static JOB_TEMPLATE_SPEC: Message = message! { "batch/v1 JobTemplateSpec" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&JOB_SPEC), OmitEmpty),
}};

pub(super) static CRON_JOB_STATUS: Message = message! { "batch/v1 CronJobStatus" {
    list(1, "active", Msg(&OBJECT_REFERENCE), OmitEmpty),
    field(4, "lastScheduleTime", Time, Optional),
    field(5, "lastSuccessfulTime", Time, Optional),
}};
