//! Which resources the server serves: the built-in kinds users propagate, plus (later) those that
//! CustomResourceDefinitions add. Names, short names and categories follow Kubernetes v1.27's
//! discovery documents.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// What a CustomResourceDefinition adds to a resource: validation, printing and scale mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomInfo {
    /// The CRD's name (`<plural>.<group>`).
    pub crd_name: String,
    /// The version's `openAPIV3Schema`.
    pub schema: Option<Arc<serde_json::Value>>,
    pub printer_columns: Vec<PrinterColumn>,
    /// `specReplicasPath`, `statusReplicasPath`, `labelSelectorPath` of the scale subresource.
    pub scale_paths: Option<(String, String, Option<String>)>,
    /// Whether new objects may be created (false while the CRD is being deleted).
    pub accepting: bool,
}

/// One `additionalPrinterColumns` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    pub type_: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    pub path: crate::jsonpath::JsonPath,
}

/// One servable resource at one group/version.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInfo {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    /// Plural, lower case (`deployments`).
    pub resource: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub status_subresource: bool,
    pub scale_subresource: bool,
    /// Set for resources defined by a CustomResourceDefinition.
    pub custom: Option<Arc<CustomInfo>>,
}

impl ResourceInfo {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `configmaps` for the core group, as used in messages.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    /// The storage key prefix of this resource (all namespaces).
    pub fn key_prefix(&self) -> String {
        let group = if self.group.is_empty() {
            "core"
        } else {
            &self.group
        };
        format!("/{group}/{}/", self.resource)
    }

    /// The storage key prefix of this resource in one namespace (or all of a cluster-scoped one).
    pub fn scope_prefix(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) if self.namespaced => format!("{}{ns}/", self.key_prefix()),
            _ => self.key_prefix(),
        }
    }

    /// The storage key of one object.
    pub fn key(&self, namespace: Option<&str>, name: &str) -> String {
        format!("{}{name}", self.scope_prefix(namespace))
    }

    pub fn verbs(&self) -> Vec<&'static str> {
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

struct Builtin {
    group: &'static str,
    version: &'static str,
    resource: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    all: bool,
    status: bool,
    scale: bool,
}

const fn b(
    group: &'static str,
    version: &'static str,
    resource: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> Builtin {
    Builtin {
        group,
        version,
        resource,
        kind,
        namespaced,
        short_names,
        all: false,
        status: false,
        scale: false,
    }
}

impl Builtin {
    const fn status(mut self) -> Self {
        self.status = true;
        self
    }
    const fn scale(mut self) -> Self {
        self.scale = true;
        self
    }
    const fn all(mut self) -> Self {
        self.all = true;
        self
    }
}

/// The built-in kinds (Kubernetes v1.27 names).
const BUILTINS: &[Builtin] = &[
    b("", "v1", "namespaces", "Namespace", false, &["ns"]).status(),
    b("", "v1", "configmaps", "ConfigMap", true, &["cm"]),
    b("", "v1", "secrets", "Secret", true, &[]),
    b("", "v1", "services", "Service", true, &["svc"])
        .status()
        .all(),
    b("", "v1", "serviceaccounts", "ServiceAccount", true, &["sa"]),
    b(
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
    )
    .status(),
    b("", "v1", "events", "Event", true, &["ev"]),
    b("", "v1", "limitranges", "LimitRange", true, &["limits"]),
    b(
        "",
        "v1",
        "resourcequotas",
        "ResourceQuota",
        true,
        &["quota"],
    )
    .status(),
    b("", "v1", "pods", "Pod", true, &["po"]).status().all(),
    b("", "v1", "nodes", "Node", false, &["no"]).status(),
    b("apps", "v1", "deployments", "Deployment", true, &["deploy"])
        .status()
        .scale()
        .all(),
    b("apps", "v1", "statefulsets", "StatefulSet", true, &["sts"])
        .status()
        .scale()
        .all(),
    b("apps", "v1", "daemonsets", "DaemonSet", true, &["ds"])
        .status()
        .all(),
    b("apps", "v1", "replicasets", "ReplicaSet", true, &["rs"])
        .status()
        .scale()
        .all(),
    b("batch", "v1", "jobs", "Job", true, &[]).status().all(),
    b("batch", "v1", "cronjobs", "CronJob", true, &["cj"])
        .status()
        .all(),
    b(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "Ingress",
        true,
        &["ing"],
    )
    .status(),
    b(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "NetworkPolicy",
        true,
        &["netpol"],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "Role",
        true,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "RoleBinding",
        true,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "ClusterRole",
        false,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
        false,
        &[],
    ),
    b(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        true,
        &["pdb"],
    )
    .status(),
    b(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        true,
        &["hpa"],
    )
    .status()
    .all(),
    b("coordination.k8s.io", "v1", "leases", "Lease", true, &[]),
    b(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
    )
    .status(),
];

impl From<&Builtin> for ResourceInfo {
    fn from(b: &Builtin) -> Self {
        ResourceInfo {
            group: b.group.into(),
            version: b.version.into(),
            resource: b.resource.into(),
            singular: b.kind.to_lowercase(),
            kind: b.kind.into(),
            namespaced: b.namespaced,
            short_names: b.short_names.iter().map(|s| s.to_string()).collect(),
            categories: if b.all { vec!["all".into()] } else { vec![] },
            status_subresource: b.status,
            scale_subresource: b.scale,
            custom: None,
        }
    }
}

/// `(group, version, resource)`.
type Gvr = (String, String, String);

/// The live set of resources, keyed by `(group, version, resource)`. Cheap to clone; CRDs add and
/// remove entries at run time.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<RwLock<BTreeMap<Gvr, Arc<ResourceInfo>>>>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::with_builtins()
    }
}

impl Registry {
    pub fn with_builtins() -> Self {
        let map = BUILTINS
            .iter()
            .map(|b| {
                let info = ResourceInfo::from(b);
                (
                    (
                        info.group.clone(),
                        info.version.clone(),
                        info.resource.clone(),
                    ),
                    Arc::new(info),
                )
            })
            .collect();
        Registry {
            inner: Arc::new(RwLock::new(map)),
        }
    }

    pub fn get(&self, group: &str, version: &str, resource: &str) -> Option<Arc<ResourceInfo>> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(group.to_string(), version.to_string(), resource.to_string()))
            .cloned()
    }

    /// Every resource, ordered by group, version and resource.
    pub fn all(&self) -> Vec<Arc<ResourceInfo>> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Adds or replaces a resource (a CRD was established).
    pub fn insert(&self, info: ResourceInfo) {
        self.inner
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                (
                    info.group.clone(),
                    info.version.clone(),
                    info.resource.clone(),
                ),
                Arc::new(info),
            );
    }

    /// Replaces every resource of the CRD `crd_name` with `resources` (empty: the CRD is gone).
    /// Built-in resources are never replaced.
    /// Returns whether anything served changed.
    pub fn set_custom(&self, crd_name: &str, resources: Vec<ResourceInfo>) -> bool {
        let mut map = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let of_crd = |info: &ResourceInfo| {
            info.custom
                .as_ref()
                .is_some_and(|custom| custom.crd_name == crd_name)
        };
        let before: Vec<Arc<ResourceInfo>> = map.values().filter(|i| of_crd(i)).cloned().collect();
        map.retain(|_, info| !of_crd(info));
        for info in resources {
            let key = (
                info.group.clone(),
                info.version.clone(),
                info.resource.clone(),
            );
            if map
                .get(&key)
                .is_some_and(|existing| existing.custom.is_none())
            {
                continue;
            }
            map.insert(key, Arc::new(info));
        }
        let after: Vec<&Arc<ResourceInfo>> = map.values().filter(|i| of_crd(i)).collect();
        before.len() != after.len() || before.iter().zip(after).any(|(a, b)| a != b)
    }

    /// Groups with their versions, core group first (as `""`), then by name.
    pub fn groups(&self) -> BTreeMap<String, Vec<String>> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for info in self.all() {
            let versions = groups.entry(info.group.clone()).or_default();
            if !versions.contains(&info.version) {
                versions.push(info.version.clone());
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_groups_namespaces_and_scopes() {
        let registry = Registry::with_builtins();
        let cm = registry.get("", "v1", "configmaps").unwrap();
        assert_eq!(cm.key(Some("default"), "a"), "/core/configmaps/default/a");
        assert_eq!(cm.scope_prefix(None), "/core/configmaps/");
        assert_eq!(cm.qualified(), "configmaps");
        let ns = registry.get("", "v1", "namespaces").unwrap();
        assert_eq!(
            ns.key(Some("ignored"), "kube-system"),
            "/core/namespaces/kube-system"
        );
        let deploy = registry.get("apps", "v1", "deployments").unwrap();
        assert_eq!(deploy.qualified(), "deployments.apps");
        assert_eq!(deploy.api_version(), "apps/v1");
        assert!(deploy.scale_subresource);
    }
}
