//! Delete and deletecollection: preconditions, finalizers, propagation policies, dry runs.

use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::object::{self, meta_str};
use super::resources::{MAX_UPDATE_ATTEMPTS, ResourceRequest};
use crate::status::ApiError;
use crate::storage::StorageError;

impl ResourceRequest {
    /// Deletes one object: marks it when finalizers (or foreground deletion) hold it, removes it
    /// otherwise. Returns the object as last seen.
    pub(super) async fn delete_one(&self, name: &str, options: &Value) -> Result<Value, ApiError> {
        let uid_precondition = options
            .pointer("/preconditions/uid")
            .and_then(Value::as_str);
        let rv_precondition = options
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(object::parse_resource_version)
            .transpose()?;
        let foreground =
            options.get("propagationPolicy").and_then(Value::as_str) == Some("Foreground");
        let dry_run = self.params.dry_run()?
            || options
                .get("dryRun")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|v| v == "All"));
        for _ in 0..MAX_UPDATE_ATTEMPTS {
            let (kv, mut current) = self.read(name).await?;
            if uid_precondition.is_some_and(|uid| Some(uid) != meta_str(&current, "uid")) {
                return Err(object::conflict(&self.info, name));
            }
            if rv_precondition.is_some_and(|rv| rv != kv.mod_revision) {
                return Err(object::conflict(&self.info, name));
            }
            let mut finalizers: Vec<Value> = current
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if foreground && !finalizers.iter().any(|f| f == crate::gc::FOREGROUND) {
                finalizers.push(crate::gc::FOREGROUND.into());
            }
            if options.get("propagationPolicy").and_then(Value::as_str) == Some("Orphan")
                && !finalizers.iter().any(|f| f == crate::gc::ORPHAN)
            {
                finalizers.push(crate::gc::ORPHAN.into());
            }
            let is_namespace = self.info.group.is_empty() && self.info.resource == "namespaces";
            if is_namespace && ["default", "kube-system", "kube-public"].contains(&name) {
                return Err(ApiError::forbidden(format!(
                    "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
                )));
            }
            // A namespace always terminates first: the lifecycle controller empties it, then
            // deletes it. Other objects wait only for their finalizers.
            if finalizers.is_empty() && !is_namespace {
                if dry_run {
                    return Ok(current);
                }
                match self
                    .store()
                    .delete(&self.key(name), Some(kv.mod_revision))
                    .await
                {
                    // As kube-apiserver: the deleted object carries the delete's revision, the
                    // resourceVersion of the DELETED watch event.
                    Ok(deleted) => {
                        object::set_resource_version(&mut current, deleted.revision);
                        return Ok(current);
                    }
                    Err(StorageError::Conflict { .. }) => continue,
                    Err(StorageError::NotFound { .. }) => {
                        return Err(object::not_found(&self.info, name));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            // Held: mark it as being deleted (once) and let its finalizers' owners finish.
            if meta_str(&current, "deletionTimestamp").is_some() {
                return Ok(current);
            }
            current["metadata"]["deletionTimestamp"] = object::now_rfc3339().into();
            if is_namespace {
                current["status"] = json!({"phase": "Terminating"});
            } else {
                current["metadata"]["deletionGracePeriodSeconds"] = 0.into();
                current["metadata"]["finalizers"] = Value::Array(finalizers);
            }
            if dry_run {
                return Ok(current);
            }
            match self
                .store()
                .update(
                    &self.key(name),
                    object::to_storage(&current),
                    kv.mod_revision,
                )
                .await
            {
                Ok(kv) => {
                    object::set_resource_version(&mut current, kv.mod_revision);
                    return Ok(current);
                }
                Err(StorageError::Conflict { .. }) => continue,
                Err(StorageError::NotFound { .. }) => {
                    return Err(object::not_found(&self.info, name));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(object::conflict(&self.info, name))
    }

    pub(super) fn delete_options(&self, body: &Bytes) -> Result<Value, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            let mut options = json!({});
            if let Some(policy) = self.params.get("propagationPolicy") {
                options["propagationPolicy"] = policy.into();
            }
            return Ok(options);
        }
        let options = object::decode_object(&self.headers, body)?;
        Ok(Value::Object(options))
    }

    pub(super) async fn delete(&self, name: &str, body: Bytes) -> Result<Response, ApiError> {
        let options = self.delete_options(&body)?;
        let object = self.delete_one(name, &options).await?;
        self.respond(StatusCode::OK, object)
    }

    pub(super) async fn delete_collection(&self, body: Bytes) -> Result<Response, ApiError> {
        let options = self.delete_options(&body)?;
        let (items, _, _, _) = self.list_objects().await?;
        let mut deleted = Vec::new();
        for item in items {
            let Some(name) = meta_str(&item, "name") else {
                continue;
            };
            match self.delete_one(name, &options).await {
                Ok(object) => deleted.push(object),
                Err(e) if e.code == StatusCode::NOT_FOUND => {}
                Err(e) => return Err(e),
            }
        }
        let revision = self.store().current_revision().await?;
        self.respond(
            StatusCode::OK,
            json!({
                "kind": format!("{}List", self.info.kind),
                "apiVersion": self.info.api_version(),
                "metadata": {"resourceVersion": revision.to_resource_version()},
                "items": deleted,
            }),
        )
    }
}
