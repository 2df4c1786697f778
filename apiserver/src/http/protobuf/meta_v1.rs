//! Protobuf field tables for `k8s.io/apimachinery/pkg/apis/meta/v1`. Data only: see `schema` for what the columns mean.

use super::schema::Presence::{Always, OmitEmpty, Optional};
use super::schema::Ty::{Bool, I64, Msg, RawJson, Str, Time};
use super::schema::{Message, field, list, map, message};

pub(super) static OBJECT_META: Message = message! { "meta/v1 ObjectMeta" {
    field(1, "name", Str, OmitEmpty),
    field(2, "generateName", Str, OmitEmpty),
    field(3, "namespace", Str, OmitEmpty),
    field(4, "selfLink", Str, OmitEmpty),
    field(5, "uid", Str, OmitEmpty),
    field(6, "resourceVersion", Str, OmitEmpty),
    field(7, "generation", I64, OmitEmpty),
    // `omitzero` since Kubernetes 1.36; written as null here, as kube-apiserver and kubectl up to
    // 1.35 do, so objects look the same whether they were sent as JSON or protobuf.
    field(8, "creationTimestamp", Time, OmitEmpty),
    field(9, "deletionTimestamp", Time, Optional),
    field(10, "deletionGracePeriodSeconds", I64, Optional),
    map(11, "labels", Str, OmitEmpty),
    map(12, "annotations", Str, OmitEmpty),
    list(13, "ownerReferences", Msg(&OWNER_REFERENCE), OmitEmpty),
    list(14, "finalizers", Str, OmitEmpty),
    list(17, "managedFields", Msg(&MANAGED_FIELDS_ENTRY), OmitEmpty),
}};

pub(super) static OWNER_REFERENCE: Message = message! { "meta/v1 OwnerReference" {
    field(1, "kind", Str, Always),
    field(3, "name", Str, Always),
    field(4, "uid", Str, Always),
    field(5, "apiVersion", Str, Always),
    field(6, "controller", Bool, Optional),
    field(7, "blockOwnerDeletion", Bool, Optional),
}};

pub(super) static MANAGED_FIELDS_ENTRY: Message = message! { "meta/v1 ManagedFieldsEntry" {
    field(1, "manager", Str, OmitEmpty),
    field(2, "operation", Str, OmitEmpty),
    field(3, "apiVersion", Str, OmitEmpty),
    field(4, "time", Time, Optional),
    field(6, "fieldsType", Str, OmitEmpty),
    field(7, "fieldsV1", RawJson, Optional),
    field(8, "subresource", Str, OmitEmpty),
}};

pub(super) static CONDITION: Message = message! { "meta/v1 Condition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "observedGeneration", I64, OmitEmpty),
    field(4, "lastTransitionTime", Time, Always),
    field(5, "reason", Str, Always),
    field(6, "message", Str, Always),
}};

pub(super) static LABEL_SELECTOR: Message = message! { "meta/v1 LabelSelector" {
    map(1, "matchLabels", Str, OmitEmpty),
    list(2, "matchExpressions", Msg(&LABEL_SELECTOR_REQUIREMENT), OmitEmpty),
}};

pub(super) static LABEL_SELECTOR_REQUIREMENT: Message = message! { "meta/v1 LabelSelectorRequirement" {
    field(1, "key", Str, Always),
    field(2, "operator", Str, Always),
    list(3, "values", Str, OmitEmpty),
}};

pub(super) static FIELD_SELECTOR_REQUIREMENT: Message = message! { "meta/v1 FieldSelectorRequirement" {
    field(1, "key", Str, Always),
    field(2, "operator", Str, Always),
    list(3, "values", Str, OmitEmpty),
}};

pub(super) static DELETE_OPTIONS: Message = message! { "meta/v1 DeleteOptions" {
    field(1, "gracePeriodSeconds", I64, Optional),
    field(2, "preconditions", Msg(&PRECONDITIONS), Optional),
    field(3, "orphanDependents", Bool, Optional),
    field(4, "propagationPolicy", Str, Optional),
    list(5, "dryRun", Str, OmitEmpty),
    field(6, "ignoreStoreReadErrorWithClusterBreakingPotential", Bool, Optional),
}};

pub(super) static PRECONDITIONS: Message = message! { "meta/v1 Preconditions" {
    field(1, "uid", Str, Optional),
    field(2, "resourceVersion", Str, Optional),
}};
