//! Protobuf field tables for `k8s.io/api/coordination/v1`. Data only: see `schema` for what the columns mean.

use super::meta_v1::OBJECT_META;
use super::schema::Presence::{OmitEmpty, Optional};
use super::schema::Ty::{I32, MicroTime, Msg, Str};
use super::schema::{Message, field, message};

pub(super) static LEASE: Message = message! { "coordination/v1 Lease" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&LEASE_SPEC), OmitEmpty),
}};

pub(super) static LEASE_SPEC: Message = message! { "coordination/v1 LeaseSpec" {
    field(1, "holderIdentity", Str, Optional),
    field(2, "leaseDurationSeconds", I32, Optional),
    field(3, "acquireTime", MicroTime, Optional),
    field(4, "renewTime", MicroTime, Optional),
    field(5, "leaseTransitions", I32, Optional),
    field(6, "strategy", Str, Optional),
    field(7, "preferredHolder", Str, Optional),
}};
