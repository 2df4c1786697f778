//! Content negotiation: which of the representations a client's `Accept` header asks for first.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT;

/// One media range of an Accept header: `type/subtype` plus its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRange {
    pub essence: String,
    pub params: Vec<(String, String)>,
}

impl MediaRange {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `application/json` or a wildcard that covers it.
    pub fn accepts_json(&self) -> bool {
        matches!(
            self.essence.as_str(),
            "application/json" | "application/*" | "*/*"
        )
    }
}

/// Parses an Accept header into media ranges, in the client's order (kubectl orders by preference
/// and sends no q-values).
pub fn accept(headers: &HeaderMap) -> Vec<MediaRange> {
    let Some(value) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    value
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let essence = parts.next()?.to_ascii_lowercase();
            if essence.is_empty() {
                return None;
            }
            let params = parts
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    Some((
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_string(),
                    ))
                })
                .collect();
            Some(MediaRange { essence, params })
        })
        .collect()
}

/// A representation the server can produce for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    /// Plain JSON (objects, lists, legacy discovery).
    Json,
    /// `application/yaml`.
    Yaml,
    /// `meta.k8s.io/v1` Table.
    Table,
    /// Aggregated discovery in `apidiscovery.k8s.io/v2`.
    DiscoveryV2,
    /// Aggregated discovery in `apidiscovery.k8s.io/v2beta1`.
    DiscoveryV2Beta1,
}

/// The first representation in the client's order that is among `offered`. With no Accept header,
/// JSON. `None` when nothing acceptable is offered (406).
pub fn choose(headers: &HeaderMap, offered: &[Representation]) -> Option<Representation> {
    let ranges = accept(headers);
    if ranges.is_empty() {
        return Some(Representation::Json);
    }
    for range in &ranges {
        let as_ = range.param("as");
        let group = range.param("g");
        let version = range.param("v");
        let candidate = match (range.essence.as_str(), as_, group, version) {
            ("application/json", Some("Table"), Some("meta.k8s.io"), Some("v1" | "v1beta1")) => {
                Representation::Table
            }
            (
                "application/json",
                Some("APIGroupDiscoveryList"),
                Some("apidiscovery.k8s.io"),
                Some("v2"),
            ) => Representation::DiscoveryV2,
            (
                "application/json",
                Some("APIGroupDiscoveryList"),
                Some("apidiscovery.k8s.io"),
                Some("v2beta1"),
            ) => Representation::DiscoveryV2Beta1,
            ("application/yaml", None, _, _) => Representation::Yaml,
            // Other `as=` forms (PartialObjectMetadata, ...) are not offered; skip them.
            (_, Some(_), _, _) => continue,
            _ if range.accepts_json() => Representation::Json,
            // Protobuf and other encodings are not produced; clients list JSON after them.
            _ => continue,
        };
        if offered.contains(&candidate) {
            return Some(candidate);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, accept.parse().unwrap());
        h
    }

    const DISCOVERY: &[Representation] = &[
        Representation::DiscoveryV2,
        Representation::DiscoveryV2Beta1,
        Representation::Json,
    ];

    #[test]
    fn discovery_negotiation_follows_the_clients_order() {
        let kubectl_133 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        let kubectl_127 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(
            choose(&headers(kubectl_133), DISCOVERY),
            Some(Representation::DiscoveryV2)
        );
        assert_eq!(
            choose(&headers(kubectl_127), DISCOVERY),
            Some(Representation::DiscoveryV2Beta1)
        );
        assert_eq!(
            choose(&HeaderMap::new(), DISCOVERY),
            Some(Representation::Json)
        );
        assert_eq!(
            choose(&headers("application/json"), DISCOVERY),
            Some(Representation::Json)
        );
    }

    #[test]
    fn table_and_protobuf_accepts() {
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        let offered = &[Representation::Json, Representation::Table];
        assert_eq!(
            choose(&headers(table), offered),
            Some(Representation::Table)
        );
        assert_eq!(
            choose(
                &headers("application/vnd.kubernetes.protobuf,application/json"),
                offered
            ),
            Some(Representation::Json)
        );
        assert_eq!(
            choose(&headers("application/vnd.kubernetes.protobuf"), offered),
            None
        );
        assert_eq!(choose(&headers("*/*"), offered), Some(Representation::Json));
    }
}
