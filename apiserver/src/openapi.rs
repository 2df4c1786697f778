//! OpenAPI v3: the `/openapi/v3` index and one OpenAPI 3.0 document per group/version, which
//! `kubectl explain` reads (it finds a kind through `x-kubernetes-group-version-kind` in
//! `components.schemas`) and `kubectl apply`/`create` consult to see that the server validates fields.
//!
//! The built-in documents are derived from the upstream Kubernetes swagger.json by
//! `hack/gen-openapi-v3.py` and embedded gzip-compressed (see `apiserver/openapi/README.md`); they are
//! decompressed once, on first use. Documents for custom resources are added and removed at run time
//! with [`OpenApi::set_group_version`] and [`OpenApi::remove_group_version`].
//!
//! Not here: `/openapi/v2`, which stays an empty protobuf document (see `http::system`), and
//! protobuf encodings of v3 (kubectl asks for JSON only).

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::{Arc, OnceLock, RwLock};

use axum::Router;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::AppState;
use crate::status::ApiError;

mod builtin {
    include!("../openapi/builtin.rs");
}

/// One served document: its JSON bytes and their hash, which names this exact content in the index.
#[derive(Debug, Clone)]
pub struct Document {
    json: Bytes,
    hash: Arc<str>,
}

impl Document {
    /// A document from its serialized JSON.
    pub fn from_json(json: impl Into<Bytes>) -> Self {
        let json = json.into();
        let hash = content_hash(&json).into();
        Document { json, hash }
    }

    /// A document from a JSON value (a CRD's generated OpenAPI document, say).
    pub fn from_value(value: &Value) -> Self {
        // Serializing a `Value` cannot fail: its map keys are strings.
        Self::from_json(serde_json::to_vec(value).unwrap_or_default())
    }

    pub fn json(&self) -> &Bytes {
        &self.json
    }

    /// Upper-case hex SHA-512 of the JSON, as kube-apiserver computes it.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

fn content_hash(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA512, data);
    let mut hex = String::with_capacity(digest.as_ref().len() * 2);
    for byte in digest.as_ref() {
        hex.push_str(&format!("{byte:02X}"));
    }
    hex
}

/// The index key of a group/version: `api/v1` for the core group, `apis/<group>/<version>` otherwise.
pub fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The built-in documents, decompressed once per process.
fn builtin_documents() -> &'static BTreeMap<String, Document> {
    static BUILTIN: OnceLock<BTreeMap<String, Document>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        builtin::BUILTIN_DOCUMENTS
            .iter()
            .map(|(path, gzipped)| {
                let mut json = Vec::new();
                // The bytes are compiled in and every one is decoded by the unit tests, so a failure
                // here is a build defect, not a run-time condition.
                flate2::read::GzDecoder::new(*gzipped)
                    .read_to_end(&mut json)
                    .unwrap_or_else(|error| {
                        panic!("embedded OpenAPI document {path} is not valid gzip: {error}")
                    });
                ((*path).to_string(), Document::from_json(json))
            })
            .collect()
    })
}

/// The OpenAPI v3 documents the server publishes: the built-in group/versions plus documents set
/// at run time (one per custom-resource group/version). Cheap to clone; clones share the documents.
///
/// # Guarantees
///
/// A document set with [`set_group_version`](Self::set_group_version) replaces the built-in one of
/// the same group/version until it is removed; callers that want both merge them first.
#[derive(Debug, Clone, Default)]
pub struct OpenApi {
    dynamic: Arc<RwLock<BTreeMap<String, Document>>>,
}

impl FromRef<Arc<AppState>> for OpenApi {
    fn from_ref(state: &Arc<AppState>) -> Self {
        state.openapi.clone()
    }
}

/// The `/openapi/v3` routes, for any router whose state holds an [`OpenApi`].
pub fn routes<S>() -> Router<S>
where
    OpenApi: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/openapi/v3", get(index))
        .route("/openapi/v3/{*path}", get(document))
}

impl OpenApi {
    pub fn new() -> Self {
        Self::default()
    }

    /// Publishes (or replaces) the document of a group/version, keyed as [`group_version_path`].
    pub fn set_group_version(&self, path: impl Into<String>, document: Document) {
        self.dynamic
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.into(), document);
    }

    /// Stops publishing a run-time document; a built-in document of the same key shows again.
    pub fn remove_group_version(&self, path: &str) {
        self.dynamic
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(path);
    }

    /// The document served for `path` (`apis/apps/v1`), if any.
    pub fn get(&self, path: &str) -> Option<Document> {
        let dynamic = self.dynamic.read().unwrap_or_else(|p| p.into_inner());
        dynamic
            .get(path)
            .or_else(|| builtin_documents().get(path))
            .cloned()
    }

    /// Every published group/version with its current hash, ordered by key.
    pub fn hashes(&self) -> BTreeMap<String, String> {
        let mut hashes: BTreeMap<String, String> = builtin_documents()
            .iter()
            .map(|(path, doc)| (path.clone(), doc.hash().to_string()))
            .collect();
        let dynamic = self.dynamic.read().unwrap_or_else(|p| p.into_inner());
        for (path, doc) in dynamic.iter() {
            hashes.insert(path.clone(), doc.hash().to_string());
        }
        hashes
    }

    /// The `/openapi/v3` index: each group/version with the URL of its current content.
    pub fn index(&self) -> Value {
        let paths: serde_json::Map<String, Value> = self
            .hashes()
            .into_iter()
            .map(|(path, hash)| {
                let url = format!("/openapi/v3/{path}?hash={hash}");
                (path, json!({ "serverRelativeURL": url }))
            })
            .collect();
        json!({ "paths": paths })
    }
}

/// `GET /openapi/v3`.
pub async fn index(State(openapi): State<OpenApi>) -> Response {
    let mut response = axum::Json(openapi.index()).into_response();
    // The index changes when custom resources do, so clients must always revalidate it.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct DocumentQuery {
    hash: Option<String>,
}

/// `GET /openapi/v3/{*path}`: the document of one group/version.
///
/// With `?hash=` equal to the current hash the response is immutable (the URL names this exact
/// content); a stale hash is redirected to the current one, so a cache never stores new content
/// under an old name. `If-None-Match` with the current ETag answers 304.
pub async fn document(
    State(openapi): State<OpenApi>,
    Path(path): Path<String>,
    Query(query): Query<DocumentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = path.trim_matches('/');
    let Some(document) = openapi.get(path) else {
        return Err(ApiError::path_not_found(&format!("/openapi/v3/{path}")));
    };
    let etag = format!("\"{}\"", document.hash());
    let etag_header = HeaderValue::from_str(&etag).map_err(ApiError::internal)?;
    let cache_control = match query.hash.as_deref() {
        Some(hash) if hash == document.hash() => "public, max-age=31536000, immutable",
        Some(_) => {
            let location = format!("/openapi/v3/{path}?hash={}", document.hash());
            return Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response());
        }
        None => "no-cache, private",
    };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            document.json().clone(),
        )
            .into_response()
    };
    let response_headers = response.headers_mut();
    response_headers.insert(header::ETAG, etag_header);
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::registry::Registry;

    fn parsed(path: &str) -> Value {
        let document = OpenApi::new().get(path).expect("document exists");
        serde_json::from_slice(document.json()).expect("document is JSON")
    }

    fn has_gvk(schema: &Value, group: &str, version: &str, kind: &str) -> bool {
        schema["x-kubernetes-group-version-kind"]
            .as_array()
            .is_some_and(|gvks| {
                gvks.iter().any(|gvk| {
                    gvk["group"] == group && gvk["version"] == version && gvk["kind"] == kind
                })
            })
    }

    fn refs(node: &Value, found: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.insert(r.clone());
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    #[test]
    fn index_lists_every_served_group_version_with_its_hash() {
        let openapi = OpenApi::new();
        let index = openapi.index();
        let served: BTreeSet<String> = Registry::with_builtins()
            .all()
            .iter()
            .map(|r| group_version_path(&r.group, &r.version))
            .collect();
        let listed: BTreeSet<String> = index["paths"]
            .as_object()
            .expect("paths is an object")
            .keys()
            .cloned()
            .collect();
        assert_eq!(listed, served);
        for path in &served {
            let hash = openapi.get(path).expect("document").hash().to_string();
            assert_eq!(hash.len(), 128);
            assert_eq!(
                index["paths"][path]["serverRelativeURL"],
                format!("/openapi/v3/{path}?hash={hash}")
            );
        }
    }

    #[test]
    fn every_served_kind_has_a_schema_with_its_group_version_kind() {
        for resource in Registry::with_builtins().all() {
            let path = group_version_path(&resource.group, &resource.version);
            let document = parsed(&path);
            let schemas = document["components"]["schemas"]
                .as_object()
                .expect("components.schemas");
            assert!(
                schemas.values().any(|s| has_gvk(
                    s,
                    &resource.group,
                    &resource.version,
                    &resource.kind
                )),
                "{path} has no schema for kind {}",
                resource.kind
            );
        }
    }

    #[test]
    fn every_document_is_openapi_3_with_no_dangling_references() {
        for (path, _) in builtin::BUILTIN_DOCUMENTS {
            let document = parsed(path);
            assert!(
                document["openapi"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("3.0")),
                "{path}"
            );
            let schemas = document["components"]["schemas"]
                .as_object()
                .expect("components.schemas");
            let mut found = BTreeSet::new();
            refs(&document, &mut found);
            for reference in found {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("{path}: unexpected reference {reference}"));
                assert!(schemas.contains_key(name), "{path}: dangling {reference}");
            }
        }
    }

    #[test]
    fn apps_v1_carries_deployment_and_the_spec_it_references() {
        let document = parsed("apis/apps/v1");
        let schemas = &document["components"]["schemas"];
        let deployment = &schemas["io.k8s.api.apps.v1.Deployment"];
        assert!(has_gvk(deployment, "apps", "v1", "Deployment"));
        assert_eq!(
            deployment["properties"]["spec"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"
        );
        let spec = &schemas["io.k8s.api.apps.v1.DeploymentSpec"];
        assert_eq!(spec["properties"]["replicas"]["type"], "integer");
        let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
        assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
    }

    #[test]
    fn patch_operations_advertise_field_validation() {
        // kubectl checks this before relying on the server to validate fields (and checks the
        // Namespace patch operation for custom resources).
        let document = parsed("api/v1");
        let patch = &document["paths"]["/api/v1/namespaces/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Namespace"
        );
        assert!(
            patch["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .any(|p| p["name"] == "fieldValidation" && p["in"] == "query")
        );
    }

    #[test]
    fn run_time_documents_are_listed_replace_and_disappear() {
        let openapi = OpenApi::new();
        let path = group_version_path("policy.karmada.io", "v1alpha1");
        assert!(openapi.get(&path).is_none());
        openapi.set_group_version(&path, Document::from_value(&json!({"openapi": "3.0.0"})));
        let first = openapi.hashes()[&path].clone();
        openapi.set_group_version(
            &path,
            Document::from_value(&json!({"openapi": "3.0.0", "paths": {}})),
        );
        assert_ne!(openapi.hashes()[&path], first);
        openapi.remove_group_version(&path);
        assert!(
            !openapi.index()["paths"]
                .as_object()
                .unwrap()
                .contains_key(&path)
        );
        assert!(openapi.get("api/v1").is_some());
    }

    mod http {
        use axum::body::Body;
        use axum::http::Request;
        use http_body_util::BodyExt;
        use tower::ServiceExt;

        use super::*;

        async fn call(uri: &str, headers: &[(&str, &str)]) -> Response {
            let mut request = Request::get(uri);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            routes()
                .with_state(OpenApi::new())
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap()
        }

        async fn body(response: Response) -> Value {
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice(&bytes).unwrap()
        }

        fn current_hash(path: &str) -> String {
            OpenApi::new().get(path).unwrap().hash().to_string()
        }

        #[tokio::test]
        async fn index_is_json_with_server_relative_urls() {
            let response = call("/openapi/v3", &[]).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            let index = body(response).await;
            let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
                .as_str()
                .unwrap();
            assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        }

        #[tokio::test]
        async fn document_with_current_hash_is_immutable() {
            let hash = current_hash("apis/apps/v1");
            let response = call(
                &format!("/openapi/v3/apis/apps/v1?hash={hash}&timeout=32s"),
                &[],
            )
            .await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            assert!(
                response.headers()[header::CACHE_CONTROL]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            let document = body(response).await;
            assert!(document["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"].is_object());
        }

        #[tokio::test]
        async fn stale_hash_redirects_to_the_current_one() {
            let response = call("/openapi/v3/api/v1?hash=0123", &[]).await;
            assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
            assert_eq!(
                response.headers()[header::LOCATION],
                format!("/openapi/v3/api/v1?hash={}", current_hash("api/v1")).as_str()
            );
        }

        #[tokio::test]
        async fn matching_etag_is_not_modified() {
            let etag = format!("\"{}\"", current_hash("apis/batch/v1"));
            let response = call("/openapi/v3/apis/batch/v1", &[("if-none-match", &etag)]).await;
            assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        }

        #[tokio::test]
        async fn unknown_group_version_is_a_not_found_status() {
            let response = call("/openapi/v3/apis/nothing.example.com/v1", &[]).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
            let status = body(response).await;
            assert_eq!(status["kind"], "Status");
            assert_eq!(status["reason"], "NotFound");
        }
    }
}
