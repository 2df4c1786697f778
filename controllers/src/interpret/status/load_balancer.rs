//! Merging the load-balancer ingress points that several clusters report for one Service or
//! Ingress: one entry per address, with the union of its port statuses, in a stable order.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::super::fields::{Malformed, array, int_or, string};

/// Whose ingress points are merged: a Service's carry an `ipMode`, an Ingress's do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LoadBalancerKind {
    Service,
    Ingress,
}

/// An ingress point's identity: hostname, IP and (Services only) IP mode.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Address {
    hostname: String,
    ip: String,
    ip_mode: Option<String>,
}

impl Ord for Address {
    /// Named points first (by hostname), then by IP, then points with an IP mode before those
    /// without.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.hostname.is_empty(), &self.hostname, &self.ip)
            .cmp(&(other.hostname.is_empty(), &other.hostname, &other.ip))
            .then_with(|| match (&self.ip_mode, &other.ip_mode) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A port status: port, protocol and the error, if any (ports without an error sort first).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Port {
    port: i64,
    protocol: String,
    error: Option<String>,
}

/// `points` deduplicated by address, each with the sorted union of its ports.
pub(super) fn merge_ingress_points(
    points: &[&Value],
    kind: LoadBalancerKind,
) -> Result<Vec<Value>, Malformed> {
    let mut merged: BTreeMap<Address, Vec<Port>> = BTreeMap::new();
    for point in points {
        let address = Address {
            hostname: string(point, &["hostname"])?
                .unwrap_or_default()
                .to_string(),
            ip: string(point, &["ip"])?.unwrap_or_default().to_string(),
            ip_mode: match kind {
                LoadBalancerKind::Service => string(point, &["ipMode"])?.map(str::to_string),
                LoadBalancerKind::Ingress => None,
            },
        };
        let ports = merged.entry(address).or_default();
        for port in array(point, &["ports"])? {
            ports.push(Port {
                port: int_or(port, &["port"], 0)?,
                protocol: string(port, &["protocol"])?.unwrap_or_default().to_string(),
                error: string(port, &["error"])?.map(str::to_string),
            });
        }
    }
    Ok(merged
        .into_iter()
        .map(|(address, mut ports)| {
            ports.sort();
            ports.dedup();
            point_json(address, ports)
        })
        .collect())
}

fn point_json(address: Address, ports: Vec<Port>) -> Value {
    let mut point = Map::new();
    if !address.hostname.is_empty() {
        point.insert("hostname".into(), json!(address.hostname));
    }
    if !address.ip.is_empty() {
        point.insert("ip".into(), json!(address.ip));
    }
    if let Some(mode) = address.ip_mode {
        point.insert("ipMode".into(), json!(mode));
    }
    if !ports.is_empty() {
        let ports = ports
            .into_iter()
            .map(|port| {
                let mut entry = json!({"port": port.port, "protocol": port.protocol});
                if let (Some(error), Some(map)) = (port.error, entry.as_object_mut()) {
                    map.insert("error".into(), json!(error));
                }
                entry
            })
            .collect();
        point.insert("ports".into(), Value::Array(ports));
    }
    Value::Object(point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_deduplicated_with_their_ports_merged_and_sorted() {
        let points = [
            json!({"ip": "10.0.0.2"}),
            json!({"ip": "10.0.0.1", "ports": [{"port": 443, "protocol": "TCP"}]}),
            json!({"hostname": "b.example"}),
            json!({"ip": "10.0.0.1", "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]}),
            json!({"hostname": "a.example", "ip": "10.0.0.9"}),
            json!({"ip": "10.0.0.1", "ports": [{"port": 80, "protocol": "TCP", "error": "Pending"}]}),
        ];
        let refs: Vec<&Value> = points.iter().collect();
        let merged = merge_ingress_points(&refs, LoadBalancerKind::Ingress).unwrap();
        assert_eq!(
            merged,
            vec![
                json!({"hostname": "a.example", "ip": "10.0.0.9"}),
                json!({"hostname": "b.example"}),
                json!({"ip": "10.0.0.1", "ports": [
                    {"port": 80, "protocol": "TCP"},
                    {"port": 80, "protocol": "TCP", "error": "Pending"},
                    {"port": 443, "protocol": "TCP"}
                ]}),
                json!({"ip": "10.0.0.2"}),
            ]
        );
    }

    #[test]
    fn service_points_differ_by_ip_mode_but_ingress_points_do_not() {
        let points = [
            json!({"ip": "1.1.1.1"}),
            json!({"ip": "1.1.1.1", "ipMode": "VIP"}),
        ];
        let refs: Vec<&Value> = points.iter().collect();
        assert_eq!(
            merge_ingress_points(&refs, LoadBalancerKind::Service).unwrap(),
            vec![
                json!({"ip": "1.1.1.1", "ipMode": "VIP"}),
                json!({"ip": "1.1.1.1"})
            ]
        );
        assert_eq!(
            merge_ingress_points(&refs, LoadBalancerKind::Ingress).unwrap(),
            vec![json!({"ip": "1.1.1.1"})]
        );
    }

    #[test]
    fn malformed_points_are_reported() {
        let point = json!({"ip": 7});
        assert!(merge_ingress_points(&[&point], LoadBalancerKind::Service).is_err());
    }
}
