//! Writes: create, update (PUT) and patch (JSON, merge, strategic), with the server-owned metadata,
//! field ownership and finalizer-driven deletion they imply.

use axum::http::{StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::object::{self, meta_str};
use super::resources::{MAX_UPDATE_ATTEMPTS, ResourceRequest};
use crate::registry::ResourceInfo;
use crate::status::ApiError;
use crate::storage::{Revision, StorageError};

impl ResourceRequest {
    pub(super) async fn create(&self, body: Bytes) -> Result<Response, ApiError> {
        if self.info.namespaced && self.namespace.is_none() {
            return Err(ApiError::method_not_allowed("POST"));
        }
        let mut object = object::decode_object(&self.headers, &body)?;
        object::check_type(&self.info, &mut object)?;
        self.place(&mut object, None)?;
        let name = self.assign_name(&mut object)?;
        object::check_name(&self.info, &name)?;
        self.check_namespace_open().await?;
        if let Some(custom) = &self.info.custom
            && !custom.accepting
        {
            return Err(ApiError::method_not_allowed("POST").with_details(json!({
                "causes": [{"message": "create not allowed while custom resource definition is terminating"}]
            })));
        }
        object::initialize(&self.info, &mut object);
        object::metadata(&mut object).remove("managedFields");
        if self.is_crd() {
            let finalizers = object::metadata(&mut object)
                .entry("finalizers")
                .or_insert_with(|| json!([]));
            if let Some(list) = finalizers.as_array_mut()
                && !list.iter().any(|f| f == crate::crd::CLEANUP_FINALIZER)
            {
                list.push(crate::crd::CLEANUP_FINALIZER.into());
            }
        }
        let mut object = Value::Object(object);
        crate::apply::track_update(
            None,
            &mut object,
            &self.field_manager(),
            None,
            &self.apply_schema(),
            self.info.status_subresource,
            &object::now_rfc3339(),
        );
        self.admit(&mut object, None)?;
        if self.params.dry_run()? {
            return self.respond(StatusCode::CREATED, object);
        }
        let kv = match self
            .store()
            .create(&self.key(&name), object::to_storage(&object))
            .await
        {
            Ok(kv) => kv,
            Err(StorageError::AlreadyExists { .. }) => {
                return Err(object::already_exists(&self.info, &name));
            }
            Err(e) => return Err(e.into()),
        };
        object::set_resource_version(&mut object, kv.mod_revision);
        self.after_write(&object);
        self.respond(StatusCode::CREATED, object)
    }

    /// Puts the object in the request's namespace, refusing a different one in the body; checks the
    /// name in the body against the URL's.
    pub(super) fn place(
        &self,
        object: &mut Map<String, Value>,
        url_name: Option<&str>,
    ) -> Result<(), ApiError> {
        let namespaced = self.info.namespaced;
        let request_ns = self.namespace.clone();
        let meta = object::metadata(object);
        if namespaced {
            let request_ns = request_ns.unwrap_or_default();
            match meta.get("namespace").and_then(Value::as_str) {
                Some(ns) if !ns.is_empty() && ns != request_ns => {
                    return Err(ApiError::bad_request(format!(
                        "the namespace of the provided object ({ns}) does not match the namespace \
                         sent on the request ({request_ns})"
                    )));
                }
                _ => {
                    meta.insert("namespace".into(), request_ns.into());
                }
            }
        } else {
            meta.remove("namespace");
        }
        if let Some(url_name) = url_name {
            match meta.get("name").and_then(Value::as_str) {
                Some(name) if name != url_name => {
                    return Err(ApiError::bad_request(format!(
                        "the name of the object ({name}) does not match the name on the URL ({url_name})"
                    )));
                }
                Some(_) => {}
                None => {
                    meta.insert("name".into(), url_name.into());
                }
            }
        }
        Ok(())
    }

    pub(super) fn assign_name(&self, object: &mut Map<String, Value>) -> Result<String, ApiError> {
        let meta = object::metadata(object);
        if let Some(name) = meta
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return Ok(name.to_string());
        }
        let Some(base) = meta.get("generateName").and_then(Value::as_str) else {
            return Err(object::invalid(
                &self.info,
                "",
                "metadata.name",
                "Required value: name or generateName is required",
            ));
        };
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let random = uuid::Uuid::new_v4();
        let suffix: String = random.as_bytes()[..5]
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        let base: String = base.chars().take(63 - 5).collect();
        let name = format!("{base}{suffix}");
        meta.insert("name".into(), name.clone().into());
        Ok(name)
    }

    // ---- update and patch -------------------------------------------------------------------------

    /// Merges a client's intended object with the stored one according to what the endpoint may
    /// change, and decides whether the write goes ahead.
    pub(super) fn merge_for_write(
        &self,
        current: &Value,
        mut intended: Map<String, Value>,
        subresource: Option<&str>,
        track: bool,
    ) -> Result<Value, ApiError> {
        let status_only = subresource == Some("status");
        let mut next = if status_only {
            // The status endpoint changes status only.
            let mut next = current.clone();
            next["status"] = intended.remove("status").unwrap_or(Value::Null);
            if next["status"].is_null() {
                next.as_object_mut().map(|m| m.remove("status"));
            }
            next
        } else {
            let mut next = Value::Object(intended);
            if self.info.status_subresource {
                match current.get("status") {
                    Some(status) => next["status"] = status.clone(),
                    None => {
                        next.as_object_mut().map(|m| m.remove("status"));
                    }
                }
            }
            next
        };
        // Server-owned metadata is kept from the stored object.
        for field in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            let meta = next
                .get_mut("metadata")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
            match current.pointer(&format!("/metadata/{field}")) {
                Some(value) => {
                    meta.insert(field.into(), value.clone());
                }
                None => {
                    meta.remove(field);
                }
            }
        }
        if object::tracks_generation(&self.info) {
            let generation = current
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let changed = object::spec_part(current) != object::spec_part(&next);
            next["metadata"]["generation"] = (generation + i64::from(changed)).into();
        }
        if track {
            // Field ownership: the stored managedFields, updated for what this write changes.
            match current.pointer("/metadata/managedFields") {
                Some(managed) => next["metadata"]["managedFields"] = managed.clone(),
                None => {
                    next["metadata"]
                        .as_object_mut()
                        .map(|m| m.remove("managedFields"));
                }
            }
            crate::apply::track_update(
                Some(current),
                &mut next,
                &self.field_manager(),
                subresource.filter(|s| *s == "status"),
                &self.apply_schema(),
                self.info.status_subresource && !status_only,
                &object::now_rfc3339(),
            );
        }
        Ok(next)
    }

    /// The field manager of this request: `fieldManager`, else the user agent's program name.
    pub(super) fn field_manager(&self) -> String {
        if let Some(manager) = self.params.get("fieldManager") {
            return manager.to_string();
        }
        self.headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .and_then(|ua| ua.split('/').next())
            .filter(|s| !s.is_empty())
            .unwrap_or("unknown")
            .to_string()
    }

    /// The schema that tells server-side apply how this kind's lists merge.
    pub(super) fn apply_schema(&self) -> crate::apply::types::Schema {
        use crate::apply::types::Schema;
        if let Some(custom) = &self.info.custom {
            return custom
                .schema
                .as_ref()
                .map(|schema| Schema::standalone(std::sync::Arc::clone(schema)))
                .unwrap_or_else(Schema::unknown);
        }
        let path = crate::openapi::group_version_path(&self.info.group, &self.info.version);
        match self.state.openapi.get(&path) {
            Some(doc) => Schema::from_document(
                doc.json(),
                doc.hash(),
                &self.info.group,
                &self.info.version,
                &self.info.kind,
            ),
            None => Schema::unknown(),
        }
    }

    /// Writes `next` over the stored revision `expected`, or deletes it when it is being deleted and
    /// has no finalizers left.
    pub(super) async fn write(
        &self,
        name: &str,
        expected: Revision,
        mut next: Value,
        old: &Value,
        subresource: Option<&str>,
    ) -> Result<Result<Value, StorageError>, ApiError> {
        let finalizers_left = next
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if meta_str(&next, "deletionTimestamp").is_some() && !finalizers_left {
            if self.params.dry_run()? {
                return Ok(Ok(next));
            }
            return Ok(self
                .store()
                .delete(&self.key(name), Some(expected))
                .await
                .map(|deleted| {
                    object::set_resource_version(&mut next, deleted.revision);
                    next
                }));
        }
        if subresource != Some("status") {
            // Admission (pruning, schema and Karmada's webhooks) guards the main resource; status
            // writes come from controllers and carry no user intent to default or validate.
            self.admit(&mut next, Some(old))?;
        }
        if self.params.dry_run()? {
            object::set_resource_version(&mut next, expected);
            return Ok(Ok(next));
        }
        let written = self
            .store()
            .update(&self.key(name), object::to_storage(&next), expected)
            .await
            .map(|kv| {
                object::set_resource_version(&mut next, kv.mod_revision);
                next
            });
        if let Ok(written) = &written {
            self.after_write(written);
        }
        Ok(written)
    }

    pub(super) async fn update(
        &self,
        name: &str,
        subresource: Option<&str>,
        body: Bytes,
    ) -> Result<Response, ApiError> {
        let mut intended = object::decode_object(&self.headers, &body)?;
        if subresource == Some("scale") {
            return self.update_scale(name, intended).await;
        }
        object::check_type(&self.info, &mut intended)?;
        self.place(&mut intended, Some(name))?;
        let precondition = object::metadata(&mut intended)
            .get("resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
            .map(object::parse_resource_version)
            .transpose()?;
        for _ in 0..MAX_UPDATE_ATTEMPTS {
            let (kv, current) = self.read(name).await?;
            if precondition.is_some_and(|rv| rv != kv.mod_revision) {
                return Err(object::conflict(&self.info, name));
            }
            let next = self.merge_for_write(&current, intended.clone(), subresource, true)?;
            match self
                .write(name, kv.mod_revision, next, &current, subresource)
                .await?
            {
                Ok(written) => return self.respond(StatusCode::OK, written),
                Err(StorageError::Conflict { .. }) if precondition.is_none() => continue,
                Err(StorageError::Conflict { .. }) => {
                    return Err(object::conflict(&self.info, name));
                }
                Err(StorageError::NotFound { .. }) => {
                    return Err(object::not_found(&self.info, name));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(object::conflict(&self.info, name))
    }

    pub(super) async fn patch(
        &self,
        name: &str,
        subresource: Option<&str>,
        body: Bytes,
    ) -> Result<Response, ApiError> {
        let patch_type = object::content_type(&self.headers);
        if patch_type == "application/apply-patch+yaml" {
            return self.server_side_apply(name, subresource, body).await;
        }
        let patch: Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the patch is not valid JSON: {e}")))?;
        for _ in 0..MAX_UPDATE_ATTEMPTS {
            let (kv, current) = if subresource == Some("scale") {
                let (kv, current) = self.read(name).await?;
                let scale = self.scale_of(&current)?;
                (kv, scale)
            } else {
                self.read(name).await?
            };
            let patched = apply_patch(&self.info, &patch_type, &current, &patch)?;
            let Value::Object(mut intended) = patched else {
                return Err(ApiError::bad_request("the patched object is not an object"));
            };
            if subresource == Some("scale") {
                return self.update_scale(name, intended).await;
            }
            object::check_type(&self.info, &mut intended)?;
            self.place(&mut intended, Some(name))?;
            // A resourceVersion inside the patch is a precondition (kubectl diff sends one).
            let precondition = intended
                .get("metadata")
                .and_then(|m| m.get("resourceVersion"))
                .and_then(Value::as_str)
                .map(object::parse_resource_version)
                .transpose()?;
            if precondition.is_some_and(|rv| rv != kv.mod_revision) {
                return Err(object::conflict(&self.info, name));
            }
            let next = self.merge_for_write(&current, intended, subresource, true)?;
            match self
                .write(name, kv.mod_revision, next, &current, subresource)
                .await?
            {
                Ok(written) => return self.respond(StatusCode::OK, written),
                Err(StorageError::Conflict { .. }) => continue,
                Err(StorageError::NotFound { .. }) => {
                    return Err(object::not_found(&self.info, name));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(object::conflict(&self.info, name))
    }

    // ---- scale ------------------------------------------------------------------------------------
}

/// Applies a JSON patch, JSON merge patch or (for built-in kinds) strategic merge patch to `current`.
fn apply_patch(
    info: &ResourceInfo,
    patch_type: &str,
    current: &Value,
    patch: &Value,
) -> Result<Value, ApiError> {
    let mut target = current.clone();
    match patch_type {
        "application/json-patch+json" => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
            json_patch::patch(&mut target, &ops).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Invalid",
                    format!("the JSON patch could not be applied: {e}"),
                )
            })?;
        }
        "application/merge-patch+json" => {
            if !patch.is_object() {
                return Err(ApiError::bad_request("a merge patch must be a JSON object"));
            }
            json_patch::merge(&mut target, patch);
        }
        "application/strategic-merge-patch+json" => {
            // As kube-apiserver: kinds without strategic-merge metadata (custom resources) refuse it.
            let Some(schema) = crate::patch::schema_for(&info.group, &info.version, &info.kind)
            else {
                return Err(ApiError {
                    message: "the body of the request was in an unknown format - accepted media \
                              types include: application/json-patch+json, \
                              application/merge-patch+json, application/apply-patch+yaml"
                        .into(),
                    ..ApiError::unsupported_media_type(patch_type)
                });
            };
            target = crate::patch::strategic_merge(current, patch, Some(schema)).map_err(|e| {
                if e.is_malformed() {
                    ApiError::bad_request(e.to_string())
                } else {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid", e.to_string())
                }
            })?;
        }
        other => return Err(ApiError::unsupported_media_type(other)),
    }
    Ok(target)
}
