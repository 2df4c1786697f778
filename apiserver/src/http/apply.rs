//! `PATCH` with `application/apply-patch+yaml`: server-side apply over HTTP (201 when it creates,
//! 200 when it updates, 409 with `FieldManagerConflict` causes on conflicts).

use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::object;
use super::resources::ResourceRequest;
use crate::apply;
use crate::status::ApiError;
use crate::storage::StorageError;

const MAX_APPLY_ATTEMPTS: usize = 8;

impl ResourceRequest {
    pub(super) async fn server_side_apply(
        &self,
        name: &str,
        subresource: Option<&str>,
        body: Bytes,
    ) -> Result<Response, ApiError> {
        let manager = self
            .params
            .get("fieldManager")
            .ok_or_else(|| {
                ApiError::bad_request(
                    "PATCH /apply requires fieldManager parameter to be set and non-empty",
                )
            })?
            .to_string();
        if manager.len() > 128 {
            return Err(ApiError::bad_request(
                "fieldManager may not be longer than 128 characters",
            ));
        }
        let force = self.params.flag("force")?;
        if subresource == Some("scale") {
            return Err(ApiError::method_not_allowed("PATCH").with_details(json!({
                "causes": [{"message": "server-side apply of the scale subresource is not supported"}]
            })));
        }
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("the apply body is not valid UTF-8"))?;
        let parsed: Value = serde_saphyr::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
        let Value::Object(mut intent) = parsed else {
            return Err(ApiError::bad_request("the apply body must be an object"));
        };
        object::check_type(&self.info, &mut intent)?;
        self.place(&mut intent, Some(name))?;
        for field in [
            "resourceVersion",
            "managedFields",
            "uid",
            "creationTimestamp",
        ] {
            object::metadata(&mut intent).remove(field);
        }
        let applied = Value::Object(intent);
        let schema = self.apply_schema();
        let ignore_status = self.info.status_subresource && subresource != Some("status");
        let now = object::now_rfc3339();

        for _ in 0..MAX_APPLY_ATTEMPTS {
            let current = match self.read(name).await {
                Ok(found) => Some(found),
                Err(e) if e.code == StatusCode::NOT_FOUND => None,
                Err(e) => return Err(e),
            };
            let Some((kv, current)) = current else {
                // Apply creates.
                if subresource.is_some() {
                    return Err(object::not_found(&self.info, name));
                }
                object::check_name(&self.info, name)?;
                self.check_namespace_open().await?;
                let result = apply::apply(
                    None,
                    &applied,
                    &manager,
                    force,
                    &schema,
                    ignore_status,
                    &now,
                )
                .map_err(|conflicts| conflict_error(&conflicts))?;
                let Value::Object(mut created) = result.object else {
                    return Err(ApiError::bad_request("the apply body must be an object"));
                };
                let managed = object::metadata(&mut created).remove("managedFields");
                object::initialize(&self.info, &mut created);
                if let Some(managed) = managed {
                    object::metadata(&mut created).insert("managedFields".into(), managed);
                }
                let mut created = Value::Object(created);
                self.admit(&mut created, None)?;
                if self.params.dry_run()? {
                    return self.respond(StatusCode::CREATED, created);
                }
                match self
                    .store()
                    .create(&self.key(name), object::to_storage(&created))
                    .await
                {
                    Ok(kv) => {
                        object::set_resource_version(&mut created, kv.mod_revision);
                        self.after_write(&created);
                        return self.respond(StatusCode::CREATED, created);
                    }
                    // Created meanwhile: apply to it instead.
                    Err(StorageError::AlreadyExists { .. }) => continue,
                    Err(e) => return Err(e.into()),
                }
            };
            let result = apply::apply(
                Some(&current),
                &applied,
                &manager,
                force,
                &schema,
                ignore_status,
                &now,
            )
            .map_err(|conflicts| conflict_error(&conflicts))?;
            let Value::Object(merged) = result.object else {
                return Err(ApiError::internal("apply produced a non-object"));
            };
            let managed = merged
                .get("metadata")
                .and_then(|m| m.get("managedFields"))
                .cloned();
            let mut next = self.merge_for_write(&current, merged, subresource, false)?;
            match managed {
                Some(managed) => next["metadata"]["managedFields"] = managed,
                None => {
                    next["metadata"]
                        .as_object_mut()
                        .map(|m| m.remove("managedFields"));
                }
            }
            match self
                .write(name, kv.mod_revision, next, &current, subresource)
                .await?
            {
                Ok(written) => return self.respond(StatusCode::OK, written),
                Err(StorageError::Conflict { .. }) => continue,
                Err(StorageError::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(object::conflict(&self.info, name))
    }
}

fn conflict_error(conflicts: &[apply::Conflict]) -> ApiError {
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|c| {
            json!({
                "type": "FieldManagerConflict",
                "message": format!("conflict with \"{}\" using {}", c.manager, c.api_version),
                "field": c.field,
            })
        })
        .collect();
    ApiError::new(
        StatusCode::CONFLICT,
        "Conflict",
        apply::conflict_message(conflicts),
    )
    .with_details(json!({"causes": causes}))
}
