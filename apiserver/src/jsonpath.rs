//! The JSONPath subset that CRD printer columns use: `.a.b`, `['a.b']`, `[n]`, `[*]`, and filters
//! `[?(@.x.y=="v")]` / `[?(@.x!="v")]`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    All,
    Filter {
        path: Vec<String>,
        equal: bool,
        value: String,
    },
}

/// A compiled path. Parse errors are reported when the CRD is accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath(Vec<Step>);

impl JsonPath {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(s);
        let s = s.strip_prefix('$').unwrap_or(s);
        let chars: Vec<char> = s.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    let start = i + 1;
                    let mut j = start;
                    while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
                        j += 1;
                    }
                    if j == start {
                        return Err(format!("empty field name in {input:?}"));
                    }
                    steps.push(Step::Field(chars[start..j].iter().collect()));
                    i = j;
                }
                '[' => {
                    let close = chars[i..]
                        .iter()
                        .position(|c| *c == ']')
                        .map(|p| p + i)
                        .ok_or_else(|| format!("unclosed '[' in {input:?}"))?;
                    let inner: String = chars[i + 1..close].iter().collect();
                    steps.push(parse_bracket(inner.trim(), input)?);
                    i = close + 1;
                }
                c => return Err(format!("unexpected {c:?} in {input:?}")),
            }
        }
        Ok(JsonPath(steps))
    }

    /// Every value the path selects, in document order.
    pub fn select<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![root];
        for step in &self.0 {
            let mut next = Vec::new();
            for value in current {
                match step {
                    Step::Field(name) => next.extend(value.get(name.as_str())),
                    Step::Index(i) => next.extend(value.get(*i)),
                    Step::All => match value {
                        Value::Array(items) => next.extend(items.iter()),
                        Value::Object(map) => next.extend(map.values()),
                        _ => {}
                    },
                    Step::Filter {
                        path,
                        equal,
                        value: wanted,
                    } => {
                        if let Value::Array(items) = value {
                            next.extend(items.iter().filter(|item| {
                                let got = path.iter().try_fold(*item, |v, k| v.get(k.as_str()));
                                let got = match got {
                                    Some(Value::String(s)) => Some(s.clone()),
                                    Some(other) => Some(other.to_string()),
                                    None => None,
                                };
                                (got.as_deref() == Some(wanted.as_str())) == *equal
                            }));
                        }
                    }
                }
            }
            current = next;
        }
        current
    }
}

fn parse_bracket(inner: &str, input: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::All);
    }
    if let Ok(i) = inner.parse::<usize>() {
        return Ok(Step::Index(i));
    }
    if let Some(quoted) = inner
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
    {
        return Ok(Step::Field(quoted.to_string()));
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|s| s.strip_suffix(')')) {
        let (lhs, equal, rhs) = if let Some((l, r)) = filter.split_once("!=") {
            (l, false, r)
        } else if let Some((l, r)) = filter.split_once("==") {
            (l, true, r)
        } else {
            return Err(format!("unsupported filter in {input:?}"));
        };
        let path = lhs
            .trim()
            .strip_prefix("@.")
            .ok_or_else(|| format!("filter must start with @. in {input:?}"))?
            .split('.')
            .map(String::from)
            .collect();
        let value = rhs.trim().trim_matches('"').trim_matches('\'').to_string();
        return Ok(Step::Filter { path, equal, value });
    }
    Err(format!("unsupported subscript [{inner}] in {input:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn printer_column_paths_select_what_kubectl_would_print() {
        let object = json!({
            "spec": {"replicas": 3, "names": ["a", "b"], "labels": {"x.y/z": "v"}},
            "status": {"conditions": [
                {"type": "Scheduled", "status": "True"},
                {"type": "Ready", "status": "False"}
            ]}
        });
        let cases = [
            (".spec.replicas", vec![json!(3)]),
            (".spec.names", vec![json!(["a", "b"])]),
            (".spec.names[1]", vec![json!("b")]),
            (".spec.names[*]", vec![json!("a"), json!("b")]),
            (".spec.labels['x.y/z']", vec![json!("v")]),
            (
                r#".status.conditions[?(@.type=="Ready")].status"#,
                vec![json!("False")],
            ),
            (
                r#".status.conditions[?(@.type!="Ready")].type"#,
                vec![json!("Scheduled")],
            ),
            (".missing.field", vec![]),
        ];
        for (path, want) in cases {
            let parsed = JsonPath::parse(path).unwrap();
            let got: Vec<Value> = parsed.select(&object).into_iter().cloned().collect();
            assert_eq!(got, want, "{path}");
        }
    }

    #[test]
    fn malformed_paths_are_errors() {
        for bad in ["spec", ".a[", ".a..b", ".a[?(@.x)]", ".a[x y]"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }
}
