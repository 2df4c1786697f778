//! Protobuf field tables for `k8s.io/api/authorization/v1`. Data only: see `schema` for what the columns mean.

use super::meta_v1::{FIELD_SELECTOR_REQUIREMENT, LABEL_SELECTOR_REQUIREMENT, OBJECT_META};
use super::schema::Presence::{Always, Nullable, OmitEmpty, Optional};
use super::schema::Ty::{Bool, Msg, Str};
use super::schema::{Message, field, list, message};

pub(super) static SELF_SUBJECT_ACCESS_REVIEW: Message = message! { "authorization/v1 SelfSubjectAccessReview" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&SELF_SUBJECT_ACCESS_REVIEW_SPEC), Always),
    field(3, "status", Msg(&SUBJECT_ACCESS_REVIEW_STATUS), OmitEmpty),
}};

pub(super) static SELF_SUBJECT_ACCESS_REVIEW_SPEC: Message = message! { "authorization/v1 SelfSubjectAccessReviewSpec" {
    field(1, "resourceAttributes", Msg(&RESOURCE_ATTRIBUTES), Optional),
    field(2, "nonResourceAttributes", Msg(&NON_RESOURCE_ATTRIBUTES), Optional),
}};

pub(super) static RESOURCE_ATTRIBUTES: Message = message! { "authorization/v1 ResourceAttributes" {
    field(1, "namespace", Str, OmitEmpty),
    field(2, "verb", Str, OmitEmpty),
    field(3, "group", Str, OmitEmpty),
    field(4, "version", Str, OmitEmpty),
    field(5, "resource", Str, OmitEmpty),
    field(6, "subresource", Str, OmitEmpty),
    field(7, "name", Str, OmitEmpty),
    field(8, "fieldSelector", Msg(&FIELD_SELECTOR_ATTRIBUTES), Optional),
    field(9, "labelSelector", Msg(&LABEL_SELECTOR_ATTRIBUTES), Optional),
}};

pub(super) static FIELD_SELECTOR_ATTRIBUTES: Message = message! { "authorization/v1 FieldSelectorAttributes" {
    field(1, "rawSelector", Str, OmitEmpty),
    list(2, "requirements", Msg(&FIELD_SELECTOR_REQUIREMENT), OmitEmpty),
}};

pub(super) static LABEL_SELECTOR_ATTRIBUTES: Message = message! { "authorization/v1 LabelSelectorAttributes" {
    field(1, "rawSelector", Str, OmitEmpty),
    list(2, "requirements", Msg(&LABEL_SELECTOR_REQUIREMENT), OmitEmpty),
}};

pub(super) static NON_RESOURCE_ATTRIBUTES: Message = message! { "authorization/v1 NonResourceAttributes" {
    field(1, "path", Str, OmitEmpty),
    field(2, "verb", Str, OmitEmpty),
}};

pub(super) static SUBJECT_ACCESS_REVIEW_STATUS: Message = message! { "authorization/v1 SubjectAccessReviewStatus" {
    field(1, "allowed", Bool, Always),
    field(2, "reason", Str, OmitEmpty),
    field(3, "evaluationError", Str, OmitEmpty),
    field(4, "denied", Bool, OmitEmpty),
}};

pub(super) static SELF_SUBJECT_RULES_REVIEW: Message = message! { "authorization/v1 SelfSubjectRulesReview" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&SELF_SUBJECT_RULES_REVIEW_SPEC), Always),
    field(3, "status", Msg(&SUBJECT_RULES_REVIEW_STATUS), OmitEmpty),
}};

pub(super) static SELF_SUBJECT_RULES_REVIEW_SPEC: Message = message! { "authorization/v1 SelfSubjectRulesReviewSpec" {
    field(1, "namespace", Str, OmitEmpty),
}};

pub(super) static SUBJECT_RULES_REVIEW_STATUS: Message = message! { "authorization/v1 SubjectRulesReviewStatus" {
    list(1, "resourceRules", Msg(&RESOURCE_RULE), Nullable),
    list(2, "nonResourceRules", Msg(&NON_RESOURCE_RULE), Nullable),
    field(3, "incomplete", Bool, Always),
    field(4, "evaluationError", Str, OmitEmpty),
}};

pub(super) static RESOURCE_RULE: Message = message! { "authorization/v1 ResourceRule" {
    list(1, "verbs", Str, Nullable),
    list(2, "apiGroups", Str, OmitEmpty),
    list(3, "resources", Str, OmitEmpty),
    list(4, "resourceNames", Str, OmitEmpty),
}};

pub(super) static NON_RESOURCE_RULE: Message = message! { "authorization/v1 NonResourceRule" {
    list(1, "verbs", Str, Nullable),
    list(2, "nonResourceURLs", Str, OmitEmpty),
}};
