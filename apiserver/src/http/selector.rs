//! Label and field selectors as kube-apiserver parses them.
//!
//! Labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists), `!a` (does not exist),
//! comma-separated, all must hold. Fields: `path=value`, `path==value`, `path!=value` on
//! `metadata.name` and `metadata.namespace` (and any other simple path of the object).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

fn valid_key(key: &str) -> bool {
    // prefix/name, where name is [A-Za-z0-9][-A-Za-z0-9_.]* up to 63 characters.
    let name = key.rsplit_once('/').map_or(key, |(prefix, name)| {
        if prefix.is_empty() || prefix.len() > 253 {
            ""
        } else {
            name
        }
    });
    valid_value(name) && !name.is_empty()
}

fn valid_value(value: &str) -> bool {
    value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && value
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_alphanumeric())
        && value
            .chars()
            .last()
            .is_none_or(|c| c.is_ascii_alphanumeric())
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unbalanced parentheses".into());
                }
            }
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    parts.push(&s[start..]);
    Ok(parts)
}

fn parse_set(s: &str) -> Result<Vec<String>, String> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("expected a parenthesized set, found {s:?}"))?;
    if inner.trim().is_empty() {
        return Err("for 'in', 'notin' operators, values set can't be empty".into());
    }
    let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).collect();
    for v in &values {
        if !valid_value(v) {
            return Err(format!("invalid label value: {v:?}"));
        }
    }
    Ok(values)
}

impl LabelSelector {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(LabelSelector::default());
        }
        let mut requirements = Vec::new();
        for part in split_top(input)? {
            let part = part.trim();
            if part.is_empty() {
                return Err("empty requirement".into());
            }
            let check_key = |key: &str| -> Result<String, String> {
                let key = key.trim();
                if valid_key(key) {
                    Ok(key.to_string())
                } else {
                    Err(format!("invalid label key {key:?}"))
                }
            };
            let check_value = |value: &str| -> Result<String, String> {
                let value = value.trim();
                if valid_value(value) {
                    Ok(value.to_string())
                } else {
                    Err(format!("invalid label value {value:?}"))
                }
            };
            let requirement = if let Some(key) = part.strip_prefix('!') {
                Requirement::DoesNotExist(check_key(key)?)
            } else if let Some((key, value)) = part.split_once("!=") {
                Requirement::NotEquals(check_key(key)?, check_value(value)?)
            } else if let Some((key, value)) = part.split_once("==") {
                Requirement::Equals(check_key(key)?, check_value(value)?)
            } else if let Some((key, value)) = part.split_once('=') {
                Requirement::Equals(check_key(key)?, check_value(value)?)
            } else if let Some((key, set)) = part.split_once(" notin ") {
                Requirement::NotIn(check_key(key)?, parse_set(set)?)
            } else if let Some((key, set)) = part.split_once(" in ") {
                Requirement::In(check_key(key)?, parse_set(set)?)
            } else if part.contains(['(', ')', ' ', '<', '>']) {
                return Err(format!("unable to parse requirement {part:?}"));
            } else {
                Requirement::Exists(check_key(part)?)
            };
            requirements.push(requirement);
        }
        Ok(LabelSelector(requirements))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        let get = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// A parsed field selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(FieldSelector::default());
        }
        let mut terms = Vec::new();
        for part in input.split(',') {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(format!(
                    "invalid field selector term {part:?}: want field=value"
                ));
            };
            let field = field.trim();
            if field.is_empty()
                || !field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            {
                return Err(format!("invalid field path {field:?}"));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first field this selector uses that `resource` (of `group`) does not support, as
    /// kube-apiserver limits field selectors to a few indexed fields per kind.
    pub fn unsupported_field(&self, group: &str, resource: &str) -> Option<&str> {
        self.0
            .iter()
            .map(|(field, _, _)| field.as_str())
            .find(|field| !supported_field(group, resource, field))
    }

    /// The name this selector pins (`metadata.name=x`), letting a list read one key.
    pub fn exact_name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, eq, _)| f == "metadata.name" && *eq)
            .map(|(_, _, v)| v.as_str())
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let pointer = format!("/{}", field.replace('.', "/"));
            let actual = match object.pointer(&pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (actual == *value) == *equal
        })
    }
}

/// Whether kube-apiserver supports `field` in field selectors on `resource`: `metadata.name` and
/// `metadata.namespace` everywhere, plus a few indexed fields of some built-in kinds.
fn supported_field(group: &str, resource: &str, field: &str) -> bool {
    if matches!(field, "metadata.name" | "metadata.namespace") {
        return true;
    }
    let extra: &[&str] = match (group, resource) {
        ("", "pods") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "events") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "secrets") => &["type"],
        ("", "namespaces") => &["status.phase"],
        ("", "nodes") => &["spec.unschedulable"],
        ("", "replicationcontrollers") | ("apps", "replicasets") => &["status.replicas"],
        ("batch", "jobs") => &["status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    };
    extra.contains(&field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "web", "namespace": "default", "labels": labels}})
    }

    #[test]
    fn label_selectors_parse_and_match_like_kubernetes() {
        let o = obj(json!({"app": "web", "tier": "fe", "example.com/team": "a"}));
        let cases = [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app=db", false),
            ("app in (web, db)", true),
            ("app notin (web)", false),
            ("missing notin (x)", true),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("app=web,tier=fe", true),
            ("app=web,tier=be", false),
            ("example.com/team=a", true),
        ];
        for (selector, want) in cases {
            let parsed =
                LabelSelector::parse(selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
            assert_eq!(parsed.matches(&o), want, "{selector}");
        }
    }

    #[test]
    fn malformed_label_selectors_are_errors() {
        for bad in [
            "app=",
            "=x",
            "app in web",
            "app in (a",
            "a,,b",
            "a b",
            "-a=b",
            "app=x y",
            "a)",
        ] {
            // "app=" is valid in Kubernetes (empty value); everything else here is not.
            let result = LabelSelector::parse(bad);
            if bad == "app=" {
                assert!(result.is_ok());
            } else {
                assert!(result.is_err(), "{bad} should not parse");
            }
        }
    }

    #[test]
    fn field_selectors_accept_only_the_fields_kubernetes_indexes() {
        let selector = FieldSelector::parse("metadata.name=a,spec.foo=b").unwrap();
        assert_eq!(
            selector.unsupported_field("", "configmaps"),
            Some("spec.foo")
        );
        let pods = FieldSelector::parse("spec.nodeName=n1,status.phase!=Running").unwrap();
        assert_eq!(pods.unsupported_field("", "pods"), None);
        assert_eq!(
            pods.unsupported_field("apps", "deployments"),
            Some("spec.nodeName")
        );
    }

    #[test]
    fn field_selectors_match_metadata() {
        let o = obj(json!({}));
        assert!(
            FieldSelector::parse("metadata.name=web")
                .unwrap()
                .matches(&o)
        );
        assert!(
            !FieldSelector::parse("metadata.name!=web")
                .unwrap()
                .matches(&o)
        );
        assert!(
            FieldSelector::parse("metadata.namespace==default,metadata.name=web")
                .unwrap()
                .matches(&o)
        );
        assert_eq!(
            FieldSelector::parse("metadata.name=web")
                .unwrap()
                .exact_name(),
            Some("web")
        );
        assert!(FieldSelector::parse("metadata.name").is_err());
        assert!(FieldSelector::parse("meta data=x").is_err());
    }
}
