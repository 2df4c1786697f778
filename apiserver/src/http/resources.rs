//! Requests under `/api` and `/apis`: discovery, and the verbs on resources (get, list, watch,
//! create, update, patch, delete, deletecollection) with their status and scale subresources.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::negotiate::{Representation, choose};
use super::object::{self, meta_str};
use super::path::{self, ApiPath, ResourcePath};
use super::selector::{FieldSelector, LabelSelector};
use super::{AppState, MAX_BODY_BYTES, discovery, table, watch};
use crate::registry::ResourceInfo;
use crate::status::ApiError;
use crate::storage::{ContinueToken, KeyValue, ListOptions, Revision, StorageError};

/// Query parameters, decoded once.
pub struct Params(HashMap<String, String>);

impl Params {
    fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = match query {
            Some(q) => serde_urlencoded::from_str(q)
                .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?,
            None => Vec::new(),
        };
        Ok(Params(pairs.into_iter().collect()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "invalid value for {name}: {other:?} (want true or false)"
            ))),
        }
    }

    fn number(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    ApiError::bad_request(format!("invalid value for {name}: {v:?}"))
                })
            })
            .transpose()
    }

    pub fn dry_run(&self) -> Result<bool, ApiError> {
        match self.get("dryRun") {
            None => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "invalid dryRun value {other:?}: only \"All\" is supported"
            ))),
        }
    }

    pub fn label_selector(&self) -> Result<LabelSelector, ApiError> {
        LabelSelector::parse(self.get("labelSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))
    }

    pub fn field_selector(&self) -> Result<FieldSelector, ApiError> {
        FieldSelector::parse(self.get("fieldSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(format!("invalid field selector: {e}")))
    }
}

/// Entry point for everything under `/api` and `/apis`.
pub async fn api(State(state): State<Arc<AppState>>, request: Request) -> Response {
    match handle(state, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn handle(state: Arc<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let api_path = path::parse(&path).ok_or_else(|| ApiError::path_not_found(&path))?;
    let params = Params::parse(parts.uri.query())?;
    let registry = &state.registry;
    let read_only = |method: &Method| {
        if method == Method::GET {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed(method.as_str()))
        }
    };
    match api_path {
        ApiPath::Root { core } => {
            read_only(&parts.method)?;
            discovery::root(registry, core, &parts.headers)
        }
        ApiPath::Group { group } => {
            read_only(&parts.method)?;
            discovery::group(registry, &group)
        }
        ApiPath::GroupVersion { group, version } => {
            read_only(&parts.method)?;
            discovery::resource_list(registry, &group, &version)
        }
        ApiPath::Resource(target) => {
            let info = registry
                .get(&target.group, &target.version, &target.resource)
                .ok_or_else(|| ApiError::path_not_found(&path))?;
            check_scope(&info, &target, &path)?;
            let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
                .await
                .map_err(|_| ApiError::payload_too_large(MAX_BODY_BYTES))?;
            let request = ResourceRequest {
                state: Arc::clone(&state),
                info,
                namespace: target.namespace.clone(),
                headers: parts.headers,
                params,
                warnings: std::sync::Mutex::new(Vec::new()),
            };
            request
                .dispatch(
                    &parts.method,
                    target.name.as_deref(),
                    target.subresource.as_deref(),
                    body,
                )
                .await
        }
    }
}

fn check_scope(info: &ResourceInfo, target: &ResourcePath, path: &str) -> Result<(), ApiError> {
    if !info.namespaced && target.namespace.is_some() {
        return Err(ApiError::path_not_found(path));
    }
    if info.namespaced && target.namespace.is_none() && target.name.is_some() {
        return Err(ApiError::path_not_found(path));
    }
    match target.subresource.as_deref() {
        None => Ok(()),
        Some("status") if info.status_subresource => Ok(()),
        Some("scale") if info.scale_subresource => Ok(()),
        Some(_) => Err(ApiError::path_not_found(path)),
    }
}

/// One request on one resource.
pub struct ResourceRequest {
    pub state: Arc<AppState>,
    pub info: Arc<ResourceInfo>,
    pub namespace: Option<String>,
    pub headers: HeaderMap,
    pub params: Params,
    /// `Warning` headers for the response (e.g. unknown fields under fieldValidation=Warn).
    pub warnings: std::sync::Mutex<Vec<String>>,
}

/// Most attempts at a read-modify-write before giving up with 409.
const MAX_UPDATE_ATTEMPTS: usize = 8;

impl ResourceRequest {
    async fn dispatch(
        self,
        method: &Method,
        name: Option<&str>,
        subresource: Option<&str>,
        body: Bytes,
    ) -> Result<Response, ApiError> {
        match (method.as_str(), name, subresource) {
            ("GET", Some(name), None) => self.get(name).await,
            ("GET", Some(name), Some("status")) => self.get(name).await,
            ("GET", Some(name), Some("scale")) => self.get_scale(name).await,
            ("GET", None, None) if self.params.flag("watch")? => watch::serve(self).await,
            ("GET", None, None) => self.list().await,
            ("POST", None, None) => self.create(body).await,
            ("PUT", Some(name), sub) => self.update(name, sub, body).await,
            ("PATCH", Some(name), sub) => self.patch(name, sub, body).await,
            ("DELETE", Some(name), None) => self.delete(name, body).await,
            ("DELETE", None, None) => self.delete_collection(body).await,
            (method, _, _) => Err(ApiError::method_not_allowed(method)),
        }
    }

    pub(super) fn store(&self) -> &dyn crate::storage::Store {
        self.state.store.as_ref()
    }

    pub(super) fn key(&self, name: &str) -> String {
        self.info.key(self.namespace.as_deref(), name)
    }

    /// Encodes an object or list for the client (JSON, YAML, or Table when asked for).
    pub(super) fn respond(&self, code: StatusCode, value: Value) -> Result<Response, ApiError> {
        let offered = [
            Representation::Json,
            Representation::Yaml,
            Representation::Table,
        ];
        let rep = choose(&self.headers, &offered).unwrap_or(Representation::Json);
        let (body, content_type) = match rep {
            Representation::Table
                if value.get("kind").and_then(Value::as_str) != Some("Status") =>
            {
                let (items, metadata) = match value.get("items").and_then(Value::as_array) {
                    Some(items) => (items.clone(), value["metadata"].clone()),
                    None => (
                        vec![value.clone()],
                        json!({"resourceVersion": value.pointer("/metadata/resourceVersion")}),
                    ),
                };
                let table = table::table(&self.info, &items, metadata);
                (
                    serde_json::to_vec(&table).map_err(ApiError::internal)?,
                    "application/json;as=Table;v=v1;g=meta.k8s.io",
                )
            }
            Representation::Yaml => (
                serde_saphyr::to_string(&value)
                    .map_err(ApiError::internal)?
                    .into_bytes(),
                "application/yaml",
            ),
            _ => (
                serde_json::to_vec(&value).map_err(ApiError::internal)?,
                "application/json",
            ),
        };
        let mut response = (code, Body::from(body)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        for warning in self
            .warnings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let text = format!("299 - {}", serde_json::Value::String(warning.clone()));
            if let Ok(value) = HeaderValue::from_str(&text) {
                response.headers_mut().append(header::WARNING, value);
            }
        }
        Ok(response)
    }

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
                crate::apply::types::prune_unknown(object, &self.apply_schema(), "", &mut unknown);
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

    fn is_crd(&self) -> bool {
        self.info.group == "apiextensions.k8s.io"
            && self.info.resource == "customresourcedefinitions"
    }

    /// After a CRD write: serve what it defines from the next request on.
    pub(super) fn after_write(&self, written: &Value) {
        if self.is_crd() {
            crate::crd::sync(&self.state, written);
        }
    }

    pub(super) async fn read(&self, name: &str) -> Result<(KeyValue, Value), ApiError> {
        match self.store().get(&self.key(name)).await {
            Ok(kv) => {
                let object = object::from_storage(&kv)?;
                Ok((kv, object))
            }
            // A key storage refuses (a name longer than any key) names nothing that exists.
            Err(StorageError::NotFound { .. } | StorageError::Invalid { .. }) => {
                Err(object::not_found(&self.info, name))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn get(&self, name: &str) -> Result<Response, ApiError> {
        let (_, object) = self.read(name).await?;
        self.respond(StatusCode::OK, object)
    }

    // ---- list -------------------------------------------------------------------------------------

    /// Lists matching objects; shared by list, watch (initial state) and deletecollection.
    pub async fn list_objects(
        &self,
    ) -> Result<(Vec<Value>, Revision, Option<String>, Option<u64>), ApiError> {
        let labels = self.params.label_selector()?;
        let fields = self.params.field_selector()?;
        // Lists finish promptly, but a malformed timeout is still a malformed request.
        self.params.number("timeoutSeconds")?;
        let limit = self
            .params
            .number("limit")?
            .map(|n| n as usize)
            .filter(|n| *n > 0);
        let prefix = self.info.scope_prefix(self.namespace.as_deref());
        let revision = match (
            self.params.get("resourceVersion"),
            self.params.get("resourceVersionMatch"),
        ) {
            (Some(rv), Some("Exact")) => {
                let exact = object::parse_resource_version(rv)?;
                if exact == Revision::ZERO {
                    return Err(ApiError::bad_request(
                        "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"",
                    ));
                }
                Some(exact)
            }
            (Some(rv), Some("NotOlderThan") | None) => {
                let wanted = object::parse_resource_version(rv)?;
                let current = self.store().current_revision().await?;
                if wanted > current {
                    return Err(StorageError::FutureRevision {
                        requested: wanted,
                        current,
                    }
                    .into());
                }
                None
            }
            (None, Some(_)) => {
                return Err(ApiError::bad_request(
                    "resourceVersionMatch is forbidden unless resourceVersion is provided",
                ));
            }
            (_, Some(other)) => {
                return Err(ApiError::bad_request(format!(
                    "invalid resourceVersionMatch {other:?}"
                )));
            }
            (None, None) => None,
        };
        let filtered = !labels.is_empty() || !fields.is_empty();
        let mut token = self.params.get("continue").map(String::from);
        let mut pinned = revision;
        let mut items = Vec::new();
        loop {
            let want = limit.map(|l| l - items.len());
            let page = self
                .store()
                .list(
                    &prefix,
                    ListOptions {
                        revision: pinned,
                        limit: want,
                        continue_token: token.take(),
                    },
                )
                .await?;
            pinned = Some(page.revision);
            let mut last_key = None;
            for kv in &page.items {
                last_key = Some(kv.key.clone());
                let object = object::from_storage(kv)?;
                if labels.matches(&object) && fields.matches(&object) {
                    items.push(object);
                }
            }
            let revision = page.revision;
            let full = limit.is_some_and(|l| items.len() >= l);
            match (page.continue_token, full) {
                (None, _) => return Ok((items, revision, None, None)),
                (Some(next), true) => {
                    let next = match last_key {
                        Some(key) => ContinueToken::after(&prefix, &key, revision).encode(),
                        None => next,
                    };
                    let remaining = if filtered { None } else { page.remaining };
                    return Ok((items, revision, Some(next), remaining));
                }
                (Some(next), false) => token = Some(next),
            }
        }
    }

    async fn list(&self) -> Result<Response, ApiError> {
        let (items, revision, next, remaining) = self.list_objects().await?;
        let mut metadata = json!({"resourceVersion": revision.to_resource_version()});
        if let Some(next) = next {
            metadata["continue"] = next.into();
        }
        if let Some(remaining) = remaining.filter(|r| *r > 0) {
            metadata["remainingItemCount"] = remaining.into();
        }
        self.respond(
            StatusCode::OK,
            json!({
                "kind": format!("{}List", self.info.kind),
                "apiVersion": self.info.api_version(),
                "metadata": metadata,
                "items": items,
            }),
        )
    }

    // ---- create -----------------------------------------------------------------------------------

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

    async fn create(&self, body: Bytes) -> Result<Response, ApiError> {
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
                .map(Schema::standalone)
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

    async fn update(
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

    async fn patch(
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

    fn scale_of(&self, object: &Value) -> Result<Value, ApiError> {
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

    async fn get_scale(&self, name: &str) -> Result<Response, ApiError> {
        let (_, object) = self.read(name).await?;
        let scale = self.scale_of(&object)?;
        self.respond(StatusCode::OK, scale)
    }

    async fn update_scale(
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

    /// Deletes one object: marks it when finalizers (or foreground deletion) hold it, removes it
    /// otherwise. Returns the object as last seen.
    async fn delete_one(&self, name: &str, options: &Value) -> Result<Value, ApiError> {
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
            if is_namespace {
                // A namespace always terminates first: the lifecycle controller empties it, then
                // deletes it.
                if meta_str(&current, "deletionTimestamp").is_some() {
                    return Ok(current);
                }
                current["metadata"]["deletionTimestamp"] = object::now_rfc3339().into();
                current["status"] = json!({"phase": "Terminating"});
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
            if finalizers.is_empty() {
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
            // Held by finalizers: mark it as being deleted (once) and let their owners finish.
            if meta_str(&current, "deletionTimestamp").is_some() {
                return Ok(current);
            }
            current["metadata"]["deletionTimestamp"] = object::now_rfc3339().into();
            current["metadata"]["deletionGracePeriodSeconds"] = 0.into();
            current["metadata"]["finalizers"] = Value::Array(finalizers);
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

    fn delete_options(&self, body: &Bytes) -> Result<Value, ApiError> {
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

    async fn delete(&self, name: &str, body: Bytes) -> Result<Response, ApiError> {
        let options = self.delete_options(&body)?;
        let object = self.delete_one(name, &options).await?;
        self.respond(StatusCode::OK, object)
    }

    async fn delete_collection(&self, body: Bytes) -> Result<Response, ApiError> {
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
