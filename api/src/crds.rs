//! Every Karmada CustomResourceDefinition this crate defines, generated from the Rust types.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// All CRDs, ordered by group and kind.
pub fn all() -> Vec<CustomResourceDefinition> {
    let mut crds = Vec::new();
    crds.extend(crate::policy::crds());
    crds.extend(crate::work::crds());
    crds.extend(crate::cluster::crds());
    crds.extend(crate::apps::crds());
    crds
}
