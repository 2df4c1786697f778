//! Protobuf field tables for `k8s.io/api/policy/v1`. Data only: see `schema` for what the columns mean.

use super::meta_v1::{CONDITION, LABEL_SELECTOR, OBJECT_META};
use super::schema::Presence::{Always, OmitEmpty, Optional};
use super::schema::Ty::{I32, I64, IntOrString, Msg, Str, Time};
use super::schema::{Message, field, list, map, message};

pub(super) static POD_DISRUPTION_BUDGET: Message = message! { "policy/v1 PodDisruptionBudget" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&POD_DISRUPTION_BUDGET_SPEC), OmitEmpty),
    field(3, "status", Msg(&POD_DISRUPTION_BUDGET_STATUS), OmitEmpty),
}};

pub(super) static POD_DISRUPTION_BUDGET_SPEC: Message = message! { "policy/v1 PodDisruptionBudgetSpec" {
    field(1, "minAvailable", IntOrString, Optional),
    field(2, "selector", Msg(&LABEL_SELECTOR), Optional),
    field(3, "maxUnavailable", IntOrString, Optional),
    field(4, "unhealthyPodEvictionPolicy", Str, Optional),
}};

pub(super) static POD_DISRUPTION_BUDGET_STATUS: Message = message! { "policy/v1 PodDisruptionBudgetStatus" {
    field(1, "observedGeneration", I64, OmitEmpty),
    map(2, "disruptedPods", Time, OmitEmpty),
    field(3, "disruptionsAllowed", I32, Always),
    field(4, "currentHealthy", I32, Always),
    field(5, "desiredHealthy", I32, Always),
    field(6, "expectedPods", I32, Always),
    list(7, "conditions", Msg(&CONDITION), OmitEmpty),
}};
