//! Reads and writes of fields at a path in a JSON object. Reads come in two strengths: strict ones
//! report a field of the wrong type as [`Malformed`] (the interpreter then refuses to judge), lenient
//! ones treat it as absent. JSON `null` is always the same as an absent field.

use serde_json::{Map, Value};

/// A field exists but has the wrong JSON type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field {path} is not {expected}")]
pub(super) struct Malformed {
    /// The dotted path of the field.
    pub path: String,
    /// What the field should have been.
    pub expected: &'static str,
}

fn malformed(path: &[&str], expected: &'static str) -> Malformed {
    Malformed {
        path: path.join("."),
        expected,
    }
}

/// The value at `path`: `None` when any step is absent or null; an error when a step on the way is
/// not an object.
pub(super) fn at<'a>(value: &'a Value, path: &[&str]) -> Result<Option<&'a Value>, Malformed> {
    let mut current = value;
    for (depth, key) in path.iter().enumerate() {
        match current {
            Value::Object(map) => match map.get(*key) {
                None | Some(Value::Null) => return Ok(None),
                Some(next) => current = next,
            },
            Value::Null => return Ok(None),
            _ => return Err(malformed(&path[..depth], "an object")),
        }
    }
    Ok(Some(current))
}

/// The integer at `path` (an integral float such as `3.0` counts).
pub(super) fn int(value: &Value, path: &[&str]) -> Result<Option<i64>, Malformed> {
    match at(value, path)? {
        None => Ok(None),
        Some(field) => as_int(field)
            .map(Some)
            .ok_or_else(|| malformed(path, "an integer")),
    }
}

/// The integer at `path`, or `default` when absent.
pub(super) fn int_or(value: &Value, path: &[&str], default: i64) -> Result<i64, Malformed> {
    Ok(int(value, path)?.unwrap_or(default))
}

fn as_int(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
            .map(|f| f as i64)
    })
}

/// The string at `path`.
pub(super) fn string<'a>(value: &'a Value, path: &[&str]) -> Result<Option<&'a str>, Malformed> {
    match at(value, path)? {
        None => Ok(None),
        Some(field) => field
            .as_str()
            .map(Some)
            .ok_or_else(|| malformed(path, "a string")),
    }
}

/// The array at `path`; empty when absent.
pub(super) fn array<'a>(value: &'a Value, path: &[&str]) -> Result<&'a [Value], Malformed> {
    match at(value, path)? {
        None => Ok(&[]),
        Some(field) => field
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| malformed(path, "an array")),
    }
}

/// The object at `path`.
pub(super) fn object<'a>(
    value: &'a Value,
    path: &[&str],
) -> Result<Option<&'a Map<String, Value>>, Malformed> {
    match at(value, path)? {
        None => Ok(None),
        Some(field) => field
            .as_object()
            .map(Some)
            .ok_or_else(|| malformed(path, "an object")),
    }
}

/// The value at `path`, with anything malformed on the way treated as absent.
pub(super) fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    at(value, path).ok().flatten()
}

/// The string at `path`, or `None` when absent or not a string.
pub(super) fn lookup_str<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    lookup(value, path).and_then(Value::as_str)
}

/// The array at `path`; empty when absent or not an array.
pub(super) fn lookup_array<'a>(value: &'a Value, path: &[&str]) -> &'a [Value] {
    lookup(value, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Sets the field at `path`, creating (or replacing non-object) intermediate steps as objects.
pub(super) fn set(value: &mut Value, path: &[&str], new: Value) {
    let Some((last, parents)) = path.split_last() else {
        *value = new;
        return;
    };
    let mut current = value;
    for key in parents {
        let Some(map) = object_mut(current) else {
            return;
        };
        current = map.entry(key.to_string()).or_insert(Value::Null);
    }
    if let Some(map) = object_mut(current) {
        map.insert(last.to_string(), new);
    }
}

/// Removes the field at `path` if present.
pub(super) fn remove(value: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = value;
    for key in parents {
        match current.get_mut(*key) {
            Some(next) => current = next,
            None => return,
        }
    }
    if let Some(map) = current.as_object_mut() {
        map.remove(*last);
    }
}

/// `value` as an object, replacing it with an empty object when it is anything else (so never
/// `None` in practice; the `Option` only spares a panic path).
fn object_mut(value: &mut Value) -> Option<&mut Map<String, Value>> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_reads_tell_absent_from_malformed() {
        let object = json!({"spec": {"replicas": 3, "float": 2.0, "half": 2.5, "name": "x", "null": null}, "bad": 1});
        assert_eq!(int(&object, &["spec", "replicas"]), Ok(Some(3)));
        assert_eq!(int(&object, &["spec", "float"]), Ok(Some(2)));
        assert!(int(&object, &["spec", "half"]).is_err());
        assert!(int(&object, &["spec", "name"]).is_err());
        assert_eq!(int(&object, &["spec", "null"]), Ok(None));
        assert_eq!(int(&object, &["spec", "missing"]), Ok(None));
        assert_eq!(int(&object, &["status", "replicas"]), Ok(None));
        assert_eq!(
            int(&object, &["bad", "replicas"]),
            Err(Malformed {
                path: "bad".into(),
                expected: "an object"
            })
        );
        assert_eq!(string(&object, &["spec", "name"]), Ok(Some("x")));
        assert!(array(&object, &["spec", "name"]).is_err());
        assert_eq!(array(&object, &["spec", "list"]), Ok(&[][..]));
    }

    #[test]
    fn lenient_reads_treat_malformed_as_absent() {
        let object = json!({"spec": "oops", "list": 1});
        assert_eq!(lookup(&object, &["spec", "replicas"]), None);
        assert_eq!(lookup_str(&object, &["list"]), None);
        assert!(lookup_array(&object, &["list"]).is_empty());
    }

    #[test]
    fn set_creates_missing_steps_and_remove_deletes_only_the_leaf() {
        let mut object = json!({"spec": "oops"});
        set(&mut object, &["spec", "template", "replicas"], json!(2));
        assert_eq!(object, json!({"spec": {"template": {"replicas": 2}}}));
        remove(&mut object, &["spec", "template", "replicas"]);
        remove(&mut object, &["status", "missing"]);
        assert_eq!(object, json!({"spec": {"template": {}}}));
    }
}
