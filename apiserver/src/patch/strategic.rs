//! Strategic merge patch (`application/strategic-merge-patch+json`) applied to a JSON object.
//!
//! The rules, for a patch value at some field:
//! * `null` deletes the field; a map merges key by key, recursively (a field whose patch strategy
//!   is `replace` takes the patch value instead);
//! * a list whose patch strategy is `merge` merges: by its merge key when it has one (entries with
//!   the same key merge, new entries are appended), as a set union when it holds primitives; any
//!   other list is replaced by the patch list;
//! * directives: `$patch: replace | merge | delete` in a map or in a list entry (a `{"$patch":
//!   "replace"}` entry replaces the whole list), `$retainKeys: [...]` (keep only these members),
//!   `$deleteFromPrimitiveList/<field>: [...]` and `$setElementOrder/<field>: [...]` (the order of the
//!   merged list). Directives never reach the result, and neither do `null`s with nothing to delete.
//!
//! This module is pure: no I/O, no panics on client input. The caller picks the schema
//! ([`super::schema_for`]) and maps [`PatchError`] to an HTTP status.

use std::fmt;

use serde_json::{Map, Value};

use super::schema::{Field, KindSchema};

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Why a strategic merge patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("a strategic merge patch must be a JSON object")]
    PatchNotAnObject,
    #[error("the object to patch is not a JSON object")]
    OriginalNotAnObject,
    #[error("unknown patch directive at {path}: $patch: {value}")]
    UnknownPatchDirective { path: String, value: String },
    #[error("invalid {directive} at {path}: expected {expected}")]
    BadDirective {
        path: String,
        directive: String,
        expected: &'static str,
    },
    #[error("list entry {path} does not contain the declared merge key {key:?}")]
    MissingMergeKey { path: String, key: String },
    #[error("list entry {path} must be an object: the list merges by key {key:?}")]
    EntryNotAnObject { path: String, key: String },
    #[error("{path} has a patch for {field:?}, which its $retainKeys list does not keep")]
    RetainKeysMismatch { path: String, field: String },
    #[error("$patch: {directive} in list entry {path} needs a list that merges by key")]
    DirectiveNeedsMergeKey {
        path: String,
        directive: &'static str,
    },
}

impl PatchError {
    /// True when the patch document itself is malformed (HTTP 400); otherwise it is well-formed but
    /// cannot be applied to this object (HTTP 422).
    pub fn is_malformed(&self) -> bool {
        match self {
            PatchError::PatchNotAnObject
            | PatchError::UnknownPatchDirective { .. }
            | PatchError::BadDirective { .. } => true,
            PatchError::OriginalNotAnObject
            | PatchError::MissingMergeKey { .. }
            | PatchError::EntryNotAnObject { .. }
            | PatchError::RetainKeysMismatch { .. }
            | PatchError::DirectiveNeedsMergeKey { .. } => false,
        }
    }
}

/// Applies a strategic merge `patch` to `original`. With `schema == None` every list is replaced
/// (as for a kind without strategic-merge metadata); the directives still apply.
///
/// # Errors
/// A [`PatchError`] when either document is not an object, a directive is malformed, or a list
/// entry of a keyed list lacks its merge key or is not an object.
pub fn strategic_merge(
    original: &Value,
    patch: &Value,
    schema: Option<&KindSchema>,
) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::PatchNotAnObject);
    };
    let Value::Object(original) = original else {
        return Err(PatchError::OriginalNotAnObject);
    };
    let root = schema.map(KindSchema::root);
    let merged = merge_map(Some(original), patch, root, &Path::Root)?;
    // `$patch: delete` at the top leaves nothing; an empty object fails validation downstream.
    Ok(Value::Object(merged.unwrap_or_default()))
}

/// Where in the patch we are, for error messages (`spec.template.spec.containers[1]`).
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Entry(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("(root)"),
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Entry(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A `$patch` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Replace,
    Merge,
    Delete,
}

fn directive_of(map: &Map<String, Value>, path: &Path) -> Result<Option<Directive>, PatchError> {
    let Some(value) = map.get(PATCH) else {
        return Ok(None);
    };
    match value.as_str() {
        Some("replace") => Ok(Some(Directive::Replace)),
        Some("merge") => Ok(Some(Directive::Merge)),
        Some("delete") => Ok(Some(Directive::Delete)),
        _ => Err(PatchError::UnknownPatchDirective {
            path: path.to_string(),
            value: value.to_string(),
        }),
    }
}

fn is_directive(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

/// The patched value of a field, or `None` when the field goes away.
fn merge_field(
    original: Option<&Value>,
    patch: &Value,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Value>, PatchError> {
    let replace = field.is_some_and(|f| f.meta().patch_strategy.replace);
    merge_value(if replace { None } else { original }, patch, field, path)
}

/// The patched value of a list entry: like a field, without the list's own strategy.
fn merge_entry(
    original: Option<&Value>,
    patch: &Value,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Value>, PatchError> {
    // Entries share the list's schema position; a list nested in a list has no metadata.
    let field = if patch.is_array() { None } else { field };
    merge_value(original, patch, field, path)
}

fn merge_value(
    original: Option<&Value>,
    patch: &Value,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Value>, PatchError> {
    match patch {
        Value::Null => Ok(None),
        Value::Object(patch) => {
            let original = original.and_then(Value::as_object);
            Ok(merge_map(original, patch, field, path)?.map(Value::Object))
        }
        Value::Array(patch) => {
            let original = original.and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            Ok(Some(Value::Array(merge_list(original, patch, field, path)?)))
        }
        scalar => Ok(Some(scalar.clone())),
    }
}

fn merge_map(
    original: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Map<String, Value>>, PatchError> {
    let mut merged = match directive_of(patch, path)? {
        Some(Directive::Delete) => return Ok(None),
        Some(Directive::Replace) => Map::new(),
        Some(Directive::Merge) | None => original.cloned().unwrap_or_default(),
    };

    if let Some(retain) = patch.get(RETAIN_KEYS) {
        let keep = string_list(retain, RETAIN_KEYS, path)?;
        if let Some((key, _)) = patch
            .iter()
            .find(|(k, v)| !v.is_null() && !is_directive(k) && !keep.contains(&k.as_str()))
        {
            return Err(PatchError::RetainKeysMismatch {
                path: path.to_string(),
                field: key.clone(),
            });
        }
        merged.retain(|k, _| keep.contains(&k.as_str()));
    }

    for (key, value) in patch {
        let Some(name) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) else {
            continue;
        };
        let Value::Array(doomed) = value else {
            return Err(bad_directive(key, path, "a list of values"));
        };
        if let Some(Value::Array(list)) = merged.get_mut(name) {
            list.retain(|v| !doomed.contains(v));
        }
    }

    for (key, value) in patch {
        if is_directive(key) {
            continue;
        }
        let child = field.and_then(|f| f.child(key));
        match merge_field(merged.get(key), value, child, &Path::Field(path, key))? {
            Some(value) => merged.insert(key.clone(), value),
            None => merged.remove(key),
        };
    }

    for (key, value) in patch {
        let Some(name) = key.strip_prefix(SET_ELEMENT_ORDER) else {
            continue;
        };
        let Value::Array(order) = value else {
            return Err(bad_directive(key, path, "a list"));
        };
        let merge_key = field
            .and_then(|f| f.child(name))
            .and_then(|f| f.meta().patch_merge_key.as_deref());
        if let Some(Value::Array(list)) = merged.get_mut(name) {
            let ids = order_ids(order, merge_key, key, path)?;
            let entries = std::mem::take(list);
            *list = reorder(entries, &ids, merge_key);
        }
    }

    Ok(Some(merged))
}

fn merge_list(
    original: &[Value],
    patch: &[Value],
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut replace = false;
    let mut entries = Vec::with_capacity(patch.len());
    for (index, entry) in patch.iter().enumerate() {
        if let Value::Object(map) = entry
            && directive_of(map, &Path::Entry(path, index))? == Some(Directive::Replace)
        {
            // `{"$patch": "replace"}` is a marker: the other entries are the whole new list.
            replace = true;
            continue;
        }
        entries.push((index, entry));
    }
    let meta = field.map(|f| f.meta());
    if replace || !meta.is_some_and(|m| m.patch_strategy.merge) {
        return replace_list(entries, field, path);
    }
    match meta.and_then(|m| m.patch_merge_key.as_deref()) {
        Some(key) => merge_keyed_list(original, entries, key, field, path),
        None => merge_set(original, entries, field, path),
    }
}

/// The patch list as the new list (directives and `null`s dropped).
fn replace_list(
    entries: Vec<(usize, &Value)>,
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut list = Vec::with_capacity(entries.len());
    for (index, entry) in entries {
        list.extend(merge_entry(None, entry, field, &Path::Entry(path, index))?);
    }
    Ok(list)
}

/// Entries matched by `key`: matching ones merge, new ones are appended, `$patch: delete` removes.
fn merge_keyed_list(
    original: &[Value],
    entries: Vec<(usize, &Value)>,
    key: &str,
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut merged = original.to_vec();
    for (index, entry) in entries {
        let entry_path = Path::Entry(path, index);
        let Value::Object(map) = entry else {
            return Err(PatchError::EntryNotAnObject {
                path: entry_path.to_string(),
                key: key.to_string(),
            });
        };
        let Some(id) = map.get(key) else {
            return Err(PatchError::MissingMergeKey {
                path: entry_path.to_string(),
                key: key.to_string(),
            });
        };
        if directive_of(map, &entry_path)? == Some(Directive::Delete) {
            merged.retain(|e| e.get(key) != Some(id));
            continue;
        }
        match merged.iter().position(|e| e.get(key) == Some(id)) {
            Some(at) => match merge_entry(Some(&merged[at]), entry, field, &entry_path)? {
                Some(value) => merged[at] = value,
                None => {
                    merged.remove(at);
                }
            },
            None => merged.extend(merge_entry(None, entry, field, &entry_path)?),
        }
    }
    Ok(merged)
}

/// A list of primitives under the `merge` strategy: the union, without duplicates, in order.
fn merge_set(
    original: &[Value],
    entries: Vec<(usize, &Value)>,
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut merged: Vec<Value> = Vec::with_capacity(original.len() + entries.len());
    for value in original {
        if !merged.contains(value) {
            merged.push(value.clone());
        }
    }
    for (index, entry) in entries {
        let entry_path = Path::Entry(path, index);
        if let Value::Object(map) = entry
            && let Some(directive) = directive_of(map, &entry_path)?
        {
            return Err(PatchError::DirectiveNeedsMergeKey {
                path: entry_path.to_string(),
                directive: match directive {
                    Directive::Delete => "delete",
                    Directive::Merge => "merge",
                    Directive::Replace => "replace",
                },
            });
        }
        if let Some(value) = merge_entry(None, entry, field, &entry_path)?
            && !merged.contains(&value)
        {
            merged.push(value);
        }
    }
    Ok(merged)
}

/// The identities listed by `$setElementOrder/<field>`: merge-key values, or the primitives.
fn order_ids<'p>(
    order: &'p [Value],
    merge_key: Option<&str>,
    directive: &str,
    path: &Path,
) -> Result<Vec<&'p Value>, PatchError> {
    order
        .iter()
        .map(|entry| match merge_key {
            None => Ok(entry),
            Some(key) => entry
                .get(key)
                .ok_or_else(|| bad_directive(directive, path, "entries holding the merge key")),
        })
        .collect()
}

/// Puts the entries named by `ids` in that order. The others (added by the server, or not named)
/// keep their place relative to the named ones, as far as their original positions allow.
fn reorder(list: Vec<Value>, ids: &[&Value], merge_key: Option<&str>) -> Vec<Value> {
    let rank_of = |entry: &Value| {
        let id = match merge_key {
            Some(key) => entry.get(key),
            None => Some(entry),
        };
        id.and_then(|id| ids.iter().position(|&o| o == id))
    };
    let mut named = Vec::new();
    let mut others = Vec::new();
    for (position, entry) in list.into_iter().enumerate() {
        match rank_of(&entry) {
            Some(rank) => named.push((rank, position, entry)),
            None => others.push((position, entry)),
        }
    }
    named.sort_by_key(|&(rank, position, _)| (rank, position));

    let mut result = Vec::with_capacity(named.len() + others.len());
    let mut named = named.into_iter().peekable();
    let mut others = others.into_iter().peekable();
    loop {
        let take_other = match (named.peek(), others.peek()) {
            (Some((_, n, _)), Some((o, _))) => o < n,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        if take_other {
            result.extend(others.next().map(|(_, entry)| entry));
        } else {
            result.extend(named.next().map(|(_, _, entry)| entry));
        }
    }
    result
}

fn string_list<'p>(
    value: &'p Value,
    directive: &str,
    path: &Path,
) -> Result<Vec<&'p str>, PatchError> {
    value
        .as_array()
        .and_then(|list| list.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| bad_directive(directive, path, "a list of strings"))
}

fn bad_directive(directive: &str, path: &Path, expected: &'static str) -> PatchError {
    PatchError::BadDirective {
        path: path.to_string(),
        directive: directive.to_string(),
        expected,
    }
}

#[cfg(test)]
mod tests;
