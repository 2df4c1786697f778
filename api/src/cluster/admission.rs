//! Cluster's server-side defaulting, validation and mutation, as Karmada's aggregated API server
//! does them (`pkg/registry/cluster/strategy.go`, `pkg/apis/cluster/{validation,mutation}`).
//!
//! The order is Karmada's: prepare (resource models), validate, then canonicalize (NoExecute taint
//! `timeAdded`, `zone` into `zones`), so validation sees what the user sent.

use k8s_openapi::api::core::v1::Taint;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use super::resource_models;
use super::syntax;
use super::url;
use super::v1alpha1::{Cluster, ClusterSpec, LocalSecretReference};
use crate::validation::{ErrorKind, FieldError, quoted};

/// Karmada's limit on cluster names (they become parts of other names, such as `karmada-es-<name>`).
pub const CLUSTER_NAME_MAX_LENGTH: usize = 48;

/// Prepares a new or updated Cluster: on create, empty resource models become the default grades;
/// given models are standardized (sorted, first grade from zero, last grade to infinity).
pub fn prepare(cluster: &mut Cluster, creating: bool) {
    match cluster.spec.resource_models.as_mut() {
        Some(models) if !models.is_empty() => resource_models::standardize(models),
        _ if creating => {
            cluster.spec.resource_models = Some(resource_models::default_resource_models())
        }
        _ => {}
    }
}

/// Canonicalizes a Cluster after validation: NoExecute taints without `timeAdded` get `now`, and a
/// lone deprecated `zone` moves into `zones`.
pub fn canonicalize(cluster: &mut Cluster, now: Timestamp) {
    for taint in cluster.spec.taints.iter_mut().flatten() {
        if taint.effect == "NoExecute" && taint.time_added.is_none() {
            taint.time_added = Some(Time(now));
        }
    }
    let spec = &mut cluster.spec;
    let has_zones = spec.zones.as_ref().is_some_and(|z| !z.is_empty());
    if let Some(zone) = spec.zone.take_if(|z| !z.is_empty() && !has_zones) {
        spec.zones = Some(vec![zone]);
    }
}

/// Validates a Cluster as Karmada's aggregated API server does on create and update.
pub fn validate(cluster: &Cluster) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(name) = cluster.metadata.name.as_deref().filter(|n| !n.is_empty()) {
        errs.extend(
            validate_cluster_name(name)
                .into_iter()
                .map(|why| FieldError::invalid("metadata.name", quoted(name), &why)),
        );
    }
    validate_spec(&cluster.spec, &mut errs);
    errs
}

/// Karmada's cluster name rule: a DNS-1123 label of at most 48 characters.
pub fn validate_cluster_name(name: &str) -> Vec<String> {
    if name.is_empty() {
        return vec!["must be not empty".into()];
    }
    if name.len() > CLUSTER_NAME_MAX_LENGTH {
        return vec![format!(
            "must be no more than {CLUSTER_NAME_MAX_LENGTH} characters"
        )];
    }
    syntax::dns1123_label(name)
}

fn validate_spec(spec: &ClusterSpec, errs: &mut Vec<FieldError>) {
    if let Some(endpoint) = spec.api_endpoint.as_deref().filter(|e| !e.is_empty()) {
        validate_api_endpoint("spec.apiEndpoint", endpoint, errs);
    }
    validate_secret_ref("spec.secretRef", spec.secret_ref.as_ref(), errs);
    validate_secret_ref(
        "spec.impersonatorSecretRef",
        spec.impersonator_secret_ref.as_ref(),
        errs,
    );
    if let Some(proxy) = spec.proxy_url.as_deref().filter(|p| !p.is_empty()) {
        validate_proxy_url("spec.proxyURL", proxy, errs);
    }
    validate_topology(spec, errs);
    validate_taints(spec.taints.as_deref().unwrap_or_default(), errs);
    if let Some(models) = spec.resource_models.as_deref().filter(|m| !m.is_empty()) {
        errs.extend(resource_models::validate(models, "spec.resourceModels"));
    }
}

const ENDPOINT_FORM: &str = "; desired format: hostname, hostname:port, IP or IP:port";

fn validate_api_endpoint(field: &str, endpoint: &str, errs: &mut Vec<FieldError>) {
    let parsed = match url::parse(endpoint) {
        Ok(parsed) => parsed,
        Err(err) => {
            let why = format!("apiEndpoint must be a valid URL: {err}{ENDPOINT_FORM}");
            errs.push(FieldError::invalid(field, quoted(endpoint), &why));
            return;
        }
    };
    if parsed.host.is_empty() {
        let why = format!("host must be provided{ENDPOINT_FORM}");
        errs.push(FieldError::invalid(field, quoted(""), &why));
    }
    if let Some(user) = &parsed.user {
        let why = "user information is not permitted in the URL";
        errs.push(FieldError::invalid(field, quoted(user), why));
    }
    if !parsed.fragment.is_empty() {
        let why = "fragments are not permitted in the URL";
        errs.push(FieldError::invalid(field, quoted(&parsed.fragment), why));
    }
    if !parsed.raw_query.is_empty() {
        let why = "query parameters are not permitted in the URL";
        errs.push(FieldError::invalid(field, quoted(&parsed.raw_query), why));
    }
}

fn validate_proxy_url(field: &str, proxy: &str, errs: &mut Vec<FieldError>) {
    match url::parse(proxy) {
        Err(err) => {
            let why = format!("proxyURL must be a valid URL: {err}");
            errs.push(FieldError::invalid(field, quoted(proxy), &why));
        }
        Ok(parsed) if !matches!(parsed.scheme.as_str(), "http" | "https" | "socks5") => {
            let why = format!(
                "unsupported scheme {}, must be http, https, or socks5",
                quoted(&parsed.scheme)
            );
            errs.push(FieldError::invalid(field, quoted(proxy), &why));
        }
        Ok(_) => {}
    }
}

fn validate_secret_ref(
    field: &str,
    secret: Option<&LocalSecretReference>,
    errs: &mut Vec<FieldError>,
) {
    let Some(secret) = secret else { return };
    if secret.namespace.is_empty() {
        errs.push(FieldError::required(format!("{field}.namespace"), ""));
    }
    if secret.name.is_empty() {
        errs.push(FieldError::required(format!("{field}.name"), ""));
    }
}

/// Provider, region and zones are label values (they are matched by field selectors and cluster
/// affinity); the deprecated `zone` and `zones` cannot both be set.
fn validate_topology(spec: &ClusterSpec, errs: &mut Vec<FieldError>) {
    let mut label_value = |field: String, value: &str| {
        let msgs = syntax::label_value(value);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(field, quoted(value), &msgs.join("; ")));
        }
    };
    label_value(
        "spec.provider".into(),
        spec.provider.as_deref().unwrap_or(""),
    );
    label_value("spec.region".into(), spec.region.as_deref().unwrap_or(""));
    let zone = spec.zone.as_deref().unwrap_or("");
    let zones = spec.zones.as_deref().unwrap_or_default();
    if !zone.is_empty() && !zones.is_empty() {
        errs.push(FieldError::invalid(
            "spec.zone",
            quoted(zone),
            "Zone and Zones cannot co-exist",
        ));
        return;
    }
    if !zone.is_empty() {
        label_value("spec.zone".into(), zone);
    }
    for (i, zone) in zones.iter().enumerate() {
        label_value(format!("spec.zones[{i}]"), zone);
    }
}

/// Kubernetes' node-taint rules, restricted to the effects a cluster supports.
fn validate_taints(taints: &[Taint], errs: &mut Vec<FieldError>) {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (i, taint) in taints.iter().enumerate() {
        let path = format!("spec.taints[{i}]");
        for why in syntax::qualified_name(&taint.key) {
            errs.push(FieldError::invalid(
                format!("{path}.key"),
                quoted(&taint.key),
                &why,
            ));
        }
        let value = taint.value.as_deref().unwrap_or("");
        let msgs = syntax::label_value(value);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(
                format!("{path}.value"),
                quoted(value),
                &msgs.join(";"),
            ));
        }
        match taint.effect.as_str() {
            "" => errs.push(FieldError::required(format!("{path}.effect"), "")),
            "NoSchedule" | "NoExecute" => {}
            other => errs.push(FieldError::not_supported(
                format!("{path}.effect"),
                quoted(other),
                &["NoSchedule", "NoExecute"],
            )),
        }
        let pair = (taint.key.as_str(), taint.effect.as_str());
        if seen.contains(&pair) {
            errs.push(FieldError {
                field: path,
                kind: ErrorKind::Duplicate,
                detail: format!(
                    "Duplicate value: {}: taints must be unique by key and effect pair",
                    go_taint_json(taint)
                ),
            });
            continue;
        }
        seen.push(pair);
    }
}

/// A taint as Go's encoder writes it (field order key, value, effect, timeAdded).
fn go_taint_json(taint: &Taint) -> String {
    let mut out = format!("{{\"key\":{}", quoted(&taint.key));
    if let Some(value) = taint.value.as_deref().filter(|v| !v.is_empty()) {
        out.push_str(&format!(",\"value\":{}", quoted(value)));
    }
    out.push_str(&format!(",\"effect\":{}", quoted(&taint.effect)));
    if let Some(time) = &taint.time_added
        && let Ok(time) = serde_json::to_string(time)
    {
        out.push_str(&format!(",\"timeAdded\":{time}"));
    }
    out.push('}');
    out
}

#[cfg(test)]
#[path = "admission_tests.rs"]
mod tests;
