//! Discovery: legacy (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`) and aggregated
//! (`apidiscovery.k8s.io` v2 and v2beta1, chosen by the Accept header).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::negotiate::{Representation, choose};
use crate::registry::{Registry, ResourceInfo};
use crate::status::ApiError;

const DISCOVERY_OFFERS: &[Representation] = &[
    Representation::DiscoveryV2,
    Representation::DiscoveryV2Beta1,
    Representation::Json,
];

fn json_response(body: Value, content_type: &'static str) -> Response {
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn not_acceptable() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_ACCEPTABLE,
        "NotAcceptable",
        "only the following media types are accepted: application/json, \
         application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, \
         application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
    )
}

/// `GET /api` and `GET /apis`.
pub fn root(registry: &Registry, core: bool, headers: &HeaderMap) -> Result<Response, ApiError> {
    let groups = registry.groups();
    match choose(headers, DISCOVERY_OFFERS).ok_or_else(not_acceptable)? {
        rep @ (Representation::DiscoveryV2 | Representation::DiscoveryV2Beta1) => {
            let (version, content_type) = if rep == Representation::DiscoveryV2 {
                (
                    "v2",
                    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                )
            } else {
                (
                    "v2beta1",
                    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
                )
            };
            let items: Vec<Value> = groups
                .iter()
                .filter(|(group, _)| group.is_empty() == core)
                .map(|(group, versions)| aggregated_group(registry, group, versions))
                .collect();
            Ok(json_response(
                json!({
                    "kind": "APIGroupDiscoveryList",
                    "apiVersion": format!("apidiscovery.k8s.io/{version}"),
                    "metadata": {},
                    "items": items,
                }),
                content_type,
            ))
        }
        _ if core => Ok(json_response(
            json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [],
            }),
            "application/json",
        )),
        _ => {
            let groups: Vec<Value> = groups
                .iter()
                .filter(|(group, _)| !group.is_empty())
                .map(|(group, versions)| api_group(group, versions))
                .collect();
            Ok(json_response(
                json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
                "application/json",
            ))
        }
    }
}

fn api_group(group: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": versions,
        "preferredVersion": versions[0],
    })
}

/// `GET /apis/{group}`.
pub fn group(registry: &Registry, group: &str) -> Result<Response, ApiError> {
    let groups = registry.groups();
    let versions = groups
        .get(group)
        .filter(|_| !group.is_empty())
        .ok_or_else(|| ApiError::path_not_found(&format!("/apis/{group}")))?;
    let mut body = api_group(group, versions);
    body["kind"] = "APIGroup".into();
    body["apiVersion"] = "v1".into();
    Ok(json_response(body, "application/json"))
}

fn resources_of<'a>(
    all: &'a [std::sync::Arc<ResourceInfo>],
    group: &'a str,
    version: &'a str,
) -> impl Iterator<Item = &'a std::sync::Arc<ResourceInfo>> + 'a {
    all.iter()
        .filter(move |r| r.group == group && r.version == version)
}

/// `GET /api/v1` and `GET /apis/{group}/{version}`.
pub fn resource_list(
    registry: &Registry,
    group: &str,
    version: &str,
) -> Result<Response, ApiError> {
    let all = registry.all();
    let mut resources = Vec::new();
    for r in resources_of(&all, group, version) {
        let mut entry = json!({
            "name": r.resource,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs(),
        });
        if !r.short_names.is_empty() {
            entry["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            entry["categories"] = json!(r.categories);
        }
        resources.push(entry);
        if r.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", r.resource),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
        if r.scale_subresource {
            resources.push(json!({
                "name": format!("{}/scale", r.resource),
                "singularName": "",
                "namespaced": r.namespaced,
                "group": "autoscaling",
                "version": "v1",
                "kind": "Scale",
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    if resources.is_empty() {
        let path = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        return Err(ApiError::path_not_found(&path));
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Ok(json_response(
        json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }),
        "application/json",
    ))
}

fn aggregated_group(registry: &Registry, group: &str, versions: &[String]) -> Value {
    let all = registry.all();
    let versions: Vec<Value> = versions
        .iter()
        .map(|version| {
            let resources: Vec<Value> = resources_of(&all, group, version)
                .map(|r| {
                    let mut subresources = Vec::new();
                    if r.status_subresource {
                        subresources.push(json!({
                            "subresource": "status",
                            "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                            "verbs": ["get", "patch", "update"],
                        }));
                    }
                    if r.scale_subresource {
                        subresources.push(json!({
                            "subresource": "scale",
                            "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
                            "verbs": ["get", "patch", "update"],
                        }));
                    }
                    let mut entry = json!({
                        "resource": r.resource,
                        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
                        "singularResource": r.singular,
                        "verbs": r.verbs(),
                    });
                    if !r.short_names.is_empty() {
                        entry["shortNames"] = json!(r.short_names);
                    }
                    if !r.categories.is_empty() {
                        entry["categories"] = json!(r.categories);
                    }
                    if !subresources.is_empty() {
                        entry["subresources"] = json!(subresources);
                    }
                    entry
                })
                .collect();
            json!({"version": version, "freshness": "Current", "resources": resources})
        })
        .collect();
    let mut metadata = json!({"creationTimestamp": null});
    if !group.is_empty() {
        metadata["name"] = group.into();
    }
    json!({"metadata": metadata, "versions": versions})
}
