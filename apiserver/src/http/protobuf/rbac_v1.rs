//! Protobuf field tables for `k8s.io/api/rbac/v1`. Data only: see `schema` for what the columns mean.

use super::meta_v1::{LABEL_SELECTOR, OBJECT_META};
use super::schema::Presence::{Always, Nullable, OmitEmpty, Optional};
use super::schema::Ty::{Msg, Str};
use super::schema::{Message, field, list, message};

pub(super) static ROLE: Message = message! { "rbac/v1 Role" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    list(2, "rules", Msg(&POLICY_RULE), Nullable),
}};

pub(super) static POLICY_RULE: Message = message! { "rbac/v1 PolicyRule" {
    list(1, "verbs", Str, Nullable),
    list(2, "apiGroups", Str, OmitEmpty),
    list(3, "resources", Str, OmitEmpty),
    list(4, "resourceNames", Str, OmitEmpty),
    list(5, "nonResourceURLs", Str, OmitEmpty),
}};

pub(super) static CLUSTER_ROLE: Message = message! { "rbac/v1 ClusterRole" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    list(2, "rules", Msg(&POLICY_RULE), Nullable),
    field(3, "aggregationRule", Msg(&AGGREGATION_RULE), Optional),
}};

pub(super) static AGGREGATION_RULE: Message = message! { "rbac/v1 AggregationRule" {
    list(1, "clusterRoleSelectors", Msg(&LABEL_SELECTOR), OmitEmpty),
}};

pub(super) static ROLE_BINDING: Message = message! { "rbac/v1 RoleBinding" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    list(2, "subjects", Msg(&SUBJECT), OmitEmpty),
    field(3, "roleRef", Msg(&ROLE_REF), Always),
}};

pub(super) static SUBJECT: Message = message! { "rbac/v1 Subject" {
    field(1, "kind", Str, Always),
    field(2, "apiGroup", Str, OmitEmpty),
    field(3, "name", Str, Always),
    field(4, "namespace", Str, OmitEmpty),
}};

pub(super) static ROLE_REF: Message = message! { "rbac/v1 RoleRef" {
    field(1, "apiGroup", Str, Always),
    field(2, "kind", Str, Always),
    field(3, "name", Str, Always),
}};

pub(super) static CLUSTER_ROLE_BINDING: Message = message! { "rbac/v1 ClusterRoleBinding" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    list(2, "subjects", Msg(&SUBJECT), OmitEmpty),
    field(3, "roleRef", Msg(&ROLE_REF), Always),
}};
