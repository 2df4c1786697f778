//! The container overriders: `imageOverrider`, `commandOverrider` and `argsOverrider`, which find
//! containers in the pod template of the workload kinds Karmada knows.

use karmada_api::policy::v1alpha1::{
    CommandArgsOperator, CommandArgsOverrider, ImageComponent, ImageOverrider, OverriderOperator,
};
use serde_json::Value;

use super::OverriderError;
use super::reference::ImageReference;

/// Where the pod spec of a workload lives, by kind (Karmada looks at the kind only). CronJob is
/// an addition to Karmada's list.
fn pod_spec_pointer(manifest: &Value) -> Option<&'static str> {
    match manifest.get("kind").and_then(Value::as_str)? {
        "Pod" => Some("/spec"),
        "ReplicaSet" | "Deployment" | "DaemonSet" | "StatefulSet" | "Job" => {
            Some("/spec/template/spec")
        }
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

/// The containers under `pointer`: none when the list is absent, an error when it is not a list.
fn containers<'a>(manifest: &'a Value, pointer: &str) -> Result<&'a [Value], OverriderError> {
    match manifest.pointer(pointer) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(OverriderError::NotAList {
            path: pointer.to_string(),
        }),
    }
}

/// Applies one image overrider: to the string at `predicate.path`, or without a predicate to
/// the image of every container and init container of a known workload kind (Karmada rewrites
/// `containers` only; init containers run images from the same registries, so they follow).
pub(super) fn apply_image(
    manifest: &mut Value,
    overrider: &ImageOverrider,
) -> Result<(), OverriderError> {
    let paths = match &overrider.predicate {
        Some(predicate) => {
            let path = &predicate.path;
            if !path.starts_with('/') {
                return Err(OverriderError::InvalidPath { path: path.clone() });
            }
            vec![path.clone()]
        }
        None => default_image_paths(manifest)?,
    };
    for path in paths {
        let current = match manifest.pointer(&path) {
            Some(Value::String(image)) => image.as_str(),
            // Karmada reads a container without an image as "", which then fails to parse.
            None | Some(Value::Null) if overrider.predicate.is_none() => "",
            None => return Err(OverriderError::PathNotFound { path }),
            Some(_) => return Err(OverriderError::NotAString { path }),
        };
        let image = override_image(current, overrider).map_err(|reason| match reason {
            ImageOverrideError::Parse(reason) => OverriderError::InvalidImage {
                path: path.clone(),
                image: current.to_string(),
                reason,
            },
            ImageOverrideError::TagOrDigest(value) => OverriderError::InvalidTagOrDigest { value },
        })?;
        set(manifest, &path, Value::String(image))?;
    }
    Ok(())
}

/// The image pointers of every container and init container of a known workload kind.
fn default_image_paths(manifest: &Value) -> Result<Vec<String>, OverriderError> {
    let Some(pod_spec) = pod_spec_pointer(manifest) else {
        return Ok(Vec::new());
    };
    let mut paths = Vec::new();
    for list in ["containers", "initContainers"] {
        let pointer = format!("{pod_spec}/{list}");
        let count = containers(manifest, &pointer)?.len();
        paths.extend((0..count).map(|i| format!("{pointer}/{i}/image")));
    }
    Ok(paths)
}

enum ImageOverrideError {
    Parse(super::reference::ImageError),
    TagOrDigest(String),
}

/// The image after applying `overrider` to one component of `current`. `add` appends the value
/// to the component, `replace` sets it and `remove` clears it.
fn override_image(current: &str, overrider: &ImageOverrider) -> Result<String, ImageOverrideError> {
    let mut image = ImageReference::parse(current).map_err(ImageOverrideError::Parse)?;
    let value = overrider.value.as_deref().unwrap_or_default();
    let operator = overrider.operator;
    match overrider.component {
        ImageComponent::Registry => edit(&mut image.registry, operator, value),
        ImageComponent::Repository => edit(&mut image.repository, operator, value),
        ImageComponent::Tag => {
            let wanted = match operator {
                OverriderOperator::Add => format!("{}{value}", image.tag_or_digest()),
                OverriderOperator::Replace => value.to_string(),
                OverriderOperator::Remove => {
                    image.remove_tag_or_digest();
                    return Ok(image.to_string());
                }
            };
            // Karmada silently keeps the image when the value is neither; a typo should be seen.
            if !image.set_tag_or_digest(&wanted) {
                return Err(ImageOverrideError::TagOrDigest(wanted));
            }
        }
    }
    Ok(image.to_string())
}

fn edit(component: &mut String, operator: OverriderOperator, value: &str) {
    match operator {
        OverriderOperator::Add => component.push_str(value),
        OverriderOperator::Replace => *component = value.to_string(),
        OverriderOperator::Remove => component.clear(),
    }
}

/// Applies one command or args overrider (`field` is `command` or `args`) to the containers of
/// a known workload kind named `containerName`: `add` appends the values, creating the list
/// when absent; `remove` drops every item equal to one of the values.
pub(super) fn apply_command_args(
    manifest: &mut Value,
    field: &str,
    overrider: &CommandArgsOverrider,
) -> Result<(), OverriderError> {
    let Some(pod_spec) = pod_spec_pointer(manifest) else {
        return Ok(());
    };
    let pointer = format!("{pod_spec}/containers");
    let values = overrider.value.as_deref().unwrap_or_default();
    let mut updates = Vec::new();
    for (index, container) in containers(manifest, &pointer)?.iter().enumerate() {
        if container.get("name").and_then(Value::as_str) != Some(&overrider.container_name) {
            continue;
        }
        let path = format!("{pointer}/{index}/{field}");
        let current = match container.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|item| item.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| OverriderError::NotAStringList { path: path.clone() })?,
            ),
            Some(_) => return Err(OverriderError::NotAStringList { path }),
        };
        let updated = match (overrider.operator, current) {
            // Karmada writes an empty list here; absent and empty mean the same to Kubernetes.
            (_, None) if values.is_empty() => continue,
            (CommandArgsOperator::Remove, None) => continue,
            (CommandArgsOperator::Add, current) => {
                let mut list = current.unwrap_or_default();
                list.extend(values.iter().cloned());
                list
            }
            (CommandArgsOperator::Remove, Some(list)) => {
                list.into_iter().filter(|v| !values.contains(v)).collect()
            }
        };
        updates.push((path, updated));
    }
    for (path, list) in updates {
        set(manifest, &path, Value::from(list))?;
    }
    Ok(())
}

/// Sets the value at `path`, whose parent object must exist.
fn set(manifest: &mut Value, path: &str, value: Value) -> Result<(), OverriderError> {
    let not_found = || OverriderError::PathNotFound {
        path: path.to_string(),
    };
    let (parent, key) = path.rsplit_once('/').ok_or_else(not_found)?;
    let key = key.replace("~1", "/").replace("~0", "~");
    match manifest.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key, value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let slot = key.parse::<usize>().ok().and_then(|i| items.get_mut(i));
            *slot.ok_or_else(not_found)? = value;
            Ok(())
        }
        _ => Err(not_found()),
    }
}
