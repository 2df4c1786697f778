//! The effective resource requests of one pod, computed as the kube-scheduler does: the larger of
//! the app containers' sum (plus sidecars) and the largest init-container step, plus the pod
//! overhead; a container's limits stand in for requests it leaves out.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use karmada_api::policy::quantity::Quantity;
use karmada_api::policy::v1alpha1::ResourceList;
use serde_json::Value;

use super::fields::{lookup, lookup_array, lookup_str};

/// Amounts per resource name: milli-cores for `cpu`, whole units (rounded up) for everything else.
type Amounts = BTreeMap<String, i128>;

/// The effective requests of a pod with spec `pod_spec`, or `None` when it requests nothing.
/// Resources Kubernetes does not schedule on (names that are neither standard, hugepages,
/// attachable volumes nor domain-prefixed extended resources) are left out, as Karmada does.
pub(super) fn pod_requests(pod_spec: &Value) -> Option<ResourceList> {
    let mut total = Amounts::new();
    for container in lookup_array(pod_spec, &["containers"]) {
        add(&mut total, &container_requests(container));
    }
    // Sidecars (restartable init containers) run alongside everything started after them; a
    // regular init container runs alone next to the sidecars started before it.
    let mut sidecars = Amounts::new();
    let mut init_peak = Amounts::new();
    for container in lookup_array(pod_spec, &["initContainers"]) {
        let requests = container_requests(container);
        let step = if lookup_str(container, &["restartPolicy"]) == Some("Always") {
            add(&mut sidecars, &requests);
            sidecars.clone()
        } else {
            let mut step = requests;
            add(&mut step, &sidecars);
            step
        };
        max_into(&mut init_peak, &step);
    }
    add(&mut total, &sidecars);
    max_into(&mut total, &init_peak);
    if let Some(overhead) = lookup(pod_spec, &["overhead"]) {
        add(&mut total, &amounts(overhead));
    }
    let list: ResourceList = total
        .into_iter()
        .filter(|(_, amount)| *amount > 0)
        .map(|(name, amount)| {
            let text = format_amount(&name, amount);
            (name, ApiQuantity(text))
        })
        .collect();
    (!list.is_empty()).then_some(list)
}

/// A container's requests, with its limits filling in resources it does not request.
fn container_requests(container: &Value) -> Amounts {
    let mut requests = lookup(container, &["resources", "requests"])
        .map(amounts)
        .unwrap_or_default();
    if let Some(limits) = lookup(container, &["resources", "limits"]) {
        for (name, amount) in amounts(limits) {
            requests.entry(name).or_insert(amount);
        }
    }
    requests
}

/// The schedulable amounts of a JSON resource list (quantities as strings or plain numbers);
/// entries that do not parse are ignored (the API server rejects them before they get here).
fn amounts(list: &Value) -> Amounts {
    let Some(map) = list.as_object() else {
        return Amounts::new();
    };
    map.iter()
        .filter(|(name, _)| is_schedulable(name))
        .filter_map(|(name, value)| {
            let quantity = match value {
                Value::String(text) => Quantity::parse(text),
                Value::Number(number) => Quantity::parse(&number.to_string()),
                _ => None,
            }?;
            let amount = if name == "cpu" {
                quantity.millis()
            } else {
                quantity.value()
            };
            Some((name.clone(), amount))
        })
        .collect()
}

/// Whether the scheduler accounts for resource `name` (Karmada's `util.Resource`).
fn is_schedulable(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage" | "pods")
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || (name.contains('/') && !name.starts_with("requests."))
}

fn add(total: &mut Amounts, more: &Amounts) {
    for (name, amount) in more {
        let entry = total.entry(name.clone()).or_insert(0);
        *entry = entry.saturating_add(*amount);
    }
}

fn max_into(total: &mut Amounts, other: &Amounts) {
    for (name, amount) in other {
        let entry = total.entry(name.clone()).or_insert(0);
        *entry = (*entry).max(*amount);
    }
}

/// The canonical text of an amount: cpu as whole cores or milli-cores (`2`, `250m`); memory,
/// ephemeral storage and hugepages with the exact binary (`128Mi`) or decimal (`2G`) suffix that
/// gives the shorter text, binary on a tie; other resources as a plain count.
fn format_amount(name: &str, amount: i128) -> String {
    if name == "cpu" {
        return if amount % 1000 == 0 {
            (amount / 1000).to_string()
        } else {
            format!("{amount}m")
        };
    }
    let bytes = matches!(name, "memory" | "ephemeral-storage") || name.starts_with("hugepages-");
    if !bytes {
        return amount.to_string();
    }
    let binary = with_suffix(amount, 1024, &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]);
    let decimal = with_suffix(amount, 1000, &["", "k", "M", "G", "T", "P", "E"]);
    if decimal.len() < binary.len() {
        decimal
    } else {
        binary
    }
}

/// `amount` divided by the largest power of `base` that divides it exactly, with that power's
/// suffix.
fn with_suffix(amount: i128, base: i128, suffixes: &[&str]) -> String {
    let mut number = amount;
    let mut power = 0;
    while power + 1 < suffixes.len() && number != 0 && number % base == 0 {
        number /= base;
        power += 1;
    }
    format!("{number}{}", suffixes[power])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list(pairs: &[(&str, &str)]) -> Option<ResourceList> {
        Some(
            pairs
                .iter()
                .map(|(name, value)| (name.to_string(), ApiQuantity(value.to_string())))
                .collect(),
        )
    }

    #[test]
    fn effective_requests_follow_kubernetes_rules() {
        let cases = [
            (
                "app containers are summed",
                json!({"containers": [
                    {"resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}},
                    {"resources": {"requests": {"cpu": "0.75", "memory": "64Mi"}}}
                ]}),
                list(&[("cpu", "1"), ("memory", "128Mi")]),
            ),
            (
                "limits stand in for missing requests only",
                json!({"containers": [
                    {"resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "2", "memory": "1Gi"}}}
                ]}),
                list(&[("cpu", "100m"), ("memory", "1Gi")]),
            ),
            (
                "an init container larger than the app containers wins",
                json!({
                    "initContainers": [{"resources": {"requests": {"cpu": "2"}}}],
                    "containers": [{"resources": {"requests": {"cpu": "500m", "memory": "1000"}}}]
                }),
                list(&[("cpu", "2"), ("memory", "1k")]),
            ),
            (
                "init containers take the max, not the sum",
                json!({
                    "initContainers": [
                        {"resources": {"requests": {"cpu": "300m"}}},
                        {"resources": {"requests": {"cpu": "400m"}}}
                    ],
                    "containers": [{"resources": {"requests": {"cpu": "100m"}}}]
                }),
                list(&[("cpu", "400m")]),
            ),
            (
                "sidecars add to the app containers and to later init steps",
                json!({
                    "initContainers": [
                        {"restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
                        {"resources": {"requests": {"cpu": "1"}}}
                    ],
                    "containers": [{"resources": {"requests": {"cpu": "200m"}}}]
                }),
                list(&[("cpu", "1100m")]),
            ),
            (
                "overhead is added",
                json!({
                    "containers": [{"resources": {"requests": {"memory": "1Gi"}}}],
                    "overhead": {"memory": "512Mi"}
                }),
                list(&[("memory", "1536Mi")]),
            ),
            (
                "extended resources, hugepages and plain numbers count; unknown names do not",
                json!({"containers": [{"resources": {"requests": {
                    "nvidia.com/gpu": 2, "hugepages-2Mi": "4Mi", "storage": "1Gi",
                    "requests.example.com/x": "1", "ephemeral-storage": "2G"
                }}}]}),
                list(&[
                    ("ephemeral-storage", "2G"),
                    ("hugepages-2Mi", "4Mi"),
                    ("nvidia.com/gpu", "2"),
                ]),
            ),
            (
                "no requests at all",
                json!({"containers": [{"name": "a"}]}),
                None,
            ),
            (
                "zero requests are dropped",
                json!({"containers": [{"resources": {"requests": {"cpu": "0"}}}]}),
                None,
            ),
        ];
        for (name, spec, expected) in cases {
            assert_eq!(pod_requests(&spec), expected, "{name}");
        }
    }

    #[test]
    fn amounts_print_back_as_exact_quantities() {
        let cases = [
            ("cpu", 1500, "1500m"),
            ("cpu", 3000, "3"),
            ("cpu", 1, "1m"),
            ("memory", 1024 * 1024 * 3, "3Mi"),
            ("memory", 1536, "1536"),
            ("memory", 1000, "1k"),
            ("memory", 1_500_000, "1500k"),
            ("memory", 1024 * 1000, "1024k"),
            ("memory", 0, "0"),
            ("ephemeral-storage", 1 << 40, "1Ti"),
            ("hugepages-1Gi", 1 << 30, "1Gi"),
            ("pods", 110, "110"),
            ("example.com/foo", 2048, "2048"),
        ];
        for (name, amount, expected) in cases {
            let text = format_amount(name, amount);
            assert_eq!(text, expected, "{name} {amount}");
            let parsed =
                Quantity::parse(&text).map(|q| if name == "cpu" { q.millis() } else { q.value() });
            assert_eq!(parsed, Some(amount), "{text} parses back");
        }
    }
}
