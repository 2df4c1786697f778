//! Health and version endpoints.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

/// The Kubernetes version this server speaks. kubectl's version dispatcher picks its binary by it.
pub const KUBERNETES_MAJOR: &str = "1";
pub const KUBERNETES_MINOR: &str = "33";

pub async fn version() -> Json<Value> {
    Json(json!({
        "major": KUBERNETES_MAJOR,
        "minor": KUBERNETES_MINOR,
        "gitVersion": format!("v{KUBERNETES_MAJOR}.{KUBERNETES_MINOR}.0-karmada-rs.{}", karmada_api::names::VERSION),
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "",
        "goVersion": "",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, go_arch()),
    }))
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn livez() -> &'static str {
    "ok"
}

/// Ready when storage answers and the server is not draining.
pub async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, String) {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "[-]shutdown failed: process is shutting down\nreadyz check failed".into(),
        );
    }
    match state.store.current_revision().await {
        Ok(_) => (StatusCode::OK, "ok".into()),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("[-]storage failed: {error}\nreadyz check failed"),
        ),
    }
}

/// The architecture as Go (and so kubectl) names it.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// `/openapi/v2`: kubectl 1.27 and 1.28 need a 200 here before apply, create -f, edit and diff. An
/// empty protobuf Document is a valid answer that makes kubectl fall back to its compiled-in type
/// knowledge; real schemas (for `kubectl explain`) are served by `/openapi/v3`.
pub async fn openapi_v2() -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
        )],
        Vec::<u8>::new(),
    )
}

/// `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (`kubectl auth whoami`): who the server
/// takes the caller to be. The request body carries nothing the answer depends on.
pub async fn self_subject_review(
    axum::extract::Path(version): axum::extract::Path<String>,
    axum::Extension(user): axum::Extension<std::sync::Arc<crate::auth::UserInfo>>,
) -> Result<(StatusCode, Json<Value>), crate::status::ApiError> {
    if !["v1", "v1beta1", "v1alpha1"].contains(&version.as_str()) {
        return Err(crate::status::ApiError::path_not_found(&format!(
            "/apis/authentication.k8s.io/{version}/selfsubjectreviews"
        )));
    }
    let mut groups = user.groups.clone();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "kind": "SelfSubjectReview",
            "apiVersion": format!("authentication.k8s.io/{version}"),
            "metadata": {"creationTimestamp": null},
            "status": {"userInfo": {"username": user.name, "groups": groups}},
        })),
    ))
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (`kubectl auth can-i`). This build
/// has no authorizer yet (RBAC arrives with the cluster-lifecycle tranche), so every authenticated
/// user may do everything — said in the answer's reason.
pub async fn self_subject_access_review(
    axum::extract::Path(version): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), crate::status::ApiError> {
    if !["v1", "v1beta1"].contains(&version.as_str()) {
        return Err(crate::status::ApiError::path_not_found(&format!(
            "/apis/authorization.k8s.io/{version}/selfsubjectaccessreviews"
        )));
    }
    let review = super::object::decode_object(&headers, &body)?;
    let spec = review.get("spec").cloned().unwrap_or_else(|| json!({}));
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "kind": "SelfSubjectAccessReview",
            "apiVersion": format!("authorization.k8s.io/{version}"),
            "metadata": {"creationTimestamp": null},
            "spec": spec,
            "status": {
                "allowed": true,
                "reason": "karmada-apiserver has no authorizer configured: every authenticated user is allowed",
            },
        })),
    ))
}
