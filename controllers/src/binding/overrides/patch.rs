//! The patch overriders: `plaintext` (RFC 6902 on the manifest) and `fieldOverrider` (RFC 6902
//! on a JSON or YAML document held in a string field, such as a ConfigMap key).

use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, PatchOperation, RemoveOperation, ReplaceOperation};
use karmada_api::policy::v1alpha1::{
    FieldOverrider, FieldPatchOperation, OverriderOperator, PlaintextOverrider,
};
use serde_json::Value;

use super::OverriderError;

/// One RFC 6902 operation. A missing value is `null`, as Karmada sends it.
fn operation(
    operator: OverriderOperator,
    path: &str,
    value: Option<&Value>,
) -> Result<PatchOperation, OverriderError> {
    let path = PointerBuf::parse(path).map_err(|_| OverriderError::InvalidPath {
        path: path.to_string(),
    })?;
    let value = || value.cloned().unwrap_or(Value::Null);
    Ok(match operator {
        OverriderOperator::Add => PatchOperation::Add(AddOperation {
            path,
            value: value(),
        }),
        OverriderOperator::Replace => PatchOperation::Replace(ReplaceOperation {
            path,
            value: value(),
        }),
        OverriderOperator::Remove => PatchOperation::Remove(RemoveOperation { path }),
    })
}

/// Applies all plaintext overriders as one patch: either every operation applies or the
/// manifest is left unchanged. On failure, returns the index of the failing overrider.
pub(super) fn apply_plaintext(
    manifest: &mut Value,
    overriders: &[PlaintextOverrider],
) -> Result<(), (usize, OverriderError)> {
    let operations = overriders
        .iter()
        .enumerate()
        .map(|(i, o)| operation(o.operator, &o.path, o.value.as_ref()).map_err(|e| (i, e)))
        .collect::<Result<Vec<_>, _>>()?;
    json_patch::patch(manifest, &operations).map_err(|e| (e.operation, OverriderError::Patch(e)))
}

/// Applies one field overrider: parses the JSON or YAML document in the string at `fieldPath`,
/// patches it at the `subPath`s and writes it back re-serialised (YAML with sorted keys, as
/// Karmada's round trip through JSON gives).
pub(super) fn apply_field(
    manifest: &mut Value,
    overrider: &FieldOverrider,
) -> Result<(), OverriderError> {
    let path = &overrider.field_path;
    if PointerBuf::parse(path.as_str()).is_err() {
        return Err(OverriderError::InvalidPath { path: path.clone() });
    }
    let json = overrider.json.as_deref().unwrap_or_default();
    let yaml = overrider.yaml.as_deref().unwrap_or_default();
    let (format, operations) = match (json.is_empty(), yaml.is_empty()) {
        (false, true) => (DocumentFormat::Json, json),
        (true, false) => (DocumentFormat::Yaml, yaml),
        _ => return Err(OverriderError::FieldFormat),
    };
    let text = match manifest.pointer(path) {
        Some(Value::String(text)) => text,
        Some(_) => return Err(OverriderError::NotAString { path: path.clone() }),
        None => return Err(OverriderError::PathNotFound { path: path.clone() }),
    };
    let document_error = |reason: String| OverriderError::InvalidDocument {
        path: path.clone(),
        format,
        reason,
    };
    let mut document: Value = match format {
        DocumentFormat::Json => {
            serde_json::from_str(text).map_err(|e| document_error(e.to_string()))
        }
        DocumentFormat::Yaml => {
            serde_saphyr::from_str(text).map_err(|e| document_error(e.to_string()))
        }
    }?;
    let operations = operations
        .iter()
        .map(|o: &FieldPatchOperation| operation(o.operator, &o.sub_path, o.value.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    json_patch::patch(&mut document, &operations).map_err(OverriderError::Patch)?;
    let rendered = match format {
        DocumentFormat::Json => serde_json::to_string(&document).map_err(|e| e.to_string()),
        DocumentFormat::Yaml => serde_saphyr::to_string(&document).map_err(|e| e.to_string()),
    }
    .map_err(|reason| OverriderError::RenderDocument {
        path: path.clone(),
        format,
        reason,
    })?;
    if let Some(slot) = manifest.pointer_mut(path) {
        *slot = Value::String(rendered);
    }
    Ok(())
}

/// The format of the document a field overrider edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Json,
    Yaml,
}

impl std::fmt::Display for DocumentFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DocumentFormat::Json => "JSON",
            DocumentFormat::Yaml => "YAML",
        })
    }
}
