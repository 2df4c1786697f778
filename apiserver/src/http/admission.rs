//! Admission of writes: unknown-field handling per `fieldValidation`, CRD schema validation,
//! Karmada's defaulting and validation webhooks, CRD checks, and the namespace lifecycle rule.

use serde_json::Value;

use super::object::{self, meta_str};
use super::resources::ResourceRequest;
use crate::status::ApiError;
use crate::storage::StorageError;

impl ResourceRequest {
    /// Admission of a new or changed object before it is stored: schema validation and pruning for
    /// custom resources, and CRD validation. Adds warnings to the response.
    pub(super) fn admit(&self, object: &mut Value, old: Option<&Value>) -> Result<(), ApiError> {
        let name = meta_str(object, "name").unwrap_or_default().to_string();
        // Unknown fields: pruned, then refused, warned about or ignored per fieldValidation.
        let mut unknown = Vec::new();
        let custom_schema = self.info.custom.as_ref().and_then(|c| c.schema.as_ref());
        match custom_schema {
            Some(schema) => crate::schema::prune(schema, object, "", true, &mut unknown),
            None if self.info.custom.is_none() => {
                // managedFields is server-written and opaque (FieldsV1): not the client's input.
                let managed = object
                    .get_mut("metadata")
                    .and_then(Value::as_object_mut)
                    .and_then(|m| m.remove("managedFields"));
                let schema = self.apply_schema();
                let mut wrong = Vec::new();
                crate::apply::types::type_errors(object, &schema, "", &mut wrong);
                if let Some((field, expected, found)) = wrong.first() {
                    if let (Some(meta), Some(managed)) = (
                        object.get_mut("metadata").and_then(Value::as_object_mut),
                        managed,
                    ) {
                        meta.insert("managedFields".into(), managed);
                    }
                    return Err(ApiError::bad_request(format!(
                        "{kind} in version \"{version}\" cannot be handled as a {kind}: \
                         {field}: expected {expected}, found {found}",
                        kind = self.info.kind,
                        version = self.info.version,
                    )));
                }
                crate::apply::types::prune_unknown(object, &schema, "", &mut unknown);
                if let (Some(managed), Some(meta)) = (
                    managed,
                    object.get_mut("metadata").and_then(Value::as_object_mut),
                ) {
                    meta.insert("managedFields".into(), managed);
                }
            }
            None => {}
        }
        if !unknown.is_empty() {
            match self.params.get("fieldValidation") {
                Some("Strict") => {
                    let list: Vec<String> = unknown
                        .iter()
                        .map(|f| format!("unknown field \"{f}\""))
                        .collect();
                    return Err(ApiError::bad_request(format!(
                        "strict decoding error: {}",
                        list.join(", ")
                    )));
                }
                Some("Ignore") => {}
                None | Some("Warn") => {
                    let mut warnings = self.warnings.lock().unwrap_or_else(|p| p.into_inner());
                    warnings.extend(unknown.iter().map(|f| format!("unknown field \"{f}\"")));
                }
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "fieldValidation must be Ignore, Warn or Strict, not {other:?}"
                    )));
                }
            }
        }
        if let Some(schema) = custom_schema {
            let mut errors = Vec::new();
            crate::schema::validate(schema, object, "", &mut errors);
            if !errors.is_empty() {
                return Err(object::invalid_fields(&self.info, &name, &errors));
            }
        }
        // Karmada's defaulting and validation webhooks, for Karmada's own kinds.
        if let Some(Err(errors)) = karmada_api::admission::admit(
            &self.info.group,
            &self.info.version,
            &self.info.kind,
            object,
            old,
        ) {
            let errors: Vec<crate::schema::FieldError> = errors
                .into_iter()
                .map(|e| crate::schema::FieldError {
                    field: e.field,
                    reason: e.kind.reason(),
                    detail: e.detail,
                })
                .collect();
            return Err(object::invalid_fields(&self.info, &name, &errors));
        }
        if self.is_crd() {
            crate::crd::resources_from_crd(object)
                .map_err(|errors| object::invalid_fields(&self.info, &name, &errors))?;
        }
        Ok(())
    }

    pub(super) fn is_crd(&self) -> bool {
        self.info.group == "apiextensions.k8s.io"
            && self.info.resource == "customresourcedefinitions"
    }

    /// After a CRD write: serve what it defines from the next request on.
    pub(super) fn after_write(&self, written: &Value) {
        if self.is_crd() {
            crate::crd::sync(&self.state, written);
        }
    }

    pub(super) async fn check_namespace_open(&self) -> Result<(), ApiError> {
        let Some(ns) = self.namespace.as_deref().filter(|_| self.info.namespaced) else {
            return Ok(());
        };
        let terminating = || {
            ApiError::forbidden(format!(
                "{} \"...\" is forbidden: unable to create new content in namespace {ns} \
                 because it is being terminated",
                self.info.qualified()
            ))
        };
        match self.state.namespaces.lookup(ns) {
            Some(false) => return Ok(()),
            Some(true) => return Err(terminating()),
            None => {}
        }
        let namespaces = self
            .state
            .registry
            .get("", "v1", "namespaces")
            .ok_or_else(|| ApiError::internal("namespaces are not registered"))?;
        match self.store().get(&namespaces.key(None, ns)).await {
            Ok(kv) => {
                let namespace = object::from_storage(&kv)?;
                if meta_str(&namespace, "deletionTimestamp").is_some() {
                    return Err(ApiError::forbidden(format!(
                        "{} \"...\" is forbidden: unable to create new content in namespace {ns} \
                         because it is being terminated",
                        self.info.qualified()
                    )));
                }
                Ok(())
            }
            Err(StorageError::NotFound { .. }) => Err(object::not_found(&namespaces, ns)),
            Err(e) => Err(e.into()),
        }
    }
}
