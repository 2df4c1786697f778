//! The HTTP surface: `router(state)` builds the whole service, so most tests can call it with
//! `oneshot` and no socket. Authentication, limits and request logging are middleware here; handlers
//! return `Result<_, ApiError>` and never log errors themselves.

mod admission;
mod apply;
mod delete;
mod discovery;
pub mod metrics;
mod negotiate;
pub mod object;
pub mod path;
pub mod protobuf;
mod resources;
mod scale;
pub mod selector;
mod system;
mod table;
mod watch;
mod writes;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Semaphore;

use crate::auth::{Authenticator, PeerIdentity, UserInfo};
use crate::openapi::OpenApi;
use crate::registry::Registry;
use crate::status::ApiError;
use crate::storage::Store;

/// The largest request body accepted (kube-apiserver's limit is 3 MiB).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
/// The longest a non-watch request may take (kube-apiserver's default `--request-timeout`).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Most non-watch requests served at once by default (kube-apiserver's `--max-requests-inflight`
/// default); more get 429.
pub const MAX_IN_FLIGHT: usize = 400;

/// What every handler can reach.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub authenticator: Authenticator,
    pub registry: Registry,
    /// The `/openapi/v3` documents (built-in kinds; custom resources add theirs at run time).
    pub openapi: OpenApi,
    /// The OpenAPI group/version documents currently published for custom resources.
    pub crd_documents: std::sync::Mutex<std::collections::BTreeSet<String>>,
    pub metrics: metrics::Metrics,
    /// Namespaces as the lifecycle controller last saw them (see [`crate::gc::NamespaceCache`]).
    pub namespaces: crate::gc::NamespaceCache,
    /// Set while the server drains before stopping: `/readyz` fails first, as kube-apiserver's
    /// shutdown check does, so that load balancers and probes move away before requests are refused.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    in_flight: Semaphore,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, authenticator: Authenticator) -> Self {
        AppState {
            store,
            authenticator,
            registry: Registry::with_builtins(),
            openapi: OpenApi::new(),
            crd_documents: Default::default(),
            metrics: Default::default(),
            namespaces: Default::default(),
            draining: Default::default(),
            in_flight: Semaphore::new(MAX_IN_FLIGHT),
        }
    }

    /// Serves at most `limit` non-watch requests at once (429 beyond).
    pub fn with_max_in_flight(mut self, limit: usize) -> Self {
        self.in_flight = Semaphore::new(limit);
        self
    }
}

/// Builds the API server's HTTP service.
pub fn router(state: Arc<AppState>) -> Router {
    let authenticated = Router::new()
        .route("/version", get(system::version))
        .route("/openapi/v2", get(system::openapi_v2))
        .route("/metrics", get(metrics::serve))
        .route(
            "/apis/authentication.k8s.io/{version}/selfsubjectreviews",
            axum::routing::post(system::self_subject_review),
        )
        .route(
            "/apis/authorization.k8s.io/{version}/selfsubjectaccessreviews",
            axum::routing::post(system::self_subject_access_review),
        )
        .merge(crate::openapi::routes())
        .route("/api", axum::routing::any(resources::api))
        .route("/api/{*rest}", axum::routing::any(resources::api))
        .route("/apis", axum::routing::any(resources::api))
        .route("/apis/{*rest}", axum::routing::any(resources::api))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            limit_in_flight,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            authenticate,
        ));
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/livez", get(system::livez))
        .route("/readyz", get(system::readyz))
        .method_not_allowed_fallback(method_not_allowed)
        .merge(authenticated)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            metrics::record,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn not_found(request: Request) -> ApiError {
    ApiError::path_not_found(request.uri().path())
}

/// A known path with a method it does not serve: a Status, like every other error.
async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::method_not_allowed(request.method().as_str())
}

async fn authenticate(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<PeerIdentity>()
        .cloned()
        .unwrap_or_default();
    match state.authenticator.authenticate(&peer, request.headers()) {
        Some(user) => {
            request.extensions_mut().insert::<Arc<UserInfo>>(user);
            next.run(request).await
        }
        None => ApiError::unauthorized().into_response(),
    }
}

async fn limit_in_flight(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    // Watches are long-running and not counted, as in kube-apiserver.
    let is_watch = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    if is_watch {
        return next.run(request).await;
    }
    let Ok(_permit) = state.in_flight.try_acquire() else {
        return ApiError::too_many_requests().into_response();
    };
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout(format!(
            "the request did not complete within {}s",
            REQUEST_TIMEOUT.as_secs()
        ))
        .into_response(),
    }
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let user = request
        .extensions()
        .get::<PeerIdentity>()
        .and_then(|p| p.user.as_ref().map(|u| u.name.clone()));
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "karmada_apiserver::request",
        %method,
        %path,
        user = user.as_deref().unwrap_or(""),
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::embedded::{EmbeddedConfig, EmbeddedStore};
    use axum::body::Body;
    use axum::http::{Request as HttpRequest, StatusCode};
    use tower::ServiceExt;

    fn admin() -> PeerIdentity {
        PeerIdentity {
            user: Some(Arc::new(UserInfo {
                name: "admin".into(),
                groups: vec!["system:masters".into()],
            })),
            front_proxy: None,
        }
    }

    async fn status(app: &Router, uri: &str, peer: Option<PeerIdentity>) -> StatusCode {
        let mut request = HttpRequest::get(uri).body(Body::empty()).unwrap();
        if let Some(peer) = peer {
            request.extensions_mut().insert(peer);
        }
        app.clone().oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn requests_beyond_the_in_flight_limit_get_429_but_health_and_watches_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedStore::open(EmbeddedConfig::new(dir.path())).unwrap());
        let state = Arc::new(AppState::new(store, Authenticator::new()).with_max_in_flight(0));
        let app = router(state);
        assert_eq!(
            status(&app, "/version", Some(admin())).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(status(&app, "/healthz", None).await, StatusCode::OK);
        assert_eq!(
            status(&app, "/version", None).await,
            StatusCode::UNAUTHORIZED
        );
        let watch = status(
            &app,
            "/api/v1/namespaces/default/configmaps?watch=true",
            Some(admin()),
        )
        .await;
        assert_eq!(
            watch,
            StatusCode::OK,
            "watches are long-running and not limited"
        );
    }
}
