//! CustomResourceDefinitions: turning a CRD object into servable resources, validating CRDs, and the
//! in-server controller that keeps the registry and each CRD's status in step with storage and cleans
//! up a deleted CRD's objects.
//!
//! Ownership: this controller is the only writer of a CRD's `status` and of the
//! `customresourcecleanup.apiextensions.k8s.io` finalizer's removal; the HTTP handlers add that
//! finalizer on create and call [`sync_registry`] after every CRD write so a new CRD is servable by
//! the very next request on this replica (other replicas follow through the watch).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::watch;

mod openapi;

use crate::http::AppState;
use crate::http::object;
use crate::jsonpath::JsonPath;
use crate::registry::{CustomInfo, PrinterColumn, Registry, ResourceInfo};
use crate::schema::FieldError;
use crate::storage::{ListOptions, StorageError};

/// Held by every CRD until its custom objects are deleted.
pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

fn err(field: &str, reason: &'static str, detail: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        detail: detail.into(),
        reason,
    }
}

fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// Checks a CRD and returns the resources it defines (one per served version).
///
/// # Errors
/// Every problem found, with kube-apiserver's field paths (`spec.names.plural`, ...).
pub fn resources_from_crd(crd: &Value) -> Result<Vec<ResourceInfo>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = object::meta_str(crd, "name").unwrap_or_default();
    let group = str_at(crd, "/spec/group").unwrap_or_default();
    let plural = str_at(crd, "/spec/names/plural").unwrap_or_default();
    let kind = str_at(crd, "/spec/names/kind").unwrap_or_default();
    let singular = str_at(crd, "/spec/names/singular")
        .map(String::from)
        .unwrap_or_else(|| kind.to_lowercase());
    if group.is_empty() {
        errors.push(err("spec.group", "FieldValueRequired", "Required value"));
    } else if !group.contains('.') {
        errors.push(err(
            "spec.group",
            "FieldValueInvalid",
            format!("Invalid value: {group:?}: should be a domain with at least one dot"),
        ));
    }
    if plural.is_empty() {
        errors.push(err(
            "spec.names.plural",
            "FieldValueRequired",
            "Required value",
        ));
    } else if !dns_label(plural) {
        errors.push(err(
            "spec.names.plural",
            "FieldValueInvalid",
            format!("Invalid value: {plural:?}: a lowercase RFC 1123 label is required"),
        ));
    }
    if kind.is_empty() {
        errors.push(err(
            "spec.names.kind",
            "FieldValueRequired",
            "Required value",
        ));
    }
    if !plural.is_empty() && !group.is_empty() && name != format!("{plural}.{group}") {
        errors.push(err(
            "metadata.name",
            "FieldValueInvalid",
            format!("Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    let namespaced = match str_at(crd, "/spec/scope") {
        Some("Namespaced") => true,
        Some("Cluster") => false,
        other => {
            errors.push(err(
                "spec.scope",
                "FieldValueNotSupported",
                format!(
                    "Unsupported value: {:?}: supported values: \"Cluster\", \"Namespaced\"",
                    other.unwrap_or_default()
                ),
            ));
            true
        }
    };
    let short_names: Vec<String> = crd
        .pointer("/spec/names/shortNames")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let categories: Vec<String> = crd
        .pointer("/spec/names/categories")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        errors.push(err(
            "spec.versions",
            "FieldValueRequired",
            "Required value: must have exactly one version marked as storage version",
        ));
    }
    let storage_count = versions
        .iter()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .count();
    if !versions.is_empty() && storage_count != 1 {
        errors.push(err(
            "spec.versions",
            "FieldValueInvalid",
            "Invalid value: must have exactly one version marked as storage version",
        ));
    }
    let mut resources = Vec::new();
    for (i, version) in versions.iter().enumerate() {
        let path = format!("spec.versions[{i}]");
        let vname = version
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !dns_label(vname) {
            errors.push(err(
                &format!("{path}.name"),
                "FieldValueInvalid",
                format!("Invalid value: {vname:?}: a DNS-1035 label is required"),
            ));
        }
        let schema = version
            .pointer("/schema/openAPIV3Schema")
            .cloned()
            .map(Arc::new);
        match &schema {
            None => errors.push(err(
                &format!("{path}.schema.openAPIV3Schema"),
                "FieldValueRequired",
                "Required value: schemas are required",
            )),
            Some(s) if s.get("type").and_then(Value::as_str) != Some("object") => errors.push(err(
                &format!("{path}.schema.openAPIV3Schema.type"),
                "FieldValueRequired",
                "Required value: must not be empty at the root",
            )),
            Some(_) => {}
        }
        let mut printer_columns = Vec::new();
        for (j, column) in version
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let cpath = format!("{path}.additionalPrinterColumns[{j}]");
            let json_path = column
                .get("jsonPath")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match JsonPath::parse(json_path) {
                Ok(parsed) => printer_columns.push(PrinterColumn {
                    name: column
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    type_: column
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string")
                        .to_string(),
                    format: column
                        .get("format")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    description: column
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    priority: column.get("priority").and_then(Value::as_i64).unwrap_or(0),
                    path: parsed,
                }),
                Err(e) => errors.push(err(
                    &format!("{cpath}.jsonPath"),
                    "FieldValueInvalid",
                    format!("Invalid value: {json_path:?}: {e}"),
                )),
            }
        }
        if version.get("served").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let subresources = version.get("subresources");
        let scale_paths = subresources.and_then(|s| s.get("scale")).map(|scale| {
            (
                scale
                    .get("specReplicasPath")
                    .and_then(Value::as_str)
                    .unwrap_or(".spec.replicas")
                    .to_string(),
                scale
                    .get("statusReplicasPath")
                    .and_then(Value::as_str)
                    .unwrap_or(".status.replicas")
                    .to_string(),
                scale
                    .get("labelSelectorPath")
                    .and_then(Value::as_str)
                    .map(String::from),
            )
        });
        resources.push(ResourceInfo {
            group: group.to_string(),
            version: vname.to_string(),
            resource: plural.to_string(),
            singular: singular.clone(),
            kind: kind.to_string(),
            namespaced,
            short_names: short_names.clone(),
            categories: categories.clone(),
            status_subresource: subresources.and_then(|s| s.get("status")).is_some(),
            scale_subresource: scale_paths.is_some(),
            custom: Some(Arc::new(CustomInfo {
                crd_name: name.to_string(),
                schema,
                printer_columns,
                scale_paths,
                accepting: object::meta_str(crd, "deletionTimestamp").is_none(),
            })),
        });
    }
    if errors.is_empty() {
        Ok(resources)
    } else {
        Err(errors)
    }
}

/// Makes the registry serve what `crd` defines (nothing, if it is invalid); returns whether that
/// changed anything.
pub fn sync_registry(registry: &Registry, crd: &Value) -> bool {
    let Some(name) = object::meta_str(crd, "name") else {
        return false;
    };
    match resources_from_crd(crd) {
        Ok(resources) => registry.set_custom(name, resources),
        Err(errors) => {
            tracing::warn!(
                crd = name,
                ?errors,
                "ignoring an invalid CustomResourceDefinition"
            );
            registry.set_custom(name, Vec::new())
        }
    }
}

/// Makes the server serve (and document) what `crd` defines.
pub fn sync(state: &AppState, crd: &Value) {
    // Status-only changes (the controller's own writes among them) serve nothing new.
    if sync_registry(&state.registry, crd) {
        openapi::publish(state);
    }
}

fn crd_info(state: &AppState) -> Option<Arc<ResourceInfo>> {
    state
        .registry
        .get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
}

/// The status a served CRD should have.
fn desired_status(crd: &Value, current: Option<&Value>) -> Value {
    let names = crd
        .pointer("/spec/names")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut accepted = names.clone();
    if accepted.get("singular").is_none()
        && let Some(kind) = names.get("kind").and_then(Value::as_str)
    {
        accepted["singular"] = kind.to_lowercase().into();
    }
    if accepted.get("listKind").is_none()
        && let Some(kind) = names.get("kind").and_then(Value::as_str)
    {
        accepted["listKind"] = format!("{kind}List").into();
    }
    let stored: Vec<Value> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .filter_map(|v| v.get("name").cloned())
        .collect();
    let mut stored_versions: Vec<Value> = current
        .and_then(|s| s.get("storedVersions"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for v in stored {
        if !stored_versions.contains(&v) {
            stored_versions.push(v);
        }
    }
    let keep_time = |kind: &str| {
        current
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|c| c["type"] == kind))
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| object::now_rfc3339().into())
    };
    json!({
        "acceptedNames": accepted,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found", "lastTransitionTime": keep_time("NamesAccepted")},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted", "lastTransitionTime": keep_time("Established")},
        ],
        "storedVersions": stored_versions,
    })
}

/// Brings one CRD's status and registry entry up to date, or finishes its deletion.
async fn reconcile(state: &AppState, name: &str) -> Result<(), StorageError> {
    let Some(info) = crd_info(state) else {
        return Ok(());
    };
    let key = info.key(None, name);
    let kv = match state.store.get(&key).await {
        Ok(kv) => kv,
        Err(StorageError::NotFound { .. }) => {
            state.registry.set_custom(name, Vec::new());
            openapi::publish(state);
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let Ok(mut crd) = serde_json::from_slice::<Value>(&kv.value) else {
        return Ok(());
    };
    sync(state, &crd);

    if object::meta_str(&crd, "deletionTimestamp").is_some() {
        // Delete every custom object (all versions share one key prefix), then let the CRD go.
        if let (Some(group), Some(plural)) = (
            str_at(&crd, "/spec/group").map(String::from),
            str_at(&crd, "/spec/names/plural").map(String::from),
        ) {
            let prefix = format!("/{group}/{plural}/");
            loop {
                let page = state
                    .store
                    .list(
                        &prefix,
                        ListOptions {
                            limit: Some(500),
                            ..Default::default()
                        },
                    )
                    .await?;
                if page.items.is_empty() {
                    break;
                }
                for item in page.items {
                    match state.store.delete(&item.key, None).await {
                        Ok(_) | Err(StorageError::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        let finalizers: Vec<Value> = crd
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .map(|f| {
                f.iter()
                    .filter(|f| *f != CLEANUP_FINALIZER)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let result = if finalizers.is_empty() {
            state
                .store
                .delete(&key, Some(kv.mod_revision))
                .await
                .map(|_| ())
        } else {
            crd["metadata"]["finalizers"] = Value::Array(finalizers);
            state
                .store
                .update(&key, object::to_storage(&crd), kv.mod_revision)
                .await
                .map(|_| ())
        };
        return match result {
            Ok(()) | Err(StorageError::Conflict { .. }) | Err(StorageError::NotFound { .. }) => {
                Ok(())
            }
            Err(e) => Err(e),
        };
    }

    if resources_from_crd(&crd).is_err() {
        return Ok(());
    }
    let status = desired_status(&crd, crd.get("status"));
    if crd.get("status") != Some(&status) {
        crd["status"] = status;
        match state
            .store
            .update(&key, object::to_storage(&crd), kv.mod_revision)
            .await
        {
            // A newer version exists; its own event brings us back.
            Ok(_) | Err(StorageError::Conflict { .. }) | Err(StorageError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The CRD controller: lists and watches CRDs and reconciles each change, until `shutdown`.
pub async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    let Some(info) = crd_info(&state) else {
        return;
    };
    let prefix = info.key_prefix();
    loop {
        let result = async {
            let page = state.store.list(&prefix, ListOptions::default()).await?;
            for kv in &page.items {
                if let Some(name) = kv.key.strip_prefix(&prefix)
                    && let Err(error) = reconcile(&state, name).await
                {
                    tracing::warn!(crd = name, %error, "reconciling a CustomResourceDefinition failed");
                }
            }
            let mut events = state.store.watch(&prefix, Some(page.revision)).await?;
            while let Some(event) = events.next().await {
                let event = event?;
                if let Some(name) = event.kv.key.strip_prefix(&prefix)
                    && let Err(error) = reconcile(&state, name).await
                {
                    tracing::warn!(crd = name, %error, "reconciling a CustomResourceDefinition failed");
                }
            }
            Ok::<(), StorageError>(())
        };
        tokio::select! {
            result = result => {
                if let Err(error) = result {
                    tracing::warn!(%error, "CustomResourceDefinition watch ended; listing again");
                }
            }
            _ = shutdown.changed() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Installs (or updates) the CRDs this server always serves — Karmada's API groups — and serves
/// them at once. An existing CRD keeps its status and metadata; only its spec is brought up to date.
pub async fn install_builtin(state: &AppState, crds: &[Value]) -> Result<(), StorageError> {
    let Some(info) = crd_info(state) else {
        return Ok(());
    };
    for crd in crds {
        let Some(name) = object::meta_str(crd, "name").map(String::from) else {
            continue;
        };
        let key = info.key(None, &name);
        loop {
            match state.store.get(&key).await {
                Ok(kv) => {
                    let Ok(mut stored) = serde_json::from_slice::<Value>(&kv.value) else {
                        break;
                    };
                    if stored.get("spec") == crd.get("spec") {
                        sync_registry(&state.registry, &stored);
                        break;
                    }
                    stored["spec"] = crd["spec"].clone();
                    match state
                        .store
                        .update(&key, object::to_storage(&stored), kv.mod_revision)
                        .await
                    {
                        Ok(_) => {
                            sync_registry(&state.registry, &stored);
                            break;
                        }
                        Err(StorageError::Conflict { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(StorageError::NotFound { .. }) => {
                    let mut object = crd.clone();
                    if let Some(map) = object.as_object_mut() {
                        object::initialize(&info, map);
                        object::metadata(map)
                            .insert("finalizers".into(), json!([CLEANUP_FINALIZER]));
                    }
                    match state.store.create(&key, object::to_storage(&object)).await {
                        Ok(_) => {
                            sync_registry(&state.registry, &object);
                            break;
                        }
                        Err(StorageError::AlreadyExists { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    openapi::publish(state);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
                "versions": [{
                    "name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object"}},
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]
                }]
            }
        })
    }

    #[test]
    fn a_valid_crd_defines_one_resource_per_served_version() {
        let resources = resources_from_crd(&crd()).unwrap();
        assert_eq!(resources.len(), 1);
        let r = &resources[0];
        assert_eq!(
            (r.group.as_str(), r.version.as_str(), r.resource.as_str()),
            ("example.com", "v1", "widgets")
        );
        assert_eq!(r.singular, "widget");
        assert!(r.status_subresource);
        assert_eq!(r.custom.as_ref().unwrap().printer_columns[0].name, "Size");
    }

    #[test]
    fn invalid_crds_name_each_bad_field() {
        type Mutation = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(Mutation, &str)> = vec![
            (
                Box::new(|c| c["metadata"]["name"] = "wrong.example.com".into()),
                "metadata.name",
            ),
            (
                Box::new(|c| c["spec"]["group"] = "nodot".into()),
                "spec.group",
            ),
            (
                Box::new(|c| c["spec"]["scope"] = "Galaxy".into()),
                "spec.scope",
            ),
            (
                Box::new(|c| c["spec"]["names"]["kind"] = "".into()),
                "spec.names.kind",
            ),
            (
                Box::new(|c| c["spec"]["versions"][0]["storage"] = false.into()),
                "spec.versions",
            ),
            (
                Box::new(|c| c["spec"]["versions"][0]["schema"] = json!({})),
                "spec.versions[0].schema.openAPIV3Schema",
            ),
            (
                Box::new(|c| {
                    c["spec"]["versions"][0]["additionalPrinterColumns"][0]["jsonPath"] =
                        "spec".into()
                }),
                "spec.versions[0].additionalPrinterColumns[0].jsonPath",
            ),
        ];
        for (mutate, field) in cases {
            let mut c = crd();
            mutate(&mut c);
            let errors = resources_from_crd(&c).unwrap_err();
            assert!(
                errors.iter().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }

    #[test]
    fn the_registry_follows_the_crd_and_never_shadows_builtins() {
        let registry = Registry::with_builtins();
        sync_registry(&registry, &crd());
        assert!(registry.get("example.com", "v1", "widgets").is_some());
        let mut shadow = crd();
        shadow["metadata"]["name"] = "deployments.apps".into();
        shadow["spec"]["group"] = "apps".into();
        shadow["spec"]["names"]["plural"] = "deployments".into();
        // "apps" has no dot, so this CRD is invalid and changes nothing.
        sync_registry(&registry, &shadow);
        assert!(
            registry
                .get("apps", "v1", "deployments")
                .unwrap()
                .custom
                .is_none()
        );
        let mut gone = crd();
        gone["spec"]["versions"][0]["served"] = false.into();
        sync_registry(&registry, &gone);
        assert!(registry.get("example.com", "v1", "widgets").is_none());
    }
}
