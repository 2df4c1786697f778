//! OpenAPI v3 documents for custom resources: one per group/version, built from the CRDs' schemas
//! (with ObjectMeta from the built-in core document) and the write paths kubectl looks for, so
//! `kubectl explain` and kubectl's field-validation checks work for custom kinds.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::http::AppState;
use crate::registry::ResourceInfo;

/// `policy.karmada.io` → `io.karmada.policy`, the prefix of OpenAPI definition names.
fn reverse_domain(group: &str) -> String {
    group.split('.').rev().collect::<Vec<_>>().join(".")
}

/// The `io.k8s.apimachinery.pkg.apis.meta.v1.*` schemas (ObjectMeta and what it references), taken
/// from the built-in core document, so custom kinds' `metadata` resolves for `kubectl explain`.
fn meta_schemas(state: &AppState) -> serde_json::Map<String, Value> {
    use std::sync::{LazyLock, Mutex};
    // Parsed once per version of the core document (it is built in, so in practice once).
    type Cached = Option<(String, serde_json::Map<String, Value>)>;
    static CACHE: LazyLock<Mutex<Cached>> = LazyLock::new(|| Mutex::new(None));
    let Some(doc) = state.openapi.get("api/v1") else {
        return serde_json::Map::new();
    };
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((hash, schemas)) = cache.as_ref()
        && hash == doc.hash()
    {
        return schemas.clone();
    }
    let Ok(parsed) = serde_json::from_slice::<Value>(doc.json()) else {
        return serde_json::Map::new();
    };
    let schemas = extract_meta(&parsed);
    *cache = Some((doc.hash().to_string(), schemas.clone()));
    schemas
}

fn extract_meta(doc: &Value) -> serde_json::Map<String, Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .filter(|(name, _)| name.starts_with("io.k8s.apimachinery.pkg.apis.meta.v1."))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The OpenAPI v3 document of one custom group/version.
fn openapi_document(
    group: &str,
    version: &str,
    resources: &[Arc<ResourceInfo>],
    meta: &serde_json::Map<String, Value>,
) -> Value {
    let mut schemas = meta.clone();
    let mut paths = serde_json::Map::new();
    for r in resources {
        let definition = format!("{}.{}.{}", reverse_domain(group), version, r.kind);
        let gvk = json!({"group": group, "version": version, "kind": r.kind});
        let mut schema = r
            .custom
            .as_ref()
            .and_then(|c| c.schema.as_deref().cloned())
            .unwrap_or_else(|| json!({"type": "object"}));
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            props.insert(
                "metadata".into(),
                json!({"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}),
            );
            props.entry("apiVersion").or_insert_with(|| json!({"type": "string",
                "description": "APIVersion defines the versioned schema of this representation of an object."}));
            props.entry("kind").or_insert_with(|| json!({"type": "string",
                "description": "Kind is a string value representing the REST resource this object represents."}));
        }
        schema["x-kubernetes-group-version-kind"] = json!([gvk]);
        schemas.insert(definition.clone(), schema);
        let reference = json!({"$ref": format!("#/components/schemas/{definition}")});
        let item_path = if r.namespaced {
            format!(
                "/apis/{group}/{version}/namespaces/{{namespace}}/{}/{{name}}",
                r.resource
            )
        } else {
            format!("/apis/{group}/{version}/{}/{{name}}", r.resource)
        };
        let query = |name: &str| json!({"in": "query", "name": name, "schema": {"type": "string", "uniqueItems": true}});
        let ok = json!({"200": {"description": "OK", "content": {"application/json": {"schema": reference}}}});
        let operation = |action: &str, params: Vec<Value>, body: Option<Vec<&str>>| {
            let mut op = json!({
                "operationId": format!("{action}{}", r.kind),
                "parameters": params,
                "responses": ok,
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
            });
            if let Some(types) = body {
                let content: serde_json::Map<String, Value> = types
                    .into_iter()
                    .map(|t| (t.to_string(), json!({"schema": {"type": "object"}})))
                    .collect();
                op["requestBody"] = json!({"required": true, "content": content});
            }
            op
        };
        let write_params = vec![
            query("dryRun"),
            query("fieldManager"),
            query("fieldValidation"),
        ];
        let mut patch_params = write_params.clone();
        patch_params.push(query("force"));
        paths.insert(
            item_path,
            json!({
                "get": operation("get", vec![], None),
                "put": operation("put", write_params.clone(), Some(vec!["application/json"])),
                "patch": operation("patch", patch_params, Some(vec![
                    "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
                ])),
                "delete": operation("delete", vec![query("dryRun")], None),
            }),
        );
        let collection = if r.namespaced {
            format!(
                "/apis/{group}/{version}/namespaces/{{namespace}}/{}",
                r.resource
            )
        } else {
            format!("/apis/{group}/{version}/{}", r.resource)
        };
        paths.insert(
            collection,
            json!({
                "get": operation("list", vec![], None),
                "post": operation("post", write_params, Some(vec!["application/json"])),
            }),
        );
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// Publishes one OpenAPI document per custom group/version (and withdraws stale ones).
pub(super) fn publish(state: &AppState) {
    let mut by_gv: std::collections::BTreeMap<(String, String), Vec<Arc<ResourceInfo>>> =
        Default::default();
    for r in state.registry.all() {
        if r.custom.is_some() {
            by_gv
                .entry((r.group.clone(), r.version.clone()))
                .or_default()
                .push(r);
        }
    }
    let meta = if by_gv.is_empty() {
        Default::default()
    } else {
        meta_schemas(state)
    };
    let mut published = state
        .crd_documents
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut now = std::collections::BTreeSet::new();
    for ((group, version), resources) in &by_gv {
        let path = crate::openapi::group_version_path(group, version);
        let doc = openapi_document(group, version, resources, &meta);
        state
            .openapi
            .set_group_version(path.clone(), crate::openapi::Document::from_value(&doc));
        now.insert(path);
    }
    for stale in published.difference(&now) {
        state.openapi.remove_group_version(stale);
    }
    *published = now;
}
