//! Requests under `/api` and `/apis`: discovery, and the verbs on resources (get, list, watch,
//! create, update, patch, delete, deletecollection) with their status and scale subresources.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::negotiate::{Representation, choose};
use super::object::{self};
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

    /// The field selector, refused (400) when it names a field `info`'s kind does not index.
    pub fn field_selector_for(&self, info: &ResourceInfo) -> Result<FieldSelector, ApiError> {
        let selector = self.field_selector()?;
        if let Some(field) = selector.unsupported_field(&info.group, &info.resource) {
            return Err(ApiError::bad_request(format!(
                "field label not supported: {field}"
            )));
        }
        Ok(selector)
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
pub(super) const MAX_UPDATE_ATTEMPTS: usize = 8;

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
        let fields = self.params.field_selector_for(&self.info)?;
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
}
