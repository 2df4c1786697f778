//! Schema plumbing: hand-written OpenAPI fragments for fields whose Rust type does not describe
//! Karmada's schema on its own (apiextensions `JSON` values, quantity maps, Go `int`s), and the CRD
//! of a cluster-scoped twin.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps,
};
use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::Value;

/// The pattern kube-apiserver's CRD schemas give a `resource.Quantity`.
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// Any JSON value, kept as it is (apiextensions `JSON`).
pub fn preserve_unknown_fields(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
}

/// A `corev1.ResourceList`: resource name → quantity (an integer or a quantity string).
pub fn resource_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {
            "anyOf": [{ "type": "integer" }, { "type": "string" }],
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": true,
        },
    })
}

/// A Go `int`: an integer without a declared width.
pub fn integer(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer" })
}

/// How a cluster-scoped twin differs from its namespaced kind.
pub struct TwinNames {
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_name: &'static str,
    pub description: &'static str,
    pub spec_description: &'static str,
}

/// The CRD of a cluster-scoped twin: the namespaced kind's CRD, renamed and made cluster-scoped.
pub fn cluster_scoped_crd(
    mut crd: CustomResourceDefinition,
    names: TwinNames,
) -> CustomResourceDefinition {
    crd.metadata.name = Some(format!("{}.{}", names.plural, crd.spec.group));
    crd.spec.scope = "Cluster".to_string();
    crd.spec.names.kind = names.kind.to_string();
    crd.spec.names.list_kind = None;
    crd.spec.names.plural = names.plural.to_string();
    crd.spec.names.singular = Some(names.singular.to_string());
    crd.spec.names.short_names = Some(vec![names.short_name.to_string()]);
    for version in &mut crd.spec.versions {
        let Some(schema) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        else {
            continue;
        };
        schema.description = Some(names.description.to_string());
        if let Some(spec) = schema.properties.as_mut().and_then(|p| p.get_mut("spec")) {
            spec.description = Some(names.spec_description.to_string());
        }
    }
    crd
}

/// Gives a generated CRD the shape of Karmada's where kube's derive differs:
///
/// * the root schema gets the `apiVersion`, `kind` and `metadata` properties, `spec` and `status`
///   Karmada's descriptions, and no `title`; the names get a `listKind`;
/// * optional fields are not `nullable` (and their enums do not list `null`), as controller-gen
///   writes them;
/// * int-or-string quantities keep `anyOf: [{type: integer}, {type: string}]`;
/// * label and field selectors' lists are `x-kubernetes-list-type: atomic`;
/// * the kinds whose Karmada CRD declares it get an empty `subresources`.
pub fn karmada_shape(
    mut crd: CustomResourceDefinition,
    spec_description: &str,
    status_description: Option<&str>,
    empty_subresources: bool,
) -> CustomResourceDefinition {
    crd.spec.names.list_kind = Some(format!("{}List", crd.spec.names.kind));
    for version in &mut crd.spec.versions {
        if empty_subresources && version.subresources.is_none() {
            version.subresources = Some(Default::default());
        }
        let Some(schema) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        else {
            continue;
        };
        let mut value = serde_json::to_value(&*schema).expect("a schema is JSON");
        controller_gen_style(&mut value, None);
        *schema = serde_json::from_value(value).expect("the reshaped schema is still a schema");
        schema.title = None;
        let properties = schema.properties.get_or_insert_with(Default::default);
        if let Some(spec) = properties.get_mut("spec") {
            spec.description = Some(spec_description.to_string());
        }
        if let (Some(status), Some(description)) =
            (properties.get_mut("status"), status_description)
        {
            status.description = Some(description.to_string());
        }
        properties.insert(
            "apiVersion".into(),
            JSONSchemaProps {
                description: Some(API_VERSION_DESCRIPTION.to_string()),
                type_: Some("string".into()),
                ..Default::default()
            },
        );
        properties.insert(
            "kind".into(),
            JSONSchemaProps {
                description: Some(KIND_DESCRIPTION.to_string()),
                type_: Some("string".into()),
                ..Default::default()
            },
        );
        properties.insert(
            "metadata".into(),
            JSONSchemaProps {
                type_: Some("object".into()),
                ..Default::default()
            },
        );
    }
    crd
}

const API_VERSION_DESCRIPTION: &str = "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";

const KIND_DESCRIPTION: &str = "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

/// Rewrites kube's rendering of a schema into controller-gen's (see [`karmada_shape`]); `key` is
/// the property name under which `schema` sits.
fn controller_gen_style(schema: &mut Value, key: Option<&str>) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.remove("nullable");
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if object.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        && object.contains_key("anyOf")
    {
        object.insert(
            "anyOf".into(),
            serde_json::json!([{ "type": "integer" }, { "type": "string" }]),
        );
    }
    if matches!(key, Some("labelSelector" | "fieldSelector")) {
        let expressions = object
            .get_mut("properties")
            .and_then(|p| p.get_mut("matchExpressions"))
            .and_then(Value::as_object_mut);
        if let Some(expressions) = expressions {
            if key == Some("labelSelector") {
                expressions.insert("x-kubernetes-list-type".into(), "atomic".into());
            }
            if let Some(values) = expressions
                .get_mut("items")
                .and_then(|i| i.get_mut("properties"))
                .and_then(|p| p.get_mut("values"))
                .and_then(Value::as_object_mut)
            {
                values.insert("x-kubernetes-list-type".into(), "atomic".into());
            }
        }
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (name, child) in properties.iter_mut() {
            controller_gen_style(child, Some(name));
        }
    }
    for nested in ["items", "additionalProperties"] {
        if let Some(child) = object.get_mut(nested) {
            controller_gen_style(child, None);
        }
    }
}
