//! The cluster.karmada.io API group: [`v1alpha1::Cluster`], with the server-side defaulting,
//! validation and mutation Karmada's aggregated API server applies to it ([`admission`]).
//!
//! Karmada does not define Cluster as a CRD; karmada-rs serves it as a CRD-style resource with a
//! status subresource, so the CRD here is generated from the types (its schema follows Karmada's
//! OpenAPI definition).

pub mod admission;
pub mod resource_models;
mod syntax;
mod url;
pub mod v1alpha1;

use std::time::SystemTime;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::jiff::Timestamp;
use kube::CustomResourceExt;
use serde_json::Value;

use crate::policy::v1alpha1::schema::karmada_shape;
use crate::validation::FieldError;
use crate::work::typed;

/// Defaults, validates and mutates a Cluster (a create when `old` is `None`, else an update);
/// `None` for other kinds and versions.
///
/// Meant for writes to the main resource; Karmada neither validates nor defaults `/status` writes.
pub fn admit(
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    let now = Timestamp::try_from(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH);
    admit_at(version, kind, object, old, now)
}

/// [`admit`] with the clock as a parameter: `now` becomes `timeAdded` of new NoExecute taints.
pub fn admit_at(
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
    now: Timestamp,
) -> Option<Result<(), Vec<FieldError>>> {
    if (version, kind) != ("v1alpha1", "Cluster") {
        return None;
    }
    Some(admit_cluster(object, old.is_none(), now))
}

fn admit_cluster(
    object: &mut Value,
    creating: bool,
    now: Timestamp,
) -> Result<(), Vec<FieldError>> {
    let mut cluster: v1alpha1::Cluster = typed::decode(object)?;
    admission::prepare(&mut cluster, creating);
    let errs = admission::validate(&cluster);
    if !errs.is_empty() {
        return Err(errs);
    }
    admission::canonicalize(&mut cluster, now);
    typed::encode(&cluster, object)
}

/// This group's CustomResourceDefinitions.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![karmada_shape(
        v1alpha1::Cluster::crd(),
        "Spec represents the specification of the desired behavior of member cluster.",
        Some("Status represents the status of member cluster."),
        false,
    )]
}
