//! Patch and list metadata of the built-in kinds: the per-field `x-kubernetes-patch-strategy`,
//! `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and
//! `x-kubernetes-map-type` of Kubernetes v1.27.0.
//!
//! The data is `merge_keys.json`, generated from the upstream OpenAPI document by
//! `hack/gen-merge-keys.py` and compiled into the binary; nothing is read at run time. A kind without
//! an entry here (every custom resource) has no strategic-merge metadata.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

/// The checked-in table (see its `source` and `generatedBy` fields).
const TABLE_JSON: &str = include_str!("merge_keys.json");

static TABLE: LazyLock<HashMap<String, KindSchema>> = LazyLock::new(|| {
    // The table is ours and covered by tests, so a broken one is a build defect, not a client error.
    load(TABLE_JSON)
        .unwrap_or_else(|e| panic!("apiserver/src/patch/merge_keys.json is invalid: {e}"))
});

/// The metadata of a built-in kind, or `None` for kinds the table does not know (custom resources).
/// `group` is `""` for the core group.
pub fn schema_for(group: &str, version: &str, kind: &str) -> Option<&'static KindSchema> {
    let key = if group.is_empty() {
        format!("{version}/{kind}")
    } else {
        format!("{group}/{version}/{kind}")
    };
    TABLE.get(&key)
}

/// The metadata of one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMeta {
    /// `x-kubernetes-patch-strategy`.
    pub patch_strategy: PatchStrategy,
    /// `x-kubernetes-patch-merge-key`: the key that identifies entries of a `merge` list of objects.
    pub patch_merge_key: Option<String>,
    /// `x-kubernetes-list-type` (server-side apply).
    pub list_type: Option<ListType>,
    /// `x-kubernetes-list-map-keys` (server-side apply), for `list_type == Some(ListType::Map)`.
    pub list_map_keys: Vec<String>,
    /// `x-kubernetes-map-type` (server-side apply), on the field or on the definition it refers to.
    pub map_type: Option<MapType>,
}

/// The parsed `x-kubernetes-patch-strategy` (a comma-separated list such as `merge,retainKeys`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchStrategy {
    /// Lists merge by merge key (or as a set of primitives) instead of being replaced.
    pub merge: bool,
    /// The patch value replaces the field wholesale.
    pub replace: bool,
    /// The field honours `$retainKeys` (kubectl sends it to clear the other members of a union).
    pub retain_keys: bool,
}

/// `x-kubernetes-list-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListType {
    Atomic,
    Set,
    Map,
}

/// `x-kubernetes-map-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MapType {
    Atomic,
    Granular,
}

/// The field tree of one kind. Only fields that carry metadata, and their ancestors, are present.
#[derive(Debug)]
pub struct KindSchema {
    /// `nodes[0]` is the object root.
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    meta: FieldMeta,
    /// Named members; `*` stands for every value of a string-keyed map.
    children: HashMap<String, usize>,
    /// An ancestor whose members recur here (recursive types such as JSONSchemaProps).
    same_as: Option<usize>,
}

/// A position in a [`KindSchema`]: the object root, or a field below it. For a list field, the
/// members are those of its entries.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    schema: &'a KindSchema,
    node: usize,
}

impl KindSchema {
    /// The object root.
    pub fn root(&self) -> Field<'_> {
        Field {
            schema: self,
            node: 0,
        }
    }

    /// The metadata at a dotted path from the root (`spec.template.spec.containers`), if that field
    /// is in the table. List entries are transparent and `*` reaches map values, as in the table.
    pub fn field(&self, path: &str) -> Option<&FieldMeta> {
        path.split('.')
            .try_fold(self.root(), |field, segment| field.child(segment))
            .map(|field| field.meta())
    }
}

impl<'a> Field<'a> {
    pub fn meta(&self) -> &'a FieldMeta {
        &self.schema.nodes[self.node].meta
    }

    /// The member `name` (or the value of map key `name`), when the table knows anything below it.
    pub fn child(&self, name: &str) -> Option<Field<'a>> {
        let nodes = &self.schema.nodes;
        let members = nodes[self.node].same_as.unwrap_or(self.node);
        let children = &nodes[members].children;
        children
            .get(name)
            .or_else(|| children.get("*"))
            .map(|&node| Field {
                schema: self.schema,
                node,
            })
    }
}

// ---- loading ------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct RawTable {
    kinds: BTreeMap<String, BTreeMap<String, RawField>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawField {
    patch_strategy: Option<String>,
    patch_merge_key: Option<String>,
    list_type: Option<ListType>,
    #[serde(default)]
    list_map_keys: Vec<String>,
    map_type: Option<MapType>,
    same_as: Option<String>,
}

fn load(json: &str) -> Result<HashMap<String, KindSchema>, String> {
    let raw: RawTable = serde_json::from_str(json).map_err(|e| e.to_string())?;
    raw.kinds
        .into_iter()
        .map(|(kind, fields)| {
            let schema = build(fields).map_err(|e| format!("{kind}: {e}"))?;
            Ok((kind, schema))
        })
        .collect()
}

fn build(fields: BTreeMap<String, RawField>) -> Result<KindSchema, String> {
    let mut schema = KindSchema {
        nodes: vec![Node::default()],
    };
    let mut links = Vec::new();
    for (path, raw) in fields {
        let node = schema.node_at(&path);
        schema.nodes[node].meta = FieldMeta {
            patch_strategy: parse_strategy(raw.patch_strategy.as_deref())
                .map_err(|e| format!("{path}: {e}"))?,
            patch_merge_key: raw.patch_merge_key,
            list_type: raw.list_type,
            list_map_keys: raw.list_map_keys,
            map_type: raw.map_type,
        };
        if let Some(target) = raw.same_as {
            links.push((node, target));
        }
    }
    for (node, target) in links {
        let target = schema.node_at(&target);
        schema.nodes[node].same_as = Some(target);
    }
    Ok(schema)
}

impl KindSchema {
    /// The node at a dotted path (`""` is the root), created with its ancestors when missing.
    fn node_at(&mut self, path: &str) -> usize {
        let mut node = 0;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            node = match self.nodes[node].children.get(segment) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(Node::default());
                    self.nodes[node].children.insert(segment.to_string(), child);
                    child
                }
            };
        }
        node
    }
}

fn parse_strategy(value: Option<&str>) -> Result<PatchStrategy, String> {
    let mut strategy = PatchStrategy::default();
    for part in value.into_iter().flat_map(|v| v.split(',')) {
        match part.trim() {
            "merge" => strategy.merge = true,
            "replace" => strategy.replace = true,
            "retainKeys" => strategy.retain_keys = true,
            other => return Err(format!("unknown patch strategy {other:?}")),
        }
    }
    Ok(strategy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> &'static KindSchema {
        schema_for("apps", "v1", "Deployment").expect("Deployment is a built-in kind")
    }

    fn merge_by(key: &str) -> FieldMeta {
        FieldMeta {
            patch_strategy: PatchStrategy {
                merge: true,
                ..PatchStrategy::default()
            },
            patch_merge_key: Some(key.to_string()),
            ..FieldMeta::default()
        }
    }

    #[test]
    fn checked_in_table_loads() {
        let table = load(TABLE_JSON).expect("the checked-in table parses");
        assert!(table.len() >= 60, "only {} kinds", table.len());
    }

    #[test]
    fn deployment_containers_merge_by_name() {
        let containers = deployment().field("spec.template.spec.containers");
        assert_eq!(containers, Some(&merge_by("name")));
        let env = deployment().field("spec.template.spec.containers.env");
        assert_eq!(env, Some(&merge_by("name")));
        let mounts = deployment().field("spec.template.spec.initContainers.volumeMounts");
        assert_eq!(mounts, Some(&merge_by("mountPath")));
    }

    #[test]
    fn container_ports_merge_by_container_port_and_are_a_map_list_for_apply() {
        let ports = deployment()
            .field("spec.template.spec.containers.ports")
            .expect("ports have metadata");
        assert!(ports.patch_strategy.merge);
        assert_eq!(ports.patch_merge_key.as_deref(), Some("containerPort"));
        assert_eq!(ports.list_type, Some(ListType::Map));
        assert_eq!(ports.list_map_keys, ["containerPort", "protocol"]);
    }

    #[test]
    fn deployment_strategy_retains_keys() {
        let strategy = deployment().field("spec.strategy").expect("strategy");
        assert!(strategy.patch_strategy.retain_keys);
        assert!(!strategy.patch_strategy.merge);
    }

    #[test]
    fn pod_volumes_merge_by_name_and_retain_keys() {
        let pod = schema_for("", "v1", "Pod").expect("Pod is a built-in kind");
        let volumes = pod.field("spec.volumes").expect("volumes");
        assert_eq!(volumes.patch_merge_key.as_deref(), Some("name"));
        assert!(volumes.patch_strategy.merge && volumes.patch_strategy.retain_keys);
    }

    #[test]
    fn service_ports_merge_by_port() {
        let service = schema_for("", "v1", "Service").expect("Service is a built-in kind");
        let ports = service.field("spec.ports").expect("ports");
        assert_eq!(ports.patch_merge_key.as_deref(), Some("port"));
        assert_eq!(ports.list_map_keys, ["port", "protocol"]);
    }

    #[test]
    fn finalizers_are_a_primitive_merge_list_on_every_kind() {
        for (group, version, kind) in [
            ("", "v1", "ConfigMap"),
            ("apps", "v1", "Deployment"),
            ("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        ] {
            let schema = schema_for(group, version, kind).expect("built-in kind");
            let finalizers = schema.field("metadata.finalizers").expect("finalizers");
            assert!(finalizers.patch_strategy.merge, "{kind}");
            assert_eq!(finalizers.patch_merge_key, None, "{kind}");
            let owners = schema.field("metadata.ownerReferences").expect("owners");
            assert_eq!(owners, &merge_by("uid"), "{kind}");
        }
    }

    #[test]
    fn tolerations_and_args_have_no_strategy() {
        assert!(
            deployment()
                .field("spec.template.spec.tolerations")
                .is_none()
        );
        assert!(
            deployment()
                .field("spec.template.spec.containers.args")
                .is_none()
        );
    }

    #[test]
    fn conditions_merge_by_type() {
        let conditions = deployment().field("status.conditions");
        assert_eq!(conditions, Some(&merge_by("type")));
    }

    #[test]
    fn pod_disruption_budget_selector_is_replaced() {
        let pdb = schema_for("policy", "v1", "PodDisruptionBudget").expect("PDB");
        let selector = pdb.field("spec.selector").expect("selector");
        assert!(selector.patch_strategy.replace);
        assert_eq!(selector.map_type, Some(MapType::Atomic));
    }

    #[test]
    fn recursive_crd_schemas_reach_nested_validations() {
        let crd = schema_for("apiextensions.k8s.io", "v1", "CustomResourceDefinition")
            .expect("CustomResourceDefinition");
        let nested = crd.field(
            "spec.versions.schema.openAPIV3Schema.properties.spec.properties.replicas.x-kubernetes-validations",
        );
        assert_eq!(
            nested,
            Some(&FieldMeta {
                list_type: Some(ListType::Map),
                list_map_keys: vec!["rule".to_string()],
                ..merge_by("rule")
            })
        );
    }

    #[test]
    fn custom_resources_have_no_schema() {
        assert!(schema_for("policy.karmada.io", "v1alpha1", "PropagationPolicy").is_none());
        assert!(schema_for("apps", "v1", "Nonexistent").is_none());
        assert!(schema_for("", "v1", "Deployment").is_none());
    }

    #[test]
    fn unknown_strategies_are_rejected_at_load() {
        let bad = r#"{"kinds": {"v1/X": {"spec.a": {"patchStrategy": "merge,bogus"}}}}"#;
        assert!(load(bad).unwrap_err().contains("bogus"));
    }
}
