//! Field paths in kube-apiserver's notation (`spec.placement.clusterAffinities[1].affinityName`,
//! `spec.overall[cpu]`), built as validation descends into an object.

use std::fmt;

/// A path to a field of the object being validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldPath(String);

impl FieldPath {
    /// A top-level field (`spec`, `metadata`).
    pub fn new(root: &str) -> Self {
        FieldPath(root.to_string())
    }

    /// A field of this object (`.name`).
    pub fn child(&self, name: &str) -> Self {
        if self.0.is_empty() {
            return FieldPath::new(name);
        }
        FieldPath(format!("{}.{name}", self.0))
    }

    /// An item of this list (`[3]`).
    pub fn index(&self, index: usize) -> Self {
        FieldPath(format!("{}[{index}]", self.0))
    }

    /// An entry of this map (`[cpu]`).
    pub fn key(&self, key: &str) -> Self {
        FieldPath(format!("{}[{key}]", self.0))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FieldPath> for String {
    fn from(path: FieldPath) -> String {
        path.0
    }
}

impl From<&FieldPath> for String {
    fn from(path: &FieldPath) -> String {
        path.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::FieldPath;

    #[test]
    fn paths_render_like_kube_apiserver() {
        let spec = FieldPath::new("spec");
        assert_eq!(
            spec.child("placement")
                .child("clusterAffinities")
                .index(1)
                .child("affinityName")
                .to_string(),
            "spec.placement.clusterAffinities[1].affinityName"
        );
        assert_eq!(
            spec.child("overall").key("cpu").to_string(),
            "spec.overall[cpu]"
        );
        assert_eq!(FieldPath::new("").child("spec").to_string(), "spec");
    }
}
