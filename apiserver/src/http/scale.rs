//! The scale subresource (`autoscaling/v1` Scale) over `spec.replicas`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::object::{self, meta_str};
use super::resources::{MAX_UPDATE_ATTEMPTS, ResourceRequest};
use crate::status::ApiError;
use crate::storage::StorageError;

impl ResourceRequest {
    pub(super) fn scale_of(&self, object: &Value) -> Result<Value, ApiError> {
        let replicas = object
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let status_replicas = object
            .pointer("/status/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let selector = object
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_object)
            .map(|labels| {
                labels
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        Ok(json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": meta_str(object, "name"),
                "namespace": meta_str(object, "namespace"),
                "uid": meta_str(object, "uid"),
                "resourceVersion": meta_str(object, "resourceVersion"),
                "creationTimestamp": meta_str(object, "creationTimestamp"),
            },
            "spec": {"replicas": replicas},
            "status": {"replicas": status_replicas, "selector": selector},
        }))
    }

    pub(super) async fn get_scale(&self, name: &str) -> Result<Response, ApiError> {
        let (_, object) = self.read(name).await?;
        let scale = self.scale_of(&object)?;
        self.respond(StatusCode::OK, scale)
    }

    pub(super) async fn update_scale(
        &self,
        name: &str,
        scale: Map<String, Value>,
    ) -> Result<Response, ApiError> {
        let replicas = scale
            .get("spec")
            .and_then(|s| s.get("replicas"))
            .and_then(Value::as_i64)
            .filter(|r| *r >= 0)
            .ok_or_else(|| {
                object::invalid(
                    &self.info,
                    name,
                    "spec.replicas",
                    "Invalid value: must be a non-negative integer",
                )
            })?;
        let precondition = scale
            .get("metadata")
            .and_then(|m| m.get("resourceVersion"))
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
            .map(object::parse_resource_version)
            .transpose()?;
        for _ in 0..MAX_UPDATE_ATTEMPTS {
            let (kv, current) = self.read(name).await?;
            if precondition.is_some_and(|rv| rv != kv.mod_revision) {
                return Err(object::conflict(&self.info, name));
            }
            let Value::Object(mut intended) = current.clone() else {
                return Err(ApiError::internal("stored object is not an object"));
            };
            intended
                .entry("spec")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .ok_or_else(|| ApiError::bad_request("spec must be an object"))?
                .insert("replicas".into(), replicas.into());
            let next = self.merge_for_write(&current, intended, None, true)?;
            match self
                .write(name, kv.mod_revision, next, &current, None)
                .await?
            {
                Ok(written) => {
                    let scale = self.scale_of(&written)?;
                    return self.respond(StatusCode::OK, scale);
                }
                Err(StorageError::Conflict { .. }) if precondition.is_none() => continue,
                Err(StorageError::Conflict { .. }) => {
                    return Err(object::conflict(&self.info, name));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(object::conflict(&self.info, name))
    }

    // ---- delete -----------------------------------------------------------------------------------
}
