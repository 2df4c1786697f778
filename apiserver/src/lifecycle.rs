//! Object lifecycle shared by the in-server controllers: deleting an object the way an API client's
//! DELETE would (marking it when finalizers hold it), and finding what a storage key names.

use serde_json::Value;

use crate::http::object;
use crate::registry::{Registry, ResourceInfo};
use crate::storage::{KeyValue, StorageError, Store};

/// What a storage key names: `/{group}/{resource}/[{namespace}/]{name}` (core group as `core`).
pub struct KeyRef {
    pub group: String,
    pub resource: String,
    pub namespace: Option<String>,
    pub name: String,
}

pub fn parse_key(key: &str) -> Option<KeyRef> {
    let parts: Vec<&str> = key.trim_start_matches('/').split('/').collect();
    let group = |g: &str| {
        if g == "core" {
            String::new()
        } else {
            g.to_string()
        }
    };
    match parts.as_slice() {
        [g, resource, ns, name] => Some(KeyRef {
            group: group(g),
            resource: resource.to_string(),
            namespace: Some(ns.to_string()),
            name: name.to_string(),
        }),
        [g, resource, name] => Some(KeyRef {
            group: group(g),
            resource: resource.to_string(),
            namespace: None,
            name: name.to_string(),
        }),
        _ => None,
    }
}

/// The resource a key belongs to (any served version).
pub fn resource_of(registry: &Registry, key: &KeyRef) -> Option<std::sync::Arc<ResourceInfo>> {
    registry
        .all()
        .into_iter()
        .find(|r| r.group == key.group && r.resource == key.resource)
}

/// Deletes the object stored as `kv` unless finalizers hold it, in which case it is marked with a
/// deletionTimestamp (once). `extra_finalizer` (e.g. `foregroundDeletion`) is added when marking.
///
/// Returns `Ok(false)` when the object changed underneath (the caller retries on the next event).
pub async fn delete_object(
    store: &dyn Store,
    kv: &KeyValue,
    extra_finalizer: Option<&str>,
) -> Result<bool, StorageError> {
    let Ok(mut object) = serde_json::from_slice::<Value>(&kv.value) else {
        return Ok(true);
    };
    let mut finalizers: Vec<Value> = object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(extra) = extra_finalizer
        && !finalizers.is_empty()
        && !finalizers.iter().any(|f| f == extra)
    {
        finalizers.push(extra.into());
    }
    let result = if finalizers.is_empty() {
        store
            .delete(&kv.key, Some(kv.mod_revision))
            .await
            .map(|_| ())
    } else if object::meta_str(&object, "deletionTimestamp").is_some() {
        return Ok(true);
    } else {
        object["metadata"]["deletionTimestamp"] = object::now_rfc3339().into();
        object["metadata"]["deletionGracePeriodSeconds"] = 0.into();
        object["metadata"]["finalizers"] = Value::Array(finalizers);
        store
            .update(&kv.key, object::to_storage(&object), kv.mod_revision)
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) | Err(StorageError::NotFound { .. }) => Ok(true),
        Err(StorageError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes `finalizer` from the object stored as `kv`; deletes it when that was the last one and it
/// is being deleted. Returns `Ok(false)` on a concurrent change.
pub async fn remove_finalizer(
    store: &dyn Store,
    kv: &KeyValue,
    finalizer: &str,
) -> Result<bool, StorageError> {
    let Ok(mut object) = serde_json::from_slice::<Value>(&kv.value) else {
        return Ok(true);
    };
    let finalizers: Vec<Value> = object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter(|f| *f != finalizer).cloned().collect())
        .unwrap_or_default();
    let result =
        if finalizers.is_empty() && object::meta_str(&object, "deletionTimestamp").is_some() {
            store
                .delete(&kv.key, Some(kv.mod_revision))
                .await
                .map(|_| ())
        } else {
            if finalizers.is_empty() {
                object["metadata"]
                    .as_object_mut()
                    .map(|m| m.remove("finalizers"));
            } else {
                object["metadata"]["finalizers"] = Value::Array(finalizers);
            }
            store
                .update(&kv.key, object::to_storage(&object), kv.mod_revision)
                .await
                .map(|_| ())
        };
    match result {
        Ok(()) | Err(StorageError::NotFound { .. }) => Ok(true),
        Err(StorageError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
