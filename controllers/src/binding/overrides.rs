//! (in progress: the override manager arrives from its own branch; this stand-in keeps the
//! controller compiling.)

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{ClusterOverridePolicy, OverridePolicy};
use serde_json::Value;

#[derive(Debug, Default)]
pub struct AppliedOverrides;

impl AppliedOverrides {
    pub fn cluster_annotation(&self) -> Option<String> {
        None
    }
    pub fn namespaced_annotation(&self) -> Option<String> {
        None
    }
}

#[derive(Debug, thiserror::Error)]
#[error("override failed")]
pub struct OverrideError;

pub fn apply_overrides(
    _manifest: &mut Value,
    _cluster: &Cluster,
    _cluster_policies: &[ClusterOverridePolicy],
    _policies: &[OverridePolicy],
) -> Result<AppliedOverrides, OverrideError> {
    Ok(AppliedOverrides)
}
