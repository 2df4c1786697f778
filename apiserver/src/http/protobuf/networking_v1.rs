//! Protobuf field tables for `k8s.io/api/networking/v1`. Data only: see `schema` for what the columns mean.

use super::core_v1::TYPED_LOCAL_OBJECT_REFERENCE;
use super::meta_v1::{LABEL_SELECTOR, OBJECT_META};
use super::schema::Presence::{Always, Nullable, OmitEmpty, Optional};
use super::schema::Ty::{I32, IntOrString, Msg, Str};
use super::schema::{Message, field, inline, list, message};

pub(super) static INGRESS: Message = message! { "networking/v1 Ingress" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&INGRESS_SPEC), OmitEmpty),
    field(3, "status", Msg(&INGRESS_STATUS), OmitEmpty),
}};

pub(super) static INGRESS_SPEC: Message = message! { "networking/v1 IngressSpec" {
    field(1, "defaultBackend", Msg(&INGRESS_BACKEND), Optional),
    list(2, "tls", Msg(&INGRESS_TLS), OmitEmpty),
    list(3, "rules", Msg(&INGRESS_RULE), OmitEmpty),
    field(4, "ingressClassName", Str, Optional),
}};

pub(super) static INGRESS_BACKEND: Message = message! { "networking/v1 IngressBackend" {
    field(3, "resource", Msg(&TYPED_LOCAL_OBJECT_REFERENCE), Optional),
    field(4, "service", Msg(&INGRESS_SERVICE_BACKEND), Optional),
}};

pub(super) static INGRESS_SERVICE_BACKEND: Message = message! { "networking/v1 IngressServiceBackend" {
    field(1, "name", Str, Always),
    field(2, "port", Msg(&SERVICE_BACKEND_PORT), OmitEmpty),
}};

pub(super) static SERVICE_BACKEND_PORT: Message = message! { "networking/v1 ServiceBackendPort" {
    field(1, "name", Str, OmitEmpty),
    field(2, "number", I32, OmitEmpty),
}};

pub(super) static INGRESS_TLS: Message = message! { "networking/v1 IngressTLS" {
    list(1, "hosts", Str, OmitEmpty),
    field(2, "secretName", Str, OmitEmpty),
}};

pub(super) static INGRESS_RULE: Message = message! { "networking/v1 IngressRule" {
    field(1, "host", Str, OmitEmpty),
    inline(2, Msg(&INGRESS_RULE_VALUE)),
}};

pub(super) static INGRESS_RULE_VALUE: Message = message! { "networking/v1 IngressRuleValue" {
    field(1, "http", Msg(&HTTP_INGRESS_RULE_VALUE), Optional),
}};

pub(super) static HTTP_INGRESS_RULE_VALUE: Message = message! { "networking/v1 HTTPIngressRuleValue" {
    list(1, "paths", Msg(&HTTP_INGRESS_PATH), Nullable),
}};

pub(super) static HTTP_INGRESS_PATH: Message = message! { "networking/v1 HTTPIngressPath" {
    field(1, "path", Str, OmitEmpty),
    field(2, "backend", Msg(&INGRESS_BACKEND), Always),
    field(3, "pathType", Str, Nullable),
}};

pub(super) static INGRESS_STATUS: Message = message! { "networking/v1 IngressStatus" {
    field(1, "loadBalancer", Msg(&INGRESS_LOAD_BALANCER_STATUS), OmitEmpty),
}};

pub(super) static INGRESS_LOAD_BALANCER_STATUS: Message = message! { "networking/v1 IngressLoadBalancerStatus" {
    list(1, "ingress", Msg(&INGRESS_LOAD_BALANCER_INGRESS), OmitEmpty),
}};

pub(super) static INGRESS_LOAD_BALANCER_INGRESS: Message = message! { "networking/v1 IngressLoadBalancerIngress" {
    field(1, "ip", Str, OmitEmpty),
    field(2, "hostname", Str, OmitEmpty),
    list(4, "ports", Msg(&INGRESS_PORT_STATUS), OmitEmpty),
}};

pub(super) static INGRESS_PORT_STATUS: Message = message! { "networking/v1 IngressPortStatus" {
    field(1, "port", I32, Always),
    field(2, "protocol", Str, Always),
    field(3, "error", Str, Optional),
}};

pub(super) static NETWORK_POLICY: Message = message! { "networking/v1 NetworkPolicy" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&NETWORK_POLICY_SPEC), OmitEmpty),
}};

pub(super) static NETWORK_POLICY_SPEC: Message = message! { "networking/v1 NetworkPolicySpec" {
    field(1, "podSelector", Msg(&LABEL_SELECTOR), Always),
    list(2, "ingress", Msg(&NETWORK_POLICY_INGRESS_RULE), OmitEmpty),
    list(3, "egress", Msg(&NETWORK_POLICY_EGRESS_RULE), OmitEmpty),
    list(4, "policyTypes", Str, OmitEmpty),
}};

pub(super) static NETWORK_POLICY_INGRESS_RULE: Message = message! { "networking/v1 NetworkPolicyIngressRule" {
    list(1, "ports", Msg(&NETWORK_POLICY_PORT), OmitEmpty),
    list(2, "from", Msg(&NETWORK_POLICY_PEER), OmitEmpty),
}};

pub(super) static NETWORK_POLICY_PORT: Message = message! { "networking/v1 NetworkPolicyPort" {
    field(1, "protocol", Str, Optional),
    field(2, "port", IntOrString, Optional),
    field(3, "endPort", I32, Optional),
}};

pub(super) static NETWORK_POLICY_PEER: Message = message! { "networking/v1 NetworkPolicyPeer" {
    field(1, "podSelector", Msg(&LABEL_SELECTOR), Optional),
    field(2, "namespaceSelector", Msg(&LABEL_SELECTOR), Optional),
    field(3, "ipBlock", Msg(&IP_BLOCK), Optional),
}};

pub(super) static IP_BLOCK: Message = message! { "networking/v1 IPBlock" {
    field(1, "cidr", Str, Always),
    list(2, "except", Str, OmitEmpty),
}};

pub(super) static NETWORK_POLICY_EGRESS_RULE: Message = message! { "networking/v1 NetworkPolicyEgressRule" {
    list(1, "ports", Msg(&NETWORK_POLICY_PORT), OmitEmpty),
    list(2, "to", Msg(&NETWORK_POLICY_PEER), OmitEmpty),
}};
