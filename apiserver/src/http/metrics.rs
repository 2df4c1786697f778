//! `/metrics` in the Prometheus text format: request counts and latency histograms by verb, resource
//! and code, as kube-apiserver names them (`apiserver_request_total`,
//! `apiserver_request_duration_seconds`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::AppState;
use super::path::{self, ApiPath};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    verb: String,
    group: String,
    resource: String,
    subresource: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    verb: String,
    group: String,
    resource: String,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~65 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<LatencyLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let in_flight = Gauge::default();
        registry.register(
            "apiserver_request",
            "Counter of apiserver requests broken out for each verb, group, resource and HTTP response code",
            requests.clone(),
        );
        registry.register(
            "apiserver_request_duration_seconds",
            "Response latency distribution in seconds for each verb, group and resource (watches excluded)",
            latency.clone(),
        );
        registry.register(
            "apiserver_current_inflight_requests",
            "Number of requests being served (watches excluded)",
            in_flight.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
        }
    }
}

/// Kubernetes' verb for a request: get, list, watch, create, update, patch, delete, deletecollection.
fn verb_and_target(method: &Method, uri: &axum::http::Uri) -> (String, String, String, String) {
    let watch = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    match path::parse(uri.path()) {
        Some(ApiPath::Resource(target)) => {
            let named = target.name.is_some();
            let verb = match (method.as_str(), named, watch) {
                ("GET", _, true) => "watch",
                ("GET", true, _) => "get",
                ("GET", false, _) => "list",
                ("POST", _, _) => "create",
                ("PUT", _, _) => "update",
                ("PATCH", _, _) => "patch",
                ("DELETE", true, _) => "delete",
                ("DELETE", false, _) => "deletecollection",
                (other, _, _) => other,
            };
            (
                verb.to_string(),
                target.group,
                target.resource,
                target.subresource.unwrap_or_default(),
            )
        }
        Some(_) => (
            "get".into(),
            String::new(),
            "discovery".into(),
            String::new(),
        ),
        None => (
            method.as_str().to_lowercase(),
            String::new(),
            uri.path()
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string(),
            String::new(),
        ),
    }
}

/// Middleware recording every request.
pub async fn record(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let (verb, group, resource, subresource) = verb_and_target(request.method(), request.uri());
    let metrics = &state.metrics;
    let long_running = verb == "watch";
    if !long_running {
        metrics.in_flight.inc();
    }
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let elapsed: Duration = started.elapsed();
    if !long_running {
        metrics.in_flight.dec();
        metrics
            .latency
            .get_or_create(&LatencyLabels {
                verb: verb.clone(),
                group: group.clone(),
                resource: resource.clone(),
            })
            .observe(elapsed.as_secs_f64());
    }
    metrics
        .requests
        .get_or_create(&RequestLabels {
            verb,
            group,
            resource,
            subresource,
            code: response.status().as_u16().to_string(),
        })
        .inc();
    response
}

/// `GET /metrics`.
pub async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, &state.metrics.registry) {
        Ok(()) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => crate::status::ApiError::internal(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_follow_kubernetes_naming() {
        let cases = [
            ("GET", "/api/v1/namespaces/a/configmaps", "list"),
            ("GET", "/api/v1/namespaces/a/configmaps?watch=true", "watch"),
            ("GET", "/api/v1/namespaces/a/configmaps/x", "get"),
            ("POST", "/api/v1/namespaces/a/configmaps", "create"),
            (
                "PUT",
                "/apis/apps/v1/namespaces/a/deployments/x/status",
                "update",
            ),
            ("PATCH", "/apis/apps/v1/namespaces/a/deployments/x", "patch"),
            (
                "DELETE",
                "/api/v1/namespaces/a/configmaps",
                "deletecollection",
            ),
        ];
        for (method, uri, want) in cases {
            let (verb, ..) = verb_and_target(&method.parse().unwrap(), &uri.parse().unwrap());
            assert_eq!(verb, want, "{method} {uri}");
        }
    }
}
