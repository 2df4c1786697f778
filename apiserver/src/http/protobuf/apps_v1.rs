//! Protobuf field tables for `k8s.io/api/apps/v1`. Data only: see `schema` for what the columns mean.

use super::core_v1::{PERSISTENT_VOLUME_CLAIM, POD_TEMPLATE_SPEC};
use super::meta_v1::{LABEL_SELECTOR, OBJECT_META};
use super::schema::Presence::{Always, Nullable, OmitEmpty, Optional};
use super::schema::Ty::{Bool, I32, I64, IntOrString, Msg, Str, Time};
use super::schema::{Message, field, list, message};

pub(super) static DEPLOYMENT: Message = message! { "apps/v1 Deployment" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&DEPLOYMENT_SPEC), OmitEmpty),
    field(3, "status", Msg(&DEPLOYMENT_STATUS), OmitEmpty),
}};

pub(super) static DEPLOYMENT_SPEC: Message = message! { "apps/v1 DeploymentSpec" {
    field(1, "replicas", I32, Optional),
    field(2, "selector", Msg(&LABEL_SELECTOR), Nullable),
    field(3, "template", Msg(&POD_TEMPLATE_SPEC), Always),
    field(4, "strategy", Msg(&DEPLOYMENT_STRATEGY), OmitEmpty),
    field(5, "minReadySeconds", I32, OmitEmpty),
    field(6, "revisionHistoryLimit", I32, Optional),
    field(7, "paused", Bool, OmitEmpty),
    field(9, "progressDeadlineSeconds", I32, Optional),
}};

pub(super) static DEPLOYMENT_STRATEGY: Message = message! { "apps/v1 DeploymentStrategy" {
    field(1, "type", Str, OmitEmpty),
    field(2, "rollingUpdate", Msg(&ROLLING_UPDATE_DEPLOYMENT), Optional),
}};

pub(super) static ROLLING_UPDATE_DEPLOYMENT: Message = message! { "apps/v1 RollingUpdateDeployment" {
    field(1, "maxUnavailable", IntOrString, Optional),
    field(2, "maxSurge", IntOrString, Optional),
}};

pub(super) static DEPLOYMENT_STATUS: Message = message! { "apps/v1 DeploymentStatus" {
    field(1, "observedGeneration", I64, OmitEmpty),
    field(2, "replicas", I32, OmitEmpty),
    field(3, "updatedReplicas", I32, OmitEmpty),
    field(4, "availableReplicas", I32, OmitEmpty),
    field(5, "unavailableReplicas", I32, OmitEmpty),
    list(6, "conditions", Msg(&DEPLOYMENT_CONDITION), OmitEmpty),
    field(7, "readyReplicas", I32, OmitEmpty),
    field(8, "collisionCount", I32, Optional),
    field(9, "terminatingReplicas", I32, Optional),
}};

pub(super) static DEPLOYMENT_CONDITION: Message = message! { "apps/v1 DeploymentCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(4, "reason", Str, OmitEmpty),
    field(5, "message", Str, OmitEmpty),
    field(6, "lastUpdateTime", Time, OmitEmpty),
    field(7, "lastTransitionTime", Time, OmitEmpty),
}};

pub(super) static STATEFUL_SET: Message = message! { "apps/v1 StatefulSet" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&STATEFUL_SET_SPEC), OmitEmpty),
    field(3, "status", Msg(&STATEFUL_SET_STATUS), OmitEmpty),
}};

pub(super) static STATEFUL_SET_SPEC: Message = message! { "apps/v1 StatefulSetSpec" {
    field(1, "replicas", I32, Optional),
    field(2, "selector", Msg(&LABEL_SELECTOR), Nullable),
    field(3, "template", Msg(&POD_TEMPLATE_SPEC), Always),
    list(4, "volumeClaimTemplates", Msg(&PERSISTENT_VOLUME_CLAIM), OmitEmpty),
    field(5, "serviceName", Str, Always),
    field(6, "podManagementPolicy", Str, OmitEmpty),
    field(7, "updateStrategy", Msg(&STATEFUL_SET_UPDATE_STRATEGY), OmitEmpty),
    field(8, "revisionHistoryLimit", I32, Optional),
    field(9, "minReadySeconds", I32, OmitEmpty),
    field(10, "persistentVolumeClaimRetentionPolicy", Msg(&STATEFUL_SET_PERSISTENT_VOLUME_CLAIM_RETENTION_POLICY), Optional),
    field(11, "ordinals", Msg(&STATEFUL_SET_ORDINALS), Optional),
}};

pub(super) static STATEFUL_SET_UPDATE_STRATEGY: Message = message! { "apps/v1 StatefulSetUpdateStrategy" {
    field(1, "type", Str, OmitEmpty),
    field(2, "rollingUpdate", Msg(&ROLLING_UPDATE_STATEFUL_SET_STRATEGY), Optional),
}};

pub(super) static ROLLING_UPDATE_STATEFUL_SET_STRATEGY: Message = message! { "apps/v1 RollingUpdateStatefulSetStrategy" {
    field(1, "partition", I32, Optional),
    field(2, "maxUnavailable", IntOrString, Optional),
}};

pub(super) static STATEFUL_SET_PERSISTENT_VOLUME_CLAIM_RETENTION_POLICY: Message = message! { "apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy" {
    field(1, "whenDeleted", Str, OmitEmpty),
    field(2, "whenScaled", Str, OmitEmpty),
}};

pub(super) static STATEFUL_SET_ORDINALS: Message = message! { "apps/v1 StatefulSetOrdinals" {
    field(1, "start", I32, Always),
}};

pub(super) static STATEFUL_SET_STATUS: Message = message! { "apps/v1 StatefulSetStatus" {
    field(1, "observedGeneration", I64, OmitEmpty),
    field(2, "replicas", I32, Always),
    field(3, "readyReplicas", I32, OmitEmpty),
    field(4, "currentReplicas", I32, OmitEmpty),
    field(5, "updatedReplicas", I32, OmitEmpty),
    field(6, "currentRevision", Str, OmitEmpty),
    field(7, "updateRevision", Str, OmitEmpty),
    field(9, "collisionCount", I32, Optional),
    list(10, "conditions", Msg(&STATEFUL_SET_CONDITION), OmitEmpty),
    field(11, "availableReplicas", I32, Always),
}};

pub(super) static STATEFUL_SET_CONDITION: Message = message! { "apps/v1 StatefulSetCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "lastTransitionTime", Time, OmitEmpty),
    field(4, "reason", Str, OmitEmpty),
    field(5, "message", Str, OmitEmpty),
}};

pub(super) static DAEMON_SET: Message = message! { "apps/v1 DaemonSet" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&DAEMON_SET_SPEC), OmitEmpty),
    field(3, "status", Msg(&DAEMON_SET_STATUS), OmitEmpty),
}};

pub(super) static DAEMON_SET_SPEC: Message = message! { "apps/v1 DaemonSetSpec" {
    field(1, "selector", Msg(&LABEL_SELECTOR), Nullable),
    field(2, "template", Msg(&POD_TEMPLATE_SPEC), Always),
    field(3, "updateStrategy", Msg(&DAEMON_SET_UPDATE_STRATEGY), OmitEmpty),
    field(4, "minReadySeconds", I32, OmitEmpty),
    field(6, "revisionHistoryLimit", I32, Optional),
}};

pub(super) static DAEMON_SET_UPDATE_STRATEGY: Message = message! { "apps/v1 DaemonSetUpdateStrategy" {
    field(1, "type", Str, OmitEmpty),
    field(2, "rollingUpdate", Msg(&ROLLING_UPDATE_DAEMON_SET), Optional),
}};

pub(super) static ROLLING_UPDATE_DAEMON_SET: Message = message! { "apps/v1 RollingUpdateDaemonSet" {
    field(1, "maxUnavailable", IntOrString, Optional),
    field(2, "maxSurge", IntOrString, Optional),
}};

pub(super) static DAEMON_SET_STATUS: Message = message! { "apps/v1 DaemonSetStatus" {
    field(1, "currentNumberScheduled", I32, Always),
    field(2, "numberMisscheduled", I32, Always),
    field(3, "desiredNumberScheduled", I32, Always),
    field(4, "numberReady", I32, Always),
    field(5, "observedGeneration", I64, OmitEmpty),
    field(6, "updatedNumberScheduled", I32, OmitEmpty),
    field(7, "numberAvailable", I32, OmitEmpty),
    field(8, "numberUnavailable", I32, OmitEmpty),
    field(9, "collisionCount", I32, Optional),
    list(10, "conditions", Msg(&DAEMON_SET_CONDITION), OmitEmpty),
}};

pub(super) static DAEMON_SET_CONDITION: Message = message! { "apps/v1 DaemonSetCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "lastTransitionTime", Time, OmitEmpty),
    field(4, "reason", Str, OmitEmpty),
    field(5, "message", Str, OmitEmpty),
}};

pub(super) static REPLICA_SET: Message = message! { "apps/v1 ReplicaSet" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&REPLICA_SET_SPEC), OmitEmpty),
    field(3, "status", Msg(&REPLICA_SET_STATUS), OmitEmpty),
}};

pub(super) static REPLICA_SET_SPEC: Message = message! { "apps/v1 ReplicaSetSpec" {
    field(1, "replicas", I32, Optional),
    field(2, "selector", Msg(&LABEL_SELECTOR), Nullable),
    field(3, "template", Msg(&POD_TEMPLATE_SPEC), OmitEmpty),
    field(4, "minReadySeconds", I32, OmitEmpty),
}};

pub(super) static REPLICA_SET_STATUS: Message = message! { "apps/v1 ReplicaSetStatus" {
    field(1, "replicas", I32, Always),
    field(2, "fullyLabeledReplicas", I32, OmitEmpty),
    field(3, "observedGeneration", I64, OmitEmpty),
    field(4, "readyReplicas", I32, OmitEmpty),
    field(5, "availableReplicas", I32, OmitEmpty),
    list(6, "conditions", Msg(&REPLICA_SET_CONDITION), OmitEmpty),
    field(7, "terminatingReplicas", I32, Optional),
}};

pub(super) static REPLICA_SET_CONDITION: Message = message! { "apps/v1 ReplicaSetCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "lastTransitionTime", Time, OmitEmpty),
    field(4, "reason", Str, OmitEmpty),
    field(5, "message", Str, OmitEmpty),
}};
