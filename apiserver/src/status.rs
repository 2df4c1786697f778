//! The one error boundary of the API server: every failure becomes a Kubernetes `Status` with the
//! right HTTP code and reason, in one exhaustive mapping. Internal details are logged here, once, and
//! never sent to clients.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::storage::StorageError;

/// A failed request, as the client will see it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: StatusCode,
    /// The `StatusReason` (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, ...).
    pub reason: &'static str,
    pub message: String,
    /// `details` of the Status (name, group, kind, causes), when known.
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(code: StatusCode, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// 404 for a path that names no API resource.
    pub fn path_not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format ({content_type})"),
        )
    }

    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "too many requests in flight, please try again later",
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("request body is larger than the limit of {limit} bytes"),
        )
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GATEWAY_TIMEOUT, "Timeout", message)
    }

    /// 500 without leaking internals: the detail is logged here and a generic message is returned.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "an internal error occurred; see the server log",
        )
    }

    /// The Status object sent to the client.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code.as_u16(),
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound { key } => ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("{key} not found"),
            ),
            StorageError::AlreadyExists { key } => ApiError::new(
                StatusCode::CONFLICT,
                "AlreadyExists",
                format!("{key} already exists"),
            ),
            StorageError::Conflict { key, .. } => ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {key}: the object has been modified; \
                     please apply your changes to the latest version and try again"
                ),
            ),
            StorageError::Compacted {
                requested,
                compacted,
            } => ApiError::new(
                StatusCode::GONE,
                "Expired",
                format!(
                    "The resourceVersion for the provided request is too old: {requested} \
                     (oldest available: {compacted})"
                ),
            ),
            StorageError::FutureRevision { requested, current } => ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "Timeout",
                format!(
                    "Too large resource version: {requested}, current resource version: {current}"
                ),
            )
            .with_details(json!({"causes": [{"reason": "ResourceVersionTooLarge",
                "message": "Too large resource version"}], "retryAfterSeconds": 1})),
            StorageError::WatchTooSlow { .. } => ApiError::new(
                StatusCode::GONE,
                "Expired",
                "the watch fell too far behind; list again and watch from there",
            ),
            StorageError::InvalidContinue { reason } => {
                ApiError::bad_request(format!("invalid continue token: {reason}"))
            }
            StorageError::Invalid { reason } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid",
                format!("the object cannot be stored: {reason}"),
            ),
            StorageError::Unavailable { reason } => {
                tracing::warn!(%reason, "storage unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "storage is unavailable, please try again later",
                )
            }
            StorageError::Closed => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the server is shutting down",
            ),
            StorageError::Corrupt { reason } => {
                ApiError::internal(format!("corrupt storage: {reason}"))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.to_status()).unwrap_or_default();
        let mut response = (self.code, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Revision;

    #[test]
    fn storage_errors_map_to_the_kubernetes_codes_and_reasons() {
        let cases = [
            (StorageError::NotFound { key: "k".into() }, 404, "NotFound"),
            (
                StorageError::AlreadyExists { key: "k".into() },
                409,
                "AlreadyExists",
            ),
            (
                StorageError::Conflict {
                    key: "k".into(),
                    expected: Revision(1),
                    current: None,
                },
                409,
                "Conflict",
            ),
            (
                StorageError::Compacted {
                    requested: Revision(1),
                    compacted: Revision(5),
                },
                410,
                "Expired",
            ),
            (
                StorageError::InvalidContinue { reason: "x".into() },
                400,
                "BadRequest",
            ),
            (
                StorageError::Unavailable { reason: "x".into() },
                503,
                "ServiceUnavailable",
            ),
            (
                StorageError::Corrupt {
                    reason: "secret detail".into(),
                },
                500,
                "InternalError",
            ),
        ];
        for (error, code, reason) in cases {
            let api = ApiError::from(error);
            assert_eq!(api.code.as_u16(), code);
            assert_eq!(api.reason, reason);
            let status = api.to_status();
            assert_eq!(status["kind"], "Status");
            assert_eq!(status["code"], code);
            assert!(
                !status["message"]
                    .as_str()
                    .unwrap()
                    .contains("secret detail")
            );
        }
    }
}
